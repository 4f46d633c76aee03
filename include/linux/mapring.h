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
 * (counted in drops_busy) when the ring's lock is held. get (by name or id)
 * takes the object registry's spinlock: not from NMI, and on PREEMPT_RT
 * only from task or softirq context; put takes no lock and works in any
 * context but NMI; create and get_by_fd need process context. Hold
 * the reference for as long as you produce.
 *
 * Unlike BPF, submit and discard take the ring: nothing is ever recovered
 * from memory user space can see. A sample must be submitted or discarded
 * on the ring it was reserved from, exactly once; until then it blocks the
 * consumer (records appear in reservation order).
 */
struct mapring_ring;
struct module;

struct mapring_ring_opts {
	u32 flags;		/* MAPRING_RING_F_* */
	u32 wakeup_usecs;	/* MAPRING_RING_F_BATCH_WAKEUP: time bound */
	u64 wakeup_bytes;	/* MAPRING_RING_F_BATCH_WAKEUP: byte bound */
	u32 access;		/* MAPRING_ACCESS_*: who else may open it */
};

/*
 * Create a ring as MAPRING_IOC_RING_CREATE does (opts may be NULL), charged
 * to current's memory cgroup and owned by current's euid (per-user limits
 * apply, docs/reliability.md); the caller holds the one reference. Returns
 * the ring or ERR_PTR(-EINVAL, -E2BIG, -EEXIST, -ENOMEM, -EMFILE). Process
 * context.
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
/*
 * reserve + copy + submit: 0, -EAGAIN (full or NMI), -E2BIG, -EINVAL.
 * In a ring created with MAPRING_RING_F_OVERWRITE, reserve and output
 * overwrite the oldest committed records when the ring is full, and fail
 * only when a record not yet committed is in the way.
 */
int mapring_ring_output(struct mapring_ring *ring, const void *data, u64 size,
			u64 flags);

/* What mapring_ring_query() reports: BPF's values, then ours. */
enum {
	MAPRING_RB_AVAIL_DATA = 0,	/* producer_pos - consumer_pos (*) */
	MAPRING_RB_RING_SIZE = 1,	/* data size in bytes */
	MAPRING_RB_CONS_POS = 2,
	MAPRING_RB_PROD_POS = 3,
	MAPRING_RB_OVERWRITE_POS = 4,	/* BPF's value; 0 unless overwrite */
	MAPRING_RB_PENDING_POS = 16,
	MAPRING_RB_DROPS = 17,		/* all reasons */
	MAPRING_RB_DROPS_FULL = 18,
	MAPRING_RB_DROPS_TOO_LARGE = 19,
	MAPRING_RB_DROPS_BUSY = 20,
	MAPRING_RB_WAKEUPS = 21,
	MAPRING_RB_OVERWRITTEN = 22,	/* records overwritten */
	MAPRING_RB_USER_DRAINED = 32,	/* user rings: records drained */
	MAPRING_RB_USER_DISCARDED = 33,	/* user rings: discarded, skipped */
	MAPRING_RB_USER_BAD = 34,	/* user rings: drains that hit bad input */
};

/*
 * A momentary value (0 for unknown what), as bpf_ringbuf_query(). (*) In
 * an overwrite ring, from the later of consumer_pos and overwrite_pos.
 */
u64 mapring_ring_query(struct mapring_ring *ring, u64 what);
/* The ring's object id and name (NUL-terminated, may be empty). */
u32 mapring_ring_id(struct mapring_ring *ring);
const char *mapring_ring_name(struct mapring_ring *ring);

/*
 * User rings (MAPRING_RING_F_USER, docs/ringbuf.md "User-to-kernel rings"):
 * user space produces, kernel code drains. reserve returns NULL and output
 * -EOPNOTSUPP on them; query also answers the three values below.
 *
 * mapring_ring_drain() calls cb for each committed record from
 * consumer_pos on, in order, and moves consumer_pos past it: at most
 * max_records records (discarded ones included, which cb does not see),
 * and never more than MAPRING_RING_DRAIN_MAX per call (max_records 0 also
 * means that). cb returns 0 to go on; anything else stops the drain after
 * this record, and a negative value is what the drain returns. flags:
 * MAPRING_RB_NO_WAKEUP (never wake writers waiting for room) or
 * MAPRING_RB_FORCE_WAKEUP (wake them even if nothing was drained); by
 * default they are woken when consumer_pos moved.
 *
 * data points into the ring, which user space can still write: cb must
 * treat it like a user buffer it already has (copy what it checks before
 * trusting it; the copy races with user space by design, so mark it for
 * KCSAN, e.g. data_race(memcpy(...))). size was read once and validated: data[0..size) lies in
 * the ring. Everything user space wrote is checked before use; a drain
 * that finds producer_pos not 8-aligned or more than data_size ahead of
 * consumer_pos, or a header whose record runs past producer_pos, stops
 * there, counts MAPRING_RB_USER_BAD and returns -EBADMSG (the records
 * drained before it stay drained; the ring stays stuck at that record until
 * user space rewrites it). A record still busy ends the drain normally.
 *
 * Returns the records cb was called for, cb's negative value, -EBADMSG,
 * -EBUSY (another drain of this ring is running: one at a time, checked
 * with a bit in kernel memory, never waited for) or -EINVAL (not a user
 * ring, unknown flags, no cb). Any context, NMI included, as long as cb
 * fits that context; wake-ups from a context that cannot wake directly go
 * through irq_work, as commits' do.
 */
