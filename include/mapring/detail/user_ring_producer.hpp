// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The producer side of a user ring (MAPRING_RING_F_USER): what
// mapring_user_ring_buffer__reserve/__submit/__discard run, in a header so
// the host tests run it against a user-space drainer under TSan. Not an
// API of its own. Single producer: one thread at a time per ring.
//
// Memory-ordering pairs with the kernel's drainer (docs/ringbuf.md):
//  - reserve's release store of producer_pos / the drainer's acquire load:
//    the BUSY header is visible before the position that covers it;
//  - submit's release store of the header / the drainer's acquire load of
//    it: the sample is written before the header says it is done;
//  - the drainer's release store of consumer_pos / reserve's acquire load:
//    the kernel is done reading a record before its space is reused.
#pragma once

#include <linux/mapring.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace mapring::detail {

// A user ring as its producer maps it.
struct UserRingView {
  const std::uint64_t* consumer_pos;  // the consumer page, read-only
  std::uint64_t* producer_pos;        // the producer page, read-write
  std::byte* data;                    // data_size bytes, mapped twice
  std::uint64_t mask;                 // data_size - 1
  std::uint64_t prod = 0;             // the producer's own producer_pos
};

// The largest sample a header's len can hold beside its two flag bits.
constexpr std::uint64_t kUserMaxSample = MAPRING_RB_DISCARD_BIT - 1;

// Bytes a record of size bytes takes in the ring.
constexpr std::uint64_t user_rec_len(std::uint64_t size) noexcept {
  return (size + MAPRING_RB_HDR_SZ + 7) & ~std::uint64_t{7};
}

// The sample of a new busy record, or nullptr with *err set: E2BIG when a
// record of this size can never fit, ENOSPC when it does not fit now.
inline void* user_reserve(UserRingView& v, std::uint64_t size,
                          int* err) noexcept {
  const std::uint64_t cap = v.mask + 1;
  if (size > kUserMaxSample || user_rec_len(size) > cap) {
    *err = E2BIG;
    return nullptr;
  }
  const std::uint64_t len = user_rec_len(size);
  // pairs with the drainer's release store: it is done with the space
  const std::uint64_t cons = std::atomic_ref<std::uint64_t>(
                                 *const_cast<std::uint64_t*>(v.consumer_pos))
                                 .load(std::memory_order_acquire);
  if (v.prod + len - cons > cap) {
    *err = ENOSPC;
    return nullptr;
  }
  auto* hdr = reinterpret_cast<mapring_rb_hdr*>(v.data + (v.prod & v.mask));
  std::atomic_ref<std::uint32_t>(hdr->len).store(
      static_cast<std::uint32_t>(size) | MAPRING_RB_BUSY_BIT,
      std::memory_order_relaxed);
  std::atomic_ref<std::uint32_t>(hdr->__pad)
      .store(0, std::memory_order_relaxed);
  v.prod += len;
  // pairs with the drainer's acquire load: the busy header first
  std::atomic_ref<std::uint64_t>(*v.producer_pos)
      .store(v.prod, std::memory_order_release);
  return hdr + 1;
}

// Submit (or discard) a sample user_reserve() returned.
inline void user_commit(void* sample, bool discard) noexcept {
  auto* hdr = static_cast<mapring_rb_hdr*>(sample) - 1;
  std::atomic_ref<std::uint32_t> len(hdr->len);
  std::uint32_t v = len.load(std::memory_order_relaxed) & ~MAPRING_RB_BUSY_BIT;
  if (discard) v |= MAPRING_RB_DISCARD_BIT;
  // pairs with the drainer's acquire load: the sample first
  len.store(v, std::memory_order_release);
}

}  // namespace mapring::detail
