// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The library's consumer (include/mapring/detail/ringbuf_consumer.hpp)
// against user-space producers that follow the kernel's protocol
// (kmod/ring_produce.c), in memory laid out as the kernel lays it out: consumer
// page, producer page, data pages mapped twice (one memfd, mapped twice in a
// row). Meant for the TSan lane: every access to shared memory is either atomic
// with the orders the protocol names, or ordered by them; TSan reports the
// rest.
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <mapring/detail/ringbuf_consumer.hpp>

namespace {

using mapring::detail::consume_ring;
using mapring::detail::RingView;

constexpr std::uint32_t kBusy = MAPRING_RB_BUSY_BIT;

// A record: producer id, sequence number, size, checksum of the rest.
struct Rec {
  std::uint32_t producer;
  std::uint32_t size;
  std::uint64_t seq;
  std::uint64_t sum;
};

std::uint64_t fill_sum(const Rec& r) {
  return (r.seq * 0x9e3779b97f4a7c15ULL) ^ (std::uint64_t{r.producer} << 32) ^
         r.size;
}

void fill(std::byte* p, std::uint32_t producer, std::uint64_t seq,
          std::uint32_t size) {
  Rec r{producer, size, seq, 0};
  r.sum = fill_sum(r);
  std::memcpy(p, &r, sizeof(r));
  for (std::uint32_t i = sizeof(r); i < size; i++) p[i] = std::byte(seq + i);
}

bool intact(const std::byte* p, std::size_t size) {
  Rec r;
  if (size < sizeof(r)) return false;
  std::memcpy(&r, p, sizeof(r));
  if (r.size != size || r.sum != fill_sum(r)) return false;
  for (std::uint32_t i = sizeof(r); i < size; i++)
    if (p[i] != std::byte(r.seq + i)) return false;
  return true;
}

// The kernel's side of a ring, in user space.
class Ring {
 public:
  explicit Ring(std::size_t data_size, bool overwrite = false)
      : size_(data_size),
        page_(::sysconf(_SC_PAGESIZE)),
        overwrite_(overwrite) {
    int fd = ::memfd_create("ring", MFD_CLOEXEC);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::ftruncate(fd, 2 * page_ + size_), 0);
    total_ = 2 * page_ + 2 * size_;
    auto* base = static_cast<std::byte*>(
        ::mmap(nullptr, total_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT_NE(base, MAP_FAILED);
    EXPECT_NE(::mmap(base, 2 * page_ + size_, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_FIXED, fd, 0),
              MAP_FAILED);
    EXPECT_NE(::mmap(base + 2 * page_ + size_, size_, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_FIXED, fd, static_cast<off_t>(2 * page_)),
              MAP_FAILED);
    ::close(fd);
    base_ = base;
    view_.consumer_pos = reinterpret_cast<std::uint64_t*>(base);
    view_.producer_page = reinterpret_cast<std::uint64_t*>(base + page_);
    view_.data = base + 2 * page_;
    view_.mask = size_ - 1;
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  }
  ~Ring() {
    ::munmap(base_, total_);
    ::close(wake_fd_);
  }

  const RingView& view() const { return view_; }
  int wake_fd() const { return wake_fd_; }
  std::uint64_t drops() const { return drops_.load(); }

  // ring_reserve(): the sample, or nullptr (counted).
  std::byte* reserve(std::uint32_t size) {
    std::uint64_t len = (size + 8 + 7) & ~7ULL;
    std::uint64_t cons = cons_ref().load(std::memory_order_acquire);
    std::lock_guard<std::mutex> guard(lock_);
    std::uint64_t pos = prod_ref().load(std::memory_order_relaxed);
    while (pending_ != pos) {
      std::uint32_t h = hdr(pending_).load(std::memory_order_acquire);
      if (h & kBusy) break;
      pending_ += mapring::detail::record_len(h);
    }
    std::uint64_t next = pos + len;
    if ((!overwrite_ && next - cons > view_.mask) ||
        next - pending_ > view_.mask) {
      drops_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    if (overwrite_) {
      // ring_overwrite(): the new overwrite_pos, smp_wmb(), then the
      // stores that overwrite (header and sample: whole words, relaxed
      // atomics, so TSan sees the consumer's racing copy as intended)
      std::uint64_t n = 0;
      while (next - over_ > view_.mask) {
        over_ += mapring::detail::record_len(
            hdr(over_).load(std::memory_order_relaxed));
        n++;
      }
      if (n) {
        overwritten_ += n;
        page_word(3).store(overwritten_, std::memory_order_relaxed);
        page_word(2).store(over_, std::memory_order_relaxed);
        mapring::detail::full_fence();  // at least smp_wmb()
      }
      std::atomic_ref<std::uint64_t>(
          *reinterpret_cast<std::uint64_t*>(data(pos)))
          .store(std::uint64_t{seq_++} << 32 | size | kBusy,
                 std::memory_order_relaxed);
      prod_ref().store(next, std::memory_order_release);
      return data(pos) + 8;
    }
    hdr(pos).store(size | kBusy, std::memory_order_relaxed);
    prod_ref().store(next, std::memory_order_release);
    return data(pos) + 8;
  }

  // ring_commit(): the kernel's xchg() is a full barrier on both sides.
  void submit(std::byte* sample, bool discard = false) {
    std::uint64_t off = static_cast<std::uint64_t>(sample - 8 - data(0));
    auto h = std::atomic_ref<std::uint32_t>(
        *reinterpret_cast<std::uint32_t*>(sample - 8));
    std::uint32_t len = h.load(std::memory_order_relaxed) & ~kBusy;
    full_barrier();
    h.exchange(discard ? len | MAPRING_RB_DISCARD_BIT : len,
               std::memory_order_seq_cst);
    full_barrier();
    std::uint64_t cons = cons_ref().load(std::memory_order_acquire);
    if ((cons & view_.mask) == off) {
      std::uint64_t one = 1;
      EXPECT_EQ(::write(wake_fd_, &one, sizeof(one)), 8);
    }
  }

  void kick() {
    std::uint64_t one = 1;
    EXPECT_EQ(::write(wake_fd_, &one, sizeof(one)), 8);
  }

  std::atomic_ref<std::uint64_t> cons_ref() const {
    return std::atomic_ref<std::uint64_t>(*view_.consumer_pos);
  }
  std::atomic_ref<std::uint64_t> page_word(int i) const {
    return std::atomic_ref<std::uint64_t>(view_.producer_page[i]);
  }
  std::uint64_t overwritten() const {
    return page_word(3).load(std::memory_order_relaxed);
  }
  // Records between overwrite_pos and producer_pos (all committed).
  std::uint64_t records_left() const {
    std::uint64_t n = 0, p = page_word(2).load(), end = prod_ref().load();
    for (; p != end; n++)
      p += mapring::detail::record_len(hdr(p).load(std::memory_order_relaxed));
    return n;
  }

 private:
  static void full_barrier() { mapring::detail::full_fence(); }
  std::atomic_ref<std::uint64_t> prod_ref() const {
    return std::atomic_ref<std::uint64_t>(*view_.producer_page);
  }
  std::byte* data(std::uint64_t pos) const {
    return const_cast<std::byte*>(view_.data) + (pos & view_.mask);
  }
  std::atomic_ref<std::uint32_t> hdr(std::uint64_t pos) const {
    return std::atomic_ref<std::uint32_t>(
        *reinterpret_cast<std::uint32_t*>(data(pos)));
  }

  std::size_t size_, page_, total_ = 0;
  std::byte* base_ = nullptr;
  RingView view_{};
  int wake_fd_ = -1;
  std::mutex lock_;
  std::uint64_t pending_ = 0;  // under lock_
  bool overwrite_ = false;
  std::uint64_t over_ = 0, overwritten_ = 0;  // under lock_
  std::uint32_t seq_ = 0;                     // under lock_
  std::atomic<std::uint64_t> drops_{0};
};

struct Producer {
  std::uint64_t committed = 0, dropped = 0, corrupt = 0;
};

// Waits for a wake-up as an edge-triggered epoll user does: true if one came.
bool wait_wake(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, ms) != 1) return false;
  std::uint64_t v;
  return ::read(fd, &v, sizeof(v)) == 8;
}

TEST(RingConsumer, ProducersAndAnEdgeTriggeredConsumerAccountExactly) {
  constexpr int kProducers = 4;
  constexpr std::uint64_t kCount = 50000;
  Ring ring(16384);
  std::vector<Producer> prod(kProducers);
  std::atomic<int> running{kProducers};
  std::vector<std::thread> threads;
  for (int id = 0; id < kProducers; id++) {
    threads.emplace_back([&, id] {
      std::minstd_rand rnd(id);
      for (std::uint64_t seq = 0; seq < kCount; seq++) {
        std::uint32_t size = 24 + 8 * (rnd() % 12);
        std::byte* s = ring.reserve(size);
        if (!s) {
          prod[id].dropped++;
          std::this_thread::yield();
          continue;
        }
        fill(s, id, seq, size);
        ring.submit(s);
        prod[id].committed++;
      }
      running.fetch_sub(1, std::memory_order_release);
      ring.kick();  // not the protocol's: ends the consumer's last wait
    });
  }

  std::vector<std::int64_t> last(kProducers, -1);
  std::vector<std::uint64_t> got(kProducers, 0);
  std::uint64_t bad = 0, missed = 0;
  auto cb = [&](const std::byte* p, std::size_t size) {
    Rec r;
    if (!intact(p, size)) {
      bad++;
      return 0;
    }
    std::memcpy(&r, p, sizeof(r));
    if (r.producer >= kProducers ||
        static_cast<std::int64_t>(r.seq) <= last[r.producer]) {
      bad++;
      return 0;
    }
    last[r.producer] = static_cast<std::int64_t>(r.seq);
    got[r.producer]++;
    return 0;
  };
  for (;;) {
    bool done = running.load(std::memory_order_acquire) == 0;
    ASSERT_GE(consume_ring(ring.view(), cb, mapring::detail::kNoLimit, 1024),
              0);
    if (done) break;
    // sleep until woken; a long silence with records waiting is a loss
    if (!wait_wake(ring.wake_fd(), 10000) && running.load() != 0) {
      missed +=
          consume_ring(ring.view(), cb, mapring::detail::kNoLimit, 1024) > 0;
    }
  }
  for (auto& t : threads) t.join();
  ASSERT_GE(consume_ring(ring.view(), cb, mapring::detail::kNoLimit, 1024), 0);

  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(missed, 0u);
  std::uint64_t dropped = 0;
  for (int id = 0; id < kProducers; id++) {
    EXPECT_EQ(prod[id].committed + prod[id].dropped, kCount);
    EXPECT_EQ(got[id], prod[id].committed) << "producer " << id;
    dropped += prod[id].dropped;
  }
  EXPECT_EQ(ring.drops(), dropped);
}

// fill() with whole-word relaxed atomic stores: an overwrite ring's
// consumer copies records while producers may be writing over them.
void fill_atomic(std::byte* p, std::uint32_t producer, std::uint64_t seq,
                 std::uint32_t size) {
  std::vector<std::uint64_t> words((size + 7) / 8);
  fill(reinterpret_cast<std::byte*>(words.data()), producer, seq, size);
  auto* w = reinterpret_cast<std::uint64_t*>(p);
  for (std::size_t i = 0; i < words.size(); i++)
    std::atomic_ref<std::uint64_t>(w[i]).store(words[i],
                                               std::memory_order_relaxed);
}

// Overwrite mode: producers lap the consumer all the time; every record
// delivered is intact and in order, every record committed is delivered
// or counted lost, and some copies are caught torn.
TEST(RingConsumer, OverwriteRingLosesNothingUncounted) {
  constexpr int kProducers = 3;
  constexpr std::uint64_t kCount = 40000;
  Ring ring(4096, true);
  std::vector<Producer> prod(kProducers);
  std::atomic<int> running{kProducers};
  std::vector<std::thread> threads;
  for (int id = 0; id < kProducers; id++) {
    threads.emplace_back([&, id] {
      std::minstd_rand rnd(id);
      for (std::uint64_t seq = 0; seq < kCount; seq++) {
        std::uint32_t size = 24 + 8 * (rnd() % 64);
        std::byte* s = ring.reserve(size);
        if (!s) {
          prod[id].dropped++;  // a busy record in the way
          std::this_thread::yield();
          continue;
        }
        fill_atomic(s, id, seq, size);
        ring.submit(s);
        prod[id].committed++;
        if (seq % 4 == 0) std::this_thread::yield();  // let the consumer in
      }
      running.fetch_sub(1, std::memory_order_release);
    });
  }
  mapring::detail::OverwriteState st;
  st.seq_known = true;  // consumer_pos 0: from the first record
  RingView view = ring.view();
  view.ow = &st;
  std::vector<std::int64_t> last(kProducers, -1);
  std::uint64_t got = 0, bad = 0;
  auto cb = [&](const std::byte* p, std::size_t size) {
    Rec r;
    std::memcpy(&r, p, std::min(size, sizeof(r)));
    if (!intact(p, size) || r.producer >= kProducers ||
        static_cast<std::int64_t>(r.seq) <= last[r.producer]) {
      bad++;
      return 0;
    }
    last[r.producer] = static_cast<std::int64_t>(r.seq);
    // now and then a slow callback: the producers lap the consumer
    if (++got % 16 == 0)
      for (int i = 0; i < 8; i++) std::this_thread::yield();
    return 0;
  };
  while (running.load(std::memory_order_acquire) != 0) {
    ASSERT_GE(consume_ring(view, cb, 64, 256), 0);
    std::this_thread::yield();
  }
  for (auto& t : threads) t.join();
  ASSERT_GE(consume_ring(view, cb, mapring::detail::kNoLimit, 256), 0);

  std::uint64_t committed = 0;
  for (auto& p : prod) {
    EXPECT_EQ(p.committed + p.dropped, kCount);
    committed += p.committed;
  }
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(got + st.lost, committed);
  EXPECT_EQ(ring.overwritten() + ring.records_left(), committed);
  std::printf(
      "overwrite: %llu committed, %llu delivered, %llu lost (%llu torn), "
      "%llu dropped\n",
      static_cast<unsigned long long>(committed),
      static_cast<unsigned long long>(got),
      static_cast<unsigned long long>(st.lost),
      static_cast<unsigned long long>(st.torn),
      static_cast<unsigned long long>(ring.drops()));
}

// An overwrite ring's consumer with a consumer_pos someone else wrote:
// unaligned or ahead is refused, far behind just jumps to overwrite_pos.
TEST(RingConsumer, OverwriteConsumerSurvivesBadPositions) {
  Ring ring(4096, true);
  for (std::uint64_t seq = 0; seq < 10; seq++) {
    std::byte* s = ring.reserve(1000);
    ASSERT_NE(s, nullptr);
    fill_atomic(s, 0, seq, 1000);
    ring.submit(s);
  }
  mapring::detail::OverwriteState st;
  RingView view = ring.view();
  view.ow = &st;
  std::vector<std::uint64_t> seqs;
  auto cb = [&](const std::byte* p, std::size_t size) {
    Rec r;
    std::memcpy(&r, p, sizeof(r));
    if (intact(p, size)) seqs.push_back(r.seq);
    return 0;
  };
  ring.cons_ref().store(10 * 1008 + 8);  // ahead
  EXPECT_EQ(consume_ring(view, cb, mapring::detail::kNoLimit, 1), -EBADMSG);
  ring.cons_ref().store(7 * 1008 + 3);  // unaligned
  EXPECT_EQ(consume_ring(view, cb, mapring::detail::kNoLimit, 1), -EBADMSG);
  ring.cons_ref().store(~0ull - 4095);  // far behind (wrapped)
  EXPECT_EQ(consume_ring(view, cb, mapring::detail::kNoLimit, 1), 4);
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{6, 7, 8, 9}));
  EXPECT_EQ(ring.cons_ref().load(), 10u * 1008);
  EXPECT_EQ(st.lost, 0u);  // losses count from the first record read
  EXPECT_EQ(ring.overwritten(), 6u);
}

