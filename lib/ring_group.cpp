// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// Sharded rings, C API: group objects (create, open, info, shard fds,
// watermark) and the group consumer: every shard in one epoll set, either
// consumed ring by ring through a mapring_ring_buffer, or merged in
// timestamp order (lib/ring_merge.hpp).
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include <mapring/ring_group.h>

#include "create.hpp"
#include "errno.hpp"
#include "opts.hpp"
#include "ring_merge.hpp"

using mapring::detail::c_err;
using mapring::detail::neg_errno;

// ---- group objects -------------------------------------------------------

extern "C" int mapring_ring_group__create(
    const char* name, __u32 nr_shards, size_t shard_size,
    const struct mapring_ring_group_opts* opts) {
  if (!mapring::detail::opts_valid(opts)) return c_err(-EINVAL);
  mapring_ring_group_create attr = {};
  attr.size = sizeof(attr);
  attr.nr_shards = nr_shards;
  attr.shard_size = shard_size;
  attr.flags = MAPRING_OPTS_GET(opts, flags, 0u);
  attr.wakeup_usecs = MAPRING_OPTS_GET(opts, wakeup_usecs, 0u);
  attr.wakeup_bytes = MAPRING_OPTS_GET(opts, wakeup_bytes, 0ull);
  attr.access = MAPRING_OPTS_GET(opts, access, 0u);
  attr.assign = MAPRING_OPTS_GET(opts, assign, 0u);
  const __u32* table = MAPRING_OPTS_GET(opts, cpu_table, nullptr);
  attr.cpu_table = reinterpret_cast<__u64>(table);
  attr.nr_cpu_table = MAPRING_OPTS_GET(opts, nr_cpu_table, 0u);
  if (int err = mapring::detail::copy_name(attr.name, name)) return c_err(err);
  return mapring::detail::dev_create(MAPRING_IOC_RING_GROUP_CREATE, &attr);
}

extern "C" int mapring_ring_group__open(const char* name) {
  return mapring_obj__open_by_name(name, MAPRING_OBJ_RING_GROUP);
}

extern "C" int mapring_ring_group__open_by_id(__u32 id) {
  return mapring_obj__open_by_id(id, MAPRING_OBJ_RING_GROUP);
}

extern "C" int mapring_ring_group__info(int fd,
                                        struct mapring_ring_group_info* info,
                                        __u32* cpu_table, __u32 nr_cpu_table) {
  *info = {};
  info->size = sizeof(*info);
  if (cpu_table) {
    info->cpu_table = reinterpret_cast<__u64>(cpu_table);
    info->nr_cpu_table = nr_cpu_table;
  }
  if (::ioctl(fd, MAPRING_IOC_RING_GROUP_INFO, info) < 0)
    return c_err(neg_errno());
  return 0;
}

extern "C" int mapring_ring_group__shard_fd(int fd, __u32 index) {
  mapring_ring_group_shard_fd a = {};
  a.size = sizeof(a);
  a.index = index;
  int ret = ::ioctl(fd, MAPRING_IOC_RING_GROUP_SHARD_FD, &a);
  return c_err(ret < 0 ? neg_errno() : ret);
}

extern "C" int mapring_ring_group__sync(int fd, __u64* watermark) {
  mapring_ring_group_sync a = {};
  a.size = sizeof(a);
  if (::ioctl(fd, MAPRING_IOC_RING_GROUP_SYNC, &a) < 0)
    return c_err(neg_errno());
  *watermark = a.watermark;
  return 0;
}

// ---- the consumer --------------------------------------------------------

namespace {

// A shard's fd and, for the merge, its mappings.
struct Shard {
  int fd = -1;
  void* cons_map = MAP_FAILED;
  void* prod_map = MAP_FAILED;
  size_t prod_len = 0;
  size_t page = 0;

