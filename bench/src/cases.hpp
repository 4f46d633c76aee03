// SPDX-License-Identifier: GPL-2.0
// The benchmark cases (docs/performance.md lists what each measures). Each
// prints its results as MRBENCH lines and is bounded in time: fixed counts
// or short fixed windows.
#pragma once

#include <string>

namespace bench {

struct Options {
  int reps = 3;            // repetitions, peers interleaved; medians kept
  double window_s = 0.25;  // measured window of a throughput run
  double warmup_s = 0.05;  // before it
  bool quick = false;      // smoke test: one size, one repetition, tiny runs
  std::string only;        // ring throughput: the runs whose key contains it
};

void ring_throughput(const Options& o);
void producer_cost(const Options& o);
void drain_rate(const Options& o);
void wakeup_latency(const Options& o);
void overwrite_cost(const Options& o);
void user_ring(const Options& o);
void map_lookup(const Options& o);
void map_aggregate(const Options& o);
void map_increments(const Options& o);
void map_memory(const Options& o);
void sharded(const Options& o);

}  // namespace bench
