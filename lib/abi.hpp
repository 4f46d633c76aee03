// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The library's side of ABI compatibility, internal to the library: the
// version check every open of the control device runs, and the messages it
// prints through the callback of mapring_set_print().
#pragma once

#include <mapring/mapring.h>

namespace mapring::detail {

// Prints through the current print callback, if any.
void print(mapring_print_level level, const char* format, ...)
    __attribute__((format(printf, 2, 3)));

// 0 when a module of ABI version module_abi serves a library of ABI
// version lib_abi: today only the same version does. -EPROTO, with a
// MAPRING_WARN message naming both, otherwise.
int compare_abi(__u32 module_abi, __u32 lib_abi);

// 0 when the module behind dev_fd reports ABI version lib_abi, -EPROTO
// (with a MAPRING_WARN message naming both versions) when it reports
// another, or the -errno of MAPRING_IOC_INFO. mapring_dev__open() passes
// MAPRING_ABI_VERSION; tests pass other versions to see the refusal.
int check_module_abi(int dev_fd, __u32 lib_abi);

}  // namespace mapring::detail
