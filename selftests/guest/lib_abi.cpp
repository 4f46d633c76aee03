// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The library's ABI check against the real module: opening the device
// passes it silently, and the check itself (lib/abi.hpp) refuses with
// -EPROTO and a message when the library's version is not the module's.
// Prints its own TAP.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

#include <mapring/mapring.h>

#include "abi.hpp"

namespace {

int failures = 0;
int number = 0;
std::vector<std::string> messages;

void check(bool ok, const char* name) {
  ++number;
  std::printf("%sok %d %s\n", ok ? "" : "not ", number, name);
  if (!ok) ++failures;
}

int capture(mapring_print_level, const char* format, va_list args) {
  char buf[512];
  std::vsnprintf(buf, sizeof(buf), format, args);
  messages.emplace_back(buf);
  return 0;
}

}  // namespace

int main() {
  std::printf("TAP version 13\n1..4\n");
  mapring_set_print(capture);

  int dev = mapring_dev__open();
  check(dev >= 0 && messages.empty(),
        "open: the module's ABI is ours, silently");
  if (dev < 0) return 1;

  mapring_info info;
  check(mapring_dev__info(dev, &info) == 0 &&
            info.abi_version == mapring_abi_version(),
        "MAPRING_IOC_INFO reports the library's ABI version");

  messages.clear();
  int ret = mapring::detail::check_module_abi(dev, MAPRING_ABI_VERSION + 1);
  std::string want =
      "speaks ABI version " + std::to_string(MAPRING_ABI_VERSION) +
      ", this library ABI version " + std::to_string(MAPRING_ABI_VERSION + 1);
  check(ret == -EPROTO && messages.size() == 1 &&
            messages[0].find(want) != std::string::npos,
        "a library of the next ABI version is refused: -EPROTO, a message");

  messages.clear();
  check(mapring::detail::check_module_abi(dev, MAPRING_ABI_VERSION) == 0 &&
            messages.empty(),
        "the same check with the library's version passes");
  ::close(dev);
  return failures ? 1 : 0;
}
