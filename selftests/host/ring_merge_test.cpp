// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The timestamp merge of a ring group's shards (lib/ring_merge.hpp)
// against fake shards in user memory: order, the watermark, busy heads,
// discarded records, the late counter, and under TSan a model of the
// kernel's stamping producers and watermark with threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "ring_merge.hpp"

namespace {

using mapring::detail::MergeShard;
using mapring::detail::MergeState;

// A ring in plain memory laid out as the kernel's: consumer page, producer
// page, data written to both copies so a wrapped record is contiguous.
class FakeShard {
 public:
  explicit FakeShard(std::uint64_t size)
      : size_(size), data_(2 * size / 8 + 1) {}

  MergeShard view() {
    MergeShard s;
    s.view.consumer_pos = &cons_;
    s.view.producer_page = prod_page_;
    s.view.data = reinterpret_cast<const std::byte*>(data_.data());
    s.view.mask = size_ - 1;
    return s;
  }

  // Reserve a record with ts as its first 8 bytes; returns its position.
  // Single producer per FakeShard (callers lock); false when full.
  bool reserve(std::uint64_t ts, std::uint32_t extra, std::uint64_t* at) {
    std::uint32_t len = 8 + extra;
    std::uint64_t rec = (len + 8 + 7) & ~7ULL;
    std::uint64_t cons =
        std::atomic_ref<std::uint64_t>(cons_).load(std::memory_order_acquire);
    if (pos_ + rec - cons > size_ - 1) return false;
    write_word(pos_, std::uint64_t{len | MAPRING_RB_BUSY_BIT}, true);
    write_word(pos_ + 8, ts, false);
    *at = pos_;
    pos_ += rec;
    std::atomic_ref<std::uint64_t>(prod_page_[0])
        .store(pos_, std::memory_order_release);
    return true;
  }
  void commit(std::uint64_t at, bool discard = false) {
    std::uint32_t len = hdr(at).load(std::memory_order_relaxed);
    len &= ~MAPRING_RB_BUSY_BIT;
    if (discard) len |= MAPRING_RB_DISCARD_BIT;
    hdr(at).store(len, std::memory_order_release);
    hdr(at + size_).store(len, std::memory_order_release);
  }
  void put(std::uint64_t ts, bool discard = false) {
    std::uint64_t at;
    ASSERT_TRUE(reserve(ts, 0, &at));
    commit(at, discard);
  }
  std::uint64_t consumer_pos() const { return cons_; }

 private:
  std::atomic_ref<std::uint32_t> hdr(std::uint64_t pos) {
    auto* p = reinterpret_cast<std::uint32_t*>(
        reinterpret_cast<std::byte*>(data_.data()) + pos % (2 * size_));
    return std::atomic_ref<std::uint32_t>(*p);
  }
  void write_word(std::uint64_t pos, std::uint64_t v, bool header) {
    for (std::uint64_t copy :
         {pos & (size_ - 1), (pos & (size_ - 1)) + size_}) {
      auto* p = reinterpret_cast<std::uint64_t*>(
          reinterpret_cast<std::byte*>(data_.data()) + copy);
      if (header)
        std::atomic_ref<std::uint64_t>(*p).store(v, std::memory_order_relaxed);
      else
        std::atomic_ref<std::uint64_t>(*p).store(v, std::memory_order_relaxed);
    }
  }

