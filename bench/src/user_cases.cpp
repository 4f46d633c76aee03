// SPDX-License-Identifier: GPL-2.0
// The user-ring case: user space produces, the kernel drains. mapring's
// mapring_user_ring_buffer with mr_bench.ko's MR_BENCH_USER_DRAIN
// (mapring_ring_drain()) against libbpf's user_ring_buffer with a BPF
// syscall program's bpf_user_ringbuf_drain(). Per repetition: fill the
// 4 MiB ring from user space (reserve, write the first 8 bytes, submit),
// then one trigger drains it; the fill and the drain are timed apart.
#include <sys/ioctl.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <mapring/mapring.h>

#include "../../selftests/modules/mr_bench.h"
#include "cases.hpp"
#include "common.hpp"
#include "user_ringbuf_bench.skel.h"

namespace bench {
namespace {

constexpr std::size_t kBytes = 4u << 20;
constexpr std::uint32_t kUserSizes[] = {8, 64, 256, 1024};

// One side of the comparison: a user ring, its producer, its drainer.
class UserPeer {
 public:
  virtual ~UserPeer() = default;
  // Reserve, write v into the first 8 bytes, submit: false when full.
  virtual bool put(std::uint32_t size, std::uint64_t v) = 0;
  // Drain everything in the kernel: the records drained; *sum their values.
  virtual long drain(std::uint64_t* sum) = 0;
};

class MapringUser : public UserPeer {
 public:
  MapringUser() {
    mapring_ringbuf_opts o = {};
    o.sz = sizeof(o);
    o.flags = MAPRING_RING_F_USER;
    fd_ = static_cast<int>(check(mapring_ringbuf__create(nullptr, kBytes, &o),
                                 "create user ring"));
    rb_ = mapring_user_ring_buffer__new(fd_, nullptr);
    if (!rb_) die("mapring_user_ring_buffer__new", errno);
  }
  ~MapringUser() override {
    mapring_user_ring_buffer__free(rb_);
    ::close(fd_);
  }
  bool put(std::uint32_t size, std::uint64_t v) override {
    void* p = mapring_user_ring_buffer__reserve(rb_, size);
    if (!p) return false;
    std::memcpy(p, &v, sizeof(v));
    mapring_user_ring_buffer__submit(rb_, p);
    return true;
  }
  long drain(std::uint64_t* sum) override {
    mr_bench_drain a = {};
    a.ring_fd = fd_;
    long r = ::ioctl(bench_ctl(), MR_BENCH_USER_DRAIN, &a);
    long n = check(r < 0 ? -errno : r, "MR_BENCH_USER_DRAIN");
    *sum = a.sum;
    return n;
  }

 private:
  int fd_ = -1;
  mapring_user_ring_buffer* rb_ = nullptr;
};

class BpfUser : public UserPeer {
 public:
  BpfUser() {
    skel_ = user_ringbuf_bench__open();
    if (!skel_) die("open user_ringbuf_bench", errno);
    check(bpf_map__set_max_entries(skel_->maps.urb, kBytes),
          "set user ringbuf size");
    check(user_ringbuf_bench__load(skel_), "load user_ringbuf_bench");
    rb_ = user_ring_buffer__new(bpf_map__fd(skel_->maps.urb), nullptr);
    if (!rb_) die("user_ring_buffer__new", errno);
  }
  ~BpfUser() override {
    user_ring_buffer__free(rb_);
    user_ringbuf_bench__destroy(skel_);
  }
  bool put(std::uint32_t size, std::uint64_t v) override {
    void* p = user_ring_buffer__reserve(rb_, size);
    if (!p) return false;
    std::memcpy(p, &v, sizeof(v));
    user_ring_buffer__submit(rb_, p);
    return true;
  }
  long drain(std::uint64_t* sum) override {
    mr_bench_drain a = {};
    // a syscall program's context is copied back to ctx_in
    LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));
    check(bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.drain), &o),
          "BPF_PROG_TEST_RUN user_ringbuf");
    *sum = a.sum;
    return static_cast<int>(o.retval);
  }

 private:
  user_ringbuf_bench* skel_ = nullptr;
  user_ring_buffer* rb_ = nullptr;
};

}  // namespace

void user_ring(const Options& o) {
  const char* names[] = {"mapring", "bpf-libbpf"};
  pin_to_cpu(0);
  for (std::uint32_t size : kUserSizes) {
    if (o.quick && size != 64) continue;
    std::unique_ptr<UserPeer> peers[] = {std::make_unique<MapringUser>(),
                                         std::make_unique<BpfUser>()};
    std::vector<double> fill[2], drain[2];
    std::uint64_t records = 0;
    for (int rep = -1; rep < o.reps; rep++) {  // rep -1 warms the mappings
      for (int i = 0; i < 2; i++) {
        std::uint64_t n = 0, want = 0, sum = 0;
        std::uint64_t t0 = now_ns();
        while (peers[i]->put(size, n + 1)) want += ++n;
        std::uint64_t t1 = now_ns();
        long got = peers[i]->drain(&sum);
        std::uint64_t t2 = now_ns();
        if (got != static_cast<long>(n) || sum != want)
          die(std::string("user: ") + names[i] + " drained " +
              std::to_string(got) + " of " + std::to_string(n));
        records = n;
        if (rep < 0) continue;
        fill[i].push_back(n / (static_cast<double>(t1 - t0) / 1e9));
        drain[i].push_back(n / (static_cast<double>(t2 - t1) / 1e9));
      }
    }
    for (int i = 0; i < 2; i++)
      Result("user")
          .set("peer", names[i])
          .set("size", size)
          .set("records", records)
          .set("fill_rate", median(fill[i]))
          .set("drain_rate", median(drain[i]))
          .set("reps", o.reps)
          .emit();
  }
  pin_to_cpu(-1);
}

}  // namespace bench
