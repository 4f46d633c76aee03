// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// A model of the ring protocol, checked by Relacy (relacy-dev) under the
// C++ memory model with every scheduling and store-visibility choice it
// explores: two producers (kmod/ring_produce.c: lock, pending walk, BUSY
// header, release of producer_pos, xchg commit, adaptive wake-up) and one
// consumer (include/mapring/detail/ringbuf_consumer.hpp: acquire loads,
// release of consumer_pos, seq_cst fence, re-check, then sleep until woken).
//
// Checked: every record is read exactly once, complete (no data race on
// the payload: Relacy reports unordered plain accesses), and a consumer
// that goes to sleep with a committed record left is always woken. The
// same model without the consumer's fence must fail (lost wake-up), so
// the check is known to bite. Exit status 0 when both hold.
#include <relacy/relacy.hpp>

#include <cstdio>
#include <sstream>
#include <string>

namespace {

constexpr unsigned kSize = 64;  // data bytes: 4 slots of 16
constexpr unsigned kMask = kSize - 1;
constexpr unsigned kRec = 16;  // 8-byte header + 8-byte sample
constexpr unsigned kBusy = 1u << 31;
constexpr unsigned kProducers = 2;
constexpr unsigned kPerProducer = 2;

template <bool kFence>
struct RingModel : rl::test_suite<RingModel<kFence>, kProducers + 1> {
  rl::mutex lock;
  rl::atomic<unsigned> consumer_pos;
  rl::atomic<unsigned> producer_pos;
  rl::var<unsigned> pending_pos;        // under lock
  rl::atomic<unsigned> hdr[kSize / 8];  // header words, one per 8 bytes
  rl::var<unsigned> payload[kSize / 8];
  rl::atomic<unsigned> wakes;
  rl::atomic<unsigned> finished;
  unsigned committed[kProducers];
  unsigned seen[kProducers];
  unsigned last_seq[kProducers];
  bool lost;

  void before() {
    consumer_pos($).store(0, rl::mo_relaxed);
    producer_pos($).store(0, rl::mo_relaxed);
    pending_pos($) = 0;
    for (auto& h : hdr) h($).store(0, rl::mo_relaxed);
    wakes($).store(0, rl::mo_relaxed);
    finished($).store(0, rl::mo_relaxed);
    for (unsigned i = 0; i < kProducers; i++)
      committed[i] = seen[i] = last_seq[i] = 0;
    lost = false;
  }

  // ring_reserve(): the offset of a new BUSY record, or -1 when full.
  int reserve() {
    unsigned cons = consumer_pos($).load(rl::mo_acquire);
    lock.lock($);
    unsigned pos = producer_pos($).load(rl::mo_relaxed);
    unsigned pend = pending_pos($);
    while (pend != pos) {
      unsigned len = hdr[(pend & kMask) / 8]($).load(rl::mo_acquire);
      if (len & kBusy) break;
      pend += kRec;
    }
    pending_pos($) = pend;
    unsigned next = pos + kRec;
    if (next - cons > kMask || next - pend > kMask) {
      lock.unlock($);
      return -1;
    }
    hdr[(pos & kMask) / 8]($).store(8 | kBusy, rl::mo_relaxed);
    producer_pos($).store(next, rl::mo_release);
    lock.unlock($);
    return static_cast<int>(pos & kMask);
  }

  // ring_commit() with flags 0: xchg, then the adaptive wake-up. The
  // kernel's xchg() is fully ordered, a full barrier on each side; a C++
  // seq_cst exchange alone is not (Relacy finds the lost wake-up then).
  void commit(unsigned off) {
    rl::atomic_thread_fence(rl::mo_seq_cst, $);
    hdr[off / 8]($).exchange(8, rl::mo_seq_cst);
    rl::atomic_thread_fence(rl::mo_seq_cst, $);
    unsigned cons = consumer_pos($).load(rl::mo_acquire);
    if ((cons & kMask) == off) wakes($).fetch_add(1, rl::mo_acq_rel);
  }

