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
/* Open an existing ring by name (or id): an fd or -errno (-ENOENT). */
MAPRING_API int mapring_ringbuf__open(const char *name);
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
MAPRING_API int mapring_ring_buffer__epoll_fd(const struct mapring_ring_buffer *rb);
/* The idx-th ring added, or NULL with errno ERANGE. */
MAPRING_API struct mapring_ring *
mapring_ring_buffer__ring(struct mapring_ring_buffer *rb, unsigned int idx);
MAPRING_API void mapring_ring_buffer__free(struct mapring_ring_buffer *rb);

/* One ring of a manager: positions, sizes, drops and its own consumption. */
MAPRING_API unsigned long mapring_ring__consumer_pos(const struct mapring_ring *r);
MAPRING_API unsigned long mapring_ring__producer_pos(const struct mapring_ring *r);
MAPRING_API size_t mapring_ring__avail_data_size(const struct mapring_ring *r);
MAPRING_API size_t mapring_ring__size(const struct mapring_ring *r);
MAPRING_API int mapring_ring__map_fd(const struct mapring_ring *r);
MAPRING_API int mapring_ring__consume(struct mapring_ring *r);
MAPRING_API int mapring_ring__consume_n(struct mapring_ring *r, size_t n);

struct mapring_ring_drops {
	__u64 full;		/* no room */
	__u64 too_large;	/* could never fit */
	__u64 busy;		/* lock taken, NMI producer */
};

/* Failed reservations so far, all reasons; by reason into *by if not NULL. */
MAPRING_API __u64 mapring_ring__drops(const struct mapring_ring *r,
				      struct mapring_ring_drops *by);

#ifdef __cplusplus
}
#endif

#endif /* MAPRING_RINGBUF_H */
