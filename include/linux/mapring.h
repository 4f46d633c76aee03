/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mapring kernel API, for modules that produce into rings and update maps.
 *
 * Every function here is exported with EXPORT_SYMBOL_GPL by mapring.ko, and
 * a module that calls any of them holds a module reference on mapring.ko
 * for as long as it is loaded. docs/ARCHITECTURE.md shows the data flow.
 */
#ifndef _LINUX_MAPRING_H
#define _LINUX_MAPRING_H

#include <uapi/linux/mapring.h>

/* The ABI version of the mapring.ko this module was built against. */
#define MAPRING_KAPI_VERSION	MAPRING_ABI_VERSION

u32 mapring_abi_version(void);

/* ---- Rings ------------------------------------------------------------- */

/*
 * A ring buffer with BPF's semantics (docs/ringbuf.md). Get a reference,
 * produce, put it. reserve, submit, discard, output, query, id and name
 * may be called from any context, NMI included; in NMI a reservation fails
 * (counted in drops_busy) when the ring's lock is held. get and put take
 * the object registry's spinlock: not from NMI, and on PREEMPT_RT only from
 * task or softirq context; create and get_by_fd need process context. Hold
 * the reference for as long as you produce.
 *
 * Unlike BPF, submit and discard take the ring: nothing is ever recovered
 * from memory user space can see. A sample must be submitted or discarded
 * on the ring it was reserved from, exactly once; until then it blocks the
 * consumer (records appear in reservation order).
 */
struct mapring_ring;

struct mapring_ring_opts {
	u32 flags;		/* MAPRING_RING_F_* */
	u32 wakeup_usecs;	/* MAPRING_RING_F_BATCH_WAKEUP: time bound */
	u64 wakeup_bytes;	/* MAPRING_RING_F_BATCH_WAKEUP: byte bound */
};

/*
 * Create a ring as MAPRING_IOC_RING_CREATE does (opts may be NULL), charged
 * to current's memory cgroup; the caller holds the one reference. Returns
 * the ring or ERR_PTR(-EINVAL, -E2BIG, -EEXIST, -ENOMEM). Process context.
 */
struct mapring_ring *mapring_ring_create(const char *name, u64 data_size,
					 const struct mapring_ring_opts *opts);
/* A referenced ring, or ERR_PTR(-ENOENT, -EINVAL: other type or bad name). */
struct mapring_ring *mapring_ring_get_by_name(const char *name);
struct mapring_ring *mapring_ring_get_by_id(u32 id);
/* The ring behind a user fd: ERR_PTR(-EBADF, -EINVAL). Process context. */
struct mapring_ring *mapring_ring_get_by_fd(int fd);
void mapring_ring_get(struct mapring_ring *ring);
void mapring_ring_put(struct mapring_ring *ring);

/*
 * Reserve size bytes (flags must be 0): a pointer to the sample, 8-byte
 * aligned, or NULL when there is no room, the record can never fit or the
 * lock is taken in NMI (each counted as a drop by reason) or flags are bad.
 */
void *mapring_ring_reserve(struct mapring_ring *ring, u64 size, u64 flags);
/* Commit a reserved sample; flags: MAPRING_RB_NO_WAKEUP or _FORCE_WAKEUP. */
void mapring_ring_submit(struct mapring_ring *ring, void *sample, u64 flags);
/* Commit it as discarded: the consumer skips it. */
void mapring_ring_discard(struct mapring_ring *ring, void *sample, u64 flags);
/* reserve + copy + submit: 0, -EAGAIN (full or NMI), -E2BIG, -EINVAL. */
int mapring_ring_output(struct mapring_ring *ring, const void *data, u64 size,
			u64 flags);

/* What mapring_ring_query() reports: BPF's values, then ours. */
enum {
	MAPRING_RB_AVAIL_DATA = 0,	/* producer_pos - consumer_pos */
	MAPRING_RB_RING_SIZE = 1,	/* data size in bytes */
	MAPRING_RB_CONS_POS = 2,
	MAPRING_RB_PROD_POS = 3,
	MAPRING_RB_PENDING_POS = 16,
	MAPRING_RB_DROPS = 17,		/* all reasons */
	MAPRING_RB_DROPS_FULL = 18,
	MAPRING_RB_DROPS_TOO_LARGE = 19,
	MAPRING_RB_DROPS_BUSY = 20,
	MAPRING_RB_WAKEUPS = 21,
};

/* A momentary value (0 for unknown what), as bpf_ringbuf_query(). */
u64 mapring_ring_query(struct mapring_ring *ring, u64 what);
/* The ring's object id and name (NUL-terminated, may be empty). */
u32 mapring_ring_id(struct mapring_ring *ring);
const char *mapring_ring_name(struct mapring_ring *ring);

/* ---- Maps -------------------------------------------------------------- */

#endif /* _LINUX_MAPRING_H */
