// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// Between the C and C++ halves of the ring consumer, internal to the
// library: the C++ RingBuffer gives the C manager one pass function per
// ring (the ring walk with its callback inlined) instead of a per-record C
// callback. Errors as mapring_ring_buffer__new and __add.
#pragma once

#include <mapring/ringbuf.h>
#include <mapring/detail/ringbuf_consumer.hpp>

namespace mapring::detail {

mapring_ring_buffer* ring_buffer_new(int fd, RingPass pass, void* ctx,
                                     const mapring_ring_buffer_opts* opts);
int ring_buffer_add(mapring_ring_buffer* rb, int fd, RingPass pass, void* ctx);

}  // namespace mapring::detail
