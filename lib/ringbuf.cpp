// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// Rings, C API: ring objects (create, open, query, output) and the
// libbpf-style consumer (a manager of mapped rings in one epoll set).
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include <mapring/mapring.h>

#include "create.hpp"
#include "errno.hpp"
#include "opts.hpp"
#include "ringbuf_internal.hpp"

using mapring::detail::c_err;
using mapring::detail::neg_errno;

// ---- ring objects --------------------------------------------------------

extern "C" int mapring_ringbuf__create(
    const char* name, size_t data_size,
    const struct mapring_ringbuf_opts* opts) {
  if (!mapring::detail::opts_valid(opts)) return c_err(-EINVAL);
  mapring_ring_create attr = {};
  attr.size = sizeof(attr);
  attr.data_size = data_size;
  attr.flags = MAPRING_OPTS_GET(opts, flags, 0u);
  attr.wakeup_usecs = MAPRING_OPTS_GET(opts, wakeup_usecs, 0u);
  attr.wakeup_bytes = MAPRING_OPTS_GET(opts, wakeup_bytes, 0ull);
  attr.access = MAPRING_OPTS_GET(opts, access, 0u);
  if (int err = mapring::detail::copy_name(attr.name, name)) return c_err(err);
  return mapring::detail::dev_create(MAPRING_IOC_RING_CREATE, &attr);
}

extern "C" int mapring_ringbuf__open(const char* name) {
  return mapring_obj__open_by_name(name, MAPRING_OBJ_RINGBUF);
}

extern "C" int mapring_ringbuf__open_by_id(__u32 id) {
  return mapring_obj__open_by_id(id, MAPRING_OBJ_RINGBUF);
}

extern "C" int mapring_ringbuf__query(int fd, struct mapring_ring_query* q) {
  *q = {};
  q->size = sizeof(*q);
  if (::ioctl(fd, MAPRING_IOC_RING_QUERY, q) < 0) return c_err(neg_errno());
  return 0;
}

extern "C" int mapring_ringbuf__output(int fd, const void* data, size_t size,
                                       __u64 flags) {
  mapring_ring_output o = {};
  o.size = sizeof(o);
  o.flags = flags;
  o.data = reinterpret_cast<__u64>(data);
  o.data_size = size;
  if (::ioctl(fd, MAPRING_IOC_RING_OUTPUT, &o) < 0) return c_err(neg_errno());
  return 0;
}

// ---- the consumer --------------------------------------------------------

struct mapring_ring {
  mapring::detail::RingView view = {};
  // Per record, cb(ctx, ...) (the C API); or, from the C++ API, one
  // pass(ctx, ...) per consumption, the walk with the callback inlined.
  mapring_ring_buffer_sample_fn cb = nullptr;
  mapring::detail::RingPass pass = nullptr;
  void* ctx = nullptr;
  void* cons_map = MAP_FAILED;
  void* prod_map = MAP_FAILED;
  size_t page = 0;
  std::uint64_t batch = 0;
  int fd = -1;
  // Edge-triggered managers: this ring signalled and was not drained (a
  // callback stopped early); the next poll consumes it without waiting.
  bool backlog = false;
  // An overwrite ring: its consumer's copy buffer and losses.
  std::unique_ptr<mapring::detail::OverwriteState> ow;

  mapring_ring() = default;
  mapring_ring(const mapring_ring&) = delete;
  mapring_ring& operator=(const mapring_ring&) = delete;
  ~mapring_ring() {
    if (cons_map != MAP_FAILED) ::munmap(cons_map, page);
    if (prod_map != MAP_FAILED) ::munmap(prod_map, page + 2 * (view.mask + 1));
  }

  std::int64_t consume(std::uint64_t limit) {
    if (pass) return pass(ctx, view, limit, batch);
    return mapring::detail::consume_ring(
        view, [this](const std::byte* p, size_t n) { return cb(ctx, p, n); },
        limit, batch);
  }
};

struct mapring_ring_buffer {
  std::vector<std::unique_ptr<mapring_ring>> rings;
  std::vector<epoll_event> events;
  std::uint64_t batch_bytes = 0;
  int epoll_fd = -1;
  bool edge = false;

  mapring_ring_buffer() = default;
  mapring_ring_buffer(const mapring_ring_buffer&) = delete;
  mapring_ring_buffer& operator=(const mapring_ring_buffer&) = delete;
  ~mapring_ring_buffer() {
    rings.clear();
    if (epoll_fd >= 0) ::close(epoll_fd);
  }
};

