// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// libmapring C++ API: the producer of a user ring (MAPRING_RING_F_USER).
// Included by <mapring/ringbuf.hpp>.
//
//   auto ring = mapring::RingBuf::create("cmds", 1 << 16, {.user = true});
//   mapring::UserRingBuffer urb(ring.fd());
//   if (auto rec = urb.reserve(sizeof(cmd))) {
//     std::memcpy(rec.data().data(), &cmd, sizeof(cmd));
//     rec.submit();                  // else discarded when rec goes away
//   }
//
// Single producer, as the C API: one thread at a time per ring.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <system_error>
#include <utility>

#include <mapring/mapring.hpp>

namespace mapring {

// One reserved sample of a UserRingBuffer, submitted or discarded exactly
// once: by submit(), discard(), or, if neither was called, discarded by the
// destructor. Empty (false) when the reservation found no room. Must not
// outlive its UserRingBuffer.
class UserRecord {
 public:
  // An empty record.
  UserRecord() noexcept = default;
  // Takes over other's sample; other becomes empty.
  UserRecord(UserRecord&& other) noexcept
      : rb_(std::exchange(other.rb_, nullptr)),
        data_(std::exchange(other.data_, {})) {}
  // Discards this sample if pending, then takes over other's.
  UserRecord& operator=(UserRecord&& other) noexcept {
    if (this != &other) {
      discard();
      rb_ = std::exchange(other.rb_, nullptr);
      data_ = std::exchange(other.data_, {});
    }
    return *this;
  }
  UserRecord(const UserRecord&) = delete;
  UserRecord& operator=(const UserRecord&) = delete;
  // Discards the sample if it is still pending.
  ~UserRecord() { discard(); }

  // Whether a sample is reserved and pending.
  explicit operator bool() const noexcept { return rb_ != nullptr; }
  // The sample's bytes (in the shared mapping); empty for an empty record.
  [[nodiscard]] std::span<std::byte> data() const noexcept { return data_; }
  // Hands the sample to the kernel; the record becomes empty.
  void submit() noexcept { finish(false); }
  // Gives the sample back (the kernel skips it); the record becomes empty.
  void discard() noexcept { finish(true); }

 private:
  friend class UserRingBuffer;
  UserRecord(mapring_user_ring_buffer* rb, void* p, std::size_t n) noexcept
      : rb_(rb), data_(static_cast<std::byte*>(p), n) {}
  void finish(bool discard) noexcept {
    if (!rb_) return;
    auto* rb = std::exchange(rb_, nullptr);
    void* p = std::exchange(data_, {}).data();
    if (discard)
      mapring_user_ring_buffer__discard(rb, p);
    else
      mapring_user_ring_buffer__submit(rb, p);
  }
  mapring_user_ring_buffer* rb_ = nullptr;
  std::span<std::byte> data_;
};

// The producer of a user ring: the ring mapped for writing.
class UserRingBuffer {
 public:
  // Maps the user ring behind fd (the caller keeps fd); throws
  // std::system_error (EINVAL: not a user ring).
  explicit UserRingBuffer(int fd)
      : rb_(mapring_user_ring_buffer__new(fd, nullptr)) {
    if (!rb_)
      throw std::system_error(errno, std::generic_category(),
                              "mapring_user_ring_buffer__new");
  }

  // A sample of size bytes, or an empty record when there is no room now;
  // throws std::system_error (E2BIG: it can never fit).
  [[nodiscard]] UserRecord reserve(std::size_t size) {
    return take(size,
                mapring_user_ring_buffer__reserve(rb_.get(), as_u32(size)),
                ENOSPC);
  }
  // The same, waiting up to timeout for room (negative: forever); empty
  // when the time passed without room or a signal interrupted the wait.
  [[nodiscard]] UserRecord reserve(std::size_t size,
                                   std::chrono::milliseconds timeout) {
    int ms = timeout.count() < 0            ? -1
             : timeout.count() > 0x7fffffff ? 0x7fffffff
                                            : static_cast<int>(timeout.count());
    void* p =
        mapring_user_ring_buffer__reserve_blocking(rb_.get(), as_u32(size), ms);
    if (!p && errno == EINTR) return {};
    return take(size, p, ETIMEDOUT);
  }
  // Tells the kernel's drainer there is work: whether one was listening.
  bool kick() {
    int ret = mapring_user_ring_buffer__kick(rb_.get());
    if (ret < 0)
      throw std::system_error(-ret, std::generic_category(),
                              "mapring_user_ring_buffer__kick");
    return ret > 0;
  }
  // Bytes not drained yet, reserved samples included.
  [[nodiscard]] std::size_t pending() const noexcept {
    return mapring_user_ring_buffer__pending(rb_.get());
  }

 private:
  struct Free {
    void operator()(mapring_user_ring_buffer* rb) const noexcept {
      mapring_user_ring_buffer__free(rb);
    }
  };
  static __u32 as_u32(std::size_t size) {
    if (size > 0xffffffffu)
      throw std::system_error(E2BIG, std::generic_category(), "reserve");
    return static_cast<__u32>(size);
  }
  UserRecord take(std::size_t size, void* p, int empty_errno) {
    if (p) return UserRecord(rb_.get(), p, size);
    if (errno == empty_errno) return {};
    throw std::system_error(errno, std::generic_category(),
                            "mapring_user_ring_buffer__reserve");
  }
  std::unique_ptr<mapring_user_ring_buffer, Free> rb_;
};

}  // namespace mapring
