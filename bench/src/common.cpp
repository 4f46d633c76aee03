// SPDX-License-Identifier: GPL-2.0
#include "common.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <mapring/map.h>

namespace bench {

std::uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

void sleep_ns(std::uint64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1000000000ull),
              static_cast<long>(ns % 1000000000ull)};
  while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
  }
}

void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (cpu < 0) {
    for (int c = 0; c < CPU_SETSIZE; c++) CPU_SET(c, &set);
  } else {
    CPU_SET(cpu, &set);
  }
  int err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  if (err && cpu >= 0) die("pin to CPU " + std::to_string(cpu), err);
}

int online_cpus() { return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)); }

int possible_cpus() { return mapring_num_possible_cpus(); }

void die(const std::string& what, int err) {
  std::fprintf(stderr, "mrbench: %s%s%s\n", what.c_str(), err ? ": " : "",
               err ? std::strerror(err) : "");
  std::fflush(stdout);
  std::exit(1);
}

long check(long ret, const std::string& what) {
  if (ret < 0) die(what, static_cast<int>(-ret));
  return ret;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::uint64_t percentile(std::vector<std::uint64_t>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * v.size()));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

Result::Result(std::string_view group) {
  json_ = "{\"group\": \"";
  json_ += group;
  json_ += '"';
}

Result& Result::set(std::string_view key, std::string_view value) {
  json_ += ", \"";
  json_ += key;
  json_ += "\": \"";
  json_ += value;  // names and labels only: no escaping needed
  json_ += '"';
  return *this;
}

Result& Result::set(std::string_view key, double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", std::isfinite(value) ? value : 0.0);
  json_ += ", \"";
  json_ += key;
  json_ += "\": ";
  json_ += buf;
  return *this;
}

Result& Result::set_integer(std::string_view key, std::int64_t value) {
  json_ += ", \"";
  json_ += key;
  json_ += "\": ";
  json_ += std::to_string(value);
  return *this;
}

void Result::emit() const {
  std::printf("MRBENCH %s}\n", json_.c_str());
  std::fflush(stdout);
}

std::size_t page_size() {
  static const auto size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

int bench_ctl() {
  static const int fd = [] {
    load_bench_module();
    int f = open("/sys/kernel/debug/mr_bench/ctl", O_RDWR | O_CLOEXEC);
    if (f < 0) die("open mr_bench ctl", errno);
    return f;
  }();
  return fd;
}

void load_bench_module() {
  std::ifstream mods("/proc/modules");
  std::string line;
  while (std::getline(mods, line))
    if (line.starts_with("mr_bench ")) return;
  const char* path = "/lib/modules/mapring/mr_bench.ko";
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(std::string("open ") + path, errno);
  if (syscall(SYS_finit_module, fd, "", 0)) die("load mr_bench.ko", errno);
  close(fd);
}

}  // namespace bench
