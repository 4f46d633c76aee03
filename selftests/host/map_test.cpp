// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// Map logic that needs no module: the CPU list parser, the per-CPU view,
// the C API's argument checks and the map ABI's layout.
#include <linux/mapring.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>
#include <mapring/mapring.hpp>

#include "cpulist.hpp"

namespace {

using mapring::detail::parse_cpu_list;

TEST(CpuList, Ranges) {
  EXPECT_EQ(parse_cpu_list("0\n"), std::vector<int>{0});
  EXPECT_EQ(parse_cpu_list("0-3"), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(parse_cpu_list("0-1,4-5,8\n"), (std::vector<int>{0, 1, 4, 5, 8}));
  EXPECT_EQ(parse_cpu_list("0-319")->size(), 320u);
  EXPECT_EQ(parse_cpu_list("")->size(), 0u);
}

TEST(CpuList, Malformed) {
  for (const char* bad : {"a", "0-", "-1", "3-1", "0,,1", "0,0", "2,1", "0-1,1",
                          "1 2", "0-3,", "99999999"}) {
    EXPECT_FALSE(parse_cpu_list(bad).has_value()) << bad;
  }
}

TEST(CpuList, PossibleIsNotOnline) {
  int n = mapring_num_possible_cpus();
  ASSERT_GT(n, 0);
  EXPECT_EQ(static_cast<size_t>(n), mapring::possible_cpus().size());
  std::vector<int> ids(static_cast<size_t>(n) + 1, -1);
  EXPECT_EQ(mapring_possible_cpu_ids(ids.data(), n + 1), n);
  EXPECT_EQ(ids[static_cast<size_t>(n)], -1);
  EXPECT_EQ(ids, [&] {
    auto v = mapring::possible_cpus();
    v.push_back(-1);
    return v;
  }());
}

struct Nine {
  char c[9];
};

struct Pair {
  std::uint32_t a;
  std::uint8_t b;
};

TEST(PercpuValues, LayoutAndView) {
  using V = mapring::PercpuValues<Pair>;
  static_assert(V::kStride == 8);
  static_assert(mapring::PercpuValues<std::uint64_t>::kStride == 8);
  static_assert(mapring::PercpuValues<Nine>::kStride == 16);
  V v;
  const auto& cpus = mapring::possible_cpus();
  ASSERT_EQ(v.size(), cpus.size());
  for (size_t i = 0; i < v.size(); ++i)
    v.set(i, Pair{std::uint32_t(i + 10), 7});
  auto* raw = static_cast<const unsigned char*>(v.data());
  // the k-th possible CPU's value sits at k * stride
  for (size_t i = 0; i < v.size(); ++i) {
    std::uint32_t a;
    std::memcpy(&a, raw + i * 8, 4);
    EXPECT_EQ(a, i + 10);
  }
  size_t i = 0;
  for (auto [cpu, val] : v) {
    EXPECT_EQ(cpu, cpus[i]);
    EXPECT_EQ(val.a, i + 10);
    EXPECT_EQ(v.at_cpu(cpu).a, i + 10);
    ++i;
  }
  EXPECT_EQ(i, v.size());
  EXPECT_THROW((void)v.at_cpu(-1), std::out_of_range);
}

TEST(PercpuValues, Sum) {
  mapring::PercpuValues<std::int64_t> v(-3);
  EXPECT_EQ(v.sum(), -3 * static_cast<std::int64_t>(v.size()));
  mapring::PercpuValues<std::uint64_t> z;
  EXPECT_EQ(z.sum(), 0u);
}

TEST(MapCApi, BadOptsAreEinval) {
  struct {
    mapring_map_batch_opts o;
    std::uint64_t extra;
  } big = {};
  big.o.sz = sizeof(big);
  big.extra = 1;
  __u32 count = 3;
  EXPECT_EQ(mapring_map_delete_batch(-1, nullptr, &count, &big.o), -EINVAL);
  EXPECT_EQ(errno, EINVAL);
  // a zero tail is fine: the call gets as far as the bad fd
  big.extra = 0;
  EXPECT_EQ(mapring_map_delete_batch(-1, nullptr, &count, &big.o), -EBADF);
  EXPECT_EQ(count, 3u);
  EXPECT_EQ(mapring_map_lookup_elem(-1, nullptr, nullptr), -EBADF);
  char name[MAPRING_NAME_LEN + 1] = {};
  std::memset(name, 'x', MAPRING_NAME_LEN);
  EXPECT_EQ(
      mapring_map__create(MAPRING_OBJ_PERCPU_ARRAY, name, 4, 8, 1, nullptr),
      -EINVAL);
}

TEST(MapUapi, Layouts) {
  EXPECT_EQ(sizeof(mapring_map_create), 64u);
  EXPECT_EQ(MAPRING_MAP_CREATE_SIZE_VER0, 56);
  EXPECT_EQ(offsetof(mapring_map_create, name), 24u);
  EXPECT_EQ(offsetof(mapring_map_create, access), 56u);
  EXPECT_EQ(offsetof(mapring_map_create, __pad0), 60u);
  EXPECT_EQ(sizeof(mapring_map_info), 64u);
  EXPECT_EQ(MAPRING_MAP_INFO_SIZE_VER0, 64);
  EXPECT_EQ(sizeof(mapring_map_elem), 32u);
  EXPECT_EQ(MAPRING_MAP_ELEM_SIZE_VER0, 32);
  EXPECT_EQ(offsetof(mapring_map_elem, key), 8u);
  EXPECT_EQ(offsetof(mapring_map_elem, value), 16u);
  EXPECT_EQ(offsetof(mapring_map_elem, next_key), 16u);
  EXPECT_EQ(offsetof(mapring_map_elem, flags), 24u);
  EXPECT_EQ(sizeof(mapring_map_batch), 56u);
  EXPECT_EQ(MAPRING_MAP_BATCH_SIZE_VER0, 56);
  EXPECT_EQ(offsetof(mapring_map_batch, count), 4u);
  EXPECT_EQ(offsetof(mapring_map_batch, elem_flags), 40u);
  EXPECT_EQ(offsetof(mapring_map_batch, flags), 48u);
  EXPECT_EQ(sizeof(struct mapring_map_aggregate), 48u);
  EXPECT_EQ(MAPRING_MAP_AGGREGATE_SIZE_VER0, 48);
  EXPECT_EQ(offsetof(struct mapring_map_aggregate, op), 32u);
  EXPECT_EQ(offsetof(struct mapring_map_aggregate, flags), 40u);
}

TEST(MapUapi, NumbersAndBpfFlagValues) {
  EXPECT_EQ(MAPRING_IOC_MAP_CREATE, 0xC004BE30u);
  EXPECT_EQ(MAPRING_IOC_MAP_INFO, 0xC004BE31u);
  EXPECT_EQ(MAPRING_IOC_MAP_READ_AND_RESET, 0xC004BE3Cu);
  EXPECT_EQ(_IOC_NR(MAPRING_IOC_MAP_DELETE_BATCH), 0x3Au);
  // BPF's values, bit for bit
  EXPECT_EQ(MAPRING_NOEXIST, 1u);
  EXPECT_EQ(MAPRING_EXIST, 2u);
  EXPECT_EQ(MAPRING_F_LOCK, 4u);
  EXPECT_EQ(MAPRING_F_CPU, 8u);
  EXPECT_EQ(MAPRING_F_ALL_CPUS, 16u);
  EXPECT_EQ(MAPRING_F_NO_PREALLOC, 1u);
  EXPECT_EQ(MAPRING_F_ZERO_SEED, 64u);
  EXPECT_EQ(MAPRING_FEATURES_MAPS, 0x7F00u);
  EXPECT_EQ(MAPRING_FEATURES_ALL & MAPRING_FEATURES_MAPS,
            MAPRING_FEATURES_MAPS);
}

}  // namespace
