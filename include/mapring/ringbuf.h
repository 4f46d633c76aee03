/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmapring C API: rings. Included by <mapring/mapring.h>; see there for
 * the conventions.
 *
 * The consumer follows libbpf's ring_buffer API (ring_buffer__new, __add,
 * __poll, __consume, __consume_n, __epoll_fd, __ring, __free and the
 * ring__ getters) with a mapring_ prefix. docs/ringbuf.md lists every
 * difference; in short: the sample is const, consumer_pos is published once
 * per batch instead of once per record, the consumer is safe with
 * edge-triggered epoll (MAPRING_RING_BUFFER_EDGE_TRIGGERED or an epoll set
 * of your own), and drop counters are readable.
 */
#ifndef MAPRING_RINGBUF_H
#define MAPRING_RINGBUF_H

#include <mapring/mapring.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ring objects ------------------------------------------------------ */

/* Options of mapring_ringbuf__create(); NULL for the defaults. */
struct mapring_ringbuf_opts {
	size_t sz;		/* sizeof(struct mapring_ringbuf_opts) */
	__u32 flags;		/* MAPRING_RING_F_* */
	__u32 wakeup_usecs;	/* MAPRING_RING_F_BATCH_WAKEUP: time bound */
	__u64 wakeup_bytes;	/* MAPRING_RING_F_BATCH_WAKEUP: byte bound */
	__u32 access;		/* MAPRING_ACCESS_*: who else may open it */
	__u32 __pad0;		/* zero */
};

/*
 * Create a ring of data_size bytes (a power of two, a multiple of the page
 * size), named name (NULL or "" for none). Returns an O_CLOEXEC fd or
 * -errno: -EINVAL, -E2BIG (above the module's ring_max_bytes), -EEXIST,
 * -ENOMEM, or the errors of mapring_dev__open().
 */
MAPRING_API int mapring_ringbuf__create(const char *name, size_t data_size,
					const struct mapring_ringbuf_opts *opts);
/* Open an existing ring by name: an fd or -errno (-ENOENT, -EINVAL). */
MAPRING_API int mapring_ringbuf__open(const char *name);
/* Open an existing ring by id: an fd or -errno (-ENOENT, -EINVAL). */
MAPRING_API int mapring_ringbuf__open_by_id(__u32 id);
/* A snapshot of the ring behind fd; q->size is set by the library. */
MAPRING_API int mapring_ringbuf__query(int fd, struct mapring_ring_query *q);
/*
 * Publish one record from user space, flags MAPRING_RB_NO_WAKEUP or
 * MAPRING_RB_FORCE_WAKEUP: 0, -EAGAIN (full), -E2BIG (can never fit),
 * -EINVAL, -EFAULT.
 */
MAPRING_API int mapring_ringbuf__output(int fd, const void *data, size_t size,
					__u64 flags);

/* ---- the consumer ------------------------------------------------------ */

struct mapring_ring_buffer;
struct mapring_ring;

/*
 * Called for every committed, non-discarded record, with data pointing
 * into the read-only mapping (zero copy; valid until the callback
 * returns). A negative return stops consumption; the record counts as
 * consumed and the value is returned by the consume or poll call.
 */
typedef int (*mapring_ring_buffer_sample_fn)(void *ctx, const void *data,
					     size_t size);

/* Register rings with EPOLLET instead of level-triggered epoll. */
#define MAPRING_RING_BUFFER_EDGE_TRIGGERED	0x1U

/* Options of mapring_ring_buffer__new(); NULL for the defaults. */
struct mapring_ring_buffer_opts {
	size_t sz;		/* sizeof(struct mapring_ring_buffer_opts) */
	__u32 flags;		/* MAPRING_RING_BUFFER_* */
	__u32 __pad0;
	/*
	 * Publish consumer_pos after this many bytes of records at most (and
	 * at the end of every pass). 0: a quarter of each ring's size.
	 */
	__u64 batch_bytes;
};

/*
 * A manager of rings consumed through one epoll set, starting with the
 * ring behind fd (which stays the caller's to close; the mappings keep the
 * ring alive). NULL with errno set on failure.
 */
MAPRING_API struct mapring_ring_buffer *
mapring_ring_buffer__new(int fd, mapring_ring_buffer_sample_fn sample_cb,
			 void *ctx, const struct mapring_ring_buffer_opts *opts);
/* Add another ring: 0 or -errno. */
MAPRING_API int mapring_ring_buffer__add(struct mapring_ring_buffer *rb, int fd,
					 mapring_ring_buffer_sample_fn sample_cb,
					 void *ctx);
