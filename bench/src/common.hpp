// SPDX-License-Identifier: GPL-2.0
// What every benchmark case shares: the clock, CPU pinning, the record sink
// every consumer feeds, statistics and the result lines the host collects.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// CLOCK_MONOTONIC in ns: the clock of ktime_get_ns() and bpf_ktime_get_ns(),
// so a producer's stamp and a consumer's reading compare directly.
std::uint64_t now_ns();
void sleep_ns(std::uint64_t ns);
// Pins the calling thread to cpu (-1: any online CPU).
void pin_to_cpu(int cpu);
int online_cpus();
int possible_cpus();

// Fails the whole run: prints what and errno, exits 1.
[[noreturn]] void die(const std::string& what, int err = 0);
// Dies when ret is negative (-errno convention), else returns it.
long check(long ret, const std::string& what);

// Where every consumer puts each record: one count, one 8-byte read, and
// the commit-to-callback latency when asked. The same work for all peers.
struct Sink {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  std::vector<std::uint64_t>* latency = nullptr;

  void take(const void* data) {
    std::uint64_t v;
    std::memcpy(&v, data, sizeof(v));
    ++count;
    sum += v;
    if (latency) [[unlikely]]
      latency->push_back(now_ns() - v);
  }
};

double median(std::vector<double> v);
// The p-th percentile (0..100) of v, nearest rank.
std::uint64_t percentile(std::vector<std::uint64_t>& v, double p);

// One result line, "MRBENCH {json}", on stdout: run-vm.py carries it to the
// host, where bench/report.py picks it up.
class Result {
 public:
  explicit Result(std::string_view group);
  Result& set(std::string_view key, std::string_view value);
  Result& set(std::string_view key, const char* value) {
    return set(key, std::string_view(value));
  }
  Result& set(std::string_view key, double value);
  template <std::integral T>
  Result& set(std::string_view key, T value) {
    return set_integer(key, static_cast<std::int64_t>(value));
  }
  void emit() const;

 private:
  Result& set_integer(std::string_view key, std::int64_t value);
  std::string json_;
};

// Page size and the mr_bench.ko control file, opened once.
std::size_t page_size();
int bench_ctl();
// Loads mr_bench.ko from the test VM's module directory unless loaded.
void load_bench_module();

}  // namespace bench
