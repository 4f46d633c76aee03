// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// Making objects, internal to the library: every create call copies a name
// into its struct and issues one ioctl on a control device opened for it.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace mapring::detail {

// Copies name (nullptr: none) into a create struct's name field, NUL
// included: 0, or -EINVAL when it does not fit.
template <std::size_t N>
int copy_name(char (&dst)[N], const char* name) noexcept {
  if (!name) return 0;
  if (::strnlen(name, N) >= N) return -EINVAL;
  std::memcpy(dst, name, std::strlen(name) + 1);
  return 0;
}

// ioctl(cmd, attr) on a freshly opened /dev/mapring: the new object's fd,
// or -errno (errno set too).
int dev_create(unsigned long cmd, void* attr) noexcept;

}  // namespace mapring::detail
