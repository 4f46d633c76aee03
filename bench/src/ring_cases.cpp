// SPDX-License-Identifier: GPL-2.0
// Ring cases: throughput (one producer, two producers, back to back) in
// every wake-up mode, producer cost with and without a caught-up consumer,
// drain rate of a pre-filled ring, and commit-to-callback latency.
//
// Parameters follow the kernel study (bench_ringbufs.c): 500 records per
// trigger, a forced wake-up every 500 records in sampled mode, a 512 KiB
// ring for small records (larger ones get a ring holding 8 batches).
#include <algorithm>
#include <atomic>
#include <bit>
#include <string>
#include <thread>
#include <vector>

#include "cases.hpp"
#include "ring_peer.hpp"

namespace bench {

namespace {

constexpr std::uint32_t kBatch = 500;
constexpr std::uint32_t kSampleEvery = 500;
constexpr std::uint32_t kWakeUsecs = 1000;
constexpr std::uint32_t kSizes[] = {8, 64, 256, 1024};

std::size_t ring_bytes_for(std::uint32_t size) {
  return std::max<std::size_t>(512 * 1024,
                               std::bit_ceil(8 * kBatch * ring_rec_len(size)));
}

struct PeerMode {
  PeerKind peer;
  Wakeup wakeup;
};

constexpr PeerMode kThroughputPeers[] = {
    {PeerKind::kMapring, Wakeup::kAdaptive},
    {PeerKind::kBpfLibbpf, Wakeup::kAdaptive},
    {PeerKind::kBpfCustom, Wakeup::kAdaptive},
    {PeerKind::kPerfLibbpf, Wakeup::kAdaptive},
    {PeerKind::kMapring, Wakeup::kSampled},
    {PeerKind::kBpfLibbpf, Wakeup::kSampled},
    {PeerKind::kBpfCustom, Wakeup::kSampled},
    {PeerKind::kPerfLibbpf, Wakeup::kSampled},
    {PeerKind::kMapring, Wakeup::kBatched},
};

RingConfig config(std::uint32_t size, std::size_t bytes, Wakeup w,
                  std::uint32_t every, std::uint32_t usecs = kWakeUsecs) {
  RingConfig c;
  c.rec_size = size;
  c.ring_bytes = bytes;
  c.wakeup = w;
  c.every = w == Wakeup::kAdaptive ? 0 : every;
  c.wake_usecs = usecs;
  return c;
}

// ---- throughput -----------------------------------------------------------

enum class Topology { kOne, kTwo, kBackToBack };

const char* topology_name(Topology t) {
  switch (t) {
    case Topology::kOne:
      return "1p";
    case Topology::kTwo:
      return "2p";
    case Topology::kBackToBack:
      return "b2b";
  }
  return "?";
}

struct Counters {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> consumed{0}, attempted{0}, committed{0};
};

struct Rates {
  double consumed = 0, committed = 0, drops = 0;  // per second
};

Rates measure_window(Counters& k, const Options& o) {
  sleep_ns(static_cast<std::uint64_t>(o.warmup_s * 1e9));
  std::uint64_t t0 = now_ns();
  std::uint64_t c0 = k.consumed.load(), m0 = k.committed.load(),
                a0 = k.attempted.load();
  sleep_ns(static_cast<std::uint64_t>(o.window_s * 1e9));
  std::uint64_t t1 = now_ns();
  std::uint64_t c1 = k.consumed.load(), m1 = k.committed.load(),
                a1 = k.attempted.load();
  double s = static_cast<double>(t1 - t0) / 1e9;
  return {static_cast<double>(c1 - c0) / s, static_cast<double>(m1 - m0) / s,
          static_cast<double>((a1 - a0) - (m1 - m0)) / s};
}

Rates run_throughput(const PeerMode& pm, std::uint32_t size, Topology topo,
                     const Options& o) {
  auto peer = make_peer(
      pm.peer, config(size, ring_bytes_for(size), pm.wakeup, kSampleEvery));
  Counters k;
  std::vector<std::jthread> threads;

  if (topo == Topology::kBackToBack) {
    // One thread, the kernel study's --rb-b2b: a batch, then consume it.
    threads.emplace_back([&] {
      pin_to_cpu(0);
      std::uint64_t seq = 0;
      while (!k.stop.load(std::memory_order_relaxed)) {
        std::uint32_t got = peer->trigger(seq, kBatch, false);
        seq += kBatch;
        k.attempted.fetch_add(kBatch, std::memory_order_relaxed);
        k.committed.fetch_add(got, std::memory_order_relaxed);
        peer->poll(100);
        k.consumed.store(peer->sink().count, std::memory_order_relaxed);
      }
    });
  } else {
    int producers = topo == Topology::kTwo ? 2 : 1;
    for (int p = 0; p < producers; p++) {
      threads.emplace_back([&, p] {
        pin_to_cpu(p);
        std::uint64_t seq = static_cast<std::uint64_t>(p) << 40;
        while (!k.stop.load(std::memory_order_relaxed)) {
          std::uint32_t got = peer->trigger(seq, kBatch, false);
          seq += kBatch;
          k.attempted.fetch_add(kBatch, std::memory_order_relaxed);
          k.committed.fetch_add(got, std::memory_order_relaxed);
        }
      });
    }
    // The consumer on CPU 1: alone with one producer; with two, it shares
    // that CPU with the second (the VM has two), the same for every peer.
    threads.emplace_back([&] {
      pin_to_cpu(1);
      while (!k.stop.load(std::memory_order_relaxed)) {
        peer->poll(50);
        k.consumed.store(peer->sink().count, std::memory_order_relaxed);
      }
    });
  }
  Rates r = measure_window(k, o);
  k.stop = true;
  threads.clear();
  return r;
}

}  // namespace

std::string_view wakeup_name(Wakeup w) {
  switch (w) {
    case Wakeup::kAdaptive:
      return "adaptive";
    case Wakeup::kSampled:
      return "sampled";
    case Wakeup::kBatched:
      return "batched";
  }
  return "?";
}

std::string_view peer_name(PeerKind k) {
  switch (k) {
    case PeerKind::kMapring:
      return "mapring";
    case PeerKind::kMapringC:
      return "mapring-c";
    case PeerKind::kBpfLibbpf:
      return "bpf-libbpf";
    case PeerKind::kBpfCustom:
      return "bpf-custom";
    case PeerKind::kPerfLibbpf:
      return "perf-libbpf";
  }
  return "?";
}

void ring_throughput(const Options& o) {
  const Topology topologies[] = {Topology::kOne, Topology::kTwo,
                                 Topology::kBackToBack};
  for (Topology topo : topologies) {
    if (topo == Topology::kTwo && online_cpus() < 2) continue;
    for (std::uint32_t size : kSizes) {
      if (o.quick && size != 64) continue;
      constexpr std::size_t n = std::size(kThroughputPeers);
      std::vector<std::vector<Rates>> runs(n);
      auto key = [&](std::size_t i) {
        return std::string(topology_name(topo)) + "/" + std::to_string(size) +
               "/" + std::string(peer_name(kThroughputPeers[i].peer)) + "/" +
               std::string(wakeup_name(kThroughputPeers[i].wakeup));
      };
      // Peers interleaved in every repetition: drift in the host's load
      // hits all of them alike.
      for (int rep = 0; rep < o.reps; rep++)
        for (std::size_t i = 0; i < n; i++)
          if (key(i).find(o.only) != std::string::npos)
            runs[i].push_back(
                run_throughput(kThroughputPeers[i], size, topo, o));
      for (std::size_t i = 0; i < n; i++) {
        if (runs[i].empty()) continue;
        std::vector<double> rate, committed, drops;
        for (const Rates& r : runs[i]) {
          rate.push_back(r.consumed);
          committed.push_back(r.committed);
          drops.push_back(r.drops);
        }
        Result("ring_throughput")
            .set("topology", topology_name(topo))
            .set("size", size)
            .set("peer", peer_name(kThroughputPeers[i].peer))
            .set("mode", wakeup_name(kThroughputPeers[i].wakeup))
            .set("rate", median(rate))
            .set("rate_min", *std::min_element(rate.begin(), rate.end()))
            .set("rate_max", *std::max_element(rate.begin(), rate.end()))
            .set("committed", median(committed))
            .set("drops", median(drops))
            .set("reps", o.reps)
            .emit();
      }
    }
  }
}

// ---- producer cost ----------------------------------------------------------

// One record per trigger, a trigger every 100 us: a live consumer has time
// to catch up after each record, which is when BPF's adaptive wake-up
// interrupts the producer for every record. Each trigger is timed; the
// cost of an empty trigger (the ioctl or test run alone) is subtracted.
void producer_cost(const Options& o) {
  constexpr std::uint32_t size = 64;
  constexpr std::size_t bytes = 8u << 20;  // no drop without a consumer
  constexpr std::uint64_t spacing_ns = 100'000;
  const std::uint32_t records = o.quick ? 100 : 2000;
  constexpr PeerMode peers[] = {
      {PeerKind::kMapring, Wakeup::kAdaptive},
      {PeerKind::kMapring, Wakeup::kSampled},
      {PeerKind::kMapring, Wakeup::kBatched},
      {PeerKind::kBpfLibbpf, Wakeup::kAdaptive},
      {PeerKind::kBpfLibbpf, Wakeup::kSampled},
      {PeerKind::kPerfLibbpf, Wakeup::kAdaptive},
      {PeerKind::kPerfLibbpf, Wakeup::kSampled},
  };
  constexpr std::size_t n = std::size(peers);
  // [peer][0: no consumer, 1: live consumer, 2: empty triggers]
  std::vector<double> cost[n][3];

  for (int rep = 0; rep < o.reps; rep++) {
    for (std::size_t i = 0; i < n; i++) {
      for (int run = 0; run < 3; run++) {
        auto peer = make_peer(
            peers[i].peer, config(size, bytes, peers[i].wakeup, kSampleEvery));
        std::atomic<bool> stop{false};
        std::jthread consumer;
        if (run == 1) {
          consumer = std::jthread([&] {
            pin_to_cpu(1);
            while (!stop.load(std::memory_order_relaxed)) peer->poll(50);
          });
          sleep_ns(20'000'000);  // let it reach epoll_wait
        }
        pin_to_cpu(0);
        const std::uint32_t count = run == 2 ? 0 : 1;
        std::uint64_t spent = 0, committed = 0, next = now_ns();
        for (std::uint32_t seq = 0; seq < records; seq++) {
          while (now_ns() < next) {
          }
          next += spacing_ns;
          std::uint64_t t0 = now_ns();
          committed += peer->trigger(seq, count, false);
          spent += now_ns() - t0;
        }
        pin_to_cpu(-1);
        stop = true;
        consumer = {};
        if (committed != records * count)
          die("producer cost: " + std::to_string(records * count - committed) +
              " records dropped");
        cost[i][run].push_back(static_cast<double>(spent) / records);
      }
    }
  }
  for (std::size_t i = 0; i < n; i++) {
    double empty = median(cost[i][2]);
    for (int live = 0; live < 2; live++) {
      double gross = median(cost[i][live]);
      Result("producer_cost")
          .set("peer", peer_name(peers[i].peer))
          .set("mode", wakeup_name(peers[i].wakeup))
          .set("consumer", live ? "live" : "none")
          .set("size", size)
          .set("ns_per_record", gross - empty)
          .set("ns_per_trigger", gross)
          .set("ns_empty_trigger", empty)
          .set("spacing_us", spacing_ns / 1000)
          .set("reps", o.reps)
          .emit();
    }
  }
}

// ---- overwrite --------------------------------------------------------------

// A flight recorder's producer, as BPF's overwrite benchmark (producer
// only): batches of 500 records into a 64 KiB ring nobody consumes. A
// normal ring is full after its first batch and drops every record (the
// cost of a drop); an overwrite ring overwrites its oldest record for every
// new one (the cost of overwriting).
void overwrite_cost(const Options& o) {
  constexpr std::uint32_t size = 64;
  constexpr std::size_t bytes = 64 * 1024;
  for (bool ow : {false, true}) {
    std::vector<double> ns, share;
    for (int rep = 0; rep < o.reps; rep++) {
      RingConfig c = config(size, bytes, Wakeup::kAdaptive, 0);
      c.overwrite = ow;
      auto peer = make_peer(PeerKind::kMapring, c);
      pin_to_cpu(0);
      std::uint64_t seq = 0, committed = 0;
      std::uint64_t warm =
          now_ns() + static_cast<std::uint64_t>(o.warmup_s * 1e9);
      for (; now_ns() < warm; seq += kBatch) peer->trigger(seq, kBatch, false);
      std::uint64_t t0 = now_ns(), attempts = 0;
      std::uint64_t end = t0 + static_cast<std::uint64_t>(o.window_s * 1e9);
      while (now_ns() < end) {
        committed += peer->trigger(seq, kBatch, false);
        seq += kBatch;
        attempts += kBatch;
      }
      ns.push_back(static_cast<double>(now_ns() - t0) / attempts);
      share.push_back(static_cast<double>(committed) / attempts);
      pin_to_cpu(-1);
    }
    Result("overwrite")
        .set("peer", peer_name(PeerKind::kMapring))
        .set("mode", ow ? "overwrite" : "full-drops")
        .set("size", size)
        .set("ring_bytes", bytes)
        .set("ns_per_record", median(ns))
        .set("committed_share", median(share))
        .set("reps", o.reps)
        .emit();
  }
}

// ---- drain rate -------------------------------------------------------------

void drain_rate(const Options& o) {
  constexpr std::size_t bytes = 4u << 20;
  constexpr PeerKind peers[] = {PeerKind::kMapring, PeerKind::kMapringC,
                                PeerKind::kBpfLibbpf, PeerKind::kBpfCustom};
  constexpr std::size_t n = std::size(peers);
  const int reps = std::max(o.reps, 5);

  pin_to_cpu(0);
  for (std::uint32_t size : kSizes) {
    if (o.quick && size != 64) continue;
    const auto fill =
        static_cast<std::uint32_t>((bytes - 1) / ring_rec_len(size));
    std::vector<double> rate[n];
    std::vector<std::unique_ptr<RingPeer>> rings;
    for (PeerKind k : peers)
      rings.push_back(make_peer(k, config(size, bytes, Wakeup::kAdaptive, 0)));
    auto fill_ring = [&](RingPeer& p) {
      std::uint32_t done = 0;
      while (done < fill) {
        std::uint32_t c = std::min(kBatch, fill - done);
        if (p.trigger(done, c, false) != c) die("drain: a fill dropped");
        done += c;
      }
    };
    std::vector<double> fill_rate[n];
    for (int rep = -1; rep < reps; rep++) {  // rep -1 warms the mappings
      for (std::size_t i = 0; i < n; i++) {
        if ((std::to_string(size) + "/" + std::string(peer_name(peers[i])))
                .find(o.only) == std::string::npos)
          continue;
        std::uint64_t f0 = now_ns();
        fill_ring(*rings[i]);
        std::uint64_t t0 = now_ns();
        if (rep >= 0)
          fill_rate[i].push_back(fill / (static_cast<double>(t0 - f0) / 1e9));
        long got = rings[i]->consume();
        std::uint64_t t1 = now_ns();
        if (got != fill)
          die("drain: consumed " + std::to_string(got) + " of " +
              std::to_string(fill));
        if (rep >= 0)
          rate[i].push_back(fill / (static_cast<double>(t1 - t0) / 1e9));
      }
    }
    for (std::size_t i = 0; i < n; i++) {
      if (rate[i].empty()) continue;
      Result("drain")
          .set("peer", peer_name(peers[i]))
          .set("size", size)
          .set("records", fill)
          .set("rate", median(rate[i]))
          .set("fill_rate", median(fill_rate[i]))
          .set("reps", reps)
          .emit();
    }
  }
  pin_to_cpu(-1);
}

// ---- wake-up latency --------------------------------------------------------

void wakeup_latency(const Options& o) {
  constexpr std::uint32_t size = 64;
  constexpr std::size_t bytes = 512 * 1024;
  // A forced wake-up (sampled) or the byte mark (batched) every 16 records.
  constexpr std::uint32_t every = 16;
  constexpr std::uint64_t spacing_ns = 500'000;
  const std::uint32_t records = o.quick ? 64 : 1024;  // a multiple of every
  constexpr PeerMode peers[] = {
      {PeerKind::kMapring, Wakeup::kAdaptive},
      {PeerKind::kMapring, Wakeup::kSampled},
      {PeerKind::kMapring, Wakeup::kBatched},
      {PeerKind::kBpfLibbpf, Wakeup::kAdaptive},
      {PeerKind::kBpfLibbpf, Wakeup::kSampled},
      {PeerKind::kPerfLibbpf, Wakeup::kAdaptive},
      {PeerKind::kPerfLibbpf, Wakeup::kSampled},
  };

  for (const PeerMode& pm : peers) {
    auto peer = make_peer(pm.peer, config(size, bytes, pm.wakeup, every));
    std::vector<std::uint64_t> lat;
    lat.reserve(records);
    peer->sink().latency = &lat;
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> delivered{0};
    std::jthread consumer([&] {
      pin_to_cpu(1);
      while (!stop.load(std::memory_order_relaxed)) {
        peer->poll(50);
        delivered.store(peer->sink().count, std::memory_order_relaxed);
      }
    });
    sleep_ns(20'000'000);
    pin_to_cpu(0);
    std::uint64_t next = now_ns();
    for (std::uint32_t i = 0; i < records; i++) {
      next += spacing_ns;
      peer->trigger(i, 1, true);
      std::uint64_t t = now_ns();
      if (next > t) sleep_ns(next - t);
    }
    pin_to_cpu(-1);
    // Every record woke or was bounded: wait for the last ones.
    std::uint64_t deadline = now_ns() + 2'000'000'000;
    while (delivered.load() < records && now_ns() < deadline)
      sleep_ns(1'000'000);
    stop = true;
    consumer = {};
    Result("latency")
        .set("peer", peer_name(pm.peer))
        .set("mode", wakeup_name(pm.wakeup))
        .set("size", size)
        .set("records", records)
        .set("delivered", lat.size())
        .set("every", pm.wakeup == Wakeup::kAdaptive ? 0u : every)
        .set("spacing_us", spacing_ns / 1000)
        .set("p50_us", percentile(lat, 50) / 1e3)
        .set("p90_us", percentile(lat, 90) / 1e3)
        .set("p99_us", percentile(lat, 99) / 1e3)
        .set("max_us", percentile(lat, 100) / 1e3)
        .emit();
  }
}

}  // namespace bench
