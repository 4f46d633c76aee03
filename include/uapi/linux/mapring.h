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
 * 24-31 objects in general, 32-63 reserved. MAPRING_FEATURES_ALL is every
 * bit this header defines.
 */
#define MAPRING_FEATURES_ALL	(MAPRING_FEATURES_RINGS | \
				 MAPRING_FEATURES_MAPS | \
				 MAPRING_FEATURES_OBJECTS)

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
	MAPRING_OBJ_RING_GROUP = 5,	/* a sharded ring: a group of rings */
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

/*
 * Introspection: list every live object and describe one without opening
 * it, as bpftool does with BPF_MAP_GET_NEXT_ID and BPF_OBJ_GET_INFO_BY_FD.
 */
#define MAPRING_FEAT_OBJ_INFO		(1ULL << 24) /* GET_NEXT_ID, OBJ_INFO */
#define MAPRING_FEAT_OBJ_ACCESS		(1ULL << 25) /* owners, access field */
#define MAPRING_FEATURES_OBJECTS	(MAPRING_FEAT_OBJ_INFO | \
					 MAPRING_FEAT_OBJ_ACCESS)

/*
 * Who may open an object by id or name (MAPRING_IOC_OBJ_OPEN) or describe
 * it (MAPRING_IOC_OBJ_INFO): its owner, the effective uid of its creator,
 * and CAP_SYS_ADMIN; with MAPRING_ACCESS_GROUP also members of the
 * creator's effective group; with MAPRING_ACCESS_SHARED anyone who may
 * open /dev/mapring. Set at creation in the "access" field of the create
 * structs; others get -EACCES. An fd, once held, is never checked again.
 */
#define MAPRING_ACCESS_GROUP	(1U << 0)
#define MAPRING_ACCESS_SHARED	(1U << 1)
#define MAPRING_ACCESS_ALL	(MAPRING_ACCESS_GROUP | MAPRING_ACCESS_SHARED)

/*
 * The smallest id above start_id of a live object of the given type
 * (MAPRING_OBJ_UNSPEC: any) goes to next_id; -ENOENT when there is none.
 * Start with start_id 0, continue with the id returned.
 */
#define MAPRING_IOC_OBJ_GET_NEXT_ID	MAPRING_IOC(0x02)

struct mapring_obj_get_next_id {
	__u32 size;
	__u32 start_id;		/* in */
	__u32 next_id;		/* out */
	__u32 type;		/* in: enum mapring_obj_type, or MAPRING_OBJ_UNSPEC */
};

#define MAPRING_OBJ_GET_NEXT_ID_SIZE_VER0	16

/*
 * Describe a live object chosen by id (when non-zero) or by name, as
 * MAPRING_IOC_OBJ_OPEN chooses, without opening it. A momentary snapshot;
 * fields that do not apply to the object's type are 0.
 */
#define MAPRING_IOC_OBJ_INFO	MAPRING_IOC(0x03)

struct mapring_obj_info {
	__u32 size;
	__u32 id;			/* in: by id when non-zero; out */
	char name[MAPRING_NAME_LEN];	/* in: else by name; out */
	__u32 type;			/* in: required type or UNSPEC; out */
	__u32 flags;			/* in: must be 0; out: 0 */
	__u64 memory;			/* out: bytes the object holds */
	__u64 drops;			/* out: lost ring records, map updates */
	__u32 obj_flags;		/* out: MAPRING_RING_F_* or map_flags */
	__u32 key_size;			/* out: maps */
	__u32 value_size;		/* out: maps, one CPU's value */
	__u32 max_entries;		/* out: maps */
	__u32 entries;			/* out: maps, elements present now */
	__u32 nr_possible_cpus;		/* out: maps, values per element */
	__u64 data_size;		/* out: rings */
	__u64 consumer_pos;		/* out: rings */
	__u64 producer_pos;		/* out: rings */
	__u64 pending_pos;		/* out: rings */
	__u64 overwrite_pos;		/* out: rings (overwrite mode) */
	__u64 overwritten;		/* out: rings, records overwritten */
	__u32 owner_uid;		/* out: creator's euid (caller's userns) */
	__u32 owner_gid;		/* out: creator's egid */
	__u32 access;			/* out: MAPRING_ACCESS_* */
	__u32 __pad0;			/* out: zero */
};

