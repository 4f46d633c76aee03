// SPDX-License-Identifier: GPL-2.0
// A ring channel under test, producer and consumer: mapring, the BPF ring
// buffer (libbpf's consumer or a hand-written one) or the BPF perf buffer.
// Every producer is a whole batch per trigger from the calling thread
// (an ioctl of mr_bench.ko, or a BPF_PROG_TEST_RUN), every consumer feeds
// the same Sink.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common.hpp"

namespace bench {

enum class Wakeup {
  kAdaptive,  // commit flags 0: wake a caught-up consumer (perf: every record)
  kSampled,   // NO_WAKEUP, FORCE_WAKEUP every `every` records (perf:
              // wakeup_events)
  kBatched,   // mapring only: MAPRING_RING_F_BATCH_WAKEUP
};

std::string_view wakeup_name(Wakeup w);

enum class PeerKind {
  kMapring,     // mr_bench.ko -> mapring ring -> libmapring C++ RingBuffer
  kMapringC,    // the same, consumed with the C API
  kBpfLibbpf,   // BPF program -> BPF ring buffer -> libbpf ring_buffer
  kBpfCustom,   // ... -> a hand-written consumer (the kernel study's custom)
  kPerfLibbpf,  // BPF program -> BPF perf buffer -> libbpf perf_buffer
};

std::string_view peer_name(PeerKind k);

struct RingConfig {
  std::uint32_t rec_size = 8;  // bytes of a sample
  std::size_t ring_bytes = 0;  // data size (perf: per CPU)
  Wakeup wakeup = Wakeup::kAdaptive;
  std::uint32_t every = 0;       // sampled: records per forced wake-up;
                                 // batched: records of the byte mark
  std::uint32_t wake_usecs = 0;  // batched: the time bound
  bool overwrite = false;        // mapring: MAPRING_RING_F_OVERWRITE
};

// Bytes a record takes in a BPF-style ring: header, sample, 8-aligned.
constexpr std::uint64_t ring_rec_len(std::uint32_t size) {
  return (size + 8 + 7) & ~std::uint64_t{7};
}

class RingPeer {
 public:
  virtual ~RingPeer() = default;
  RingPeer(const RingPeer&) = delete;
  RingPeer& operator=(const RingPeer&) = delete;

  // Produces count records, sequence numbers from seq (or commit stamps),
  // from the calling thread. Returns the records committed.
  virtual std::uint32_t trigger(std::uint64_t seq, std::uint32_t count,
                                bool stamp) = 0;
  // Consumes what is committed, without waiting: records delivered.
  virtual long consume() = 0;
  // Waits up to timeout_ms for a wake-up, then consumes: records delivered.
  virtual long poll(int timeout_ms) = 0;
  // Moves the consumer to the producer without reading (no-consumer runs).
  virtual void skip() = 0;

  Sink& sink() { return sink_; }

 protected:
  RingPeer() = default;
  Sink sink_;
};

std::unique_ptr<RingPeer> make_mapring_peer(const RingConfig& c, bool c_api);
std::unique_ptr<RingPeer> make_bpf_ringbuf_peer(const RingConfig& c,
                                                bool custom);
std::unique_ptr<RingPeer> make_perfbuf_peer(const RingConfig& c);

inline std::unique_ptr<RingPeer> make_peer(PeerKind k, const RingConfig& c) {
  switch (k) {
    case PeerKind::kMapring:
      return make_mapring_peer(c, false);
    case PeerKind::kMapringC:
      return make_mapring_peer(c, true);
    case PeerKind::kBpfLibbpf:
      return make_bpf_ringbuf_peer(c, false);
    case PeerKind::kBpfCustom:
      return make_bpf_ringbuf_peer(c, true);
    case PeerKind::kPerfLibbpf:
      return make_perfbuf_peer(c);
  }
  return nullptr;
}

}  // namespace bench