#define MAPRING_RING_DRAIN_MAX	(128 * 1024)

typedef int (*mapring_drain_fn)(void *ctx, const void *data, u32 size);

long mapring_ring_drain(struct mapring_ring *ring, mapring_drain_fn cb,
			void *ctx, u32 max_records, u64 flags);

/*
 * Kicks: MAPRING_IOC_RING_KICK on the ring's fd calls fn(ring, ctx) in the
 * caller's process context, under a spinlock: fn must not sleep (wake a
 * thread, queue work). One fn per ring: -EBUSY when another is set;
 * fn = NULL removes it and, once this returns, fn is not running and
 * never called again. -EINVAL on a ring that is not a user ring. Process
 * context. A set kick holds a reference on the ring; remove fn when done
 * (module exit at the latest): a module unloaded with its kick still set
 * has it removed for it, with a notice in the kernel log.
 */
typedef void (*mapring_kick_fn)(struct mapring_ring *ring, void *ctx);

int mapring_ring_set_kick_owner(struct mapring_ring *ring,
				mapring_kick_fn fn, void *ctx,
				struct module *owner);
#define mapring_ring_set_kick(ring, fn, ctx) \
	mapring_ring_set_kick_owner(ring, fn, ctx, THIS_MODULE)

/* ---- Sharded rings (ring groups) --------------------------------------- */

/*
 * One logical ring made of several shards, each an ordinary ring
 * (docs/ringbuf.md, "Sharded rings"). Take a group reference, then per
 * record mapring_ring_group_shard() gives the current CPU's shard: reserve,
 * submit, discard and output on it as on any ring, in any context, NMI
 * included. The shard is valid for as long as the group reference is held;
 * a producer that migrates between the lookup and the reservation simply
 * produces into another CPU's shard, which is correct, only less local.
 * Contexts of create/get/put as for rings.
 */
struct mapring_ring_group;

struct mapring_ring_group_opts {
	u32 flags;		/* MAPRING_RING_F_*, for every shard */
	u32 wakeup_usecs;	/* MAPRING_RING_F_BATCH_WAKEUP: time bound */
	u64 wakeup_bytes;	/* MAPRING_RING_F_BATCH_WAKEUP: byte bound */
	u32 access;		/* MAPRING_ACCESS_* of the group and its shards */
	u32 assign;		/* enum mapring_shard_assign */
	const u32 *cpu_table;	/* MAPRING_SHARD_ASSIGN_TABLE: nr_cpu_ids entries */
};

/*
 * Create a group of nr_shards rings of shard_size bytes each, as
 * MAPRING_IOC_RING_GROUP_CREATE (opts may be NULL). Returns the group with
 * one reference or ERR_PTR(-EINVAL, -E2BIG, -EEXIST, -ENOMEM, -EMFILE).
 * Process context.
 */
struct mapring_ring_group *
mapring_ring_group_create(const char *name, u32 nr_shards, u64 shard_size,
			  const struct mapring_ring_group_opts *opts);
/* A referenced group, or ERR_PTR(-ENOENT, -EINVAL). */
struct mapring_ring_group *mapring_ring_group_get_by_name(const char *name);
void mapring_ring_group_get(struct mapring_ring_group *group);
void mapring_ring_group_put(struct mapring_ring_group *group);

/* The current CPU's shard: an array lookup, any context. */
struct mapring_ring *mapring_ring_group_shard(struct mapring_ring_group *group);
/* Shard index (NULL when out of range), and the shard a CPU produces into. */
struct mapring_ring *mapring_ring_group_shard_at(struct mapring_ring_group *group,
						 u32 index);
u32 mapring_ring_group_cpu_shard(struct mapring_ring_group *group,
				 unsigned int cpu);
u32 mapring_ring_group_nr_shards(struct mapring_ring_group *group);
/* mapring_ring_output() into the current CPU's shard. */
int mapring_ring_group_output(struct mapring_ring_group *group,
			      const void *data, u64 size, u64 flags);
