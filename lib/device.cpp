// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The control device: open it and ask it what it is.
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <mapring/mapring.h>
#include <mapring/mapring.hpp>

#include "errno.hpp"

using mapring::detail::c_err;
using mapring::detail::neg_errno;

extern "C" int mapring_dev__open(void) {
  int fd = ::open(MAPRING_DEV_PATH, O_RDWR | O_CLOEXEC);
  return c_err(fd < 0 ? neg_errno() : fd);
}

extern "C" int mapring_dev__info(int dev_fd, struct mapring_info* info) {
  *info = {};
  info->size = sizeof(*info);
  if (::ioctl(dev_fd, MAPRING_IOC_INFO, info) < 0) return c_err(neg_errno());
  return 0;
}

namespace {

int obj_open(mapring_obj_open& attr) {
  int dev = mapring_dev__open();
  if (dev < 0) return dev;
  int fd = ::ioctl(dev, MAPRING_IOC_OBJ_OPEN, &attr);
  int ret = fd < 0 ? neg_errno() : fd;
  ::close(dev);
  return c_err(ret);
}

}  // namespace

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

}  // namespace mapring