#define MAPRING_OBJ_INFO_SIZE_VER0	120

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
#define MAPRING_FEAT_RING_OVERWRITE	(1ULL << 4) /* MAPRING_RING_F_OVERWRITE */
#define MAPRING_FEAT_RING_USER		(1ULL << 5) /* MAPRING_RING_F_USER, KICK */
#define MAPRING_FEAT_RING_SHARDED	(1ULL << 6) /* ring groups, _F_TIMESTAMP */
#define MAPRING_FEATURES_RINGS	(MAPRING_FEAT_RINGBUF | \
				 MAPRING_FEAT_RING_DROPS | \
				 MAPRING_FEAT_RING_BATCH_WAKEUP | \
				 MAPRING_FEAT_RING_WRITE | \
				 MAPRING_FEAT_RING_OVERWRITE | \
				 MAPRING_FEAT_RING_USER | \
				 MAPRING_FEAT_RING_SHARDED)

/* mmap page offsets (in pages) of a ring fd */
#define MAPRING_RB_CONSUMER_PGOFF	0
#define MAPRING_RB_PRODUCER_PGOFF	1
#define MAPRING_RB_DATA_PGOFF		2

/*
 * The record header, BPF's struct bpf_ringbuf_hdr. The second word is
 * zero (BPF keeps a kernel page offset there), except in an overwrite
 * ring, where it is the low 32 bits of the record's sequence number: the
 * number of records reserved in the ring before it, so a consumer can
 * count the records it lost to overwriting.
 */
struct mapring_rb_hdr {
	__u32 len;	/* sample size | MAPRING_RB_BUSY_BIT | MAPRING_RB_DISCARD_BIT */
	union {
		__u32 __pad;	/* zero */
		__u32 seq;	/* MAPRING_RING_F_OVERWRITE: sequence number */
	};
};

#define MAPRING_RB_HDR_SZ	8
#define MAPRING_RB_BUSY_BIT	(1U << 31)
#define MAPRING_RB_DISCARD_BIT	(1U << 30)

/*
 * The producer page, read-only to user space. The first three fields are
 * BPF's, at BPF's offsets. overwrite_pos (overwrite rings; 0 otherwise) is
 * the start of the oldest record not overwritten: the kernel stores it
 * before it writes anything over the records it passed, so a record a
 * reader copied from position p is intact if overwrite_pos, loaded after
 * the copy (acquire), is still <= p. overwritten counts the records
 * overwritten, read or not. The drop counters sit on their own cache line:
 * each failed reservation adds one to exactly one of them.
 */
