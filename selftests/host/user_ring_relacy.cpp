// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// A model of the user-ring protocol, checked by Relacy (relacy-dev) under
// the C++ memory model: one user producer
// (include/mapring/detail/user_ring_producer.hpp: BUSY header, release of
// producer_pos, the sample, release of the header; room from an acquire
// load of consumer_pos) and the kernel's drainer (kmod/ring_drain.c:
// acquire loads of producer_pos and of each header, the same validation,
// release of consumer_pos after each record), racing over a ring of two
// slots so every slot is reused while the other is drained.
//
// Checked: every submitted record is drained exactly once, in order, with
// its sample complete (Relacy reports the unordered plain access if the
// sample is not published by the header's release), discarded ones are
// skipped, and no drain ever finds a header it must call invalid. The
// same model with a relaxed commit must fail, so the check is known to
// bite. Exit status 0 when both hold.
#include <relacy/relacy.hpp>

#include <cstdio>
#include <string>

namespace {

constexpr unsigned kSize = 32;  // data bytes: 2 slots of 16
constexpr unsigned kMask = kSize - 1;
constexpr unsigned kRec = 16;  // 8-byte header + 8-byte sample
constexpr unsigned kBusy = 1u << 31;
constexpr unsigned kDiscard = 1u << 30;
constexpr unsigned kRecords = 4;

template <bool kReleaseCommit>
struct UserRingModel : rl::test_suite<UserRingModel<kReleaseCommit>, 2> {
  rl::atomic<unsigned> consumer_pos;
  rl::atomic<unsigned> producer_pos;
  rl::atomic<unsigned> hdr[kSize / 8];  // len words, one per 8 bytes
  rl::var<unsigned> sample[kSize / 8];
  unsigned prod;  // the producer's own producer_pos
  unsigned cons;  // the drainer's own consumer_pos (kernel memory)
  unsigned submitted, discarded, drained, skipped, last;
  bool bad;

  void before() {
    consumer_pos($).store(0, rl::mo_relaxed);
    producer_pos($).store(0, rl::mo_relaxed);
    for (auto& h : hdr) h($).store(0, rl::mo_relaxed);
    prod = cons = submitted = discarded = drained = skipped = last = 0;
    bad = false;
  }

  // user_reserve(): the offset of a new BUSY record, or -1 when full.
  int reserve() {
    unsigned c = consumer_pos($).load(rl::mo_acquire);
    if (prod + kRec - c > kSize) return -1;
    unsigned off = prod & kMask;
    hdr[off / 8]($).store(8 | kBusy, rl::mo_relaxed);
    prod += kRec;
    producer_pos($).store(prod, rl::mo_release);
    return static_cast<int>(off);
  }

  void produce() {
    for (unsigned i = 1; i <= kRecords; i++) {
      int off = reserve();
      if (off < 0) continue;  // full: this record is never made
      sample[off / 8 + 1]($) = i;
      bool discard = i == 2;
      hdr[off / 8]($).store(8 | (discard ? kDiscard : 0),
                            kReleaseCommit ? rl::mo_release : rl::mo_relaxed);
      (discard ? discarded : submitted)++;
    }
  }

  // mapring_ring_drain() with its validation.
  void drain() {
    unsigned p = producer_pos($).load(rl::mo_acquire);
    if ((p & 7) || p - cons > kSize) {
      bad = true;
      return;
    }
    while (cons != p) {
      unsigned len = hdr[(cons & kMask) / 8]($).load(rl::mo_acquire);
      if (len & kBusy) return;
      unsigned rec = ((len & ~kDiscard) + 8 + 7) & ~7u;
      if (rec > p - cons) {
        bad = true;
        return;
      }
      if (len & kDiscard) {
        skipped++;
      } else {
        unsigned v = sample[(cons & kMask) / 8 + 1]($);
        RL_ASSERT(v > last);  // once, in order
        last = v;
        drained++;
      }
      cons += rec;
      consumer_pos($).store(cons, rl::mo_release);
    }
  }

  void thread(unsigned index) {
    if (index == 0) {
      produce();
    } else {
      drain();
      drain();
    }
  }

  void after() {
    drain();  // what the racing drains left
    RL_ASSERT(!bad);
    RL_ASSERT(drained == submitted);
    RL_ASSERT(skipped == discarded);
  }
};

template <class Model>
bool check(const char* name, rl::iteration_t iterations) {
  rl::test_params p;
  p.iteration_count = iterations;
  p.output_stream = &std::cout;
  p.progress_stream = &std::cout;
  bool ok = rl::simulate<Model>(p);
  std::printf(
      "%s: %s after %llu iterations\n", name, ok ? "holds" : "fails",
      static_cast<unsigned long long>(ok ? iterations : p.stop_iteration));
  return ok;
}

}  // namespace

// user_ring_relacy          check the protocol: exit 0 when it holds
// user_ring_relacy --broken the same with a relaxed commit: exit 0 when
//                           Relacy finds the race on the sample
int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--broken")
    return check<UserRingModel<false>>("user ring with a relaxed commit",
                                       200000)
               ? 1
               : 0;
  return check<UserRingModel<true>>("user ring protocol", 200000) ? 0 : 1;
}
