// SPDX-License-Identifier: GPL-2.0
// The BPF ring buffer peer: records produced by bench/bpf/ringbuf.bpf.c (a
// syscall program per record size, one BPF_PROG_TEST_RUN per batch),
// consumed with libbpf's ring_buffer or with a minimal hand-written
// consumer that publishes consumer_pos once per pass, as the kernel study's
// rb-custom does.
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../selftests/modules/mr_bench.h"
#include "ring_peer.hpp"
#include "ringbuf_bench.skel.h"

namespace bench {

namespace {

// The kernel study's rb-custom: map, epoll, walk, one release store per pass.
class CustomConsumer {
 public:
  CustomConsumer(int map_fd, std::size_t size, Sink* sink)
      : mask_(size - 1), sink_(sink) {
    void* p = mmap(nullptr, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED,
                   map_fd, 0);
    if (p == MAP_FAILED) die("mmap BPF ringbuf consumer page", errno);
    cons_ = static_cast<std::uint64_t*>(p);
    p = mmap(nullptr, page_size() + 2 * size, PROT_READ, MAP_SHARED, map_fd,
             static_cast<off_t>(page_size()));
    if (p == MAP_FAILED) die("mmap BPF ringbuf data", errno);
    prod_ = static_cast<std::uint64_t*>(p);
    data_ = static_cast<const char*>(p) + page_size();
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev = {};
    ev.events = EPOLLIN;
    if (epfd_ < 0 || epoll_ctl(epfd_, EPOLL_CTL_ADD, map_fd, &ev))
      die("epoll on the BPF ringbuf", errno);
  }
  ~CustomConsumer() {
    munmap(cons_, page_size());
    munmap(const_cast<std::uint64_t*>(prod_), page_size() + 2 * (mask_ + 1));
    close(epfd_);
  }

  long consume() {
    std::atomic_ref<std::uint64_t> cons_ref(*cons_);
    std::uint64_t cons = cons_ref.load(std::memory_order_acquire);
    long n = 0;
    for (;;) {
      bool got = false;
      std::uint64_t prod =
          std::atomic_ref<std::uint64_t>(*const_cast<std::uint64_t*>(prod_))
              .load(std::memory_order_acquire);
      while (cons < prod) {
        auto* hdr = reinterpret_cast<std::uint32_t*>(
            const_cast<char*>(data_ + (cons & mask_)));
        std::uint32_t len = std::atomic_ref<std::uint32_t>(*hdr).load(
            std::memory_order_acquire);
        if (len & BPF_RINGBUF_BUSY_BIT) {
          if (got) cons_ref.store(cons, std::memory_order_release);
          return n;
        }
        got = true;
        cons += ring_rec_len(len & ~BPF_RINGBUF_DISCARD_BIT);
        if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
          sink_->take(hdr + 2);
          n++;
        }
      }
      if (!got) return n;
      cons_ref.store(cons, std::memory_order_release);
    }
  }

  long poll(int timeout_ms) {
    epoll_event ev;
    int cnt = epoll_wait(epfd_, &ev, 1, timeout_ms);
    if (cnt < 0) return errno == EINTR ? 0 : check(-errno, "epoll_wait");
    return cnt ? consume() : 0;
  }

  void skip() {
    std::uint64_t prod =
        std::atomic_ref<std::uint64_t>(*const_cast<std::uint64_t*>(prod_))
            .load(std::memory_order_acquire);
    std::atomic_ref<std::uint64_t>(*cons_).store(prod,
                                                 std::memory_order_release);
  }

