// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
//
// libmapring: the C++ API. RAII owners over the C API in mapring.h; failures
// throw std::system_error carrying the errno the C API returned.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include <mapring/mapring.h>

namespace mapring {

// Throws std::system_error for a negative errno return, else passes it on.
inline int check(int ret, const char* what) {
  if (ret < 0) throw std::system_error(-ret, std::generic_category(), what);
  return ret;
}

// Sole owner of a file descriptor; closes it on destruction.
class Fd {
 public:
  // Owns nothing.
  Fd() noexcept = default;
  // Takes ownership of fd (negative: nothing).
  explicit Fd(int fd) noexcept : fd_(fd) {}
  // Takes over what other owns.
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  // Closes what this owns, then takes over what other owns.
  Fd& operator=(Fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  // The fd, still owned; -1 when none.
  [[nodiscard]] int get() const noexcept { return fd_; }
  // Whether an fd is owned.
  explicit operator bool() const noexcept { return fd_ >= 0; }
  // Gives up ownership without closing.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  // Closes the fd owned, if any, and owns fd instead.
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// The control device, /dev/mapring.
class Device {
 public:
  // Opens the device; throws std::system_error (ENOENT: module not loaded).
  static Device open();

  // MAPRING_IOC_INFO: the ABI version, features and CPUs; throws
  // std::system_error.
  [[nodiscard]] mapring_info info() const;
  // The device fd, still owned by this object.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }

  // The smallest id above start of a live object of type (UNSPEC: any),
  // or nullopt after the last: for (auto id = next_id(0); id; id =
  // next_id(*id)) visits every object.
  [[nodiscard]] std::optional<std::uint32_t> next_id(
      std::uint32_t start, std::uint32_t type = MAPRING_OBJ_UNSPEC) const;
  // Describes an object without opening it; throws std::system_error
  // (ENOENT: no such object, EINVAL: a bad name).
  [[nodiscard]] mapring_obj_info object_info(std::uint32_t id) const;
  // The same by name (EINVAL: empty or bad).
  [[nodiscard]] mapring_obj_info object_info(std::string_view name) const;

 private:
  explicit Device(Fd fd) noexcept : fd_(std::move(fd)) {}
  Fd fd_;
};

}  // namespace mapring

#include <mapring/map.hpp>      // IWYU pragma: export
#include <mapring/ringbuf.hpp>  // IWYU pragma: export
// IWYU pragma: begin_exports
#include <mapring/ring_group.hpp>
// IWYU pragma: end_exports
