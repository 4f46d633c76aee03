// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// libmapring C++ API: sharded rings (ring groups). Included by
// <mapring/mapring.hpp>; docs/ringbuf.md, "Sharded rings".
//
//   auto group = mapring::RingGroup::open("events");
//   mapring::RingGroupConsumer c(group, [](std::uint32_t shard,
//                                          std::span<const std::byte> rec) {
//     ...
//   }, {.merge = true});
//   while (running) c.poll(std::chrono::milliseconds(100));
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <mapring/ring_group.h>
#include <mapring/mapring.hpp>
#include <mapring/ringbuf.hpp>

namespace mapring {

// How a group is made: the options of every shard, and who produces where.
struct RingGroupOptions {
  RingOptions shard;         // wake-ups, overwrite: for every shard
  bool timestamp = false;    // MAPRING_RING_F_TIMESTAMP: kernel-stamped records
  std::uint32_t access = 0;  // MAPRING_ACCESS_*
  std::uint32_t assign = 0;  // enum mapring_shard_assign
  std::vector<std::uint32_t> cpu_table;  // MAPRING_SHARD_ASSIGN_TABLE
};

// Sole owner of a ring group fd.
class RingGroup {
 public:
  // Throws std::system_error (EINVAL, E2BIG, EEXIST, ENOMEM...).
  static RingGroup create(std::string_view name, std::uint32_t nr_shards,
                          std::size_t shard_size,
                          const RingGroupOptions& options = {});
  // Opens an existing group by name; throws std::system_error (ENOENT).
  static RingGroup open(std::string_view name);
  // Adopts an fd the caller owned.
  explicit RingGroup(Fd fd) noexcept : fd_(std::move(fd)) {}

  // The group fd, still owned by this object.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  // MAPRING_IOC_RING_GROUP_INFO: shards, flags, summed counters.
  [[nodiscard]] mapring_ring_group_info info() const;
  // The shard of every CPU id (MAPRING_SHARD_NONE: not a possible CPU).
  [[nodiscard]] std::vector<std::uint32_t> cpu_table() const;
  // A ring fd of shard index; throws std::system_error (ENOENT).
  [[nodiscard]] RingBuf shard(std::uint32_t index) const;
  // The merge watermark (MAPRING_RING_F_TIMESTAMP groups).
  [[nodiscard]] std::uint64_t sync() const;

 private:
  Fd fd_;
};

// Consumes every shard of a group through one epoll set, calling
// callback(shard, record) for each record, optionally merged in timestamp
// order (mapring_ring_group_consumer__new() says exactly how). Callbacks
// return void or int (negative: stop, the value is returned); an exception
// stops consumption and is rethrown.
class RingGroupConsumer {
 public:
  // The callback's most general type.
  using Callback =
      std::function<int(std::uint32_t, std::span<const std::byte>)>;
  // A record's timestamp, for the merge.
  using Timestamp = std::function<std::uint64_t(std::span<const std::byte>)>;

  // mapring_ring_group_consumer_opts.
  struct Options {
    bool merge = false;             // deliver in timestamp order
    std::uint32_t ts_offset = 0;    // where the __u64 timestamp is
    Timestamp timestamp = nullptr;  // or how to read it
  };

  template <class F>
  // Maps every shard of group (still the caller's); throws std::system_error.
  RingGroupConsumer(const RingGroup& group, F&& callback,
                    const Options& options = {})
      : RingGroupConsumer(group.fd(), wrap(std::forward<F>(callback)), options,
                          0) {}

  // Moves the consumer; the old object is empty.
  RingGroupConsumer(RingGroupConsumer&&) noexcept = default;
  // Frees this consumer, then moves other's in.
  RingGroupConsumer& operator=(RingGroupConsumer&&) noexcept = default;
  // Unmaps every shard.
  ~RingGroupConsumer() = default;

  // Waits up to timeout (negative: forever) and consumes. Returns the
  // records delivered or a callback's negative value; 0 when interrupted.
  int poll(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
  // Consumes without waiting.
  int consume();
  // Merge: records delivered after one with a later timestamp.
  [[nodiscard]] std::uint64_t late() const noexcept;
  // Merge: whether every pass is bounded by the kernel's watermark.
  [[nodiscard]] bool exact() const noexcept;
  // The epoll fd, to nest in an event loop.
  [[nodiscard]] int epoll_fd() const noexcept;
  // The number of shards.
  [[nodiscard]] std::uint32_t nr_shards() const noexcept;

 private:
  struct State {
    Callback cb;
    Timestamp ts;
    std::exception_ptr error;  // thrown by the callback, rethrown by finish()
    int stopped = 0;           // the negative value the callback returned
  };
  static int on_sample(void* ctx, __u32 shard, const void* data, size_t size);
  static __u64 on_ts(void* ctx, const void* data, size_t size);
  struct Free {
    void operator()(mapring_ring_group_consumer* c) const noexcept;
  };

  template <class F>
  static Callback wrap(F&& f) {
    using G = std::decay_t<F>;
    using R =
        std::invoke_result_t<G&, std::uint32_t, std::span<const std::byte>>;
    static_assert(std::is_void_v<R> || std::is_convertible_v<R, int>,
                  "a callback returns void or int");
    if constexpr (std::is_void_v<R>)
      return [g = G(std::forward<F>(f))](
                 std::uint32_t s, std::span<const std::byte> rec) mutable {
        g(s, rec);
        return 0;
      };
    else
      return Callback(G(std::forward<F>(f)));
  }

  RingGroupConsumer(int fd, Callback cb, const Options& options, int);
  int finish(int ret, const char* what);

  std::unique_ptr<State> st_;
  std::unique_ptr<mapring_ring_group_consumer, Free> c_;
};

}  // namespace mapring
