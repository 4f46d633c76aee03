// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The timestamp-ordered merge of a ring group's shards, internal to the
// library (lib/ring_group.cpp) and tested on the host against fake shards
// (selftests/host/ring_merge_test.cpp).
//
// One pass: load every shard's producer_pos once, then repeatedly deliver
// the committed head record with the smallest timestamp (ties: the lower
// shard index), as long as it is below the watermark, and stop when a
// shard's head is busy (its record may be older than anything else) or no
// head is left. Within a shard records come in reservation order; across
// shards the order is exact when every shard's records are in timestamp
// order and the watermark bounds what can still come (a group with
// MAPRING_RING_F_TIMESTAMP and MAPRING_IOC_RING_GROUP_SYNC). Whatever the
// timestamps, a record delivered after one with a later timestamp is
// counted as late: nothing is misordered silently.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>

#include <mapring/detail/ringbuf_consumer.hpp>

namespace mapring::detail {

// One shard as the merge sees it.
struct MergeShard {
  RingView view = {};
  std::uint64_t cons = 0;  // our position (published to consumer_pos)
  std::uint64_t prod = 0;  // producer_pos as loaded this pass
  // The head record found by merge_head().
  enum class Head { kNone, kReady, kBusy } head = Head::kNone;
  const std::byte* sample = nullptr;
  std::uint32_t size = 0;
  std::uint64_t rec = 0;  // bytes the head record takes
  std::uint64_t ts = 0;
};

// What the merge keeps between passes.
struct MergeState {
  std::uint64_t last_ts = 0;  // the largest timestamp delivered
  std::uint64_t late = 0;     // records delivered below last_ts
  std::uint64_t delivered = 0;
  int blocked = -1;  // the shard whose busy head ended the last pass
};

// Skip discarded records and find s's next record: kNone, kBusy, kReady
// (sample, size, rec, ts set), or -EBADMSG for a header that cannot be right.
template <class TsFn>
int merge_head(MergeShard& s, TsFn& ts) {
  const std::uint64_t mask = s.view.mask;
  s.head = MergeShard::Head::kNone;
  while (s.cons != s.prod) {
    auto* hdr =
        reinterpret_cast<const std::uint32_t*>(s.view.data + (s.cons & mask));
    std::uint32_t len = load_acquire(hdr);
    if (len & MAPRING_RB_BUSY_BIT) {
      s.head = MergeShard::Head::kBusy;
      return 0;
    }
    std::uint64_t rec = record_len(len);
    if (rec > s.prod - s.cons) return -EBADMSG;
    if (len & MAPRING_RB_DISCARD_BIT) {
      s.cons += rec;
      continue;
    }
    s.sample = reinterpret_cast<const std::byte*>(hdr) + MAPRING_RB_HDR_SZ;
    s.size = len;
    s.rec = rec;
    s.ts = ts(s.sample, std::size_t{len});
    s.head = MergeShard::Head::kReady;
    return 0;
  }
  return 0;
}

inline void merge_publish(MergeShard& s) {
  std::atomic_ref<std::uint64_t>(*s.view.consumer_pos)
      .store(s.cons, std::memory_order_release);
}

// One pass over all shards, delivering at most limit records with
// timestamps below watermark through cb(shard_index, sample, size) -> int
// (negative: stop, the record counts as consumed, the value is returned).
// ts(sample, size) -> std::uint64_t reads a record's timestamp. Returns
// the records delivered, cb's negative value or -EBADMSG; st.blocked is
// the index of a shard whose busy head stopped the pass, else -1.
template <class TsFn, class Callback>
std::int64_t merge_pass(std::span<MergeShard> shards, std::uint64_t watermark,
                        TsFn&& ts, Callback&& cb, MergeState& st,
                        std::uint64_t limit) {
  std::int64_t n = 0, err = 0;
  st.blocked = -1;
  for (auto& s : shards) {
    s.cons = std::atomic_ref<std::uint64_t>(*s.view.consumer_pos)
                 .load(std::memory_order_acquire);
    s.prod = load_acquire(s.view.producer_page + kProdPos);
    if (s.prod - s.cons > s.view.mask + 1) return -EBADMSG;
  }
  for (auto& s : shards) {
    err = merge_head(s, ts);
    if (err) break;
  }
  while (!err && static_cast<std::uint64_t>(n) < limit) {
    int best = -1;
    for (std::size_t i = 0; i < shards.size(); i++) {
      const MergeShard& s = shards[i];
      if (s.head == MergeShard::Head::kBusy) {
        st.blocked = static_cast<int>(i);
        break;
      }
      if (s.head == MergeShard::Head::kReady &&
          (best < 0 || s.ts < shards[static_cast<std::size_t>(best)].ts))
        best = static_cast<int>(i);
    }
    if (st.blocked >= 0 || best < 0) break;
    MergeShard& s = shards[static_cast<std::size_t>(best)];
    if (s.ts >= watermark) break;
    if (st.delivered && s.ts < st.last_ts)
      st.late++;
    else
      st.last_ts = s.ts;
    st.delivered++;
    int ret =
        cb(static_cast<std::uint32_t>(best), s.sample, std::size_t{s.size});
    // consumed, whatever the callback returned; its space is freed only
    // now that the callback is done with it
    s.cons += s.rec;
    n++;
    merge_publish(s);
    if (ret < 0) {
      err = ret;
      break;
    }
    err = merge_head(s, ts);
  }
  for (auto& s : shards) merge_publish(s);
  return err ? err : n;
}

}  // namespace mapring::detail
