/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmapring C API: sharded rings (ring groups). Included by
 * <mapring/mapring.h>; conventions as there (negative errno returns, errno
 * set too, opts structs with sz). docs/ringbuf.md, "Sharded rings".
 *
 * A ring group is one logical ring made of several shards, each an
 * ordinary ring; kernel producers write into their CPU's shard. The
 * consumer here maps every shard and waits on all of them in one epoll
 * set; optionally it merges them in timestamp order.
 */
#ifndef MAPRING_RING_GROUP_H
#define MAPRING_RING_GROUP_H

#include <mapring/mapring.h>
#include <mapring/ringbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- group objects ----------------------------------------------------- */

/* Options of mapring_ring_group__create(); NULL for the defaults. */
struct mapring_ring_group_opts {
	size_t sz;		/* sizeof(struct mapring_ring_group_opts) */
	__u32 flags;		/* MAPRING_RING_F_*, for every shard */
	__u32 wakeup_usecs;	/* MAPRING_RING_F_BATCH_WAKEUP: time bound */
	__u64 wakeup_bytes;	/* MAPRING_RING_F_BATCH_WAKEUP: byte bound */
	__u32 access;		/* MAPRING_ACCESS_*: who else may open it */
	__u32 assign;		/* enum mapring_shard_assign */
	const __u32 *cpu_table;	/* MAPRING_SHARD_ASSIGN_TABLE: shard by CPU id */
	__u32 nr_cpu_table;	/* its entries: the machine's nr_cpu_ids */
	__u32 __pad0;		/* zero */
};

/**
 * Create a ring group of nr_shards shards of shard_size bytes each, named
 * name (NULL or "" for none). Returns an O_CLOEXEC group fd or -errno:
 * -EINVAL (shard count, size, flags, table), -E2BIG, -EEXIST, -ENOMEM,
 * -EMFILE, or the errors of mapring_dev__open().
 */
MAPRING_API int mapring_ring_group__create(const char *name, __u32 nr_shards,
					   size_t shard_size,
					   const struct mapring_ring_group_opts *opts);
/** Open an existing group by name: an fd or -errno (-ENOENT, -EACCES, -EINVAL). */
MAPRING_API int mapring_ring_group__open(const char *name);
/** Open an existing group by id: an fd or -errno (-ENOENT, -EACCES, -EINVAL). */
MAPRING_API int mapring_ring_group__open_by_id(__u32 id);
/**
 * Describe the group behind fd: info gets the shard count, flags, summed
 * counters; cpu_table, if not NULL, the shard of each of the first
 * nr_cpu_table CPU ids (MAPRING_SHARD_NONE for ids that are not possible).
 * 0 or -errno.
 */
MAPRING_API int mapring_ring_group__info(int fd,
					 struct mapring_ring_group_info *info,
					 __u32 *cpu_table, __u32 nr_cpu_table);
/**
 * A new O_CLOEXEC ring fd of shard index (an ordinary ring: mmap it, query
 * it, add it to a mapring_ring_buffer). -ENOENT when index is out of range.
 */
MAPRING_API int mapring_ring_group__shard_fd(int fd, __u32 index);
/**
 * The merge watermark of a MAPRING_RING_F_TIMESTAMP group
 * (MAPRING_IOC_RING_GROUP_SYNC) into *watermark: 0 or -errno (-EINVAL
 * without the flag).
 */
MAPRING_API int mapring_ring_group__sync(int fd, __u64 *watermark);

/* ---- the consumer ------------------------------------------------------ */

struct mapring_ring_group_consumer;

/*
 * Called for every committed, non-discarded record of the shard numbered
 * shard, data
 * pointing into the read-only mapping (valid until the callback returns).
 * A negative return stops consumption (the record counts as consumed) and
 * is returned by the consume or poll call.
 */
typedef int (*mapring_ring_group_sample_fn)(void *ctx, __u32 shard,
					    const void *data, size_t size);
