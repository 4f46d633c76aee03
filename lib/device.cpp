// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The control device: open it and ask it what it is.
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <string>

#include <mapring/mapring.h>
#include <mapring/mapring.hpp>

#include "abi.hpp"
#include "create.hpp"
#include "errno.hpp"

using mapring::detail::c_err;
using mapring::detail::neg_errno;

extern "C" int mapring_dev__open(void) {
  int fd = ::open(MAPRING_DEV_PATH, O_RDWR | O_CLOEXEC);
  if (fd < 0) return c_err(neg_errno());
  int ret = mapring::detail::check_module_abi(fd, MAPRING_ABI_VERSION);
  if (ret < 0) {
    ::close(fd);
    return c_err(ret);
  }
  return fd;
}

extern "C" int mapring_dev__info(int dev_fd, struct mapring_info* info) {
  *info = {};
  info->size = sizeof(*info);
  if (::ioctl(dev_fd, MAPRING_IOC_INFO, info) < 0) return c_err(neg_errno());
  return 0;
}

int mapring::detail::dev_create(unsigned long cmd, void* attr) noexcept {
  int dev = mapring_dev__open();
  if (dev < 0) return dev;
  int fd = ::ioctl(dev, cmd, attr);
  int ret = fd < 0 ? neg_errno() : fd;
  ::close(dev);
  return c_err(ret);
}

namespace {

int obj_open(mapring_obj_open& attr) {
  return mapring::detail::dev_create(MAPRING_IOC_OBJ_OPEN, &attr);
}

// MAPRING_IOC_OBJ_INFO on dev for attr's id or name: 0 or -errno.
int obj_info(int dev, __u32 id, const char* name, mapring_obj_info* info) {
  *info = {};
  info->size = sizeof(*info);
  info->id = id;
  if (name) {
    if (::strnlen(name, sizeof(info->name)) >= sizeof(info->name))
      return -EINVAL;
    ::strncpy(info->name, name, sizeof(info->name) - 1);
  }
  return ::ioctl(dev, MAPRING_IOC_OBJ_INFO, info) < 0 ? neg_errno() : 0;
}

int next_id_of(int dev, __u32 start_id, __u32 type, __u32* next) {
  mapring_obj_get_next_id attr = {};
  attr.size = sizeof(attr);
  attr.start_id = start_id;
  attr.type = type;
  if (::ioctl(dev, MAPRING_IOC_OBJ_GET_NEXT_ID, &attr) < 0) return neg_errno();
  *next = attr.next_id;
  return 0;
}

// Runs f(dev) on a freshly opened control device: its result or -errno.
template <class F>
int with_dev(F&& f) {
  int dev = mapring_dev__open();
  if (dev < 0) return dev;
  int ret = f(dev);
  ::close(dev);
  return c_err(ret);
}

}  // namespace

extern "C" int mapring_obj__get_next_id(__u32 start_id, __u32 type,
                                        __u32* next_id) {
  return with_dev(
      [&](int dev) { return next_id_of(dev, start_id, type, next_id); });
}

extern "C" int mapring_obj__info_by_id(__u32 id,
                                       struct mapring_obj_info* info) {
  return with_dev([&](int dev) { return obj_info(dev, id, nullptr, info); });
}

extern "C" int mapring_obj__info_by_name(const char* name,
                                         struct mapring_obj_info* info) {
  if (!name) return c_err(-EINVAL);
  return with_dev([&](int dev) { return obj_info(dev, 0, name, info); });
}

extern "C" int mapring_obj__open_by_id(__u32 id, __u32 type) {
  mapring_obj_open attr = {};
  attr.size = sizeof(attr);
  attr.id = id;
  attr.type = type;
  return obj_open(attr);
}

extern "C" int mapring_obj__open_by_name(const char* name, __u32 type) {
  mapring_obj_open attr = {};
  if (!name || ::strnlen(name, sizeof(attr.name)) >= sizeof(attr.name))
    return c_err(-EINVAL);
  attr.size = sizeof(attr);
  ::strncpy(attr.name, name, sizeof(attr.name) - 1);
  attr.type = type;
  return obj_open(attr);
}

namespace mapring {

void Fd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Device Device::open() {
  return Device(Fd(check(mapring_dev__open(), "open " MAPRING_DEV_PATH)));
}

mapring_info Device::info() const {
  mapring_info info;
  check(mapring_dev__info(fd_.get(), &info), "MAPRING_IOC_INFO");
  return info;
}

std::optional<std::uint32_t> Device::next_id(std::uint32_t start,
                                             std::uint32_t type) const {
  __u32 next = 0;
  int ret = next_id_of(fd_.get(), start, type, &next);
  if (ret == -ENOENT) return std::nullopt;
  check(ret, "MAPRING_IOC_OBJ_GET_NEXT_ID");
  return next;
}

mapring_obj_info Device::object_info(std::uint32_t id) const {
  mapring_obj_info info;
  check(obj_info(fd_.get(), id, nullptr, &info), "MAPRING_IOC_OBJ_INFO");
  return info;
}

mapring_obj_info Device::object_info(std::string_view name) const {
  mapring_obj_info info;
  std::string n(name);
  // an empty name would ask for id 0, which is no object
  int ret = n.empty() || n.size() != ::strlen(n.c_str())
                ? -EINVAL
                : obj_info(fd_.get(), 0, n.c_str(), &info);
  check(ret, "MAPRING_IOC_OBJ_INFO");
  return info;
}

}  // namespace mapring
