/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mapring: BPF-style per-CPU maps and ring buffers for any kernel code.
 *
 * This is the whole user-space ABI of /dev/mapring. docs/abi.md explains
 * the rules; the short version:
 *
 *  - Every ioctl argument is an extensible struct whose first member is
 *    "__u32 size", set by the caller to the size of the struct it knows.
 *    A smaller size than the first published version of the struct is
 *    -EINVAL; a larger one than PAGE_SIZE is -E2BIG. Bytes the kernel does
 *    not know must be zero (-E2BIG otherwise), bytes the caller did not
 *    pass read as zero: old binaries run on new kernels and new binaries
 *    on old kernels, exactly as with bpf_attr.
 *  - On return the kernel sets "size" to the number of bytes it wrote back,
 *    min(caller's size, kernel's size).
 *  - Only fixed-size types; padding is explicit and must be zero.
 *  - Errors are negative errno values with the bpf() syscall's meanings.
 */
#ifndef _UAPI_LINUX_MAPRING_H
#define _UAPI_LINUX_MAPRING_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MAPRING_DEVICE_NAME	"mapring"

/* Bumped only for incompatible changes; additions are feature bits. */
#define MAPRING_ABI_VERSION	1

/*
 * Feature bits reported by MAPRING_IOC_INFO: bits 0-7 rings, 8-23 maps,
 * 24-63 reserved. MAPRING_FEATURES_ALL is every bit this header defines.
 */
#define MAPRING_FEATURES_ALL	(MAPRING_FEATURES_RINGS)

/*
 * ioctl numbers. The encoded argument is the leading "__u32 size" of the
 * extensible struct the argument points at, so the number does not change
 * when the struct grows. Ranges: 0x00-0x0f the device and objects in
 * general, 0x10-0x2f rings, 0x30-0x5f maps.
 */
#define MAPRING_IOC_MAGIC	0xBE
#define MAPRING_IOC(nr)		_IOWR(MAPRING_IOC_MAGIC, (nr), __u32)

/*
 * Objects. Every ring and map is an object: it has a type, an id (never 0,
 * not reused until the id space wraps), an optional unique name, and lives
 * while anything holds it: an fd, a mapping, or a kernel module's
 * reference. Names are up to MAPRING_NAME_LEN - 1 characters from
 * [A-Za-z0-9_.], NUL-terminated; an empty name makes an anonymous object.
 */
enum mapring_obj_type {
	MAPRING_OBJ_UNSPEC = 0,
	MAPRING_OBJ_RINGBUF = 1,
	MAPRING_OBJ_PERCPU_ARRAY = 2,
	MAPRING_OBJ_PERCPU_HASH = 3,
	MAPRING_OBJ_LRU_PERCPU_HASH = 4,
};

#define MAPRING_NAME_LEN	32

/* Report the ABI version, feature bits and machine facts. */
#define MAPRING_IOC_INFO	MAPRING_IOC(0x00)

struct mapring_info {
	__u32 size;		/* in: sizeof(struct mapring_info); out: bytes written */
	__u32 abi_version;	/* out: MAPRING_ABI_VERSION */
	__u64 features;		/* out: MAPRING_FEAT_* bits this kernel supports */
	__u32 page_size;	/* out: PAGE_SIZE, the mmap granule of rings */
	__u32 nr_possible_cpus;	/* out: per-CPU values per element */
	__u32 nr_cpu_ids;	/* out: highest possible CPU id + 1 */
	__u32 __pad0;		/* out: zero */
};

#define MAPRING_INFO_SIZE_VER0	32	/* first published size */

/*
 * Open an existing object by id or by name; returns a new O_CLOEXEC fd.
 * -ENOENT: no such object; -EINVAL: neither or a bad name given, or the
 * object is not of the requested type.
 */
#define MAPRING_IOC_OBJ_OPEN	MAPRING_IOC(0x01)

struct mapring_obj_open {
	__u32 size;
	__u32 id;			/* by id when non-zero */
	char name[MAPRING_NAME_LEN];	/* else by name */
	__u32 type;			/* required type, or MAPRING_OBJ_UNSPEC */
	__u32 flags;			/* must be 0 */
};

#define MAPRING_OBJ_OPEN_SIZE_VER0	48

/* ---- Rings (ioctl numbers 0x10-0x2f) ---------------------------------- */

/*
 * A ring is BPF's ring buffer (BPF_MAP_TYPE_RINGBUF): one multi-producer,
 * single-consumer ring of variable-size records shared by all CPUs, with
 * BPF's mmap layout, record header and memory ordering. docs/ringbuf.md
 * describes the protocol; the short version:
 *
 *   mmap offset 0            the consumer page: consumer_pos at offset 0,
 *                            written by the consumer (read-write, exactly
 *                            one page, MAP_SHARED)
 *   mmap offset page_size    the producer page (struct mapring_rb_producer,
 *                            read-only), followed by the data pages mapped
 *                            twice in a row, so every record is contiguous
 *
 * Records are 8-byte aligned; each starts with struct mapring_rb_hdr whose
 * len holds the sample size, the BUSY bit while the producer still writes
 * it and the DISCARD bit when it was discarded. A record takes
 * round_up(len + MAPRING_RB_HDR_SZ, 8) bytes of the ring.
 */
#define MAPRING_FEAT_RINGBUF		(1ULL << 0) /* rings, this section */
#define MAPRING_FEAT_RING_DROPS		(1ULL << 1) /* drop counters by reason */
#define MAPRING_FEAT_RING_BATCH_WAKEUP	(1ULL << 2) /* MAPRING_RING_F_BATCH_WAKEUP */
#define MAPRING_FEAT_RING_WRITE		(1ULL << 3) /* write() and RING_OUTPUT */
#define MAPRING_FEATURES_RINGS	(MAPRING_FEAT_RINGBUF | \
				 MAPRING_FEAT_RING_DROPS | \
				 MAPRING_FEAT_RING_BATCH_WAKEUP | \
				 MAPRING_FEAT_RING_WRITE)