/* The timestamp of a record, for the merge. */
typedef __u64 (*mapring_ring_group_ts_fn)(void *ctx, const void *data,
					  size_t size);

/* Deliver the records of all shards in timestamp order (see below). */
#define MAPRING_RING_GROUP_CONSUMER_MERGE	0x1U

/* Options of mapring_ring_group_consumer__new(); NULL for the defaults. */
struct mapring_ring_group_consumer_opts {
	size_t sz;		/* sizeof(struct mapring_ring_group_consumer_opts) */
	__u32 flags;		/* MAPRING_RING_GROUP_CONSUMER_* */
	/*
	 * MERGE: a record's timestamp is the __u64 at byte ts_offset of the
	 * sample (a record too short to hold it has timestamp 0), or what
	 * ts_fn returns when set.
	 */
	__u32 ts_offset;
	mapring_ring_group_ts_fn ts_fn;
	/* Without MERGE: as mapring_ring_buffer_opts.batch_bytes. */
	__u64 batch_bytes;
};

/**
 * A consumer of every shard of the group behind group_fd (which stays the
 * caller's), through one epoll set. NULL with errno set on failure
 * (EINVAL; EOPNOTSUPP: MERGE on an overwrite group, whose records may be
 * overwritten while being read in place).
 *
 * Without MERGE each shard is consumed as a ring by a mapring_ring_buffer,
 * in shard order per poll. With MERGE records are delivered in timestamp
 * order across shards, within a shard in ring order; a record delivered
 * after one with a later timestamp is counted in
 * mapring_ring_group_consumer__late(). In a MAPRING_RING_F_TIMESTAMP group
 * read with the kernel's stamp (ts_offset 0, no ts_fn) each pass first
 * takes the group's watermark (mapring_ring_group__sync()) and delivers
 * only records stamped below it: then the order is exact and late stays 0.
 * With other timestamps each pass merges what is in the shards at its
 * start; late counts what came behind.
 */
MAPRING_API struct mapring_ring_group_consumer *
mapring_ring_group_consumer__new(int group_fd, mapring_ring_group_sample_fn cb,
				 void *ctx,
				 const struct mapring_ring_group_consumer_opts *opts);
/**
 * Wait up to timeout_ms (-1: forever) for records and consume them.
 * Returns the records delivered (at most INT_MAX), a callback's negative
 * value, -EBADMSG for a corrupted position, or -errno of the wait (-EINTR).
 */
MAPRING_API int mapring_ring_group_consumer__poll(struct mapring_ring_group_consumer *c,
						  int timeout_ms);
/** Consume without waiting: a count or a negative value as __poll. */
MAPRING_API int mapring_ring_group_consumer__consume(struct mapring_ring_group_consumer *c);
/** The epoll fd with every shard in it, to nest in an event loop. */
MAPRING_API int mapring_ring_group_consumer__epoll_fd(const struct mapring_ring_group_consumer *c);
/** The number of shards. */
MAPRING_API __u32
mapring_ring_group_consumer__nr_shards(const struct mapring_ring_group_consumer *c);
/**
 * Shard idx as a ring of the consumer (getters, drops), or NULL with errno
 * ERANGE (index) or EOPNOTSUPP (a MERGE consumer).
 */
MAPRING_API struct mapring_ring *
mapring_ring_group_consumer__ring(struct mapring_ring_group_consumer *c,
				  unsigned int idx);
/** MERGE: records delivered after one with a later timestamp (0 otherwise). */
MAPRING_API __u64 mapring_ring_group_consumer__late(const struct mapring_ring_group_consumer *c);
/** MERGE: 1 when each pass uses the kernel's watermark, else 0. */
MAPRING_API int mapring_ring_group_consumer__exact(const struct mapring_ring_group_consumer *c);
/** Unmap every shard, close their fds and the epoll fd; NULL is a no-op. */
MAPRING_API void mapring_ring_group_consumer__free(struct mapring_ring_group_consumer *c);

#ifdef __cplusplus
}
#endif

#endif /* MAPRING_RING_GROUP_H */