namespace {

int clamp_count(std::int64_t n) {
  return n > INT_MAX ? INT_MAX : static_cast<int>(n);
}

int map_ring(mapring_ring& r, int fd) {
  mapring_ring_query q;
  int err = mapring_ringbuf__query(fd, &q);
  if (err) return err == -ENOTTY ? -EINVAL : err;  // not a ring fd
  r.page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  if (q.data_size > (SIZE_MAX - r.page) / 2) return -E2BIG;
  r.view.mask = q.data_size - 1;
  r.cons_map =
      ::mmap(nullptr, r.page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (r.cons_map == MAP_FAILED) return neg_errno();
  size_t len = r.page + 2 * q.data_size;
  r.prod_map = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, fd,
                      static_cast<off_t>(r.page) * MAPRING_RB_PRODUCER_PGOFF);
  if (r.prod_map == MAP_FAILED) return neg_errno();
  r.view.consumer_pos = static_cast<std::uint64_t*>(r.cons_map);
  r.view.producer_page = static_cast<std::uint64_t*>(r.prod_map);
  r.view.data = static_cast<const std::byte*>(r.prod_map) + r.page;
  r.fd = fd;
  if (q.ring_flags & MAPRING_RING_F_OVERWRITE) {
    r.ow = std::make_unique<mapring::detail::OverwriteState>();
    r.view.ow = r.ow.get();
    // Nothing consumed yet: the first record is seq 0, so losses count
    // from the start. Otherwise from the first record this consumer reads.
    if (mapring::detail::load_acquire(r.view.consumer_pos) == 0)
      r.ow->seq_known = true;
  }
  return 0;
}

// Exactly one of cb and pass.
int add_ring(mapring_ring_buffer& rb, int fd, mapring_ring_buffer_sample_fn cb,
             mapring::detail::RingPass pass, void* ctx) {
  if (!cb == !pass || fd < 0) return -EINVAL;
  auto r = std::make_unique<mapring_ring>();
  int err = map_ring(*r, fd);
  if (err) return err;
  r->cb = cb;
  r->pass = pass;
  r->ctx = ctx;
  r->batch = rb.batch_bytes ? rb.batch_bytes : (r->view.mask + 1) / 4;
  rb.events.resize(rb.rings.size() + 1);
  epoll_event ev = {};
  ev.events = EPOLLIN;
  if (rb.edge) ev.events |= EPOLLET;
  ev.data.u32 = static_cast<uint32_t>(rb.rings.size());
  rb.rings.push_back(std::move(r));
  if (::epoll_ctl(rb.epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    err = neg_errno();
    rb.rings.pop_back();
    return err;
  }
  return 0;
}

// Consume one ring completely (an edge-triggered manager remembers a ring
// a callback stopped early). Returns a count or a negative value.
std::int64_t drain(mapring_ring& r) {
  r.backlog = true;
  std::int64_t n = r.consume(mapring::detail::kNoLimit);
  if (n >= 0) r.backlog = false;
  return n;
}

}  // namespace

namespace {

mapring_ring_buffer* new_manager(int fd, mapring_ring_buffer_sample_fn cb,
                                 mapring::detail::RingPass pass, void* ctx,
                                 const struct mapring_ring_buffer_opts* opts) {
  if (!mapring::detail::opts_valid(opts)) return errno = EINVAL, nullptr;
  __u32 flags = MAPRING_OPTS_GET(opts, flags, 0u);
  if (flags & ~MAPRING_RING_BUFFER_EDGE_TRIGGERED)
    return errno = EINVAL, nullptr;
  try {
    auto rb = std::make_unique<mapring_ring_buffer>();
    rb->edge = flags & MAPRING_RING_BUFFER_EDGE_TRIGGERED;
    rb->batch_bytes = MAPRING_OPTS_GET(opts, batch_bytes, 0ull);
    rb->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (rb->epoll_fd < 0) return errno = -neg_errno(), nullptr;
    int err = add_ring(*rb, fd, cb, pass, ctx);
    if (err) return errno = -err, nullptr;
    return rb.release();
  } catch (const std::bad_alloc&) {
    return errno = ENOMEM, nullptr;
  }
}

int add_to_manager(mapring_ring_buffer* rb, int fd,
                   mapring_ring_buffer_sample_fn cb,
                   mapring::detail::RingPass pass, void* ctx) {
  try {
    return c_err(add_ring(*rb, fd, cb, pass, ctx));
  } catch (const std::bad_alloc&) {
    return c_err(-ENOMEM);
  }
}

}  // namespace

extern "C" struct mapring_ring_buffer* mapring_ring_buffer__new(
    int fd, mapring_ring_buffer_sample_fn sample_cb, void* ctx,
    const struct mapring_ring_buffer_opts* opts) {
  if (!sample_cb) return errno = EINVAL, nullptr;
  return new_manager(fd, sample_cb, nullptr, ctx, opts);
}

extern "C" int mapring_ring_buffer__add(struct mapring_ring_buffer* rb, int fd,
                                        mapring_ring_buffer_sample_fn sample_cb,
                                        void* ctx) {
  if (!sample_cb) return c_err(-EINVAL);
  return add_to_manager(rb, fd, sample_cb, nullptr, ctx);
}

mapring_ring_buffer* mapring::detail::ring_buffer_new(
    int fd, RingPass pass, void* ctx, const mapring_ring_buffer_opts* opts) {
  if (!pass) return errno = EINVAL, nullptr;
  return new_manager(fd, nullptr, pass, ctx, opts);
}

int mapring::detail::ring_buffer_add(mapring_ring_buffer* rb, int fd,
                                     RingPass pass, void* ctx) {
  if (!pass) return c_err(-EINVAL);
  return add_to_manager(rb, fd, nullptr, pass, ctx);
}

extern "C" void mapring_ring_buffer__free(struct mapring_ring_buffer* rb) {
  delete rb;
}

extern "C" int mapring_ring_buffer__poll(struct mapring_ring_buffer* rb,
                                         int timeout_ms) {
  bool backlog = std::any_of(rb->rings.begin(), rb->rings.end(),
                             [](const auto& r) { return r->backlog; });
  int cnt = ::epoll_wait(rb->epoll_fd, rb->events.data(),
                         static_cast<int>(rb->events.size()),
                         backlog ? 0 : timeout_ms);
  if (cnt < 0) return c_err(neg_errno());
  // Mark every signalled ring first: if a callback stops us early, an
  // edge-triggered manager still knows which rings it owes a pass.
  for (int i = 0; i < cnt; i++)
    rb->rings[rb->events[i].data.u32]->backlog = true;
  std::int64_t total = 0;
  for (auto& r : rb->rings) {
    if (!r->backlog) continue;
    std::int64_t n = drain(*r);
    if (n < 0) return c_err(static_cast<int>(n));
    total += n;
  }
  return clamp_count(total);
}

extern "C" int mapring_ring_buffer__consume_n(struct mapring_ring_buffer* rb,
                                              size_t n) {
  std::int64_t total = 0;
  for (auto& r : rb->rings) {
    if (static_cast<std::uint64_t>(total) >= n) break;
    std::int64_t got = r->consume(n - static_cast<std::uint64_t>(total));
    if (got < 0) return c_err(static_cast<int>(got));
    total += got;
  }
  return clamp_count(total);
}

extern "C" int mapring_ring_buffer__consume(struct mapring_ring_buffer* rb) {
  std::int64_t total = 0;
  for (auto& r : rb->rings) {
    std::int64_t got = drain(*r);
    if (got < 0) return c_err(static_cast<int>(got));
    total += got;
  }
  return clamp_count(total);
}

extern "C" int mapring_ring_buffer__epoll_fd(
    const struct mapring_ring_buffer* rb) {
  return rb->epoll_fd;
}

extern "C" struct mapring_ring* mapring_ring_buffer__ring(
    struct mapring_ring_buffer* rb, unsigned int idx) {
  if (idx >= rb->rings.size()) return errno = ERANGE, nullptr;
  return rb->rings[idx].get();
}

// ---- one ring -------------------------------------------------------------

using mapring::detail::load_acquire;
using mapring::detail::load_relaxed;

extern "C" unsigned long mapring_ring__consumer_pos(
    const struct mapring_ring* r) {
  return load_acquire(r->view.consumer_pos);
}

extern "C" unsigned long mapring_ring__producer_pos(
    const struct mapring_ring* r) {
  return load_acquire(r->view.producer_page);
}

extern "C" size_t mapring_ring__avail_data_size(const struct mapring_ring* r) {
  using mapring::detail::kOverwritePos;
  // overwrite_pos first: it never passes a producer_pos loaded later
  std::uint64_t over =
      r->ow ? load_acquire(r->view.producer_page + kOverwritePos) : 0;
  std::uint64_t start = load_acquire(r->view.consumer_pos);
  if (r->ow && static_cast<std::int64_t>(over - start) > 0) start = over;
  return load_acquire(r->view.producer_page) - start;
}

extern "C" size_t mapring_ring__size(const struct mapring_ring* r) {
  return r->view.mask + 1;
}

extern "C" int mapring_ring__map_fd(const struct mapring_ring* r) {
  return r->fd;
}

extern "C" int mapring_ring__consume(struct mapring_ring* r) {
  std::int64_t n = drain(*r);
  return n < 0 ? c_err(static_cast<int>(n)) : clamp_count(n);
}

extern "C" int mapring_ring__consume_n(struct mapring_ring* r, size_t n) {
  std::int64_t got = r->consume(n);
  return got < 0 ? c_err(static_cast<int>(got)) : clamp_count(got);
}

extern "C" __u64 mapring_ring__drops(const struct mapring_ring* r,
                                     struct mapring_ring_drops* by) {
  auto* p = reinterpret_cast<const mapring_rb_producer*>(r->view.producer_page);
  mapring_ring_drops d;
  auto counter = [](const __u64& c) {
    return load_relaxed(reinterpret_cast<const std::uint64_t*>(&c));
  };
  d.full = counter(p->drops_full);
  d.too_large = counter(p->drops_too_large);
  d.busy = counter(p->drops_busy);
  if (by) *by = d;
  return d.full + d.too_large + d.busy;
}

extern "C" __u64 mapring_ring__lost(const struct mapring_ring* r, __u64* torn) {
  if (torn) *torn = r->ow ? r->ow->torn : 0;
  return r->ow ? r->ow->lost : 0;
}

// ---- snapshots ------------------------------------------------------------

namespace {

using mapring::detail::kOverwritePos;
using mapring::detail::load_header;
using mapring::detail::record_len;

// Record starts from `from` towards prod, committed records only (stops at
// a busy one or a header that cannot be right).
void walk(const mapring::detail::RingView& v, std::uint64_t from,
          std::uint64_t prod, std::vector<std::uint64_t>& starts,
          std::uint64_t& end) {
  starts.clear();
  std::uint64_t p = from;
  while (p != prod) {
    auto len = static_cast<std::uint32_t>(load_header(v.data + (p & v.mask)));
    std::uint64_t rec = record_len(len);
    if ((len & MAPRING_RB_BUSY_BIT) || rec > prod - p) break;
    starts.push_back(p);
    p += rec;
  }
  end = p;
}

long snapshot(const mapring_ring& r, void* buf, size_t size) {
  const auto& v = r.view;
  const std::uint64_t* over_pos = v.producer_page + kOverwritePos;
  std::vector<std::uint64_t> starts, image;
  for (int attempt = 0; attempt < 16; attempt++) {
    std::uint64_t from =
        r.ow ? load_acquire(over_pos) : load_acquire(v.consumer_pos);
    std::uint64_t prod = load_acquire(v.producer_page);
    if (static_cast<std::int64_t>(from - prod) > 0 || prod - from > v.mask + 1)
      return -EBADMSG;  // a consumer_pos someone else wrote
    std::uint64_t end;
    walk(v, from, prod, starts, end);
    // The walk is sound from the first start at or past the overwrite_pos
    // loaded after it: that start is a real record boundary, and every
    // header read from there on was intact when read (see
    // consume_overwrite()).
    size_t first = 0;
    if (r.ow) {
      mapring::detail::acquire_fence();
      std::uint64_t over = load_relaxed(over_pos);
      while (first < starts.size() &&
             static_cast<std::int64_t>(over - starts[first]) > 0)
        first++;
      bool sound =
          over == from || (first < starts.size() && starts[first] == over);
      if (!sound) continue;  // lost track of the boundaries: walk again
    }
    // The newest records not discarded that fit in size bytes.
    size_t pick = starts.size();
    std::uint64_t bytes = 0;
    while (pick > first) {
      std::uint64_t p = starts[pick - 1];
      std::uint64_t next = pick < starts.size() ? starts[pick] : end;
      auto len = static_cast<std::uint32_t>(load_header(v.data + (p & v.mask)));
      if (!(len & MAPRING_RB_DISCARD_BIT)) {
        if (bytes + (next - p) > size) break;
        bytes += next - p;
      }
      pick--;
    }
    if (pick == starts.size()) return 0;
    std::uint64_t lo = starts[pick];
    image.resize((end - lo) / 8);
    mapring::detail::copy_words(image.data(), v.data + (lo & v.mask),
                                image.size());
    std::uint64_t over = lo;
    if (r.ow) {
      mapring::detail::acquire_fence();
      over = load_relaxed(over_pos);
    }
    // Lay out the intact, not discarded records; drop the torn ones.
    auto* out = static_cast<std::byte*>(buf);
    size_t done = 0;
    for (size_t i = pick; i < starts.size(); i++) {
      std::uint64_t p = starts[i];
      std::uint64_t next = i + 1 < starts.size() ? starts[i + 1] : end;
      if (static_cast<std::int64_t>(over - p) > 0) continue;
      const std::uint64_t* rec = image.data() + (p - lo) / 8;
      auto len = static_cast<std::uint32_t>(rec[0]);
      if ((len & MAPRING_RB_DISCARD_BIT) || done + (next - p) > size) continue;
      std::memcpy(out + done, rec, next - p);
      done += next - p;
    }
    return static_cast<long>(done);
  }
  return -EAGAIN;
}

}  // namespace

extern "C" long mapring_ring__snapshot(const struct mapring_ring* r, void* buf,
                                       size_t size) {
  try {
    long n = snapshot(*r, buf, size);
    return n < 0 ? c_err(static_cast<int>(n)) : n;
  } catch (const std::bad_alloc&) {
    return c_err(-ENOMEM);
  }
}
