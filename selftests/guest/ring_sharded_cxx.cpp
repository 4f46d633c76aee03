// SPDX-License-Identifier: GPL-2.0
// The C++ API of sharded rings against real groups: RingGroup (create,
// open, info, cpu_table, shard, sync, errors as exceptions) and
// RingGroupConsumer (lambdas with the shard index, merge, stop values,
// exceptions). The kselftest harness is C only: TAP printed here.
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include <mapring/mapring.hpp>

extern "C" {
#include "mr_test.h"
}
#include "mr_proc.hpp"

namespace {

using mr::errno_of;
using mr::run;

std::vector<std::byte> rec_ts(std::uint64_t ts) {
  std::vector<std::byte> r(16);
  std::memcpy(r.data(), &ts, sizeof(ts));
  return r;
}

void group_owner() {
  mapring::RingGroupOptions opts;
  opts.timestamp = true;
  auto g = mapring::RingGroup::create("shx.group", 2, 4096, opts);
  auto info = g.info();
  CHECK(info.nr_shards == 2);
  CHECK(info.shard_size == 4096);
  CHECK(info.ring_flags == MAPRING_RING_F_TIMESTAMP);
  auto table = g.cpu_table();
  CHECK(table.size() == info.nr_cpu_table);
  CHECK(!table.empty() && table[0] == 0);
  CHECK(g.sync() > 0);
  auto s1 = g.shard(1);
  CHECK(s1.query().data_size == 4096);
  CHECK(errno_of([&] { (void)g.shard(2); }) == ENOENT);
  CHECK(errno_of([] {
          (void)mapring::RingGroup::create("shx.group", 2, 4096);
        }) == EEXIST);
  CHECK(errno_of([] { (void)mapring::RingGroup::create("", 0, 4096); }) ==
        EINVAL);
  auto again = mapring::RingGroup::open("shx.group");
  CHECK(again.info().id == info.id);
  CHECK(errno_of([] { (void)mapring::RingGroup::open("shx.none"); }) == ENOENT);
  auto plain = mapring::RingGroup::create("", 2, 4096);
  CHECK(errno_of([&] { (void)plain.sync(); }) == EINVAL);
}

void consumer_and_merge() {
  auto g = mapring::RingGroup::create("", 2, 4096);
  auto s0 = g.shard(0), s1 = g.shard(1);
  std::vector<std::pair<std::uint32_t, std::uint64_t>> got;
  auto cb = [&got](std::uint32_t shard, std::span<const std::byte> rec) {
    std::uint64_t ts;
    std::memcpy(&ts, rec.data(), sizeof(ts));
    got.emplace_back(shard, ts);
  };
  {
    mapring::RingGroupConsumer c(g, cb);
    CHECK(c.nr_shards() == 2);
    CHECK(!c.exact());
    CHECK(s1.output(rec_ts(5)));
    CHECK(s0.output(rec_ts(9)));
    CHECK(c.poll(std::chrono::milliseconds(1000)) >= 1);
    c.consume();
    CHECK(got.size() == 2);
  }
  got.clear();
  mapring::RingGroupConsumer m(g, cb, {.merge = true});
  CHECK(s0.output(rec_ts(30)));
  CHECK(s1.output(rec_ts(10)));
  CHECK(s1.output(rec_ts(20)));
  CHECK(m.consume() == 3);
  CHECK(got.size() == 3 && got[0].second == 10 && got[1].second == 20 &&
        got[2].second == 30 && got[2].first == 0);
  CHECK(m.late() == 0);
  CHECK(s1.output(rec_ts(25)));  // behind 30
  CHECK(m.consume() == 1);
  CHECK(m.late() == 1);
  // a timestamp callback instead of an offset: the second word
  mapring::RingGroupConsumer t(
      g, [](std::uint32_t, std::span<const std::byte>) { return 0; },
      {.merge = true, .timestamp = [](std::span<const std::byte> r) {
         std::uint64_t v;
         std::memcpy(&v, r.data() + 8, sizeof(v));
         return v;
       }});
  CHECK(s0.output(rec_ts(1)));
  CHECK(t.consume() == 1);
}

void stop_and_exceptions() {
  auto g = mapring::RingGroup::create("", 2, 4096);
  auto s0 = g.shard(0);
  CHECK(s0.output(rec_ts(1)));
  CHECK(s0.output(rec_ts(2)));
  mapring::RingGroupConsumer stop(
      g, [](std::uint32_t, std::span<const std::byte>) { return -7; },
      {.merge = true});
  CHECK(stop.consume() == -7);
  bool thrown = false;
  mapring::RingGroupConsumer thr(g,
                                 [](std::uint32_t, std::span<const std::byte>) {
                                   throw std::runtime_error("boom");
                                 },
                                 {.merge = true});
  try {
    thr.consume();
  } catch (const std::runtime_error&) {
    thrown = true;
  }
  CHECK(thrown);
  // each record was consumed once: nothing is left
  CHECK(s0.query().avail == 0);
}

}  // namespace

int main() {
  if (mr_baseline()) {
    std::printf("1..0 # SKIP mapring.ko not loaded\n");
    return 4;
  }
  std::printf("TAP version 13\n1..3\n");
  run(1, "group_owner", group_owner);
  run(2, "consumer_and_merge", consumer_and_merge);
  run(3, "stop_and_exceptions", stop_and_exceptions);
  std::printf("# %d failed\n", mr::tap_failures);
  return mr::tap_failures ? 1 : 0;
}
