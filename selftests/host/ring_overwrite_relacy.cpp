// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// A model of overwrite rings, checked by Relacy (relacy-dev) under the C++
// memory model: a producer that laps the consumer (kmod/ring_produce.c:
// ring_overwrite() stores overwrite_pos, smp_wmb(), then overwrites) and a
// consumer that copies each record and re-checks overwrite_pos after an
// acquire fence (include/mapring/detail/ringbuf_consumer.hpp:
// consume_overwrite()).
//
// Checked: a record delivered is never torn (its header and both payload
// words agree), records arrive in order, and every record committed is
// delivered or counted lost from the headers' sequence numbers. Without the
// consumer's acquire fence the model must fail (a torn copy delivered), so
// the check is known to bite. Positions count 8-byte words here.
#include <relacy/relacy.hpp>

#include <cstdio>
#include <string>

namespace {

constexpr unsigned kWords = 8;  // data words: a 64-byte ring
constexpr unsigned kRec = 3;    // header + 2 payload words
constexpr unsigned kBusy = 1u << 31;
constexpr unsigned kRecords = 5;

template <bool kFence>
struct OverwriteModel : rl::test_suite<OverwriteModel<kFence>, 2> {
  rl::atomic<unsigned> producer_pos;
  rl::atomic<unsigned> overwrite_pos;
  rl::atomic<unsigned> word[kWords];  // headers (seq << 8 | BUSY) and payload
  rl::atomic<unsigned> finished;
  unsigned over;  // the producer's, under its (implicit) lock
  unsigned delivered, lost;

  void before() {
    producer_pos($).store(0, rl::mo_relaxed);
    overwrite_pos($).store(0, rl::mo_relaxed);
    for (auto& w : word) w($).store(0, rl::mo_relaxed);
    finished($).store(0, rl::mo_relaxed);
    over = 0;
    delivered = lost = 0;
  }

  rl::atomic<unsigned>& at(unsigned pos) { return word[pos % kWords]; }

  // ring_reserve() + ring_overwrite() + the producer's writes + commit.
  void producer() {
    for (unsigned seq = 1; seq <= kRecords; seq++) {
      unsigned pos = producer_pos($).load(rl::mo_relaxed);
      unsigned next = pos + kRec;
      bool moved = false;
      while (next - over > kWords - 1) {
        over += kRec;
        moved = true;
      }
      if (moved) {
        overwrite_pos($).store(over, rl::mo_relaxed);
        rl::atomic_thread_fence(rl::mo_release, $);  // smp_wmb()
      }
      at(pos)($).store(seq << 8 | kBusy, rl::mo_relaxed);
      producer_pos($).store(next, rl::mo_release);
      at(pos + 1)($).store(seq, rl::mo_relaxed);
      at(pos + 2)($).store(seq, rl::mo_relaxed);
      at(pos)($).exchange(seq << 8, rl::mo_seq_cst);  // commit
    }
    finished($).store(1, rl::mo_release);
  }

  // consume_overwrite(), one pass; next_seq is the record expected next.
  void pass(unsigned& cons, unsigned& next_seq, unsigned& last) {
    for (;;) {
      unsigned o = overwrite_pos($).load(rl::mo_acquire);
      unsigned prod = producer_pos($).load(rl::mo_acquire);
      if (o > cons) cons = o;
      bool jumped = false;
      while (cons != prod) {
        unsigned h = at(cons)($).load(rl::mo_acquire);
        unsigned a = at(cons + 1)($).load(rl::mo_relaxed);
        unsigned b = at(cons + 2)($).load(rl::mo_relaxed);
        if (kFence) rl::atomic_thread_fence(rl::mo_acquire, $);
        if (overwrite_pos($).load(rl::mo_relaxed) > cons) {
          jumped = true;  // torn or lapped: jump
          break;
        }
        if (h & kBusy) return;  // really busy: the next pass
        unsigned seq = h >> 8;
        RL_ASSERT(a == seq && b == seq);  // never a torn copy
        RL_ASSERT(seq > last);            // in order
        last = seq;
        lost += seq - next_seq;
        next_seq = seq + 1;
        delivered++;
        cons += kRec;
      }
      if (!jumped) return;
    }
  }

  void consumer() {
    unsigned cons = 0, next_seq = 1, last = 0;
    for (;;) {
      bool done = finished($).load(rl::mo_acquire);
      pass(cons, next_seq, last);
      if (done) break;
      rl::yield(1, $);
    }
    // everything committed is delivered or counted lost
    RL_ASSERT(delivered + lost == kRecords);
  }

  void thread(unsigned index) {
    if (index == 0)
      producer();
    else
      consumer();
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

// ring_overwrite_relacy           check the protocol: exit 0 when it holds
// ring_overwrite_relacy --broken  without the consumer's acquire fence:
//                                 exit 0 when Relacy finds a torn delivery
int main(int argc, char** argv) {
  bool broken = argc > 1 && std::string(argv[1]) == "--broken";
  if (broken) {
    return check<OverwriteModel<false>>(
               "overwrite ring without the consumer's fence", 300000,
               &std::cout)
               ? 1
               : 0;
  }
  return check<OverwriteModel<true>>("overwrite ring", 300000, &std::cout) ? 0
                                                                           : 1;
}