/*
 * mapring_ring_query()'s value summed over the shards (positions too: a
 * sum of positions is only good for telling progress apart).
 */
u64 mapring_ring_group_query(struct mapring_ring_group *group, u64 what);
u32 mapring_ring_group_id(struct mapring_ring_group *group);

/* ---- Maps -------------------------------------------------------------- */

/*
 * Per-CPU maps (docs/maps.md). A map is referenced by a struct mapring_map
 * pointer from mapring_map_create() or mapring_map_get_*(); drop it with
 * mapring_map_put(). Keys are key_size bytes; a value here is ONE CPU's
 * value (value_size bytes) unless stated otherwise.
 *
 * Contexts: every function but create and get_by_* works from process,
 * softirq and hard-IRQ context, also on PREEMPT_RT (bucket locks are raw
 * spinlocks). In NMI context lookups and adds to existing elements work;
 * anything that must take a lock (inserting or deleting a hash element)
 * returns -EBUSY. A map created with MAPRING_F_NO_PREALLOC allocates when
 * a new key is inserted: from hard-IRQ context or with interrupts off on
 * PREEMPT_RT that is impossible and returns -EBUSY too; preallocated maps
 * (the default) never allocate after creation.
 */
struct mapring_map;

/* A new map, as MAPRING_IOC_MAP_CREATE makes it; ERR_PTR on failure. */
struct mapring_map *mapring_map_create(u32 map_type, const char *name,
				       u32 key_size, u32 value_size,
				       u32 max_entries, u32 map_flags);

struct mapring_map_opts {
	u32 map_flags;		/* MAPRING_F_* */
	u32 access;		/* MAPRING_ACCESS_*: who else may open it */
};

/*
 * The same with options (opts may be NULL): owned by current's euid and
 * private to it unless opts->access says otherwise. Bad access bits are
 * -EINVAL.
 */
struct mapring_map *mapring_map_create_opts(u32 map_type, const char *name,
					    u32 key_size, u32 value_size,
					    u32 max_entries,
					    const struct mapring_map_opts *opts);
/* A reference to an existing map; ERR_PTR(-ENOENT, -EINVAL, -EBADF). */
struct mapring_map *mapring_map_get_by_name(const char *name);
struct mapring_map *mapring_map_get_by_fd(int fd);
void mapring_map_put(struct mapring_map *map);

/*
 * The current CPU's value of key, or NULL when absent. Rules: the caller
 * holds rcu_read_lock() (an element may be deleted and reused as soon as
 * it is released) and has preemption disabled (get_cpu(), a spinlock, IRQ
 * context) for as long as it uses the pointer, or it may be writing
 * another CPU's value. Plain stores through it are not atomic against
 * read-and-reset; use mapring_map_add() for counters.
 */
void *mapring_map_lookup_this_cpu(struct mapring_map *map, const void *key);

/*
 * Add delta to the u64 at byte offset off (a multiple of 8) of key's value
 * on the current CPU, with an atomic add on that CPU's copy: safe in any
 * context without disabling anything, and counted exactly once by
 * MAPRING_IOC_MAP_READ_AND_RESET. A missing hash key is inserted with
 * zeroes first (a full LRU map evicts to make room; a kernel-API lookup,
 * add or update of an LRU element counts as a use). 0, -EINVAL (offset),
 * -E2BIG (array index, full hash),
 * -EPERM (MAPRING_F_RDONLY_PROG), -EBUSY, -ENOMEM.
 */
int mapring_map_add(struct mapring_map *map, const void *key, u32 off,
		    u64 delta);

/*
 * Write value as the current CPU's value of key (a new hash element has
 * every other CPU zeroed, as a BPF program's update), or with flags
 * MAPRING_F_CPU | (u64)cpu << MAPRING_F_CPU_SHIFT another CPU's, or with
 * MAPRING_F_ALL_CPUS every CPU's. flags also take MAPRING_ANY, _NOEXIST,
 * _EXIST. Errors as MAPRING_IOC_MAP_UPDATE_ELEM, plus -EBUSY and -EPERM.
 */
int mapring_map_update(struct mapring_map *map, const void *key,
		       const void *value, u64 flags);
/* Remove key: 0, -ENOENT, -EINVAL (array), -EBUSY (NMI), -EPERM. */
int mapring_map_delete(struct mapring_map *map, const void *key);

/* Geometry: the sizes it was created with. */
u32 mapring_map_key_size(const struct mapring_map *map);
u32 mapring_map_value_size(const struct mapring_map *map);
u32 mapring_map_max_entries(const struct mapring_map *map);

#endif /* _LINUX_MAPRING_H */
