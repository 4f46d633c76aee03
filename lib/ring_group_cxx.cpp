// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// Sharded rings, C++ API: RAII owners and lambdas over the C API.
#include <cerrno>
#include <exception>
#include <span>
#include <string>

#include <mapring/mapring.hpp>
#include <mapring/ring_group.hpp>

namespace mapring {

namespace {

std::string group_name(std::string_view name) {
  if (name.size() >= MAPRING_NAME_LEN) check(-EINVAL, "group name too long");
  return std::string(name);
}

}  // namespace

RingGroup RingGroup::create(std::string_view name, std::uint32_t nr_shards,
                            std::size_t shard_size,
                            const RingGroupOptions& options) {
  mapring_ring_group_opts opts = {};
  opts.sz = sizeof(opts);
  if (options.shard.batch_wakeup) {
    opts.flags = MAPRING_RING_F_BATCH_WAKEUP;
    opts.wakeup_bytes = options.shard.wakeup_bytes;
    opts.wakeup_usecs = static_cast<__u32>(options.shard.wakeup_time.count());
  }
  if (options.shard.overwrite) opts.flags |= MAPRING_RING_F_OVERWRITE;
  if (options.timestamp) opts.flags |= MAPRING_RING_F_TIMESTAMP;
  opts.access = options.access;
  opts.assign = options.assign;
  if (!options.cpu_table.empty()) {
    opts.cpu_table = options.cpu_table.data();
    opts.nr_cpu_table = static_cast<__u32>(options.cpu_table.size());
  }
  return RingGroup(
      Fd(check(mapring_ring_group__create(group_name(name).c_str(), nr_shards,
                                          shard_size, &opts),
               "MAPRING_IOC_RING_GROUP_CREATE")));
}

RingGroup RingGroup::open(std::string_view name) {
  return RingGroup(Fd(check(mapring_ring_group__open(group_name(name).c_str()),
                            "open ring group by name")));
}

mapring_ring_group_info RingGroup::info() const {
  mapring_ring_group_info info;
  check(mapring_ring_group__info(fd(), &info, nullptr, 0),
        "MAPRING_IOC_RING_GROUP_INFO");
  return info;
}

std::vector<std::uint32_t> RingGroup::cpu_table() const {
  std::vector<std::uint32_t> table(info().nr_cpu_table);
  mapring_ring_group_info info;
  check(mapring_ring_group__info(fd(), &info, table.data(),
                                 static_cast<__u32>(table.size())),
        "MAPRING_IOC_RING_GROUP_INFO");
  return table;
}

RingBuf RingGroup::shard(std::uint32_t index) const {
  return RingBuf(Fd(check(mapring_ring_group__shard_fd(fd(), index),
                          "MAPRING_IOC_RING_GROUP_SHARD_FD")));
}

std::uint64_t RingGroup::sync() const {
  __u64 w = 0;
  check(mapring_ring_group__sync(fd(), &w), "MAPRING_IOC_RING_GROUP_SYNC");
  return w;
}

void RingGroupConsumer::Free::operator()(
    mapring_ring_group_consumer* c) const noexcept {
  mapring_ring_group_consumer__free(c);
}

int RingGroupConsumer::on_sample(void* ctx, __u32 shard, const void* data,
                                 size_t size) {
  auto* st = static_cast<State*>(ctx);
  try {
    int ret =
        st->cb(shard, std::span(static_cast<const std::byte*>(data), size));
    if (ret < 0) st->stopped = ret;
    return ret;
  } catch (...) {
    st->error = std::current_exception();
    return -ECANCELED;  // stops the pass; finish() rethrows
  }
}

__u64 RingGroupConsumer::on_ts(void* ctx, const void* data, size_t size) {
  auto* st = static_cast<State*>(ctx);
  return st->ts(std::span(static_cast<const std::byte*>(data), size));
}

RingGroupConsumer::RingGroupConsumer(int fd, Callback cb,
                                     const Options& options, int)
    : st_(std::make_unique<State>()) {
  st_->cb = std::move(cb);
  st_->ts = options.timestamp;
  mapring_ring_group_consumer_opts opts = {};
  opts.sz = sizeof(opts);
  if (options.merge) opts.flags = MAPRING_RING_GROUP_CONSUMER_MERGE;
  opts.ts_offset = options.ts_offset;
  if (st_->ts) opts.ts_fn = &on_ts;
  c_.reset(mapring_ring_group_consumer__new(fd, &on_sample, st_.get(), &opts));
  if (!c_) check(-errno, "mapring_ring_group_consumer__new");
}

// A callback's exception is rethrown, its negative value returned; any
// other negative value is an error (EINTR: 0, as RingBuffer::poll).
int RingGroupConsumer::finish(int ret, const char* what) {
  if (st_->error) {
    auto e = std::exchange(st_->error, nullptr);
    std::rethrow_exception(e);
  }
  if (ret >= 0) return ret;
  if (ret == st_->stopped) {
    st_->stopped = 0;
    return ret;
  }
  if (ret == -EINTR) return 0;
  return check(ret, what);
}

int RingGroupConsumer::poll(std::chrono::milliseconds timeout) {
  int ret = mapring_ring_group_consumer__poll(
      c_.get(), static_cast<int>(timeout.count()));
  return finish(ret, "mapring_ring_group_consumer__poll");
}

int RingGroupConsumer::consume() {
  return finish(mapring_ring_group_consumer__consume(c_.get()),
                "mapring_ring_group_consumer__consume");
}

std::uint64_t RingGroupConsumer::late() const noexcept {
  return mapring_ring_group_consumer__late(c_.get());
}

bool RingGroupConsumer::exact() const noexcept {
  return mapring_ring_group_consumer__exact(c_.get()) != 0;
}

int RingGroupConsumer::epoll_fd() const noexcept {
  return mapring_ring_group_consumer__epoll_fd(c_.get());
}

std::uint32_t RingGroupConsumer::nr_shards() const noexcept {
  return mapring_ring_group_consumer__nr_shards(c_.get());
}

}  // namespace mapring