  std::uint64_t size_;
  std::uint64_t cons_ = 0;
  std::uint64_t prod_page_[16] = {};
  std::uint64_t pos_ = 0;
  std::vector<std::uint64_t> data_;
};

std::uint64_t ts_of(const std::byte* p, std::size_t n) {
  std::uint64_t v = 0;
  if (n >= 8) std::memcpy(&v, p, 8);
  return v;
}

struct Out {
  std::vector<std::pair<std::uint32_t, std::uint64_t>> got;
  int operator()(std::uint32_t shard, const std::byte* p, std::size_t n) {
    got.emplace_back(shard, ts_of(p, n));
    return 0;
  }
};

std::int64_t pass(std::vector<MergeShard>& v, std::uint64_t w, Out& out,
                  MergeState& st,
                  std::uint64_t limit = mapring::detail::kNoLimit) {
  return mapring::detail::merge_pass(std::span(v), w, ts_of, out, st, limit);
}

TEST(RingMerge, DeliversAllShardsInTimestampOrder) {
  FakeShard a(4096), b(4096), c(4096);
  for (std::uint64_t t : {1, 4, 7, 10}) a.put(t);
  for (std::uint64_t t : {2, 5, 8}) b.put(t);
  for (std::uint64_t t : {3, 6, 9, 11, 12}) c.put(t);
  std::vector<MergeShard> v = {a.view(), b.view(), c.view()};
  MergeState st;
  Out out;
  EXPECT_EQ(pass(v, UINT64_MAX, out, st), 12);
  ASSERT_EQ(out.got.size(), 12u);
  for (std::size_t i = 0; i < 12; i++) EXPECT_EQ(out.got[i].second, i + 1);
  EXPECT_EQ(out.got[0].first, 0u);
  EXPECT_EQ(out.got[1].first, 1u);
  EXPECT_EQ(out.got[2].first, 2u);
  EXPECT_EQ(st.late, 0u);
  EXPECT_EQ(st.blocked, -1);
  EXPECT_EQ(a.consumer_pos(), 4u * 16);
  EXPECT_EQ(c.consumer_pos(), 5u * 16);
}

TEST(RingMerge, EqualTimestampsGoByShardIndex) {
  FakeShard a(4096), b(4096);
  b.put(5);
  a.put(5);
  std::vector<MergeShard> v = {a.view(), b.view()};
  MergeState st;
  Out out;
  EXPECT_EQ(pass(v, UINT64_MAX, out, st), 2);
  EXPECT_EQ(out.got[0].first, 0u);
  EXPECT_EQ(out.got[1].first, 1u);
  EXPECT_EQ(st.late, 0u);
}

TEST(RingMerge, WatermarkHoldsBackNewerRecords) {
  FakeShard a(4096), b(4096);
  a.put(10);
  a.put(20);
  b.put(15);
  std::vector<MergeShard> v = {a.view(), b.view()};
  MergeState st;
  Out out;
  EXPECT_EQ(pass(v, 16, out, st), 2);
  EXPECT_EQ(out.got.back().second, 15u);
  EXPECT_EQ(a.consumer_pos(), 16u);    // 20 is still there
  EXPECT_EQ(pass(v, 20, out, st), 0);  // below the watermark only
  EXPECT_EQ(pass(v, 21, out, st), 1);
  EXPECT_EQ(out.got.back().second, 20u);
  EXPECT_EQ(st.late, 0u);
}

TEST(RingMerge, BusyHeadStopsThePass) {
  FakeShard a(4096), b(4096);
  a.put(1);
  std::uint64_t at;
  ASSERT_TRUE(b.reserve(0, 0, &at));  // busy, its time unknown
  a.put(2);
  std::vector<MergeShard> v = {a.view(), b.view()};
  MergeState st;
  Out out;
  EXPECT_EQ(pass(v, UINT64_MAX, out, st), 0);
  EXPECT_EQ(st.blocked, 1);
  b.commit(at);
  EXPECT_EQ(pass(v, UINT64_MAX, out, st), 3);
  EXPECT_EQ(st.blocked, -1);
  EXPECT_EQ(out.got[0].second, 0u);
  EXPECT_EQ(st.late, 0u);
}

TEST(RingMerge, DiscardedRecordsAreSkipped) {
  FakeShard a(4096), b(4096);
  a.put(1, true);
  a.put(3);
  b.put(2, true);
  std::vector<MergeShard> v = {a.view(), b.view()};
  MergeState st;
  Out out;
  EXPECT_EQ(pass(v, UINT64_MAX, out, st), 1);
  EXPECT_EQ(out.got[0].second, 3u);
  EXPECT_EQ(a.consumer_pos(), 32u);
  EXPECT_EQ(b.consumer_pos(), 16u);  // the discarded record is consumed
}

TEST(RingMerge, LateRecordsAreCountedExactly) {
  FakeShard a(4096), b(4096);
  std::vector<MergeShard> v = {a.view(), b.view()};
  MergeState st;
  Out out;
  a.put(100);
  EXPECT_EQ(pass(v, UINT64_MAX, out, st), 1);
  b.put(50);  // behind what was delivered
  b.put(60);
  EXPECT_EQ(pass(v, UINT64_MAX, out, st), 2);
  EXPECT_EQ(st.late, 2u);
  a.put(200);
  b.put(150);
  EXPECT_EQ(pass(v, UINT64_MAX, out, st), 2);
  EXPECT_EQ(st.late, 2u);  // 150 then 200: in order
  EXPECT_EQ(st.last_ts, 200u);
  EXPECT_EQ(st.delivered, 5u);
}

TEST(RingMerge, CallbackStopConsumesTheRecord) {
  FakeShard a(4096);
  a.put(1);
  a.put(2);
  std::vector<MergeShard> v = {a.view()};
  MergeState st;
  int calls = 0;
  auto stop = [&calls](std::uint32_t, const std::byte*, std::size_t) {
    calls++;
    return -42;
  };
  EXPECT_EQ(mapring::detail::merge_pass(std::span(v), UINT64_MAX, ts_of, stop,
                                        st, mapring::detail::kNoLimit),
            -42);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(a.consumer_pos(), 16u);
}

TEST(RingMerge, LimitAndCorruptPositions) {
  FakeShard a(4096);
  a.put(1);
  a.put(2);
  std::vector<MergeShard> v = {a.view()};
  MergeState st;
  Out out;
  EXPECT_EQ(pass(v, UINT64_MAX, out, st, 1), 1);
  // a consumer_pos beyond producer_pos cannot be right
  *v[0].view.consumer_pos = 1 << 20;
  EXPECT_EQ(pass(v, UINT64_MAX, out, st), -EBADMSG);
}

// The kernel's protocol with threads: per shard a lock under which a
// record is stamped max(clock, last stamp) and reserved; the watermark is
// the minimum over shards of the same stamp taken under each lock. The
// merged output must be in order with no late record.
TEST(RingMerge, StampedShardsWithWatermarkNeverDeliverLate) {
  constexpr int kShards = 3, kPerProducer = 20000;
  std::atomic<std::uint64_t> clock{1};
  struct Kernel {
    std::mutex lock;
    std::uint64_t floor = 0;
    FakeShard ring{1 << 14};
  };
  std::vector<std::unique_ptr<Kernel>> k;
  for (int i = 0; i < kShards; i++) k.push_back(std::make_unique<Kernel>());
  auto stamp = [&clock](Kernel& s) {
    std::uint64_t now = clock.fetch_add(1, std::memory_order_relaxed);
    s.floor = std::max(s.floor, now);
    return s.floor;
  };
  std::vector<std::thread> producers;
  for (int p = 0; p < kShards * 2; p++)
    producers.emplace_back([&, p] {
      Kernel& s = *k[static_cast<std::size_t>(p % kShards)];
      for (int i = 0; i < kPerProducer;) {
        std::uint64_t at;
        bool ok;
        {
          std::lock_guard g(s.lock);
          std::uint64_t ts = stamp(s);
          ok = s.ring.reserve(ts, 8, &at);
        }
        if (!ok) {
          std::this_thread::yield();
          continue;
        }
        s.ring.commit(at, i % 7 == 6);
        i++;
      }
    });
  std::vector<MergeShard> v;
  for (auto& s : k) v.push_back(s->ring.view());
  MergeState st;
  std::uint64_t n = 0, last = 0;
  bool ordered = true;
  auto check = [&](std::uint32_t, const std::byte* p, std::size_t sz) {
    std::uint64_t t = ts_of(p, sz);
    if (t < last) ordered = false;
    last = t;
    n++;
    return 0;
  };
  const std::uint64_t want = kShards * 2 * (kPerProducer - kPerProducer / 7);
  while (n < want) {
    std::uint64_t w = UINT64_MAX;
    for (auto& s : k) {
      std::lock_guard g(s->lock);
      w = std::min(w, stamp(*s));
    }
    ASSERT_GE(mapring::detail::merge_pass(std::span(v), w, ts_of, check, st,
                                          mapring::detail::kNoLimit),
              0);
    if (st.blocked >= 0) std::this_thread::yield();
  }
  for (auto& t : producers) t.join();
  EXPECT_EQ(n, want);
  EXPECT_TRUE(ordered);
  EXPECT_EQ(st.late, 0u);
}

}  // namespace
