// SPDX-License-Identifier: GPL-2.0
// The mapring peer: records produced through the kernel API by mr_bench.ko
// (one ioctl per batch) into a ring this process creates, consumed with
// libmapring (the C++ RingBuffer, or the C API for comparison).
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <atomic>
#include <chrono>
#include <optional>

#include <mapring/mapring.h>
#include <mapring/mapring.hpp>

#include "../../selftests/modules/mr_bench.h"
#include "ring_peer.hpp"

namespace bench {

namespace {

class MapringPeer final : public RingPeer {
 public:
  MapringPeer(const RingConfig& c, bool c_api)
      : ring_(create(c)), every_(c.wakeup == Wakeup::kSampled ? c.every : 0) {
    rec_size_ = c.rec_size;
    if (c_api) {
      crb_ = mapring_ring_buffer__new(ring_.fd(), &MapringPeer::c_sample,
                                      &sink_, nullptr);
      if (!crb_) die("mapring_ring_buffer__new", errno);
    } else {
      rb_.emplace(ring_, [this](std::span<const std::byte> s) {
        sink_.take(s.data());
      });
    }
    // The consumer page, mapped on its own, for skip().
    cons_ = static_cast<std::uint64_t*>(mmap(nullptr, page_size(),
                                             PROT_READ | PROT_WRITE, MAP_SHARED,
                                             ring_.fd(), 0));
    if (cons_ == MAP_FAILED) die("mmap consumer page", errno);
  }
  ~MapringPeer() override {
    if (crb_) mapring_ring_buffer__free(crb_);
    munmap(cons_, page_size());
  }

  std::uint32_t trigger(std::uint64_t seq, std::uint32_t count,
                        bool stamp) override {
    mr_bench_produce a = {};
    a.seq = seq;
    a.count = count;
    a.rec_size = rec_size_;
    a.sample_every = every_;
    a.stamp = stamp;
    a.ring_fd = ring_.fd();
    long ret = ioctl(bench_ctl(), MR_BENCH_RING_PRODUCE, &a);
    return static_cast<std::uint32_t>(
        check(ret < 0 ? -errno : ret, "MR_BENCH_RING_PRODUCE"));
  }

  long consume() override {
    return crb_ ? check(mapring_ring_buffer__consume(crb_), "consume")
                : rb_->consume();
  }

  long poll(int timeout_ms) override {
    return crb_ ? check(mapring_ring_buffer__poll(crb_, timeout_ms), "poll")
                : rb_->poll(std::chrono::milliseconds(timeout_ms));
  }

  void skip() override {
    mapring_ring_query q = ring_.query();
    std::atomic_ref<std::uint64_t>(*cons_).store(q.producer_pos,
                                                 std::memory_order_release);
  }

 private:
  static mapring::RingBuf create(const RingConfig& c) {
    mapring::RingOptions o;
    o.overwrite = c.overwrite;
    if (c.wakeup == Wakeup::kBatched) {
      o.batch_wakeup = true;
      o.wakeup_bytes = c.every * ring_rec_len(c.rec_size);
      o.wakeup_time = std::chrono::microseconds(c.wake_usecs);
    }
    return mapring::RingBuf::create("", c.ring_bytes, o);
  }
  static int c_sample(void* ctx, const void* data, size_t) {
    static_cast<Sink*>(ctx)->take(data);
    return 0;
  }
  mapring::RingBuf ring_;
  std::optional<mapring::RingBuffer> rb_;
  mapring_ring_buffer* crb_ = nullptr;
  std::uint64_t* cons_ = nullptr;
  std::uint32_t rec_size_ = 0;
  std::uint32_t every_ = 0;
};

}  // namespace

std::unique_ptr<RingPeer> make_mapring_peer(const RingConfig& c, bool c_api) {
  return std::make_unique<MapringPeer>(c, c_api);
}

}  // namespace bench
