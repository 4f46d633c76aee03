// SPDX-License-Identifier: GPL-2.0
// The BPF perf buffer peer: records produced by bench/bpf/perfbuf.bpf.c (a
// raw_tp program per record size, one BPF_PROG_TEST_RUN per batch on the
// calling CPU), consumed with libbpf's perf_buffer (raw callback, as the
// kernel study's pb-libbpf). One buffer per online CPU, ring_bytes each.
// Wake-ups are the perf event's wakeup_events: 1 (every record) in
// "adaptive" runs, `every` in sampled runs.
#include <linux/perf_event.h>

#include <bit>
#include <string>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "perfbuf_bench.skel.h"
#include "ring_peer.hpp"

namespace bench {

namespace {

bpf_program* program_for(perfbuf_bench* skel, std::uint32_t size) {
  switch (size) {
    case 8:
      return skel->progs.output_8;
    case 64:
      return skel->progs.output_64;
    case 256:
      return skel->progs.output_256;
    case 1024:
      return skel->progs.output_1024;
    default:
      die("no BPF perfbuf program for record size " + std::to_string(size));
  }
}

class PerfbufPeer final : public RingPeer {
 public:
  explicit PerfbufPeer(const RingConfig& c) {
    if (c.wakeup == Wakeup::kBatched)
      die("the BPF perf buffer has no batched wake-ups");
    skel_ = perfbuf_bench__open();
    if (!skel_) die("open perfbuf_bench", errno);
    bpf_program* prog = program_for(skel_, c.rec_size);
    // Only the program of this record size: the others need no verifying.
    bpf_program* p;
    bpf_object__for_each_program(p, skel_->obj) {
      bpf_program__set_autoload(p, p == prog);
    }
    check(perfbuf_bench__load(skel_), "load perfbuf_bench");
    prog_fd_ = bpf_program__fd(prog);

    perf_event_attr attr = {};
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_BPF_OUTPUT;
    attr.sample_type = PERF_SAMPLE_RAW;
    attr.sample_period = 1;
    attr.wakeup_events = c.wakeup == Wakeup::kSampled ? c.every : 1;
    std::size_t pages = std::bit_ceil(c.ring_bytes / page_size());
    pb_ = perf_buffer__new_raw(bpf_map__fd(skel_->maps.pb), pages, &attr,
                               &PerfbufPeer::event, &sink_, nullptr);
    if (!pb_) die("perf_buffer__new_raw", errno);
  }
  ~PerfbufPeer() override {
    perf_buffer__free(pb_);
    perfbuf_bench__destroy(skel_);
  }

  std::uint32_t trigger(std::uint64_t seq, std::uint32_t count,
                        bool stamp) override {
    if (count > 1024) die("perfbuf batches are at most 1024 records");
    __u64 args[3] = {seq, count, stamp};
    LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args,
                .ctx_size_in = sizeof(args));
    check(bpf_prog_test_run_opts(prog_fd_, &o), "BPF_PROG_TEST_RUN perfbuf");
    return o.retval;
  }

  long consume() override {
    std::uint64_t before = sink_.count;
    check(perf_buffer__consume(pb_), "perf_buffer__consume");
    return static_cast<long>(sink_.count - before);
  }

  long poll(int timeout_ms) override {
    std::uint64_t before = sink_.count;
    int n = perf_buffer__poll(pb_, timeout_ms);
    if (n != -EINTR) check(n, "perf_buffer__poll");
    return static_cast<long>(sink_.count - before);
  }

  void skip() override { die("perfbuf: no skip"); }

 private:
  struct RawSample {
    perf_event_header header;
    __u32 size;
    char data[];
  };

  static bpf_perf_event_ret event(void* ctx, int, perf_event_header* e) {
    if (e->type == PERF_RECORD_SAMPLE)
      static_cast<Sink*>(ctx)->take(reinterpret_cast<RawSample*>(e)->data);
    return LIBBPF_PERF_EVENT_CONT;
  }

  perfbuf_bench* skel_ = nullptr;
  perf_buffer* pb_ = nullptr;
  int prog_fd_ = -1;
};

}  // namespace

std::unique_ptr<RingPeer> make_perfbuf_peer(const RingConfig& c) {
  return std::make_unique<PerfbufPeer>(c);
}

}  // namespace bench
