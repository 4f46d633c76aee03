// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The library's user-ring producer (include/mapring/detail/
// user_ring_producer.hpp) against a user-space drainer that follows the
// kernel's (kmod/ring_drain.c): same validation, same memory orders, in
// memory laid out as the kernel lays it out (data pages mapped twice).
// Meant for the TSan lane as well: the sample is written with plain stores
// and read by the drainer after its acquire load of the header, so a
// missing release in the producer is a data race TSan reports.
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <mapring/detail/user_ring_producer.hpp>

namespace {

using mapring::detail::user_commit;
using mapring::detail::user_rec_len;
using mapring::detail::user_reserve;
using mapring::detail::UserRingView;

constexpr int kBadMsg = -EBADMSG;

std::uint64_t fnv(const std::byte* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; i++) {
    h ^= static_cast<std::uint8_t>(p[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The kernel's side of a user ring, in user space.
class Ring {
 public:
  explicit Ring(std::size_t data_size)
      : size_(data_size), page_(::sysconf(_SC_PAGESIZE)) {
    int fd = ::memfd_create("uring", MFD_CLOEXEC);
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
    view_.producer_pos = reinterpret_cast<std::uint64_t*>(base + page_);
    view_.data = base + 2 * page_;
    view_.mask = size_ - 1;
  }
  ~Ring() { ::munmap(base_, total_); }

  UserRingView& view() { return view_; }

  // mapring_ring_drain(): records delivered, or -EBADMSG.
  template <class Fn>
  long drain(Fn&& cb, std::uint32_t max = 1u << 17) {
    std::uint64_t prod = std::atomic_ref<std::uint64_t>(*view_.producer_pos)
                             .load(std::memory_order_acquire);
    if ((prod & 7) || prod - cons_ > size_) return kBadMsg;
    long n = 0;
    for (std::uint32_t seen = 0; seen < max && cons_ != prod; seen++) {
      auto* hdr =
          reinterpret_cast<mapring_rb_hdr*>(view_.data + (cons_ & view_.mask));
      std::uint32_t len = std::atomic_ref<std::uint32_t>(hdr->len).load(
          std::memory_order_acquire);
      if (len & MAPRING_RB_BUSY_BIT) break;
      std::uint64_t rec = user_rec_len(len & ~MAPRING_RB_DISCARD_BIT);
      if (rec > prod - cons_) return kBadMsg;
      if (!(len & MAPRING_RB_DISCARD_BIT)) {
        cb(reinterpret_cast<const std::byte*>(hdr + 1), len);
        n++;
      } else {
        discarded++;
      }
      cons_ += rec;
      std::atomic_ref<std::uint64_t>(
          *const_cast<std::uint64_t*>(view_.consumer_pos))
          .store(cons_, std::memory_order_release);
    }
    return n;
  }

  std::uint64_t discarded = 0;

 private:
  std::size_t size_, page_, total_ = 0;
  std::byte* base_ = nullptr;
  std::uint64_t cons_ = 0;
  UserRingView view_{};
};

TEST(UserRing, ReserveErrorsAndLargestRecord) {
  Ring ring(4096);
  auto& v = ring.view();
  int err = 0;
  EXPECT_EQ(user_reserve(v, 4089, &err), nullptr);
  EXPECT_EQ(err, E2BIG);
  EXPECT_EQ(user_reserve(v, MAPRING_RB_DISCARD_BIT, &err), nullptr);
  EXPECT_EQ(err, E2BIG);
  void* a = user_reserve(v, 1, &err);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*v.producer_pos, 16u);
  EXPECT_EQ(user_reserve(v, 4088, &err), nullptr);
  EXPECT_EQ(err, ENOSPC);
  user_commit(a, false);
  EXPECT_EQ(ring.drain([](const std::byte*, std::uint32_t) {}), 1);
  // the largest record, straddling the end: the whole ring, contiguous
  auto* b = static_cast<std::byte*>(user_reserve(v, 4088, &err));
  ASSERT_NE(b, nullptr);
  for (int i = 0; i < 4088; i++) b[i] = std::byte(i * 3);
  std::uint64_t want = fnv(b, 4088);
  EXPECT_EQ(user_reserve(v, 0, &err), nullptr);
  EXPECT_EQ(err, ENOSPC);
  user_commit(b, false);
  std::uint64_t got = 0;
  EXPECT_EQ(ring.drain([&](const std::byte* p, std::uint32_t n) {
    EXPECT_EQ(n, 4088u);
    got = fnv(p, n);
  }),
            1);
  EXPECT_EQ(got, want);
}

TEST(UserRing, BusyStopsAndOutOfOrderSubmit) {
  Ring ring(4096);
  auto& v = ring.view();
  int err = 0;
  void* a = user_reserve(v, 8, &err);
  void* b = user_reserve(v, 8, &err);
  void* c = user_reserve(v, 8, &err);
  ASSERT_TRUE(a && b && c);
  user_commit(c, false);
  user_commit(b, true);
  std::vector<std::uint32_t> sizes;
  auto cb = [&](const std::byte*, std::uint32_t n) { sizes.push_back(n); };
  EXPECT_EQ(ring.drain(cb), 0);  // a is busy
  user_commit(a, false);
  EXPECT_EQ(ring.drain(cb), 2);  // a, (b skipped), c
  EXPECT_EQ(sizes.size(), 2u);
  EXPECT_EQ(ring.discarded, 1u);
}

TEST(UserRing, CorruptProducerPosIsBadMessage) {
  Ring ring(4096);
  auto& v = ring.view();
  auto cb = [](const std::byte*, std::uint32_t) {};
  *v.producer_pos = 4;
  EXPECT_EQ(ring.drain(cb), kBadMsg);
  *v.producer_pos = 4096 + 8;
  EXPECT_EQ(ring.drain(cb), kBadMsg);
  *v.producer_pos = 16;
  std::atomic_ref<std::uint32_t>(*reinterpret_cast<std::uint32_t*>(v.data))
      .store(100);
  EXPECT_EQ(ring.drain(cb), kBadMsg);
}

// One producer thread, one drainer thread: every record exactly once.
TEST(UserRing, ProducerAndDrainerThreads) {
  Ring ring(1 << 14);
  constexpr int kRecords = 20000;
  std::atomic<bool> done{false};
  std::uint64_t sent_sum = 0, sent = 0, discards = 0;

  std::thread producer([&] {
    auto& v = ring.view();
    for (int i = 0; i < kRecords; i++) {
      std::uint32_t size = (i * 37) % 500;
      int err = 0;
      std::byte* p;
      while (!(p = static_cast<std::byte*>(user_reserve(v, size, &err)))) {
        ASSERT_EQ(err, ENOSPC);
        std::this_thread::yield();
      }
      for (std::uint32_t k = 0; k < size; k++) p[k] = std::byte(i + k);
      if (i % 11 == 0) {
        user_commit(p, true);
        discards++;
      } else {
        sent_sum += fnv(p, size);
        sent++;
        user_commit(p, false);
      }
    }
    done.store(true, std::memory_order_release);
  });

  std::uint64_t got_sum = 0, got = 0;
  auto cb = [&](const std::byte* p, std::uint32_t n) {
    got_sum += fnv(p, n);
    got++;
  };
  for (;;) {
    bool last = done.load(std::memory_order_acquire);
    long n = ring.drain(cb, 64);
    ASSERT_GE(n, 0);
    if (last && n == 0) break;
    if (n == 0) std::this_thread::yield();
  }
  producer.join();
  EXPECT_EQ(got, sent);
  EXPECT_EQ(got_sum, sent_sum);
  EXPECT_EQ(ring.discarded, discards);
  EXPECT_EQ(got + ring.discarded, std::uint64_t{kRecords});
}

}  // namespace
