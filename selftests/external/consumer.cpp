// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// A program outside the tree: built against an installed libmapring (only
// its installed headers, its pkg-config file or its CMake package; see
// scripts/consumer-test.sh) and run in the test VM. Opens /dev/mapring,
// round-trips records through a ring and values through a per-CPU map,
// with both the C and the C++ API. Prints TAP.
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include <mapring/mapring.h>
#include <mapring/mapring.hpp>

namespace {

int failures = 0;
int number = 0;

void test(const std::string& name, const std::function<bool()>& body) {
  bool ok = false;
  try {
    ok = body();
  } catch (const std::exception& e) {
    std::printf("# %s: %s\n", name.c_str(), e.what());
  }
  ++number;
  std::printf("%sok %d %s\n", ok ? "" : "not ", number, name.c_str());
  if (!ok) ++failures;
}

}  // namespace

int main() {
  std::printf("TAP version 13\n1..5\n");

  test("the module speaks the library's ABI", [] {
    auto dev = mapring::Device::open();  // checks the ABI version
    auto info = dev.info();
    std::printf(
        "# module ABI %u, features %#llx, %u possible CPUs\n", info.abi_version,
        static_cast<unsigned long long>(info.features), info.nr_possible_cpus);
    return info.abi_version == mapring_abi_version() &&
           mapring_abi_version() == MAPRING_ABI_VERSION;
  });

  test("C++: records round-trip through a ring", [] {
    auto ring = mapring::RingBuf::create("", 4 * 4096);
    std::vector<std::uint32_t> seen;
    mapring::RingBuffer rb(ring, [&](std::span<const std::byte> rec) {
      std::uint32_t v = 0;
      if (rec.size() == sizeof(v)) std::memcpy(&v, rec.data(), sizeof(v));
      seen.push_back(rec.size() == sizeof(v) ? v : 0);
    });
    for (std::uint32_t i = 1; i <= 100; i++)
      if (!ring.output(std::as_bytes(std::span(&i, 1)))) return false;
    int n = rb.consume();
    bool ok = n == 100 && seen.size() == 100;
    for (std::uint32_t i = 0; ok && i < 100; i++) ok = seen[i] == i + 1;
    return ok && ring.query().avail == 0;
  });

  test("C: a record round-trips through a ring", [] {
    int fd = mapring_ringbuf__create(nullptr, 4096, nullptr);
    if (fd < 0) return false;
    const char msg[] = "out of tree";
    int ret = mapring_ringbuf__output(fd, msg, sizeof(msg), 0);
    std::string got;
    auto cb = [](void* ctx, const void* data, std::size_t size) -> int {
      static_cast<std::string*>(ctx)->assign(static_cast<const char*>(data),
                                             size);
      return 0;
    };
    mapring_ring_buffer* rb = mapring_ring_buffer__new(fd, cb, &got, nullptr);
    int n = rb ? mapring_ring_buffer__consume(rb) : -1;
    mapring_ring_buffer__free(rb);
    ::close(fd);
    return ret == 0 && n == 1 && got == std::string(msg, sizeof(msg));
  });

  test("C++: per-CPU values round-trip through a map", [] {
    auto arr = mapring::PercpuArray<std::uint64_t>::create("", 4);
    arr.update(2, std::uint64_t{7});  // every CPU's value
    auto values = arr.lookup(2);
    return values.size() == mapring::possible_cpus().size() &&
           values.sum() == 7 * values.size() && arr.lookup(1).sum() == 0;
  });

  test("C: per-CPU values round-trip through a map", [] {
    int fd = mapring_map__create(MAPRING_OBJ_PERCPU_HASH, nullptr, 4, 8, 16,
                                 nullptr);
    int ncpus = mapring_num_possible_cpus();
    if (fd < 0 || ncpus <= 0) return false;
    std::vector<std::uint64_t> in(ncpus), out(ncpus);
    for (int i = 0; i < ncpus; i++) in[i] = 1000 + i;
    std::uint32_t key = 42;
    int upd = mapring_map_update_elem(fd, &key, in.data(), MAPRING_NOEXIST);
    int look = mapring_map_lookup_elem(fd, &key, out.data());
    std::uint32_t missing = 43;
    int absent = mapring_map_lookup_elem(fd, &missing, out.data());
    ::close(fd);
    return upd == 0 && look == 0 && in == out && absent == -ENOENT;
  });

  return failures ? 1 : 0;
}
