// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The C++ map API against the module. The kselftest harness is C only, so
// this program prints its own TAP: one "ok N name" line per check.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <mapring/mapring.hpp>

namespace {

int failures = 0;
int number = 0;

void check(bool ok, const std::string& name) {
  ++number;
  std::printf("%sok %d %s\n", ok ? "" : "not ", number, name.c_str());
  if (!ok) ++failures;
}

// Runs body; a throw fails the check with its message.
void test(const std::string& name, const std::function<bool()>& body) {
  bool ok = false;
  try {
    ok = body();
  } catch (const std::exception& e) {
    std::printf("# %s: %s\n", name.c_str(), e.what());
  }
  check(ok, name);
}

struct Stats {
  std::uint64_t packets;
  std::int64_t delta;
};

Stats operator+(Stats a, Stats b) {
  return {a.packets + b.packets, a.delta + b.delta};
}

}  // namespace

int main() {
  std::printf("TAP version 13\n1..8\n");
  const auto& cpus = mapring::possible_cpus();

  test("array: per-CPU view pairs values with CPU ids", [&] {
    auto arr = mapring::PercpuArray<Stats>::create("cxx_arr", 4);
    mapring::PercpuValues<Stats> in;
    for (std::size_t i = 0; i < in.size(); ++i)
      in.set(i, {i + 1, -static_cast<std::int64_t>(i)});
    arr.update(2, in);
    auto out = arr.lookup(2);
    std::size_t i = 0;
    bool ok = out.size() == cpus.size();
    for (auto [cpu, v] : out) {
      ok = ok && cpu == cpus[i] && v.packets == i + 1 &&
           v.delta == -static_cast<std::int64_t>(i);
      ++i;
    }
    Stats s = out.sum();
    std::uint64_t n = cpus.size();
    return ok && i == n && s.packets == n * (n + 1) / 2 &&
           s.delta == -static_cast<std::int64_t>(n * (n - 1) / 2);
  });

  test("array: one value to all CPUs, one CPU, in-kernel sums", [&] {
    auto arr = mapring::PercpuArray<std::uint64_t>::create("", 2);
    arr.update(0, 5);
    arr.update_cpu(0, cpus.back(), 100);
    auto sums = arr.aggregate(0);
    auto maxes = arr.aggregate(0, MAPRING_AGG_MAX);
    auto taken = arr.read_and_reset(0);
    std::uint64_t n = cpus.size();
    return sums[0] == 5 * (n - 1) + 100 && maxes[0] == 100 &&
           taken[0] == sums[0] && arr.lookup(0).sum() == 0 &&
           arr.lookup_cpu(0, cpus.back()) == 0;
  });

  test("array: keys() walks every index", [&] {
    auto arr = mapring::PercpuArray<std::uint32_t>::create("", 5);
    std::vector<std::uint32_t> keys;
    for (auto k : arr.keys()) keys.push_back(k);
    return keys == std::vector<std::uint32_t>{0, 1, 2, 3, 4};
  });

  test("hash: find, erase, keys()", [&] {
    auto h = mapring::PercpuHash<std::uint64_t, std::uint64_t>::create(
        "cxx_hash", 16, MAPRING_F_NO_PREALLOC);
    for (std::uint64_t k = 10; k < 15; ++k) h.update(k, k * 2);
    std::set<std::uint64_t> keys;
    for (auto k : h.keys()) keys.insert(k);
    bool ok = keys == std::set<std::uint64_t>{10, 11, 12, 13, 14};
    ok = ok && h.find(12) && h.find(12)->sum() == 24 * cpus.size();
    ok = ok && h.erase(12) && !h.erase(12) && !h.find(12);
    return ok;
  });

  test("hash: open by name sees the same map", [&] {
    auto a = mapring::PercpuHash<std::uint32_t, std::uint64_t>::create(
        "cxx_shared", 4);
    a.update(7, 3);
    auto b =
        mapring::PercpuHash<std::uint32_t, std::uint64_t>::open("cxx_shared");
    return b.lookup(7).sum() == 3 * cpus.size() && b.info().max_entries == 4;
  });

  test("errors throw std::system_error with bpf()'s errno", [&] {
    auto h = mapring::PercpuHash<std::uint32_t, std::uint64_t>::create("", 1);
    h.update(1, 1);
    int full = 0, exists = 0, missing = 0, range = 0;
    try {
      h.update(2, 1);
    } catch (const std::system_error& e) {
      full = e.code().value();
    }
    try {
      h.update(1, 1, MAPRING_NOEXIST);
    } catch (const std::system_error& e) {
      exists = e.code().value();
    }
    try {
      (void)h.lookup(3);
    } catch (const std::system_error& e) {
      missing = e.code().value();
    }
    try {
      (void)h.lookup_cpu(1, static_cast<int>(cpus.back()) + 1);
    } catch (const std::system_error& e) {
      range = e.code().value();
    }
    return full == E2BIG && exists == EEXIST && missing == ENOENT &&
           range == ERANGE;
  });

  test("moved-from maps give up their fd", [&] {
    auto a = mapring::PercpuArray<std::uint64_t>::create("cxx_moved", 1);
    auto b = std::move(a);
    bool ok = a.fd() < 0 && b.fd() >= 0;
    return ok && mapring::PercpuArray<std::uint64_t>::open("cxx_moved")
                         .info()
                         .max_entries == 1;
  });

  test("LRU hash: the oldest key makes room", [&] {
    auto h =
        mapring::PercpuHash<std::uint32_t, std::uint64_t>::create_lru("", 2);
    h.update(1, 1);
    h.update(2, 2);
    h.update(3, 3);
    return !h.find(1) && h.find(2) && h.find(3) &&
           h.info().map_type == MAPRING_OBJ_LRU_PERCPU_HASH;
  });

  return failures ? 1 : 0;
}