 private:
  std::uint64_t mask_;
  Sink* sink_;
  std::uint64_t* cons_ = nullptr;
  const std::uint64_t* prod_ = nullptr;
  const char* data_ = nullptr;
  int epfd_ = -1;
};

bpf_program* program_for(ringbuf_bench* skel, std::uint32_t size) {
  switch (size) {
    case 8:
      return skel->progs.produce_8;
    case 64:
      return skel->progs.produce_64;
    case 256:
      return skel->progs.produce_256;
    case 1024:
      return skel->progs.produce_1024;
    default:
      die("no BPF ringbuf program for record size " + std::to_string(size));
  }
}

class BpfRingbufPeer final : public RingPeer {
 public:
  BpfRingbufPeer(const RingConfig& c, bool custom)
      : every_(c.wakeup == Wakeup::kSampled ? c.every : 0) {
    if (c.wakeup == Wakeup::kBatched)
      die("the BPF ring buffer has no batched wake-ups");
    skel_ = ringbuf_bench__open();
    if (!skel_) die("open ringbuf_bench", errno);
    bpf_program* prog = program_for(skel_, c.rec_size);
    // Only the program of this record size: the others need no verifying.
    bpf_program* p;
    bpf_object__for_each_program(p, skel_->obj) {
      bpf_program__set_autoload(p, p == prog);
    }
    check(bpf_map__set_max_entries(skel_->maps.rb,
                                   static_cast<__u32>(c.ring_bytes)),
          "set BPF ringbuf size");
    check(ringbuf_bench__load(skel_), "load ringbuf_bench");
    prog_fd_ = bpf_program__fd(prog);
    int map_fd = bpf_map__fd(skel_->maps.rb);
    if (custom) {
      custom_ = std::make_unique<CustomConsumer>(map_fd, c.ring_bytes, &sink_);
    } else {
      rb_ = ring_buffer__new(map_fd, &BpfRingbufPeer::sample, &sink_, nullptr);
      if (!rb_) die("ring_buffer__new", errno);
      // Only for skip(): libbpf keeps its own mapping private.
      void* p = mmap(nullptr, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED,
                     map_fd, 0);
      if (p == MAP_FAILED) die("mmap BPF ringbuf consumer page", errno);
      cons_ = static_cast<std::uint64_t*>(p);
      p = mmap(nullptr, page_size(), PROT_READ, MAP_SHARED, map_fd,
               static_cast<off_t>(page_size()));
      if (p == MAP_FAILED) die("mmap BPF ringbuf producer page", errno);
      prod_ = static_cast<std::uint64_t*>(p);
    }
  }
  ~BpfRingbufPeer() override {
    custom_.reset();
    if (rb_) ring_buffer__free(rb_);
    if (cons_) munmap(cons_, page_size());
    if (prod_) munmap(prod_, page_size());
    ringbuf_bench__destroy(skel_);
  }

  std::uint32_t trigger(std::uint64_t seq, std::uint32_t count,
                        bool stamp) override {
    mr_bench_produce a = {};
    a.seq = seq;
    a.count = count;
    a.sample_every = every_;
    a.stamp = stamp;
    LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));
    check(bpf_prog_test_run_opts(prog_fd_, &o), "BPF_PROG_TEST_RUN ringbuf");
    return o.retval;
  }

  long consume() override {
    return custom_ ? custom_->consume()
                   : check(ring_buffer__consume(rb_), "ring_buffer__consume");
  }

  long poll(int timeout_ms) override {
    if (custom_) return custom_->poll(timeout_ms);
    int n = ring_buffer__poll(rb_, timeout_ms);
    return n == -EINTR ? 0 : check(n, "ring_buffer__poll");
  }

  void skip() override {
    if (custom_) return custom_->skip();
    std::uint64_t prod =
        std::atomic_ref<std::uint64_t>(*prod_).load(std::memory_order_acquire);
    std::atomic_ref<std::uint64_t>(*cons_).store(prod,
                                                 std::memory_order_release);
  }

 private:
  static int sample(void* ctx, void* data, size_t) {
    static_cast<Sink*>(ctx)->take(data);
    return 0;
  }

  ringbuf_bench* skel_ = nullptr;
  ring_buffer* rb_ = nullptr;
  std::unique_ptr<CustomConsumer> custom_;
  std::uint64_t* cons_ = nullptr;
  std::uint64_t* prod_ = nullptr;
  int prog_fd_ = -1;
  std::uint32_t every_ = 0;
};

}  // namespace

std::unique_ptr<RingPeer> make_bpf_ringbuf_peer(const RingConfig& c,
                                                bool custom) {
  return std::make_unique<BpfRingbufPeer>(c, custom);
}

}  // namespace bench
