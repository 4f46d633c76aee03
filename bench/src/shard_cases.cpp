// SPDX-License-Identifier: GPL-2.0
// The sharded case: two kernel producers on two CPUs into one shared ring
// against the same two into a two-shard ring group, one shard per CPU: the
// reserve-lock and cache-line contention sharding removes. Both use
// overwrite rings of the same size, so neither needs a consumer and the
// per-record work is the same; only the sharing differs. Producers are
// mr_bench.ko batches (one ioctl per batch, kernel API reserve + submit)
// from a thread pinned to each CPU, into the shard the group's table gives
// that CPU (mapring_ring_group_shard() is that table lookup).
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include <mapring/mapring.h>

#include "../../selftests/modules/mr_bench.h"
#include "cases.hpp"
#include "common.hpp"

namespace bench {

namespace {

constexpr std::uint32_t kShardBatch = 500;
constexpr std::uint32_t kRecSize = 64;
constexpr std::size_t kRingBytes = 256 * 1024;

// Records per second from two producers, producer i into fds[i].
double two_producers(const std::vector<int>& fds, const Options& o) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false}, stop{false};
  std::uint64_t counts[2] = {0, 0};
  std::vector<std::thread> th;
  for (int i = 0; i < 2; i++)
    th.emplace_back([&, i] {
      pin_to_cpu(i);
      mr_bench_produce a = {};
      a.count = kShardBatch;
      a.rec_size = kRecSize;
      a.ring_fd = fds[static_cast<std::size_t>(i)];
      ready++;
      while (!go.load()) std::this_thread::yield();
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        long ret = ioctl(bench_ctl(), MR_BENCH_RING_PRODUCE, &a);
        n += static_cast<std::uint64_t>(
            check(ret < 0 ? -errno : ret, "MR_BENCH_RING_PRODUCE"));
        a.seq += kShardBatch;
      }
      counts[i] = n;
    });
  while (ready.load() < 2) std::this_thread::yield();
  go = true;
  sleep_ns(static_cast<std::uint64_t>(o.warmup_s * 1e9));
  std::uint64_t t0 = now_ns();
  sleep_ns(static_cast<std::uint64_t>(o.window_s * 1e9));
  stop = true;
  for (auto& t : th) t.join();
  std::uint64_t t1 = now_ns();
  // warm-up records are counted too: the rate is over warm-up + window
  return static_cast<double>(counts[0] + counts[1]) /
         (static_cast<double>(t1 - t0) / 1e9 + o.warmup_s);
}

}  // namespace

void sharded(const Options& o) {
  if (online_cpus() < 2) {
    Result("sharded").set("skipped", "fewer than 2 online CPUs").emit();
    return;
  }
  load_bench_module();
  mapring_ringbuf_opts ro = {};
  ro.sz = sizeof(ro);
  ro.flags = MAPRING_RING_F_OVERWRITE;
  // CPU 0 -> shard 0, CPU 1 -> shard 1, the others alternate
  std::vector<__u32> table(static_cast<std::size_t>(possible_cpus()));
  for (std::size_t c = 0; c < table.size(); c++)
    table[c] = static_cast<__u32>(c % 2);
  mapring_ring_group_opts go = {};
  go.sz = sizeof(go);
  go.flags = MAPRING_RING_F_OVERWRITE;
  go.assign = MAPRING_SHARD_ASSIGN_TABLE;
  go.cpu_table = table.data();
  go.nr_cpu_table = static_cast<__u32>(table.size());

  std::vector<double> shared_rate, sharded_rate;
  for (int rep = 0; rep < o.reps; rep++) {
    int ring = static_cast<int>(check(
        mapring_ringbuf__create(nullptr, kRingBytes, &ro), "create ring"));
    shared_rate.push_back(two_producers({ring, ring}, o));
    close(ring);

    int group = static_cast<int>(
        check(mapring_ring_group__create(nullptr, 2, kRingBytes, &go),
              "create group"));
    int s0 = static_cast<int>(
        check(mapring_ring_group__shard_fd(group, 0), "shard 0"));
    int s1 = static_cast<int>(
        check(mapring_ring_group__shard_fd(group, 1), "shard 1"));
    sharded_rate.push_back(two_producers({s0, s1}, o));
    close(s0);
    close(s1);
    close(group);
  }
  double shared = median(shared_rate), shards = median(sharded_rate);
  Result("sharded")
      .set("size", kRecSize)
      .set("ring_bytes", static_cast<std::uint64_t>(kRingBytes))
      .set("shared_rate", shared)
      .set("sharded_rate", shards)
      .set("ratio", shards / shared)
      .set("reps", o.reps)
      .emit();
}

}  // namespace bench
