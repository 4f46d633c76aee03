/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmapring C API: the producer of a user ring (MAPRING_RING_F_USER), the
 * ring user space writes and kernel code drains (mapring_ring_drain()).
 * Included by <mapring/ringbuf.h>.
 *
 * It follows libbpf's user_ring_buffer (user_ring_buffer__new, __reserve,
 * __reserve_blocking, __submit, __discard, __free) with a mapring_ prefix.
 * As libbpf's, the producer is single-threaded: one thread at a time may
 * call reserve, submit and discard on a ring (serialise them yourself to
 * share it), and one mapring_user_ring_buffer per ring. Several samples
 * may be reserved at once and submitted in any order; the kernel drains
 * them in reservation order, stopping at the first one not yet submitted
 * or discarded. Create the ring with mapring_ringbuf__create() and
 * opts.flags = MAPRING_RING_F_USER.
 */
#ifndef MAPRING_USER_RINGBUF_H
#define MAPRING_USER_RINGBUF_H

#include <mapring/mapring.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mapring_user_ring_buffer;

/* Options of mapring_user_ring_buffer__new(); NULL for the defaults. */
struct mapring_user_ring_buffer_opts {
	size_t sz;		/* sizeof(struct mapring_user_ring_buffer_opts) */
};

/*
 * Map the user ring behind fd for producing: the consumer page read-only,
 * the producer page and the data pages read-write. The library keeps its
 * own duplicate of fd (for __reserve_blocking() and __kick()). NULL with
 * errno set on failure: EINVAL (not a user ring, bad opts), EBADMSG (its
 * producer_pos is not one a producer could have left), or the errors of
 * mmap(), dup() and epoll_create1().
 */
MAPRING_API struct mapring_user_ring_buffer *
mapring_user_ring_buffer__new(int fd,
			      const struct mapring_user_ring_buffer_opts *opts);

/*
 * Reserve a sample of size bytes: a pointer to it (8-byte aligned, in the
 * shared mapping: the kernel reads it only after __submit()), or NULL with
 * errno E2BIG (a record of this size can never fit: size + 8, rounded up to
 * 8, above the data size) or ENOSPC (no room now). Never blocks.
 */
MAPRING_API void *
mapring_user_ring_buffer__reserve(struct mapring_user_ring_buffer *rb,
				  __u32 size);

/*
 * As __reserve(), waiting up to timeout_ms (-1: forever) for the kernel to
 * drain enough room: epoll on the ring for EPOLLOUT, which a drain that
 * consumed records signals. NULL with errno ETIMEDOUT when the time passed
 * without room (timeout_ms 0 included), EINTR when a signal interrupted
 * the wait, E2BIG, or EINVAL for timeout_ms < -1. (libbpf returns ENOSPC
 * at the timeout.)
 */
MAPRING_API void *
mapring_user_ring_buffer__reserve_blocking(struct mapring_user_ring_buffer *rb,
					   __u32 size, int timeout_ms);

/* Hand a reserved sample to the kernel. Exactly once per sample. */
MAPRING_API void mapring_user_ring_buffer__submit(struct mapring_user_ring_buffer *rb,
						  void *sample);

/* Give a reserved sample back: the kernel skips it. Exactly once. */
MAPRING_API void mapring_user_ring_buffer__discard(struct mapring_user_ring_buffer *rb,
						   void *sample);

/*
 * Tell the kernel code draining the ring that there are records
 * (MAPRING_IOC_RING_KICK): 1 when a drainer was registered for kicks and
 * notified, 0 when none was, or -errno.
 */
MAPRING_API int mapring_user_ring_buffer__kick(struct mapring_user_ring_buffer *rb);

/*
 * Bytes the kernel has not drained yet: producer_pos - consumer_pos,
 * reserved samples included.
 */
MAPRING_API size_t
mapring_user_ring_buffer__pending(const struct mapring_user_ring_buffer *rb);

/*
 * Unmap the ring and close the library's fds; NULL is a no-op. Samples
 * still reserved stay busy in the ring and stop the kernel's drains there.
 */
MAPRING_API void mapring_user_ring_buffer__free(struct mapring_user_ring_buffer *rb);

#ifdef __cplusplus
}
#endif

#endif /* MAPRING_USER_RINGBUF_H */
