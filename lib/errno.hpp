// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// libbpf's error convention, internal to the library.
#pragma once

#include <cerrno>

namespace mapring::detail {

// Returns ret; when it is a negative errno value, also stores it in errno.
inline int c_err(int ret) noexcept {
  if (ret < 0) errno = -ret;
  return ret;
}

// -errno of the last failed system call, never 0.
inline int neg_errno() noexcept { return errno ? -errno : -EIO; }

}  // namespace mapring::detail
