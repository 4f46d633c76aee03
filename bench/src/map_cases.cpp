// SPDX-License-Identifier: GPL-2.0
// Map cases, BPF per-CPU maps (bpf() through libbpf, a BPF program) against
// mapring's (ioctl through libmapring, mr_bench.ko): one-key lookups from
// user space, reading 1,000 keys (batch lookup plus a user-space sum
// against the in-kernel aggregate), kernel-side increments, memory per
// entry. Both sides hold the same keys and values, and the sums are
// checked against each other.
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <mapring/mapring.h>

#include "../../selftests/modules/mr_bench.h"
#include "cases.hpp"
#include "common.hpp"
#include "maps_bench.skel.h"

namespace bench {

namespace {

constexpr std::uint32_t kKeys = 1000;

struct MapPair {
  const char* type;  // "array" or "hash"
  int bpf = -1;
  int mr = -1;
  MapPair(const MapPair&) = delete;
  MapPair& operator=(const MapPair&) = delete;
  MapPair(const char* t, std::uint32_t entries) : type(t) {
    bool hash = std::string_view(t) == "hash";
    bpf =
        static_cast<int>(check(bpf_map_create(hash ? BPF_MAP_TYPE_PERCPU_HASH
                                                   : BPF_MAP_TYPE_PERCPU_ARRAY,
                                              nullptr, 4, 8, entries, nullptr),
                               "bpf_map_create"));
    mr = static_cast<int>(
        check(mapring_map__create(
                  hash ? MAPRING_OBJ_PERCPU_HASH : MAPRING_OBJ_PERCPU_ARRAY,
                  nullptr, 4, 8, entries, nullptr),
              "mapring_map__create"));
  }
  ~MapPair() {
    close(bpf);
    close(mr);
  }
  // Key k holds k * 1000 + i on the i-th possible CPU, on both sides.
  void fill(std::uint32_t keys) const {
    int n = possible_cpus();
    std::vector<std::uint64_t> v(static_cast<std::size_t>(n));
    for (std::uint32_t k = 0; k < keys; k++) {
      for (int i = 0; i < n; i++) v[static_cast<std::size_t>(i)] = k * 1000 + i;
      check(bpf_map_update_elem(bpf, &k, v.data(), 0), "bpf update");
      check(mapring_map_update_elem(mr, &k, v.data(), 0), "mapring update");
    }
  }
};

// Time calls of f (ns per call), peers interleaved over repetitions.
template <class F>
double time_per_call(int calls, F&& f) {
  std::uint64_t t0 = now_ns();
  for (int i = 0; i < calls; i++) f();
  return static_cast<double>(now_ns() - t0) / calls;
}

}  // namespace

void map_lookup(const Options& o) {
  const int calls = o.quick ? 200 : 5000;
  const int ncpu = possible_cpus();
  pin_to_cpu(0);
  for (const char* type : {"array", "hash"}) {
    MapPair m(type, kKeys);
    m.fill(kKeys);
    std::vector<std::uint64_t> v(static_cast<std::size_t>(ncpu));
    std::uint32_t key = 7;
    std::vector<double> bpf, mr;
    for (int rep = 0; rep < o.reps * 2; rep++) {
      bpf.push_back(time_per_call(calls, [&] {
        check(bpf_map_lookup_elem(m.bpf, &key, v.data()), "bpf lookup");
      }));
      mr.push_back(time_per_call(calls, [&] {
        check(mapring_map_lookup_elem(m.mr, &key, v.data()), "mr lookup");
      }));
    }
    for (int side = 0; side < 2; side++)
      Result("map_lookup")
          .set("peer", side ? "mapring" : "bpf")
          .set("type", type)
          .set("possible_cpus", ncpu)
          .set("ns_per_op", median(side ? mr : bpf))
          .emit();
  }
  pin_to_cpu(-1);
}

void map_aggregate(const Options& o) {
  const int calls = o.quick ? 5 : 100;
  const auto ncpu = static_cast<std::size_t>(possible_cpus());
  pin_to_cpu(0);
  for (const char* type : {"array", "hash"}) {
    MapPair m(type, kKeys);
    m.fill(kKeys);
    std::vector<std::uint32_t> keys(kKeys), out_keys(kKeys);
    for (std::uint32_t k = 0; k < kKeys; k++) keys[k] = k;
    std::vector<std::uint64_t> values(kKeys * ncpu), bpf_sum(kKeys);
    std::vector<__u64> mr_sum(kKeys);

    // BPF: batch lookups to the end, then one sum per key in user space.
    auto bpf_read = [&] {
      std::uint32_t total = 0, out = 0;
      void* in = nullptr;
      while (total < kKeys) {
        std::uint32_t count = kKeys - total;
        int err =
            bpf_map_lookup_batch(m.bpf, in, &out, out_keys.data() + total,
                                 values.data() + total * ncpu, &count, nullptr);
        if (err && err != -ENOENT) check(err, "bpf_map_lookup_batch");
        total += count;
        in = &out;
        if (err == -ENOENT) break;
      }
      if (total != kKeys) die("bpf batch: " + std::to_string(total) + " keys");
      for (std::uint32_t i = 0; i < kKeys; i++) {
        std::uint64_t s = 0;
        const std::uint64_t* p = values.data() + i * ncpu;
        for (std::size_t c = 0; c < ncpu; c++) s += p[c];
        bpf_sum[out_keys[i]] = s;
      }
    };
    // mapring: one call, the sums come back.
    auto mr_read = [&] {
      std::uint32_t count = kKeys;
      check(mapring_map_aggregate(m.mr, MAPRING_AGG_SUM, keys.data(), &count,
                                  mr_sum.data(), nullptr),
            "mapring_map_aggregate");
    };

    std::vector<double> bpf, mr;
    for (int rep = 0; rep < o.reps * 2; rep++) {
      bpf.push_back(time_per_call(calls, bpf_read));
      mr.push_back(time_per_call(calls, mr_read));
    }
    if (!std::equal(bpf_sum.begin(), bpf_sum.end(), mr_sum.begin()))
      die("aggregate: the sums differ from BPF's");
    for (int side = 0; side < 2; side++)
      Result("map_aggregate")
          .set("peer", side ? "mapring" : "bpf")
          .set("type", type)
          .set("keys", kKeys)
          .set("possible_cpus", static_cast<int>(ncpu))
          .set("ns_per_read", median(side ? mr : bpf))
          .emit();
  }
  pin_to_cpu(-1);
}

void map_increments(const Options& o) {
  const std::uint32_t per_call = o.quick ? 1000 : 50000;
  const int calls = o.quick ? 2 : 4;
  const auto ncpu = static_cast<std::size_t>(possible_cpus());
  maps_bench* skel = maps_bench__open_and_load();
  if (!skel) die("load maps_bench", errno);
  pin_to_cpu(0);
  for (const char* type : {"array", "hash"}) {
    bool hash = std::string_view(type) == "hash";
    int bpf_map = bpf_map__fd(hash ? skel->maps.phash : skel->maps.parray);
    // BPF: a plain add (what per-CPU counters in BPF do), an atomic one
    int progs[2] = {
        bpf_program__fd(hash ? skel->progs.add_phash : skel->progs.add_parray),
        bpf_program__fd(hash ? skel->progs.add_phash_atomic
                             : skel->progs.add_parray_atomic)};
    int mr_map = static_cast<int>(
        check(mapring_map__create(
                  hash ? MAPRING_OBJ_PERCPU_HASH : MAPRING_OBJ_PERCPU_ARRAY,
                  nullptr, 4, 8, kKeys, nullptr),
              "mapring_map__create"));
    std::uint32_t key = 7;
    std::vector<std::uint64_t> zero(ncpu), v(ncpu);
    check(bpf_map_update_elem(bpf_map, &key, zero.data(), 0), "bpf update");
    check(mapring_map_update_elem(mr_map, &key, zero.data(), 0), "mr update");

    std::uint64_t bpf_done = 0, mr_done = 0;
    auto bpf_add = [&](int prog) {
      mr_bench_add a = {};
      a.count = per_call;
      a.key = key;
      LIBBPF_OPTS(bpf_test_run_opts, t, .ctx_in = &a, .ctx_size_in = sizeof(a));
      check(bpf_prog_test_run_opts(prog, &t), "BPF_PROG_TEST_RUN add");
      bpf_done += t.retval;
    };
    auto mr_add = [&] {
      mr_bench_add a = {};
      a.count = per_call;
      a.key = key;
      a.map_fd = mr_map;
      long ret = ioctl(bench_ctl(), MR_BENCH_MAP_ADD, &a);
      mr_done += static_cast<std::uint64_t>(
          check(ret < 0 ? -errno : ret, "MR_BENCH_MAP_ADD"));
    };
    std::vector<double> ns[3];  // bpf, bpf atomic, mapring
    for (int rep = 0; rep < o.reps * 2; rep++) {
      for (int p = 0; p < 2; p++)
        ns[p].push_back(time_per_call(calls, [&] { bpf_add(progs[p]); }) /
                        per_call);
      ns[2].push_back(time_per_call(calls, mr_add) / per_call);
    }
    // Every increment landed, on both sides.
    std::uint64_t bpf_sum = 0, mr_sum = 0;
    const std::uint64_t want =
        static_cast<std::uint64_t>(per_call) * calls * o.reps * 2;
    check(bpf_map_lookup_elem(bpf_map, &key, v.data()), "bpf lookup");
    for (auto x : v) bpf_sum += x;
    check(mapring_map_lookup_elem(mr_map, &key, v.data()), "mr lookup");
    for (auto x : v) mr_sum += x;
    if (bpf_sum != bpf_done || mr_sum != mr_done || bpf_done != 2 * want ||
        mr_done != want)
      die("increments: counts do not add up");
    close(mr_map);
    const char* names[3] = {"bpf", "bpf-atomic", "mapring"};
    for (int p = 0; p < 3; p++)
      Result("map_increments")
          .set("peer", names[p])
          .set("type", type)
          .set("ns_per_increment", median(ns[p]))
          .emit();
  }
  pin_to_cpu(-1);
  maps_bench__destroy(skel);
}

namespace {

// A /proc/meminfo field, in bytes, with every CPU's pending vmstat deltas
// folded in first (they are folded lazily, about once a second).
long long meminfo(const std::string& field) {
  std::ofstream("/proc/sys/vm/stat_refresh") << "1\n";
  std::ifstream f("/proc/meminfo");
  std::string name;
  long long kb = -1;
  while (f >> name) {
    if (name == field + ":") {
      f >> kb;
      return kb * 1024;
    }
    f.ignore(256, '\n');
  }
  die("no " + field + " in /proc/meminfo");
}

// Free memory, in bytes: MemFree plus the pages the per-CPU page lists hold
// (/proc/zoneinfo, "count:"), which MemFree leaves out and the next
// allocations take first; on a 1 GiB guest they hold tens of MiB.
long long free_bytes() {
  long long bytes = meminfo("MemFree");
  std::ifstream f("/proc/zoneinfo");
  std::string word;
  while (f >> word) {
    if (word == "count:") {
      long long pages = 0;
      f >> pages;
      bytes += pages * static_cast<long long>(page_size());
    }
  }
  return bytes;
}

}  // namespace

// Memory a full map takes, per entry: what left free memory while it was
// created and filled (the per-CPU part, from Percpu, beside it). Freed memory
// is kept by the allocators (per-CPU chunks, slabs) and a later map would reuse
// it unseen, so this case runs first in its VM boot and keeps every map it made
// until it is done: each map gets fresh memory. Memory cgroups would be finer
// but cannot compare: BPF on 6.1 charges the per-CPU values to the root cgroup
// (the map's cgroup is set after they are allocated).
void map_memory(const Options& o) {
  const auto ncpu = static_cast<std::size_t>(possible_cpus());
  // About 48 MiB a map, so that what the allocators hold back (per-CPU page
  // lists, a few MiB) stays small beside it.
  const std::uint32_t entries =
      o.quick ? 4096
              : std::bit_floor(
                    static_cast<std::uint32_t>((48u << 20) / (8 * ncpu + 64)));
  std::vector<std::uint64_t> v(ncpu, 1);
  std::vector<int> fds;
  // Just after boot the kernel still frees memory of its own: wait until
  // free memory holds still (within 64 KiB over 200 ms), at most 5 s.
  for (int i = 0; i < 25; i++) {
    long long a = free_bytes();
    sleep_ns(200'000'000);
    if (std::llabs(free_bytes() - a) < (64 << 10)) break;
  }
  for (const char* type : {"array", "hash"}) {
    bool hash = std::string_view(type) == "hash";
    for (int side = 0; side < 2; side++) {
      sleep_ns(100'000'000);
      long long free0 = free_bytes(), pcpu0 = meminfo("Percpu");
      int fd = side ? mapring_map__create(hash ? MAPRING_OBJ_PERCPU_HASH
                                               : MAPRING_OBJ_PERCPU_ARRAY,
                                          nullptr, 4, 8, entries, nullptr)
                    : bpf_map_create(hash ? BPF_MAP_TYPE_PERCPU_HASH
                                          : BPF_MAP_TYPE_PERCPU_ARRAY,
                                     nullptr, 4, 8, entries, nullptr);
      check(fd, "create map");
      fds.push_back(fd);
      for (std::uint32_t k = 0; hash && k < entries; k++)
        check(side ? mapring_map_update_elem(fd, &k, v.data(), 0)
                   : bpf_map_update_elem(fd, &k, v.data(), 0),
              "fill map");
      long long free1 = free_bytes(), pcpu1 = meminfo("Percpu");
      Result("map_memory")
          .set("peer", side ? "mapring" : "bpf")
          .set("type", type)
          .set("entries", entries)
          .set("possible_cpus", static_cast<int>(ncpu))
          .set("bytes_per_entry", static_cast<double>(free0 - free1) / entries)
          .set("percpu_bytes_per_entry",
               static_cast<double>(pcpu1 - pcpu0) / entries)
          .emit();
    }
  }
  for (int fd : fds) close(fd);
}

}  // namespace bench