/*
 * Wait up to timeout_ms (-1: forever) for a wake-up and consume the rings
 * that signalled. Returns the records consumed (at most INT_MAX), a
 * callback's negative value, or -errno of epoll_wait() (-EINTR).
 */
MAPRING_API int mapring_ring_buffer__poll(struct mapring_ring_buffer *rb,
					  int timeout_ms);
/* Consume every ring without waiting: a count or a negative value. */
MAPRING_API int mapring_ring_buffer__consume(struct mapring_ring_buffer *rb);
/* The same, at most n records over all rings. */
MAPRING_API int mapring_ring_buffer__consume_n(struct mapring_ring_buffer *rb,
					       size_t n);
/* The epoll fd the manager waits on, to nest it in an event loop. */
MAPRING_API int mapring_ring_buffer__epoll_fd(const struct mapring_ring_buffer *rb);
/* The idx-th ring added, or NULL with errno ERANGE. */
MAPRING_API struct mapring_ring *
mapring_ring_buffer__ring(struct mapring_ring_buffer *rb, unsigned int idx);
/* Unmap every ring and close the epoll fd; NULL is a no-op. */
MAPRING_API void mapring_ring_buffer__free(struct mapring_ring_buffer *rb);

/* ---- one ring of a manager -------------------------------------------- */

/* The ring's consumer_pos: the end of what was consumed (and published). */
MAPRING_API unsigned long mapring_ring__consumer_pos(const struct mapring_ring *r);
/* The ring's producer_pos: the end of the last reserved record. */
MAPRING_API unsigned long mapring_ring__producer_pos(const struct mapring_ring *r);
/* producer_pos - consumer_pos: bytes reserved and not yet consumed. */
MAPRING_API size_t mapring_ring__avail_data_size(const struct mapring_ring *r);
/* The ring's data_size in bytes. */
MAPRING_API size_t mapring_ring__size(const struct mapring_ring *r);
/* The ring fd the ring was added with (still the caller's). */
MAPRING_API int mapring_ring__map_fd(const struct mapring_ring *r);
/* Consume this ring only, without waiting: a count or a negative value. */
MAPRING_API int mapring_ring__consume(struct mapring_ring *r);
/* The same, at most n records. */
MAPRING_API int mapring_ring__consume_n(struct mapring_ring *r, size_t n);

/* The drop counters of one ring, by reason (its producer page). */
struct mapring_ring_drops {
	__u64 full;		/* no room */
	__u64 too_large;	/* could never fit */
	__u64 busy;		/* lock taken, NMI producer */
};

/* Failed reservations so far, all reasons; by reason into *by if not NULL. */
MAPRING_API __u64 mapring_ring__drops(const struct mapring_ring *r,
				      struct mapring_ring_drops *by);

/*
 * Overwrite rings (MAPRING_RING_F_OVERWRITE). The consumer copies every
 * record out of the ring and checks the copy against overwrite_pos before
 * the callback sees it (data then points at the copy, not into the ring):
 * a record overwritten before or while it was read is never delivered, it
 * is counted as lost. mapring_ring__lost() returns the records this
 * consumer lost so far (counted from the records' sequence numbers: exact,
 * from the start when consumer_pos was 0 when the ring was added, else from
 * the first record read); *torn, if not NULL, gets how many of them were
 * overwritten while being copied. 0 for other rings.
 */
MAPRING_API __u64 mapring_ring__lost(const struct mapring_ring *r, __u64 *torn);

/*
 * A flight recorder's dump: copy the newest whole records that fit in size
 * bytes into buf, oldest first, each as it lies in the ring: a struct
 * mapring_rb_hdr (len; seq in an overwrite ring) then the sample, padded to
 * 8 bytes. Discarded records are left out, and so are busy ones and every
 * record behind the first busy one. Overwrite rings: from overwrite_pos,
 * every record checked as the consumer checks it (records overwritten
 * while being copied are left out too); other rings: from consumer_pos.
 * Consumes nothing. Returns the bytes written (0: nothing fits), or
 * -EAGAIN (overwritten faster than it could be walked, 16 times),
 * -EBADMSG (consumer_pos beyond producer_pos), -ENOMEM.
 */
MAPRING_API long mapring_ring__snapshot(const struct mapring_ring *r, void *buf,
					size_t size);

#ifdef __cplusplus
}
#endif

/* User rings: user space produces, the kernel drains. */
#include <mapring/user_ringbuf.h>

#endif /* MAPRING_RINGBUF_H */
