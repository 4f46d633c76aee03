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
#include <new>
#include <vector>

namespace mapring::detail {

// What the consumer of an overwrite ring keeps between passes.
struct OverwriteState {
  std::vector<std::uint64_t> copy;  // the record being read, copied out
  std::uint64_t lost = 0;           // records overwritten before being read
  std::uint64_t torn = 0;           // copies found overwritten (retried)
  std::uint32_t next_seq = 0;       // the seq of the record expected next
  bool seq_known = false;           // next_seq is known (from a header)
};

// Where a ring's three parts are mapped.
struct RingView {
  std::uint64_t* consumer_pos;   // the consumer page, read-write
  std::uint64_t* producer_page;  // producer_pos at [0], read-only
  const std::byte* data;         // data_size bytes, mapped twice
  std::uint64_t mask;            // data_size - 1
  OverwriteState* ow = nullptr;  // a MAPRING_RING_F_OVERWRITE ring
};

// Word indexes of the producer page (struct mapring_rb_producer).
constexpr std::size_t kProdPos = 0;
constexpr std::size_t kOverwritePos = 2;

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

// An acquire fence: what the kernel's smp_rmb() is to a reader (see
// full_fence() for TSan).
inline void acquire_fence() noexcept {
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
  std::atomic_thread_fence(std::memory_order_acquire);
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic pop
#endif
}

// A whole header (len, seq) in one load.
inline std::uint64_t load_header(const std::byte* p) noexcept {
  return std::atomic_ref<std::uint64_t>(
             *reinterpret_cast<std::uint64_t*>(const_cast<std::byte*>(p)))
      .load(std::memory_order_acquire);
}

// Copy words 8-byte words from ring memory a producer may be overwriting:
// relaxed atomic loads (a torn copy is detected afterwards, never used).
inline void copy_words(std::uint64_t* dst, const std::byte* src,
                       std::uint64_t words) noexcept {
  auto* s = reinterpret_cast<std::uint64_t*>(const_cast<std::byte*>(src));
  for (std::uint64_t i = 0; i < words; i++)
    dst[i] =
        std::atomic_ref<std::uint64_t>(s[i]).load(std::memory_order_relaxed);
}

// Consume committed records from consumer_pos on, calling
// cb(const std::byte* sample, std::size_t size) -> int for every record not
// discarded, until the ring is empty, a record is busy, limit records were
// delivered or cb returned a negative value. consumer_pos is published every
// batch bytes at most and before returning. Returns the number of records
// delivered, cb's negative value, or -EBADMSG for a header that cannot be
// right (someone else moved consumer_pos).
template <class Callback>
std::int64_t consume_overwrite(const RingView& r, Callback&& cb,
                               std::uint64_t limit, std::uint64_t batch);

template <class Callback>
std::int64_t consume_ring(const RingView& r, Callback&& cb, std::uint64_t limit,
                          std::uint64_t batch) {
  if (r.ow) return consume_overwrite(r, cb, limit, batch);
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

// consume_ring() for an overwrite ring, where the producer may overwrite
// any committed record, read or not, at any time. Each record is copied out
// of the ring and checked before the callback sees the copy: the kernel
// stores overwrite_pos, smp_wmb(), then overwrites; we copy the record at
// cons (header included), acquire fence, load overwrite_pos. If the copy saw
// one byte written over the record, the load sees overwrite_pos > cons
// (message passing, wmb/rmb), and the copy is torn: counted, never
// delivered. A consumer behind overwrite_pos (lapped, or its copy torn)
// jumps to it. Records lost are counted from the headers' sequence
// numbers: the first intact header after a jump says how many records
// went by (exact while a jump skips fewer than 2^32 records). The data
// pointer given to cb is the copy, valid until cb returns.
template <class Callback>
std::int64_t consume_overwrite(const RingView& r, Callback&& cb,
                               std::uint64_t limit, std::uint64_t batch) {
  OverwriteState& st = *r.ow;
  const std::uint64_t mask = r.mask;
  const std::byte* const data = r.data;
  const std::uint64_t* const prod_pos = r.producer_page + kProdPos;
  const std::uint64_t* const over_pos = r.producer_page + kOverwritePos;
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
  // Is the record at cons overwritten (or being)? Call after reading it.
  auto overwritten = [&] {
    acquire_fence();
    return static_cast<std::int64_t>(load_relaxed(over_pos) - cons) > 0;
  };

  if (limit == 0) return 0;
  for (;;) {
    // overwrite_pos before producer_pos: it never passes a later one
    std::uint64_t over = load_acquire(over_pos);
    std::uint64_t prod = load_acquire(prod_pos);
    if (static_cast<std::int64_t>(over - cons) > 0) cons = over;  // lapped
    if (static_cast<std::int64_t>(cons - prod) > 0 || (cons & 7)) {
      publish();
      return -EBADMSG;  // ahead or unaligned: someone else wrote it
    }
    while (cons != prod) {
      const std::byte* rec_p = data + (cons & mask);
      std::uint64_t hdr = load_header(rec_p);
      auto len = static_cast<std::uint32_t>(hdr);
      if (len & MAPRING_RB_BUSY_BIT) {
        if (overwritten()) break;  // a new record over ours: jump
        // Really busy (the kernel never overwrites a busy record): as
        // consume_ring(), publish, fence, look once more.
        publish();
        full_fence();
        hdr = load_header(rec_p);
        len = static_cast<std::uint32_t>(hdr);
        if (len & MAPRING_RB_BUSY_BIT) return n;
      }
      std::uint64_t rec = record_len(len);
      if (rec > prod - cons) {
        if (overwritten()) break;
        publish();
        return -EBADMSG;
      }
      std::uint64_t words = (rec - MAPRING_RB_HDR_SZ) / 8;
      if (st.copy.size() < words) {
        try {
          st.copy.resize(words);
        } catch (const std::bad_alloc&) {
          publish();
          return -ENOMEM;
        }
      }
      copy_words(st.copy.data(), rec_p + MAPRING_RB_HDR_SZ, words);
      if (overwritten()) {
        st.torn++;
        break;
      }
      // Intact: the header's seq says how many records we lost before it.
      auto seq = static_cast<std::uint32_t>(hdr >> 32);
      if (st.seq_known)
        st.lost += static_cast<std::uint32_t>(seq - st.next_seq);
      st.next_seq = seq + 1;
      st.seq_known = true;
      cons += rec;
      if (!(len & MAPRING_RB_DISCARD_BIT)) {
        int err = cb(reinterpret_cast<const std::byte*>(st.copy.data()),
                     std::size_t{len});
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
    if (cons != prod) continue;  // overwritten under us: jump and go on
    publish();
    full_fence();
    if (load_acquire(prod_pos) == cons &&
        static_cast<std::int64_t>(load_acquire(over_pos) - cons) <= 0)
      return n;
  }
}

constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();

// One pass of consume_ring() with a callback bound in: what the C++
// RingBuffer hands the library for each ring, instantiated per callback
// type, so a record costs no indirect call.
using RingPass = std::int64_t (*)(void* ctx, const RingView& ring,
                                  std::uint64_t limit, std::uint64_t batch);

}  // namespace mapring::detail
