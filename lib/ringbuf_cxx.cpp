// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// Rings, C++ API: RAII owners and lambdas over the C API.
#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include <mapring/mapring.hpp>

#include "ringbuf_internal.hpp"

namespace mapring {

namespace {

std::string name_of(std::string_view name) {
  if (name.size() >= MAPRING_NAME_LEN) check(-EINVAL, "ring name too long");
  return std::string(name);
}

}  // namespace

RingBuf RingBuf::create(std::string_view name, std::size_t data_size,
                        const RingOptions& options) {
  mapring_ringbuf_opts opts = {};
  opts.sz = sizeof(opts);
  if (options.batch_wakeup) {
    opts.flags = MAPRING_RING_F_BATCH_WAKEUP;
    opts.wakeup_bytes = options.wakeup_bytes;
    opts.wakeup_usecs = static_cast<__u32>(options.wakeup_time.count());
  }
  if (options.overwrite) opts.flags |= MAPRING_RING_F_OVERWRITE;
  if (options.user) opts.flags |= MAPRING_RING_F_USER;
  return RingBuf(
      Fd(check(mapring_ringbuf__create(name_of(name).c_str(), data_size, &opts),
               "MAPRING_IOC_RING_CREATE")));
}

RingBuf RingBuf::open(std::string_view name) {
  return RingBuf(Fd(check(mapring_ringbuf__open(name_of(name).c_str()),
                          "open ring by name")));
}

RingBuf RingBuf::open_id(std::uint32_t id) {
  return RingBuf(Fd(check(mapring_ringbuf__open_by_id(id), "open ring by id")));
}

mapring_ring_query RingBuf::query() const {
  mapring_ring_query q;
  check(mapring_ringbuf__query(fd(), &q), "MAPRING_IOC_RING_QUERY");
  return q;
}

bool RingBuf::output(std::span<const std::byte> data,
                     std::uint64_t flags) const {
  int err = mapring_ringbuf__output(fd(), data.data(), data.size(), flags);
  if (err == -EAGAIN) return false;
  check(err, "MAPRING_IOC_RING_OUTPUT");
  return true;
}

// ---- RingBuffer -----------------------------------------------------------

void RingBuffer::Free::operator()(mapring_ring_buffer* rb) const noexcept {
  mapring_ring_buffer__free(rb);
}

void RingBuffer::init(int fd, std::unique_ptr<Slot> slot,
                      const Options& options) {
  mapring_ring_buffer_opts opts = {};
  opts.sz = sizeof(opts);
  opts.flags = options.edge_triggered ? MAPRING_RING_BUFFER_EDGE_TRIGGERED : 0;
  opts.batch_bytes = options.batch_bytes;
  rb_.reset(detail::ring_buffer_new(fd, slot->pass, slot.get(), &opts));
  if (!rb_) check(-errno, "mapring_ring_buffer__new");
  slots_.push_back(std::move(slot));
}

void RingBuffer::add_slot(int fd, std::unique_ptr<Slot> slot) {
  slots_.reserve(slots_.size() + 1);  // no throw after the ring is added
  check(detail::ring_buffer_add(rb_.get(), fd, slot->pass, slot.get()),
        "mapring_ring_buffer__add");
  slots_.push_back(std::move(slot));
}

// What a C call's result means here: a callback's exception is rethrown,
// a callback's negative value returned; any other negative value is the
// library's own failure: 0 for EINTR where that is allowed, else thrown.
int RingBuffer::finish(int ret, const char* what, bool interruptible) {
  int stopped = 0;
  std::exception_ptr error;
  for (auto& slot : slots_) {
    if (slot->error) error = std::exchange(slot->error, nullptr);
    if (slot->stopped) stopped = std::exchange(slot->stopped, 0);
  }
  if (error) std::rethrow_exception(error);
  if (ret >= 0 || (stopped && ret == stopped)) return ret;
  if (interruptible && ret == -EINTR) return 0;
  return check(ret, what);
}

int RingBuffer::poll(std::chrono::milliseconds timeout) {
  int ms = timeout.count() < 0           ? -1
           : timeout.count() > INT32_MAX ? INT32_MAX
                                         : static_cast<int>(timeout.count());
  return finish(mapring_ring_buffer__poll(rb_.get(), ms),
                "mapring_ring_buffer__poll", true);
}

int RingBuffer::consume() {
  return finish(mapring_ring_buffer__consume(rb_.get()),
                "mapring_ring_buffer__consume");
}

int RingBuffer::consume_n(std::size_t n) {
  return finish(mapring_ring_buffer__consume_n(rb_.get(), n),
                "mapring_ring_buffer__consume_n");
}

int RingBuffer::epoll_fd() const noexcept {
  return mapring_ring_buffer__epoll_fd(rb_.get());
}

RingView RingBuffer::ring(std::size_t idx) {
  mapring_ring* r =
      idx < slots_.size()
          ? mapring_ring_buffer__ring(rb_.get(), static_cast<unsigned>(idx))
          : nullptr;
  if (!r) check(-ERANGE, "RingBuffer::ring");
  return RingView(this, r);
}

// ---- RingView -------------------------------------------------------------

std::uint64_t RingView::consumer_pos() const noexcept {
  return mapring_ring__consumer_pos(ring_);
}
std::uint64_t RingView::producer_pos() const noexcept {
  return mapring_ring__producer_pos(ring_);
}
std::size_t RingView::avail_data_size() const noexcept {
  return mapring_ring__avail_data_size(ring_);
}
std::size_t RingView::size() const noexcept {
  return mapring_ring__size(ring_);
}
int RingView::map_fd() const noexcept { return mapring_ring__map_fd(ring_); }

RingDrops RingView::drops() const noexcept {
  mapring_ring_drops d;
  mapring_ring__drops(ring_, &d);
  return {d.full, d.too_large, d.busy};
}

RingLoss RingView::lost() const noexcept {
  __u64 torn = 0;
  RingLoss l;
  l.records = mapring_ring__lost(ring_, &torn);
  l.torn = torn;
  return l;
}

std::vector<std::vector<std::byte>> RingView::snapshot(
    std::size_t max_bytes) const {
  std::vector<std::byte> image(max_bytes);
  long n = mapring_ring__snapshot(ring_, image.data(), image.size());
  if (n < 0) check(static_cast<int>(n), "mapring_ring__snapshot");
  std::vector<std::vector<std::byte>> records;
  for (std::size_t off = 0; off < static_cast<std::size_t>(n);) {
    mapring_rb_hdr hdr;
    std::memcpy(&hdr, image.data() + off, sizeof(hdr));
    const std::byte* sample = image.data() + off + MAPRING_RB_HDR_SZ;
    records.emplace_back(sample, sample + hdr.len);
    off += detail::record_len(hdr.len);
  }
  return records;
}

int RingView::consume() {
  return owner_->finish(mapring_ring__consume(ring_), "consume");
}
int RingView::consume_n(std::size_t n) {
  return owner_->finish(mapring_ring__consume_n(ring_, n), "consume_n");
}

}  // namespace mapring