/* mmap page offsets (in pages) of a ring fd */
#define MAPRING_RB_CONSUMER_PGOFF	0
#define MAPRING_RB_PRODUCER_PGOFF	1
#define MAPRING_RB_DATA_PGOFF		2

/* The record header, BPF's struct bpf_ringbuf_hdr. */
struct mapring_rb_hdr {
	__u32 len;	/* sample size | MAPRING_RB_BUSY_BIT | MAPRING_RB_DISCARD_BIT */
	__u32 __pad;	/* zero (BPF keeps a kernel page offset here) */
};

#define MAPRING_RB_HDR_SZ	8
#define MAPRING_RB_BUSY_BIT	(1U << 31)
#define MAPRING_RB_DISCARD_BIT	(1U << 30)

/*
 * The producer page, read-only to user space. The first two fields are
 * BPF's; offset 16 is where BPF keeps overwrite_pos and stays zero. The
 * drop counters sit on their own cache line: each failed reservation adds
 * one to exactly one of them.
 */
struct mapring_rb_producer {
	__u64 producer_pos;	/* end of the last reserved record */
	__u64 pending_pos;	/* oldest record not yet committed (or producer_pos) */
	__u64 __reserved[6];
	__u64 drops_full;	/* no room: consumer or pending record in the way */
	__u64 drops_too_large;	/* the record can never fit in this ring */
	__u64 drops_busy;	/* the reserve lock was taken (NMI trylock) */
};

/* Per-commit and output flags: BPF's BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP. */
#define MAPRING_RB_NO_WAKEUP	(1ULL << 0)
#define MAPRING_RB_FORCE_WAKEUP	(1ULL << 1)

/*
 * Create a ring; returns a new O_CLOEXEC fd. data_size is a power of two,
 * a multiple of the page size (-EINVAL) and at most the module parameter
 * ring_max_bytes (-E2BIG). The name, if any, must be unique (-EEXIST).
 *
 * MAPRING_RING_F_BATCH_WAKEUP replaces the adaptive wake-up of commits
 * without flags: readers are woken when a commit brings the bytes between
 * consumer_pos and its end to wakeup_bytes or more (0: never by bytes), and
 * at the latest wakeup_usecs (1 to MAPRING_RING_MAX_WAKEUP_USECS) after the
 * first commit since the last wake-up, whichever comes first. Without the
 * flag both fields must be 0.
 */
#define MAPRING_IOC_RING_CREATE	MAPRING_IOC(0x10)

#define MAPRING_RING_F_BATCH_WAKEUP	(1U << 0)
#define MAPRING_RING_MAX_WAKEUP_USECS	10000000U

struct mapring_ring_create {
	__u32 size;
	__u32 flags;			/* MAPRING_RING_F_* */
	__u64 data_size;		/* bytes of data pages */
	__u64 wakeup_bytes;		/* MAPRING_RING_F_BATCH_WAKEUP only */
	__u32 wakeup_usecs;		/* MAPRING_RING_F_BATCH_WAKEUP only */
	__u32 __pad0;			/* zero */
	char name[MAPRING_NAME_LEN];	/* optional, unique */
};

#define MAPRING_RING_CREATE_SIZE_VER0	64

/*
 * On a ring fd: a momentary snapshot of the ring, for heuristics and
 * reporting (BPF's bpf_ringbuf_query and more). avail is
 * producer_pos - consumer_pos as BPF computes it, whatever user space wrote
 * to consumer_pos. wakeups counts the wake-ups commits and the batch timer
 * decided on (several may be delivered as one).
 */
#define MAPRING_IOC_RING_QUERY	MAPRING_IOC(0x11)

struct mapring_ring_query {
	__u32 size;
	__u32 flags;		/* in: must be 0 */
	__u32 id;		/* out: object id */
	__u32 ring_flags;	/* out: MAPRING_RING_F_* given at creation */
	__u64 data_size;	/* out */
	__u64 avail;		/* out: producer_pos - consumer_pos */
	__u64 consumer_pos;	/* out */
	__u64 producer_pos;	/* out */
	__u64 pending_pos;	/* out */
	__u64 drops_full;	/* out: as in struct mapring_rb_producer */
	__u64 drops_too_large;	/* out */
	__u64 drops_busy;	/* out */
	__u64 wakeups;		/* out */
	__u64 wakeup_bytes;	/* out: as created */
	__u32 wakeup_usecs;	/* out: as created */
	__u32 __pad0;		/* out: zero */
};

#define MAPRING_RING_QUERY_SIZE_VER0	104

/*
 * On a ring fd: publish one record of data_size bytes copied from data, as
 * a kernel producer's output() would (write() does the same with flags 0).
 * Returns 0; -EAGAIN when the ring is full, -E2BIG when the record can
 * never fit (both counted as drops); -EINVAL for unknown flags; -EFAULT.
 */
#define MAPRING_IOC_RING_OUTPUT	MAPRING_IOC(0x12)

struct mapring_ring_output {
	__u32 size;
	__u32 __pad0;		/* zero */
	__u64 flags;		/* MAPRING_RB_NO_WAKEUP or MAPRING_RB_FORCE_WAKEUP */
	__u64 data;		/* user pointer */
	__u64 data_size;	/* bytes */
};

#define MAPRING_RING_OUTPUT_SIZE_VER0	32

/* ---- Maps (ioctl numbers 0x30-0x5f) ----------------------------------- */

#endif /* _UAPI_LINUX_MAPRING_H */