  void producer(unsigned id) {
    for (unsigned seq = 1; seq <= kPerProducer; seq++) {
      int off = reserve();
      if (off < 0) continue;  // dropped: counted, not committed
      payload[off / 8 + 1]($) = id << 8 | seq;
      commit(static_cast<unsigned>(off));
      committed[id]++;
    }
    finished($).fetch_add(1, rl::mo_release);
  }

  // consume_ring(): true when it stopped at a busy record or caught up.
  void consume_pass() {
    unsigned cons = consumer_pos($).load(rl::mo_relaxed);
    for (;;) {
      unsigned prod = producer_pos($).load(rl::mo_acquire);
      while (cons != prod) {
        auto& h = hdr[(cons & kMask) / 8];
        unsigned len = h($).load(rl::mo_acquire);
        if (len & kBusy) {
          consumer_pos($).store(cons, rl::mo_release);
          if (kFence) rl::atomic_thread_fence(rl::mo_seq_cst, $);
          len = h($).load(rl::mo_acquire);
          if (len & kBusy) return;
        }
        unsigned v = payload[(cons & kMask) / 8 + 1]($);
        unsigned id = v >> 8, seq = v & 0xff;
        RL_ASSERT(id < kProducers);
        RL_ASSERT(seq > last_seq[id]);  // once, in the producer's order
        last_seq[id] = seq;
        seen[id]++;
        cons += kRec;
      }
      consumer_pos($).store(cons, rl::mo_release);
      if (kFence) rl::atomic_thread_fence(rl::mo_seq_cst, $);
      if (producer_pos($).load(rl::mo_acquire) == cons) return;
    }
  }

  void consumer() {
    for (;;) {
      // an edge-triggered event pending since the last wait is not lost
      unsigned w = wakes($).load(rl::mo_acquire);
      consume_pass();
      // sleep until woken; when every producer is done and no wake-up
      // came, the consumer would sleep for ever
      for (;;) {
        // finished first: its acquire makes every wake-up visible below
        bool all = finished($).load(rl::mo_acquire) == kProducers;
        if (wakes($).load(rl::mo_acquire) != w) break;
        if (all) {
          // what it would sleep on: anything committed and unread?
          unsigned cons = consumer_pos($).load(rl::mo_relaxed);
          unsigned prod = producer_pos($).load(rl::mo_acquire);
          if (cons != prod &&
              !(hdr[(cons & kMask) / 8]($).load(rl::mo_acquire) & kBusy))
            lost = true;
          return;
        }
        rl::yield(1, $);
      }
    }
  }

  void thread(unsigned index) {
    if (index < kProducers)
      producer(index);
    else
      consumer();
  }

  void after() {
    RL_ASSERT(!lost);
    for (unsigned i = 0; i < kProducers; i++)
      RL_ASSERT(seen[i] == committed[i]);
  }
};

template <class Model>
bool check(const char* name, rl::iteration_t iterations, std::ostream* out) {
  rl::test_params p;
  p.iteration_count = iterations;
  p.output_stream = out;
  p.progress_stream = out;
  bool ok = rl::simulate<Model>(p);
  std::printf(
      "%s: %s after %llu iterations\n", name, ok ? "holds" : "fails",
      static_cast<unsigned long long>(ok ? iterations : p.stop_iteration));
  return ok;
}

}  // namespace

// ring_model_relacy          check the protocol: exit 0 when it holds
// ring_model_relacy --broken the same without the consumer's fence: exit 0
//                            when Relacy finds the lost wake-up
// (one model per process: Relacy keeps global state between runs)
int main(int argc, char** argv) {
  bool broken = argc > 1 && std::string(argv[1]) == "--broken";
  if (broken) {
    return check<RingModel<false>>("ring protocol without the consumer's fence",
                                   300000, &std::cout)
               ? 1
               : 0;
  }
  return check<RingModel<true>>("ring protocol", 300000, &std::cout) ? 0 : 1;
}