TEST(RingConsumer, HostileConsumerPositionsNeverOpenABusyRecord) {
  constexpr int kProducers = 3;
  Ring ring(4096);
  std::atomic<bool> stop{false};
  std::vector<Producer> prod(kProducers);
  std::vector<std::thread> threads;
  for (int id = 0; id < kProducers; id++) {
    threads.emplace_back([&, id] {
      // until 3000 records went in, whatever the vandal makes fail
      for (std::uint64_t seq = 0; prod[id].committed < 3000; seq++) {
        std::uint32_t size = 40 + 16 * (seq % 8);
        std::byte* s = ring.reserve(size);
        if (!s) {
          prod[id].dropped++;
          std::this_thread::yield();
          continue;
        }
        fill(s, id, seq, size);
        std::this_thread::yield();  // hold it busy a while
        auto h = std::atomic_ref<std::uint32_t>(
            *reinterpret_cast<std::uint32_t*>(s - 8));
        if (!intact(s, size) ||
            h.load(std::memory_order_relaxed) != (size | kBusy))
          prod[id].corrupt++;
        ring.submit(s);
        prod[id].committed++;
      }
    });
  }
  std::thread vandal([&] {
    std::mt19937_64 rnd(7);
    auto prod_pos = [&] {
      return std::atomic_ref<std::uint64_t>(*ring.view().producer_page)
          .load(std::memory_order_acquire);
    };
    while (!stop.load(std::memory_order_relaxed)) {
      std::uint64_t p = prod_pos(), v;
      // mostly "everything is consumed", busy records or not (the
      // CVE-2024-41009 pattern), else behind, ahead, unaligned, random
      switch (rnd() % 8) {
        case 4:
          v = p - 4096 + 8;
          break;
        case 5:
          v = p + 64;
          break;
        case 6:
          v = p - 13;
          break;
        case 7:
          v = rnd();
          break;
        default:
          v = p;
          break;
      }
      ring.cons_ref().store(v, std::memory_order_release);
    }
  });
  for (auto& t : threads) t.join();
  stop = true;
  vandal.join();
  std::uint64_t committed = 0;
  for (auto& p : prod) {
    EXPECT_EQ(p.corrupt, 0u);
    EXPECT_EQ(p.committed, 3000u);
    committed += p.committed + p.dropped;
  }
  std::printf("hostile: 9000 records committed in %llu attempts\n",
              static_cast<unsigned long long>(committed));
}

TEST(RingConsumer, BusyRecordStopsThePassAndDiscardedAreSkipped) {
  Ring ring(4096);
  std::byte* a = ring.reserve(30);
  std::byte* b = ring.reserve(30);
  std::byte* c = ring.reserve(30);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_NE(c, nullptr);
  fill(a, 0, 0, 30);
  fill(b, 0, 1, 30);
  ring.submit(c, true);
  ring.submit(b);
  int n = 0;
  auto cb = [&](const std::byte*, std::size_t) { return ++n, 0; };
  // a is busy at the head: nothing is delivered, consumer_pos stays
  EXPECT_EQ(consume_ring(ring.view(), cb, mapring::detail::kNoLimit, 1), 0);
  EXPECT_EQ(ring.cons_ref().load(), 0u);
  ring.submit(a);
  EXPECT_EQ(consume_ring(ring.view(), cb, mapring::detail::kNoLimit, 1), 2);
  EXPECT_EQ(n, 2);
  EXPECT_EQ(ring.cons_ref().load(), 120u);
}

}  // namespace
