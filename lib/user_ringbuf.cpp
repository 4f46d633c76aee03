// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// User rings, C API: the producer (libbpf's user_ring_buffer). The
// protocol itself is in <mapring/detail/user_ring_producer.hpp>.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <new>

#include <mapring/mapring.h>
#include <mapring/detail/user_ring_producer.hpp>

#include "errno.hpp"
#include "opts.hpp"

using mapring::detail::c_err;
using mapring::detail::neg_errno;

struct mapring_user_ring_buffer {
  mapring::detail::UserRingView view = {};
  void* cons_map = MAP_FAILED;
  void* prod_map = MAP_FAILED;
  size_t page = 0;
  int fd = -1;
  int epoll_fd = -1;

  mapring_user_ring_buffer() = default;
  mapring_user_ring_buffer(const mapring_user_ring_buffer&) = delete;
  mapring_user_ring_buffer& operator=(const mapring_user_ring_buffer&) = delete;
  ~mapring_user_ring_buffer() {
    if (cons_map != MAP_FAILED) ::munmap(cons_map, page);
    if (prod_map != MAP_FAILED) ::munmap(prod_map, page + 2 * (view.mask + 1));
    if (epoll_fd >= 0) ::close(epoll_fd);
    if (fd >= 0) ::close(fd);
  }
};

namespace {

// -errno, with the ring mapped and registered, or an error.
int user_ring_init(mapring_user_ring_buffer& rb, int fd) {
  mapring_ring_query q;
  int err = mapring_ringbuf__query(fd, &q);
  if (err) return err == -ENOTTY ? -EINVAL : err;
  if (!(q.ring_flags & MAPRING_RING_F_USER)) return -EINVAL;
  rb.page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  rb.fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (rb.fd < 0) return neg_errno();
  rb.cons_map = ::mmap(nullptr, rb.page, PROT_READ, MAP_SHARED, rb.fd, 0);
  if (rb.cons_map == MAP_FAILED) return neg_errno();
  rb.prod_map =
      ::mmap(nullptr, rb.page + 2 * q.data_size, PROT_READ | PROT_WRITE,
             MAP_SHARED, rb.fd, static_cast<off_t>(rb.page));
  if (rb.prod_map == MAP_FAILED) return neg_errno();
  auto& v = rb.view;
  v.consumer_pos = static_cast<const std::uint64_t*>(rb.cons_map);
  v.producer_pos = static_cast<std::uint64_t*>(rb.prod_map);
  v.data = static_cast<std::byte*>(rb.prod_map) + rb.page;
  v.mask = q.data_size - 1;
  // Continue where the last producer left off, if it left a valid state.
  v.prod = std::atomic_ref<std::uint64_t>(*v.producer_pos)
               .load(std::memory_order_acquire);
  std::uint64_t cons = std::atomic_ref<std::uint64_t>(
                           *const_cast<std::uint64_t*>(v.consumer_pos))
                           .load(std::memory_order_acquire);
  if ((v.prod & 7) || v.prod - cons > q.data_size) return -EBADMSG;

  // Edge-triggered: a wait sleeps until the next drain, not while any
  // room (too little for the sample) is left.
  rb.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (rb.epoll_fd < 0) return neg_errno();
  epoll_event ev = {};
  ev.events = EPOLLOUT | EPOLLET;
  if (::epoll_ctl(rb.epoll_fd, EPOLL_CTL_ADD, rb.fd, &ev) < 0)
    return neg_errno();
  return 0;
}

std::int64_t now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

}  // namespace

extern "C" struct mapring_user_ring_buffer* mapring_user_ring_buffer__new(
    int fd, const struct mapring_user_ring_buffer_opts* opts) {
  if (!mapring::detail::opts_valid(opts)) {
    c_err(-EINVAL);
    return nullptr;
  }
  std::unique_ptr<mapring_user_ring_buffer> rb(new (std::nothrow)
                                                   mapring_user_ring_buffer);
  if (!rb) {
    c_err(-ENOMEM);
    return nullptr;
  }
  int err = user_ring_init(*rb, fd);
  if (err) {
    rb.reset();  // may clobber errno: set it after
    c_err(err);
    return nullptr;
  }
  return rb.release();
}

extern "C" void* mapring_user_ring_buffer__reserve(
    struct mapring_user_ring_buffer* rb, __u32 size) {
  int err = 0;
  void* sample = mapring::detail::user_reserve(rb->view, size, &err);
  if (!sample) errno = err;
  return sample;
}

extern "C" void* mapring_user_ring_buffer__reserve_blocking(
    struct mapring_user_ring_buffer* rb, __u32 size, int timeout_ms) {
  if (timeout_ms < -1) {
    errno = EINVAL;
    return nullptr;
  }
  const std::int64_t deadline =
      timeout_ms < 0 ? 0 : now_ns() + timeout_ms * 1000000LL;
  for (;;) {
    void* sample = mapring_user_ring_buffer__reserve(rb, size);
    if (sample || errno != ENOSPC) return sample;
    int wait_ms = -1;
    if (timeout_ms >= 0) {
      std::int64_t left = deadline - now_ns();
      if (left <= 0) {
        errno = ETIMEDOUT;
        return nullptr;
      }
      wait_ms = static_cast<int>((left + 999999) / 1000000);
    }
    epoll_event ev;
    if (::epoll_wait(rb->epoll_fd, &ev, 1, wait_ms) < 0) return nullptr;
  }
}

extern "C" void mapring_user_ring_buffer__submit(
    struct mapring_user_ring_buffer*, void* sample) {
  mapring::detail::user_commit(sample, false);
}

extern "C" void mapring_user_ring_buffer__discard(
    struct mapring_user_ring_buffer*, void* sample) {
  mapring::detail::user_commit(sample, true);
}

extern "C" int mapring_user_ring_buffer__kick(
    struct mapring_user_ring_buffer* rb) {
  mapring_ring_kick k = {};
  k.size = sizeof(k);
  int ret = ::ioctl(rb->fd, MAPRING_IOC_RING_KICK, &k);
  return ret < 0 ? c_err(neg_errno()) : ret;
}

extern "C" size_t mapring_user_ring_buffer__pending(
    const struct mapring_user_ring_buffer* rb) {
  std::uint64_t cons = std::atomic_ref<std::uint64_t>(
                           *const_cast<std::uint64_t*>(rb->view.consumer_pos))
                           .load(std::memory_order_acquire);
  return static_cast<size_t>(rb->view.prod - cons);
}

extern "C" void mapring_user_ring_buffer__free(
    struct mapring_user_ring_buffer* rb) {
  delete rb;
}