  Shard() = default;
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;
  ~Shard() {
    if (cons_map != MAP_FAILED) ::munmap(cons_map, page);
    if (prod_map != MAP_FAILED) ::munmap(prod_map, prod_len);
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

struct mapring_ring_group_consumer;

namespace {

// What the ring_buffer manager calls back for one shard (without MERGE).
struct Tramp {
  mapring_ring_group_consumer* c;
  __u32 shard;
};

}  // namespace

struct mapring_ring_group_consumer {
  std::vector<std::unique_ptr<Shard>> shards;
  mapring_ring_group_sample_fn cb = nullptr;
  void* ctx = nullptr;
  int group_fd = -1;  // the caller's
  // Without MERGE: a ring_buffer manager holds the shards.
  mapring_ring_buffer* rb = nullptr;
  std::vector<Tramp> tramps;
  // MERGE
  bool merge = false;
  bool exact = false;  // the kernel's watermark bounds every pass
  __u32 ts_offset = 0;
  mapring_ring_group_ts_fn ts_fn = nullptr;
  std::vector<mapring::detail::MergeShard> views;
  mapring::detail::MergeState st;
  int epoll_fd = -1;
  std::vector<epoll_event> events;

  mapring_ring_group_consumer() = default;
  mapring_ring_group_consumer(const mapring_ring_group_consumer&) = delete;
  mapring_ring_group_consumer& operator=(const mapring_ring_group_consumer&) =
      delete;
  ~mapring_ring_group_consumer() {
    mapring_ring_buffer__free(rb);
    if (epoll_fd >= 0) ::close(epoll_fd);
  }

  std::uint64_t ts(const std::byte* p, size_t n) const {
    if (ts_fn) return ts_fn(ctx, p, n);
    if (n < ts_offset + sizeof(std::uint64_t)) return 0;
    std::uint64_t v;
    std::memcpy(&v, p + ts_offset, sizeof(v));
    return v;
  }
};

namespace {

int tramp_cb(void* ctx, const void* data, size_t size) {
  auto* t = static_cast<Tramp*>(ctx);
  return t->c->cb(t->c->ctx, t->shard, data, size);
}

int map_shard(Shard& s, mapring::detail::MergeShard& v) {
  mapring_ring_query q;
  int err = mapring_ringbuf__query(s.fd, &q);
  if (err) return err;
  if (q.ring_flags & MAPRING_RING_F_OVERWRITE) return -EOPNOTSUPP;
  s.page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  if (q.data_size > (SIZE_MAX - s.page) / 2) return -E2BIG;
  s.cons_map =
      ::mmap(nullptr, s.page, PROT_READ | PROT_WRITE, MAP_SHARED, s.fd, 0);
  if (s.cons_map == MAP_FAILED) return neg_errno();
  s.prod_len = s.page + 2 * q.data_size;
  s.prod_map = ::mmap(nullptr, s.prod_len, PROT_READ, MAP_SHARED, s.fd,
                      static_cast<off_t>(s.page) * MAPRING_RB_PRODUCER_PGOFF);
  if (s.prod_map == MAP_FAILED) return neg_errno();
  v.view.consumer_pos = static_cast<std::uint64_t*>(s.cons_map);
  v.view.producer_page = static_cast<std::uint64_t*>(s.prod_map);
  v.view.data = static_cast<const std::byte*>(s.prod_map) + s.page;
  v.view.mask = q.data_size - 1;
  return 0;
}

int setup(mapring_ring_group_consumer& c, int group_fd,
          const mapring_ring_group_consumer_opts* opts) {
  mapring_ring_group_info info;
  int err = mapring_ring_group__info(group_fd, &info, nullptr, 0);
  if (err) return err == -ENOTTY ? -EINVAL : err;  // not a group fd
  c.group_fd = group_fd;
  for (__u32 i = 0; i < info.nr_shards; i++) {
    auto s = std::make_unique<Shard>();
    s->fd = mapring_ring_group__shard_fd(group_fd, i);
    if (s->fd < 0) return s->fd;
    c.shards.push_back(std::move(s));
  }
  if (!c.merge) {
    mapring_ring_buffer_opts ro = {};
    ro.sz = sizeof(ro);
    ro.batch_bytes = MAPRING_OPTS_GET(opts, batch_bytes, 0ull);
    c.tramps.resize(info.nr_shards);
    for (__u32 i = 0; i < info.nr_shards; i++) {
      c.tramps[i] = Tramp{&c, i};
      if (i == 0) {
        c.rb = mapring_ring_buffer__new(c.shards[0]->fd, tramp_cb, &c.tramps[0],
                                        &ro);
        if (!c.rb) return -errno;
      } else {
        err = mapring_ring_buffer__add(c.rb, c.shards[i]->fd, tramp_cb,
                                       &c.tramps[i]);
        if (err) return err;
      }
    }
    return 0;
  }
  c.exact = (info.ring_flags & MAPRING_RING_F_TIMESTAMP) && !c.ts_fn &&
            c.ts_offset == 0;
  c.views.resize(info.nr_shards);
  c.events.resize(info.nr_shards);
  c.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (c.epoll_fd < 0) return neg_errno();
  for (__u32 i = 0; i < info.nr_shards; i++) {
    err = map_shard(*c.shards[i], c.views[i]);
    if (err) return err;
    epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.u32 = i;
    if (::epoll_ctl(c.epoll_fd, EPOLL_CTL_ADD, c.shards[i]->fd, &ev) < 0)
      return neg_errno();
  }
  return 0;
}

int clamp_count(std::int64_t n) {
  return n > INT_MAX ? INT_MAX : static_cast<int>(n);
}

int merge_consume(mapring_ring_group_consumer& c) {
  __u64 watermark = UINT64_MAX;
  if (c.exact) {
    // the positions are loaded after this: see MAPRING_IOC_RING_GROUP_SYNC
    int err = mapring_ring_group__sync(c.group_fd, &watermark);
    if (err) return err;
  }
  std::int64_t n = mapring::detail::merge_pass(
      std::span(c.views), watermark,
      [&c](const std::byte* p, size_t size) { return c.ts(p, size); },
      [&c](__u32 shard, const std::byte* p, size_t size) {
        return c.cb(c.ctx, shard, p, size);
      },
      c.st, mapring::detail::kNoLimit);
  return clamp_count(n);
}

}  // namespace

extern "C" struct mapring_ring_group_consumer* mapring_ring_group_consumer__new(
    int group_fd, mapring_ring_group_sample_fn cb, void* ctx,
    const struct mapring_ring_group_consumer_opts* opts) {
  if (!mapring::detail::opts_valid(opts) || !cb || group_fd < 0) {
    errno = EINVAL;
    return nullptr;
  }
  __u32 flags = MAPRING_OPTS_GET(opts, flags, 0u);
  if (flags & ~MAPRING_RING_GROUP_CONSUMER_MERGE) {
    errno = EINVAL;
    return nullptr;
  }
  std::unique_ptr<mapring_ring_group_consumer> c(
      new (std::nothrow) mapring_ring_group_consumer);
  if (!c) {
    errno = ENOMEM;
    return nullptr;
  }
  c->cb = cb;
  c->ctx = ctx;
  c->merge = flags & MAPRING_RING_GROUP_CONSUMER_MERGE;
  c->ts_offset = MAPRING_OPTS_GET(opts, ts_offset, 0u);
  c->ts_fn = MAPRING_OPTS_GET(opts, ts_fn, nullptr);
  int err;
  try {
    err = setup(*c, group_fd, opts);
  } catch (const std::bad_alloc&) {
    err = -ENOMEM;
  }
  if (err) {
    errno = -err;
    return nullptr;
  }
  return c.release();
}

extern "C" int mapring_ring_group_consumer__consume(
    struct mapring_ring_group_consumer* c) {
  if (!c->merge) return mapring_ring_buffer__consume(c->rb);
  return c_err(merge_consume(*c));
}

extern "C" int mapring_ring_group_consumer__poll(
    struct mapring_ring_group_consumer* c, int timeout_ms) {
  if (!c->merge) return mapring_ring_buffer__poll(c->rb, timeout_ms);
  int n;
  if (c->st.blocked >= 0) {
    // A busy head stopped the last pass: nothing can go before it, so
    // wait for its commit only (the others would wake us at once).
    pollfd p = {c->shards[static_cast<size_t>(c->st.blocked)]->fd, POLLIN, 0};
    n = ::poll(&p, 1, timeout_ms);
  } else {
    n = ::epoll_wait(c->epoll_fd, c->events.data(),
                     static_cast<int>(c->events.size()), timeout_ms);
  }
  if (n < 0) return c_err(neg_errno());
  if (n == 0) return 0;
  return c_err(merge_consume(*c));
}

extern "C" int mapring_ring_group_consumer__epoll_fd(
    const struct mapring_ring_group_consumer* c) {
  return c->merge ? c->epoll_fd : mapring_ring_buffer__epoll_fd(c->rb);
}

extern "C" __u32 mapring_ring_group_consumer__nr_shards(
    const struct mapring_ring_group_consumer* c) {
  return static_cast<__u32>(c->shards.size());
}

extern "C" struct mapring_ring* mapring_ring_group_consumer__ring(
    struct mapring_ring_group_consumer* c, unsigned int idx) {
  if (c->merge) {
    errno = EOPNOTSUPP;
    return nullptr;
  }
  return mapring_ring_buffer__ring(c->rb, idx);
}

extern "C" __u64 mapring_ring_group_consumer__late(
    const struct mapring_ring_group_consumer* c) {
  return c->st.late;
}

extern "C" int mapring_ring_group_consumer__exact(
    const struct mapring_ring_group_consumer* c) {
  return c->exact ? 1 : 0;
}

extern "C" void mapring_ring_group_consumer__free(
    struct mapring_ring_group_consumer* c) {
  delete c;
}
