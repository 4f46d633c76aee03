// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The consumer side of the ring protocol: the walk every consumer of the
// library runs (and the host tests run against a user-space producer under
// TSan). Not an API of its own: it is in a public header because the C++
// RingBuffer instantiates it with the caller's callback inlined into the
// loop (<mapring/ringbuf.hpp>), as liburing's headers inline their ring
// walks.
//
// Memory-ordering pairs with the kernel (docs/ringbuf.md):
//  - acquire load of producer_pos  / reserve's release store of it;
//  - acquire load of a header      / commit's xchg of it;
//  - release store of consumer_pos / reserve's acquire load of it;
//  - store of consumer_pos, seq_cst fence, load of producer_pos or of the
//    head header, against commit's xchg then load of consumer_pos: one side
//    sees the other, so a consumer that goes to sleep is woken (this is
//    what makes edge-triggered epoll safe; libbpf has no such fence).
#pragma once

#include <linux/mapring.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace mapring::detail {

// Where a ring's three parts are mapped.
struct RingView {
  std::uint64_t* consumer_pos;   // the consumer page, read-write
  std::uint64_t* producer_page;  // producer_pos at [0], read-only
  const std::byte* data;         // data_size bytes, mapped twice
  std::uint64_t mask;            // data_size - 1
};

inline std::uint64_t load_acquire(const std::uint64_t* p) noexcept {
  return std::atomic_ref<std::uint64_t>(*const_cast<std::uint64_t*>(p))
      .load(std::memory_order_acquire);
}

inline std::uint32_t load_acquire(const std::uint32_t* p) noexcept {
  return std::atomic_ref<std::uint32_t>(*const_cast<std::uint32_t*>(p))
      .load(std::memory_order_acquire);
}

// A full fence. ThreadSanitizer does not model fences (GCC warns with
// -Wtsan); it needs none here: the data is ordered by acquire/release.
inline void full_fence() noexcept {
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
  std::atomic_thread_fence(std::memory_order_seq_cst);
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic pop
#endif
}

inline std::uint64_t load_relaxed(const std::uint64_t* p) noexcept {
  return std::atomic_ref<std::uint64_t>(*const_cast<std::uint64_t*>(p))
      .load(std::memory_order_relaxed);
}

// Bytes a record with this header word takes in the ring.
inline std::uint64_t record_len(std::uint32_t hdr_len) noexcept {
  std::uint64_t size =
      hdr_len & ~(MAPRING_RB_BUSY_BIT | MAPRING_RB_DISCARD_BIT);
  return (size + MAPRING_RB_HDR_SZ + 7) & ~std::uint64_t{7};
}

// Consume committed records from consumer_pos on, calling
// cb(const std::byte* sample, std::size_t size) -> int for every record not
// discarded, until the ring is empty, a record is busy, limit records were
// delivered or cb returned a negative value. consumer_pos is published every
// batch bytes at most and before returning. Returns the number of records
// delivered, cb's negative value, or -EBADMSG for a header that cannot be
// right (someone else moved consumer_pos).
template <class Callback>
std::int64_t consume_ring(const RingView& r, Callback&& cb, std::uint64_t limit,
                          std::uint64_t batch) {
  // Locals, not r's fields: the callback's stores cannot alias them, so the
  // loop keeps them in registers.
  const std::uint64_t mask = r.mask;
  const std::byte* const data = r.data;
  const std::uint64_t* const prod_pos = r.producer_page;
  std::atomic_ref<std::uint64_t> cons_ref(*r.consumer_pos);
  std::uint64_t cons = cons_ref.load(std::memory_order_acquire);
  std::uint64_t published = cons;
  std::int64_t n = 0;

  auto publish = [&] {
    if (cons != published) {
      cons_ref.store(cons, std::memory_order_release);
      published = cons;
    }
  };

  if (limit == 0) return 0;
  for (;;) {
    std::uint64_t prod = load_acquire(prod_pos);
    if (prod - cons > mask + 1) {
      publish();
      return -EBADMSG;
    }
    while (cons != prod) {
      auto* hdr = reinterpret_cast<const std::uint32_t*>(data + (cons & mask));
      std::uint32_t len = load_acquire(hdr);
      if (len & MAPRING_RB_BUSY_BIT) {
        // The producer of this record loads consumer_pos after its commit:
        // publish ours, then look once more, so one of us sees the other.
        publish();
        full_fence();
        len = load_acquire(hdr);
        if (len & MAPRING_RB_BUSY_BIT) return n;
      }
      std::uint64_t rec = record_len(len);
      if (rec > prod - cons) {
        publish();
        return -EBADMSG;
      }
      cons += rec;
      if (!(len & MAPRING_RB_DISCARD_BIT)) {
        int err =
            cb(reinterpret_cast<const std::byte*>(hdr) + MAPRING_RB_HDR_SZ,
               std::size_t{len & ~MAPRING_RB_BUSY_BIT});
        if (err < 0) {
          publish();
          return err;
        }
        if (static_cast<std::uint64_t>(++n) >= limit) {
          publish();
          return n;
        }
      }
      if (cons - published >= batch) publish();
    }
    // Caught up: publish, fence, and re-check (see the header comment).
    publish();
    full_fence();
    if (load_acquire(prod_pos) == cons) return n;
  }
}

constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();

// One pass of consume_ring() with a callback bound in: what the C++
// RingBuffer hands the library for each ring, instantiated per callback
// type, so a record costs no indirect call.
using RingPass = std::int64_t (*)(void* ctx, const RingView& ring,
                                  std::uint64_t limit, std::uint64_t batch);

}  // namespace mapring::detail
