// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// ABI compatibility between the library and the module, and the print
// callback its messages go through.
#include "abi.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include <mapring/mapring.h>

namespace {

int print_stderr(mapring_print_level level, const char* format, va_list args) {
  if (level == MAPRING_DEBUG) return 0;
  return std::vfprintf(stderr, format, args);
}

mapring_print_fn_t print_fn = print_stderr;

}  // namespace

extern "C" mapring_print_fn_t mapring_set_print(mapring_print_fn_t fn) {
  mapring_print_fn_t old = print_fn;
  print_fn = fn;
  return old;
}

extern "C" __u32 mapring_abi_version(void) { return MAPRING_ABI_VERSION; }

namespace mapring::detail {

void print(mapring_print_level level, const char* format, ...) {
  mapring_print_fn_t fn = print_fn;
  if (!fn) return;
  int saved = errno;  // a callback must not change what the caller returns
  va_list args;
  va_start(args, format);
  fn(level, format, args);
  va_end(args);
  errno = saved;
}

int compare_abi(__u32 module_abi, __u32 lib_abi) {
  // MAPRING_ABI_VERSION is bumped only for incompatible changes (additions
  // are feature bits), so no other version can be served.
  if (module_abi == lib_abi) return 0;
  print(MAPRING_WARN,
        "libmapring: %s speaks ABI version %u, this library ABI version %u: "
        "install a matching mapring.ko and libmapring\n",
        MAPRING_DEV_PATH, module_abi, lib_abi);
  return -EPROTO;
}

int check_module_abi(int dev_fd, __u32 lib_abi) {
  mapring_info info;
  int ret = mapring_dev__info(dev_fd, &info);
  if (ret < 0) {
    print(MAPRING_WARN, "libmapring: MAPRING_IOC_INFO on %s failed: %s\n",
          MAPRING_DEV_PATH, std::strerror(-ret));
    return ret;
  }
  return compare_abi(info.abi_version, lib_abi);
}

}  // namespace mapring::detail
