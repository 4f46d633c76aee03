// SPDX-License-Identifier: GPL-2.0
// ring_tail NAME [COUNT]: print the records of a named ring, e.g. one a
// kernel module made, as they arrive (COUNT records, or until interrupted).
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <mapring/mapring.hpp>

int main(int argc, char** argv) {
  if (argc < 2) return std::fputs("usage: ring_tail NAME [COUNT]\n", stderr), 2;
  long left = argc > 2 ? std::atol(argv[2]) : -1;
  auto ring = mapring::RingBuf::open(argv[1]);
  mapring::RingBuffer rb(ring, [&](std::span<const std::byte> rec) {
    std::printf("%4zu bytes:", rec.size());
    for (auto b : rec.first(std::min<std::size_t>(rec.size(), 24)))
      std::printf(" %02x", static_cast<unsigned>(b));
    std::printf("\n");
    return --left == 0 ? -1 : 0;  // a negative return stops the poll
  });
  while (rb.poll(std::chrono::seconds(1)) >= 0) {
  }
}
