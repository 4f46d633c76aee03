// SPDX-License-Identifier: GPL-2.0
// mrbench: mapring against its BPF peers, in the same kernel, side by side.
//
//   mrbench [--reps N] [--window-ms M] [--quick] CASE...
//
// CASE: ring-throughput producer-cost drain latency overwrite user map-lookup
// map-aggregate map-increments map-memory, or "all". Results are MRBENCH
// lines on stdout (scripts/bench.sh runs this in the test VM, bench/report.py
// turns the lines into the report). Needs root, mapring.ko loaded and
// mr_bench.ko in /lib/modules/mapring (loaded on demand).
#include <sys/utsname.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cases.hpp"
#include "common.hpp"

namespace {

const std::map<std::string, std::function<void(const bench::Options&)>>&
cases() {
  static const std::map<std::string, std::function<void(const bench::Options&)>>
      all = {
          {"ring-throughput", bench::ring_throughput},
          {"producer-cost", bench::producer_cost},
          {"drain", bench::drain_rate},
          {"latency", bench::wakeup_latency},
          {"overwrite", bench::overwrite_cost},
          {"user", bench::user_ring},
          {"map-lookup", bench::map_lookup},
          {"map-aggregate", bench::map_aggregate},
          {"map-increments", bench::map_increments},
          {"map-memory", bench::map_memory},
          {"sharded", bench::sharded},
      };
  return all;
}

[[noreturn]] void usage() {
  std::fprintf(
      stderr,
      "usage: mrbench [--reps N] [--window-ms M] [--quick] [--only KEY] "
      "CASE...\n"
      "cases: all");
  for (const auto& [name, fn] : cases())
    std::fprintf(stderr, " %s", name.c_str());
  std::fprintf(stderr, "\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  bench::Options o;
  std::vector<std::string> names;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--reps" && i + 1 < argc) {
      o.reps = std::atoi(argv[++i]);
    } else if (a == "--window-ms" && i + 1 < argc) {
      o.window_s = std::atof(argv[++i]) / 1000;
    } else if (a == "--only" && i + 1 < argc) {
      o.only = argv[++i];
    } else if (a == "--quick") {
      o.quick = true;
      o.reps = 1;
      o.window_s = 0.05;
      o.warmup_s = 0.02;
    } else if (a == "all") {
      for (const auto& [name, fn] : cases()) names.push_back(name);
    } else if (cases().contains(a)) {
      names.push_back(a);
    } else {
      usage();
    }
  }
  if (names.empty() || o.reps < 1 || o.window_s <= 0) usage();

  utsname u;
  uname(&u);
  bench::Result("env")
      .set("kernel", u.release)
      .set("online_cpus", bench::online_cpus())
      .set("possible_cpus", bench::possible_cpus())
      .emit();
  bench::load_bench_module();
  for (const auto& name : names) {
    std::uint64_t t0 = bench::now_ns();
    cases().at(name)(o);
    bench::Result("case_time")
        .set("case", name)
        .set("seconds", static_cast<double>(bench::now_ns() - t0) / 1e9)
        .emit();
  }
  return 0;
}
