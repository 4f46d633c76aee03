// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// Possible CPUs: how many values a per-CPU map element holds, and whose.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <mutex>

#include <mapring/map.h>
#include <mapring/mapring.hpp>

#include "cpulist.hpp"
#include "errno.hpp"

namespace mapring::detail {

std::optional<std::vector<int>> parse_cpu_list(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.remove_suffix(1);
  std::vector<int> cpus;
  if (text.empty()) return cpus;
  const char* p = text.data();
  const char* end = p + text.size();
  auto number = [&](int* out) {
    auto [next, ec] = std::from_chars(p, end, *out);
    if (ec != std::errc() || next == p || *out < 0) return false;
    p = next;
    return true;
  };
  for (;;) {
    int first = 0, last = 0;
    if (!number(&first)) return std::nullopt;
    last = first;
    if (p < end && *p == '-') {
      ++p;
      if (!number(&last) || last < first) return std::nullopt;
    }
    if (!cpus.empty() && first <= cpus.back()) return std::nullopt;
    // a bound on a corrupt file, far above any NR_CPUS
    if (last >= (1 << 20)) return std::nullopt;
    for (int c = first; c <= last; ++c) cpus.push_back(c);
    if (p == end) return cpus;
    if (*p != ',') return std::nullopt;
    ++p;
  }
}

}  // namespace mapring::detail

namespace {

struct PossibleCpus {
  int error = 0;
  std::vector<int> ids;
};

const PossibleCpus& possible_cpus() {
  static std::once_flag once;
  static PossibleCpus cpus;
  std::call_once(once, [] {
    int fd = ::open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      cpus.error = mapring::detail::neg_errno();
      return;
    }
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    int saved = errno;
    ::close(fd);
    if (n < 0) {
      cpus.error = saved ? -saved : -EIO;
      return;
    }
    auto ids = mapring::detail::parse_cpu_list(
        std::string_view(buf, static_cast<size_t>(n)));
    if (!ids || ids->empty()) {
      cpus.error = -EINVAL;
      return;
    }
    cpus.ids = std::move(*ids);
  });
  return cpus;
}

}  // namespace

extern "C" int mapring_num_possible_cpus(void) {
  const PossibleCpus& cpus = possible_cpus();
  if (cpus.error) return mapring::detail::c_err(cpus.error);
  return static_cast<int>(cpus.ids.size());
}

extern "C" int mapring_possible_cpu_ids(int* ids, int max) {
  const PossibleCpus& cpus = possible_cpus();
  if (cpus.error) return mapring::detail::c_err(cpus.error);
  int n = static_cast<int>(cpus.ids.size());
  if (ids && max > 0) std::copy_n(cpus.ids.begin(), std::min(n, max), ids);
  return n;
}

namespace mapring {

const std::vector<int>& possible_cpus() {
  const PossibleCpus& cpus = ::possible_cpus();
  check(cpus.error, "/sys/devices/system/cpu/possible");
  return cpus.ids;
}

}  // namespace mapring
