// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The ring group (sharded ring) part of the ABI is fixed.
#include <linux/mapring.h>
#include <sys/ioctl.h>

#include <cstddef>

#include <gtest/gtest.h>

namespace {

TEST(RingGroupUapi, CreateLayout) {
  EXPECT_EQ(sizeof(mapring_ring_group_create), 88u);
  EXPECT_EQ(MAPRING_RING_GROUP_CREATE_SIZE_VER0, 88);
  EXPECT_EQ(offsetof(mapring_ring_group_create, flags), 4u);
  EXPECT_EQ(offsetof(mapring_ring_group_create, shard_size), 8u);
  EXPECT_EQ(offsetof(mapring_ring_group_create, wakeup_bytes), 16u);
  EXPECT_EQ(offsetof(mapring_ring_group_create, wakeup_usecs), 24u);
  EXPECT_EQ(offsetof(mapring_ring_group_create, nr_shards), 28u);
  EXPECT_EQ(offsetof(mapring_ring_group_create, name), 32u);
  EXPECT_EQ(offsetof(mapring_ring_group_create, access), 64u);
  EXPECT_EQ(offsetof(mapring_ring_group_create, assign), 68u);
  EXPECT_EQ(offsetof(mapring_ring_group_create, cpu_table), 72u);
  EXPECT_EQ(offsetof(mapring_ring_group_create, nr_cpu_table), 80u);
  EXPECT_EQ(offsetof(mapring_ring_group_create, __pad0), 84u);
}

TEST(RingGroupUapi, InfoLayout) {
  EXPECT_EQ(sizeof(mapring_ring_group_info), 104u);
  EXPECT_EQ(MAPRING_RING_GROUP_INFO_SIZE_VER0, 104);
  EXPECT_EQ(offsetof(mapring_ring_group_info, flags), 4u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, id), 8u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, nr_shards), 12u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, ring_flags), 16u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, assign), 20u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, shard_size), 24u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, cpu_table), 32u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, nr_cpu_table), 40u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, __pad0), 44u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, avail), 48u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, drops_full), 56u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, drops_too_large), 64u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, drops_busy), 72u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, wakeups), 80u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, overwritten), 88u);
  EXPECT_EQ(offsetof(mapring_ring_group_info, memory), 96u);
}

TEST(RingGroupUapi, ShardFdAndSyncLayout) {
  EXPECT_EQ(sizeof(mapring_ring_group_shard_fd), 16u);
  EXPECT_EQ(MAPRING_RING_GROUP_SHARD_FD_SIZE_VER0, 16);
  EXPECT_EQ(offsetof(mapring_ring_group_shard_fd, index), 4u);
  EXPECT_EQ(offsetof(mapring_ring_group_shard_fd, flags), 8u);
  EXPECT_EQ(offsetof(mapring_ring_group_shard_fd, __pad0), 12u);
  EXPECT_EQ(sizeof(mapring_ring_group_sync), 16u);
  EXPECT_EQ(MAPRING_RING_GROUP_SYNC_SIZE_VER0, 16);
  EXPECT_EQ(offsetof(mapring_ring_group_sync, flags), 4u);
  EXPECT_EQ(offsetof(mapring_ring_group_sync, watermark), 8u);
}

TEST(RingGroupUapi, NumbersAndFlags) {
  EXPECT_EQ(MAPRING_IOC_RING_GROUP_CREATE, 0xC004BE18u);
  EXPECT_EQ(MAPRING_IOC_RING_GROUP_INFO, 0xC004BE19u);
  EXPECT_EQ(MAPRING_IOC_RING_GROUP_SHARD_FD, 0xC004BE1Au);
  EXPECT_EQ(MAPRING_IOC_RING_GROUP_SYNC, 0xC004BE1Bu);
  EXPECT_EQ(MAPRING_RING_F_TIMESTAMP, 8u);
  EXPECT_EQ(MAPRING_SHARD_ASSIGN_BLOCKS, 0);
  EXPECT_EQ(MAPRING_SHARD_ASSIGN_NUMA, 1);
  EXPECT_EQ(MAPRING_SHARD_ASSIGN_TABLE, 2);
  EXPECT_EQ(MAPRING_SHARD_NONE, 0xffffffffu);
  EXPECT_EQ(MAPRING_RING_GROUP_MAX_SHARDS, 256);
  EXPECT_EQ(MAPRING_OBJ_RING_GROUP, 5);
}

}  // namespace