struct mapring_rb_producer {
	__u64 producer_pos;	/* end of the last reserved record */
	__u64 pending_pos;	/* oldest record not yet committed (or producer_pos) */
	__u64 overwrite_pos;	/* oldest record not overwritten (overwrite rings) */
	__u64 overwritten;	/* records overwritten so far (overwrite rings) */
	__u64 __reserved[4];
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
 *
 * MAPRING_RING_F_OVERWRITE makes a flight recorder (BPF's
 * BPF_F_RB_OVERWRITE): a reservation that does not fit overwrites the
 * oldest committed records instead of failing, whatever consumer_pos says;
 * it still fails (drops_full) rather than overwrite a record not yet
 * committed. Readable data starts at the later of consumer_pos and
 * overwrite_pos.
 *
 * MAPRING_RING_F_USER makes a user ring (BPF's BPF_MAP_TYPE_USER_RINGBUF):
 * user space produces, kernel code drains (mapring_ring_drain()). The
 * producer page and the data pages may be mapped writable, the consumer
 * page only read-only; user space writes producer_pos and the record
 * headers as a kernel producer would, and the kernel validates every one
 * before use. No other flag may be combined with it (-EINVAL); write() and
 * MAPRING_IOC_RING_OUTPUT on it fail with -EOPNOTSUPP.
 *
 * MAPRING_RING_F_TIMESTAMP (made for sharded rings, any ring may have it):
 * the first 8 bytes of every sample are a __u64 the kernel writes at
 * reservation, under the ring's lock: CLOCK_MONOTONIC in ns
 * (ktime_get_mono_fast_ns()), never less than the previous record's, so a
 * ring's records are in non-decreasing timestamp order. Samples are at
 * least 8 bytes (-EINVAL); output and write() keep the stamp in place of
 * the first 8 bytes of the data.
 */
#define MAPRING_IOC_RING_CREATE	MAPRING_IOC(0x10)

#define MAPRING_RING_F_BATCH_WAKEUP	(1U << 0)
#define MAPRING_RING_F_OVERWRITE	(1U << 1)
#define MAPRING_RING_F_USER		(1U << 2)
#define MAPRING_RING_F_TIMESTAMP	(1U << 3)
#define MAPRING_RING_MAX_WAKEUP_USECS	10000000U

struct mapring_ring_create {
	__u32 size;
	__u32 flags;			/* MAPRING_RING_F_* */
	__u64 data_size;		/* bytes of data pages */
	__u64 wakeup_bytes;		/* MAPRING_RING_F_BATCH_WAKEUP only */
	__u32 wakeup_usecs;		/* MAPRING_RING_F_BATCH_WAKEUP only */
	__u32 __pad0;			/* zero */
	char name[MAPRING_NAME_LEN];	/* optional, unique */
	__u32 access;			/* MAPRING_ACCESS_*; 0: owner only */
	__u32 __pad1;			/* zero */
};

#define MAPRING_RING_CREATE_SIZE_VER0	64

/*
 * On a ring fd: a momentary snapshot of the ring, for heuristics and
 * reporting (BPF's bpf_ringbuf_query and more). avail is
 * producer_pos - consumer_pos as BPF computes it, whatever user space wrote
 * to consumer_pos (overwrite rings: from the later of consumer_pos and
 * overwrite_pos, as BPF). wakeups counts the wake-ups commits and the batch timer
 * decided on (several may be delivered as one).
 */
#define MAPRING_IOC_RING_QUERY	MAPRING_IOC(0x11)

struct mapring_ring_query {
	__u32 size;
	__u32 flags;		/* in: must be 0 */
	__u32 id;		/* out: object id */
	__u32 ring_flags;	/* out: MAPRING_RING_F_* given at creation */
	__u64 data_size;	/* out */
	__u64 avail;		/* out: producer_pos - consumer_pos (see above) */
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
	__u64 overwrite_pos;	/* out: as in struct mapring_rb_producer */
	__u64 overwritten;	/* out: records overwritten */
	__u64 user_drained;	/* out: user rings: records drained */
	__u64 user_discarded;	/* out: user rings: discarded records skipped */
	__u64 user_bad;		/* out: user rings: drains stopped by bad input */
};

#define MAPRING_RING_QUERY_SIZE_VER0	104
#define MAPRING_RING_QUERY_SIZE_VER1	144	/* with the user_* counters */

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

/*
 * On a user ring's fd (MAPRING_RING_F_USER): tell the kernel code that
 * drains the ring that there are records. Returns 1 when a drainer had
 * registered for kicks and was notified, 0 when none had; -EINVAL on any
 * other ring or for non-zero flags.
 */
#define MAPRING_IOC_RING_KICK	MAPRING_IOC(0x13)

struct mapring_ring_kick {
	__u32 size;
	__u32 flags;		/* must be 0 */
};

#define MAPRING_RING_KICK_SIZE_VER0	8

/*
 * Sharded rings: a ring group is one logical ring made of nr_shards
 * ordinary rings (the shards), one object with one name and one fd. A
 * kernel producer writes to its CPU's shard, so producers on different
 * shards never contend on one reserve lock. Each shard is a ring in every
 * respect (mmap layout, records, drops, wake-ups, MAPRING_RING_F_* flags,
 * which apply to every shard); user space gets one as a ring fd with
 * MAPRING_IOC_RING_GROUP_SHARD_FD. docs/ringbuf.md, "Sharded rings".
 *
 * Which CPU produces into which shard (assign), for every possible CPU:
 *   MAPRING_SHARD_ASSIGN_BLOCKS  contiguous blocks of possible CPUs: the
 *                                k-th possible CPU gets k * nr_shards /
 *                                nr_possible_cpus
 *   MAPRING_SHARD_ASSIGN_NUMA    the CPU's NUMA node modulo nr_shards
 *   MAPRING_SHARD_ASSIGN_TABLE   cpu_table[cpu] (nr_cpu_table must be
 *                                nr_cpu_ids; entries of possible CPUs
 *                                < nr_shards, the others ignored)
 */

/*
 * Create a ring group on /dev/mapring; returns a new O_CLOEXEC fd.
 * nr_shards is 1 to min(nr_possible_cpus, MAPRING_RING_GROUP_MAX_SHARDS)
 * (-EINVAL); shard_size, flags, wakeup_* follow MAPRING_IOC_RING_CREATE's
 * rules for each shard (-EINVAL, -E2BIG). The shards are anonymous rings
 * with the group's owner and access; the group holds them.
 */
#define MAPRING_IOC_RING_GROUP_CREATE	MAPRING_IOC(0x18)

#define MAPRING_RING_GROUP_MAX_SHARDS	256

enum mapring_shard_assign {
	MAPRING_SHARD_ASSIGN_BLOCKS = 0,
	MAPRING_SHARD_ASSIGN_NUMA = 1,
	MAPRING_SHARD_ASSIGN_TABLE = 2,
};

/* A cpu_table entry of a CPU id that is not possible. */
#define MAPRING_SHARD_NONE	0xffffffffU

struct mapring_ring_group_create {
	__u32 size;
	__u32 flags;			/* MAPRING_RING_F_*, for every shard */
	__u64 shard_size;		/* data_size of each shard */
	__u64 wakeup_bytes;		/* MAPRING_RING_F_BATCH_WAKEUP only */
	__u32 wakeup_usecs;		/* MAPRING_RING_F_BATCH_WAKEUP only */
	__u32 nr_shards;
	char name[MAPRING_NAME_LEN];	/* optional, unique */
	__u32 access;			/* MAPRING_ACCESS_*; 0: owner only */
	__u32 assign;			/* enum mapring_shard_assign */
	__u64 cpu_table;		/* TABLE: user pointer to __u32s */
	__u32 nr_cpu_table;		/* TABLE: entries, = nr_cpu_ids */
	__u32 __pad0;			/* zero */
};

#define MAPRING_RING_GROUP_CREATE_SIZE_VER0	88

/*
 * On a group fd: describe it. With cpu_table set, the shard of each CPU id
 * goes to the first min(nr_cpu_table, nr_cpu_ids) __u32s there
 * (MAPRING_SHARD_NONE for ids that are not possible); nr_cpu_table comes
 * back as nr_cpu_ids. The counters are sums over the shards, a momentary
 * snapshot of each.
 */
#define MAPRING_IOC_RING_GROUP_INFO	MAPRING_IOC(0x19)

struct mapring_ring_group_info {
	__u32 size;
	__u32 flags;		/* in: must be 0 */
	__u32 id;		/* out: the group's object id */
	__u32 nr_shards;	/* out */
	__u32 ring_flags;	/* out: MAPRING_RING_F_* of every shard */
	__u32 assign;		/* out: enum mapring_shard_assign */
	__u64 shard_size;	/* out: data_size of each shard */
	__u64 cpu_table;	/* in: user pointer to nr_cpu_table __u32s, or 0 */
	__u32 nr_cpu_table;	/* in: entries there; out: nr_cpu_ids */
	__u32 __pad0;		/* zero */
	__u64 avail;		/* out: sums over the shards, as ring query */
	__u64 drops_full;	/* out */
	__u64 drops_too_large;	/* out */
	__u64 drops_busy;	/* out */
	__u64 wakeups;		/* out */
	__u64 overwritten;	/* out */
	__u64 memory;		/* out: bytes of the group and its shards */
};

#define MAPRING_RING_GROUP_INFO_SIZE_VER0	104

/*
 * On a group fd: a new O_CLOEXEC ring fd of shard index (-ENOENT when
 * index >= nr_shards). The fd holds the shard, not the group: the shard
 * stays a consumable ring after the group is gone.
 */
#define MAPRING_IOC_RING_GROUP_SHARD_FD	MAPRING_IOC(0x1a)

struct mapring_ring_group_shard_fd {
	__u32 size;
	__u32 index;		/* in: 0 .. nr_shards - 1 */
	__u32 flags;		/* in: must be 0 */
	__u32 __pad0;		/* zero */
};

#define MAPRING_RING_GROUP_SHARD_FD_SIZE_VER0	16

/*
 * On the fd of a group with MAPRING_RING_F_TIMESTAMP: the merge
 * watermark. When it returns, every record of every shard stamped below
 * watermark is reserved (covered by that shard's producer_pos), and every
 * record reserved later is stamped watermark or later. So a consumer that
 * loads the producer positions after this call may deliver the records
 * stamped below watermark in timestamp order, and none will ever come
 * behind them. -EINVAL without MAPRING_RING_F_TIMESTAMP.
 */
#define MAPRING_IOC_RING_GROUP_SYNC	MAPRING_IOC(0x1b)

struct mapring_ring_group_sync {
	__u32 size;
	__u32 flags;		/* in: must be 0 */
	__u64 watermark;	/* out: ns, CLOCK_MONOTONIC */
};

#define MAPRING_RING_GROUP_SYNC_SIZE_VER0	16

/* ---- Maps (ioctl numbers 0x30-0x5f) ----------------------------------- */

/*
 * Per-CPU maps with the bpf() syscall's map semantics; docs/maps.md has
 * every command and error. A value as user space sees it is
 * round_up(value_size, 8) bytes per possible CPU, packed in possible-CPU
 * order (the k-th possible CPU's value at offset k * round_up(value_size, 8)),
 * except with MAPRING_F_CPU / MAPRING_F_ALL_CPUS, where it is one CPU's
 * value_size bytes. Key, value and batch buffers are __u64 user pointers.
 */
#define MAPRING_FEAT_PERCPU_ARRAY	(1ULL << 8)	/* MAPRING_OBJ_PERCPU_ARRAY */
#define MAPRING_FEAT_PERCPU_HASH	(1ULL << 9)	/* MAPRING_OBJ_PERCPU_HASH */
#define MAPRING_FEAT_MAP_BATCH		(1ULL << 10)	/* the four batch commands */
#define MAPRING_FEAT_MAP_CPU_FLAGS	(1ULL << 11)	/* MAPRING_F_CPU, _ALL_CPUS */
#define MAPRING_FEAT_MAP_AGGREGATE	(1ULL << 12)	/* MAPRING_IOC_MAP_AGGREGATE */
#define MAPRING_FEAT_MAP_READ_AND_RESET	(1ULL << 13)	/* ..._READ_AND_RESET */
#define MAPRING_FEAT_LRU_PERCPU_HASH	(1ULL << 14)	/* MAPRING_OBJ_LRU_PERCPU_HASH */
#define MAPRING_FEATURES_MAPS	(MAPRING_FEAT_PERCPU_ARRAY |		\
				 MAPRING_FEAT_PERCPU_HASH |		\
				 MAPRING_FEAT_MAP_BATCH |		\
				 MAPRING_FEAT_MAP_CPU_FLAGS |		\
				 MAPRING_FEAT_MAP_AGGREGATE |		\
				 MAPRING_FEAT_MAP_READ_AND_RESET |	\
				 MAPRING_FEAT_LRU_PERCPU_HASH)

/* Map creation flags (map_flags): BPF's bit values. */
#define MAPRING_F_NO_PREALLOC	(1U << 0)	/* hash: allocate on insert */
#define MAPRING_F_NO_COMMON_LRU	(1U << 1)	/* LRU: bpf()'s sizing */
#define MAPRING_F_NUMA_NODE	(1U << 2)	/* rejected: per-CPU maps */
#define MAPRING_F_RDONLY	(1U << 3)	/* fds may only read */
#define MAPRING_F_WRONLY	(1U << 4)	/* fds may only write */
#define MAPRING_F_ZERO_SEED	(1U << 6)	/* hash seed 0 (CAP_SYS_ADMIN) */
#define MAPRING_F_RDONLY_PROG	(1U << 7)	/* kernel API may only read */
#define MAPRING_F_WRONLY_PROG	(1U << 8)	/* kernel API may only write */

/* Element flags (flags, elem_flags): BPF's bit values. */
#define MAPRING_ANY		0ULL	/* create or update */
#define MAPRING_NOEXIST		1ULL	/* create only: -EEXIST if present */
#define MAPRING_EXIST		2ULL	/* update only: -ENOENT if absent */
#define MAPRING_F_LOCK		4ULL	/* rejected (-EINVAL): no spin locks */
#define MAPRING_F_CPU		8ULL	/* one CPU, its id in bits 32-63 */
#define MAPRING_F_ALL_CPUS	16ULL	/* update: one value to every CPU */
#define MAPRING_F_CPU_SHIFT	32

/* Create a map on /dev/mapring; returns a new O_CLOEXEC fd. */
#define MAPRING_IOC_MAP_CREATE	MAPRING_IOC(0x30)

struct mapring_map_create {
	__u32 size;
	__u32 map_type;			/* MAPRING_OBJ_PERCPU_ARRAY, _HASH, _LRU_... */
	__u32 key_size;			/* array: 4 */
	__u32 value_size;		/* one CPU's value, bytes */
	__u32 max_entries;
	__u32 map_flags;		/* MAPRING_F_NO_PREALLOC, ... */
	char name[MAPRING_NAME_LEN];	/* unique name, or "" */
	__u32 access;			/* MAPRING_ACCESS_*; 0: owner only */
	__u32 __pad0;			/* zero */
};

#define MAPRING_MAP_CREATE_SIZE_VER0	56

/* Commands on a map fd. */
#define MAPRING_IOC_MAP_INFO			MAPRING_IOC(0x31)
#define MAPRING_IOC_MAP_LOOKUP_ELEM		MAPRING_IOC(0x32)
#define MAPRING_IOC_MAP_UPDATE_ELEM		MAPRING_IOC(0x33)
#define MAPRING_IOC_MAP_DELETE_ELEM		MAPRING_IOC(0x34)
#define MAPRING_IOC_MAP_GET_NEXT_KEY		MAPRING_IOC(0x35)
#define MAPRING_IOC_MAP_LOOKUP_AND_DELETE_ELEM	MAPRING_IOC(0x36)
#define MAPRING_IOC_MAP_LOOKUP_BATCH		MAPRING_IOC(0x37)
#define MAPRING_IOC_MAP_LOOKUP_AND_DELETE_BATCH	MAPRING_IOC(0x38)
#define MAPRING_IOC_MAP_UPDATE_BATCH		MAPRING_IOC(0x39)
#define MAPRING_IOC_MAP_DELETE_BATCH		MAPRING_IOC(0x3a)
#define MAPRING_IOC_MAP_AGGREGATE		MAPRING_IOC(0x3b)
#define MAPRING_IOC_MAP_READ_AND_RESET		MAPRING_IOC(0x3c)

/* MAPRING_IOC_MAP_INFO: out only. */
struct mapring_map_info {
	__u32 size;
	__u32 map_type;
	__u32 id;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
	__u32 nr_possible_cpus;		/* values per element */
	char name[MAPRING_NAME_LEN];
};

#define MAPRING_MAP_INFO_SIZE_VER0	64

/* One element: lookup, update, delete, get_next_key, lookup_and_delete. */
struct mapring_map_elem {
	__u32 size;
	__u32 __pad0;
	__u64 key;			/* get_next_key: 0 for the first key */
	union {
		__u64 value;
		__u64 next_key;		/* get_next_key */
	};
	__u64 flags;
};

#define MAPRING_MAP_ELEM_SIZE_VER0	32

/* The batch commands; the kernel writes count back as bpf() does. */
struct mapring_map_batch {
	__u32 size;
	__u32 count;			/* in: slots; out: elements done */
	__u64 in_batch;			/* cursor to start from, 0: start */
	__u64 out_batch;		/* where the next cursor is written */
	__u64 keys;
	__u64 values;
	__u64 elem_flags;
	__u64 flags;
};

#define MAPRING_MAP_BATCH_SIZE_VER0	56

/*
 * Aggregate (beyond BPF): for each of count keys, reduce nr_fields 8-byte
 * fields at the given byte offsets (multiples of 8) over all possible CPUs,
 * or with nr_fields = 0 (offsets = 0) every 8-byte word of the value.
 * results receives count * fields __u64s. READ_AND_RESET takes the same
 * argument with op = MAPRING_AGG_SUM: it exchanges each field with 0 on
 * every CPU and returns the sum of what it took.
 */
enum mapring_agg_op {
	MAPRING_AGG_SUM = 0,
	MAPRING_AGG_MIN = 1,
	MAPRING_AGG_MAX = 2,
};

#define MAPRING_AGG_F_SIGNED	(1ULL << 0)	/* fields are __s64 (min, max) */

struct mapring_map_aggregate {
	__u32 size;
	__u32 count;			/* in: keys; out: keys done */
	__u64 keys;			/* count keys, key_size bytes apart */
	__u64 offsets;			/* nr_fields __u32 byte offsets */
	__u64 results;			/* count * fields __u64 */
	__u32 op;			/* enum mapring_agg_op */
	__u32 nr_fields;		/* 0: the whole value */
	__u64 flags;			/* MAPRING_AGG_F_* */
};

#define MAPRING_MAP_AGGREGATE_SIZE_VER0	48

#endif /* _UAPI_LINUX_MAPRING_H */
