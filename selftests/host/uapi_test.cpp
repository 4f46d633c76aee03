// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The ABI is fixed: these numbers may only change with MAPRING_ABI_VERSION.
#include <linux/mapring.h>
#include <sys/ioctl.h>

#include <cstddef>

#include <gtest/gtest.h>

namespace {

TEST(Uapi, InfoLayout) {
  EXPECT_EQ(sizeof(mapring_info), 32u);
  EXPECT_EQ(MAPRING_INFO_SIZE_VER0, 32);
  EXPECT_EQ(offsetof(mapring_info, size), 0u);
  EXPECT_EQ(offsetof(mapring_info, abi_version), 4u);
  EXPECT_EQ(offsetof(mapring_info, features), 8u);
  EXPECT_EQ(offsetof(mapring_info, page_size), 16u);
  EXPECT_EQ(offsetof(mapring_info, nr_possible_cpus), 20u);
  EXPECT_EQ(offsetof(mapring_info, nr_cpu_ids), 24u);
  EXPECT_EQ(offsetof(mapring_info, __pad0), 28u);
}

TEST(Uapi, ObjOpenLayout) {
  EXPECT_EQ(sizeof(mapring_obj_open), 48u);
  EXPECT_EQ(MAPRING_OBJ_OPEN_SIZE_VER0, 48);
  EXPECT_EQ(offsetof(mapring_obj_open, id), 4u);
  EXPECT_EQ(offsetof(mapring_obj_open, name), 8u);
  EXPECT_EQ(offsetof(mapring_obj_open, type), 40u);
  EXPECT_EQ(offsetof(mapring_obj_open, flags), 44u);
  EXPECT_EQ(MAPRING_NAME_LEN, 32);
  EXPECT_EQ(MAPRING_IOC_OBJ_OPEN, 0xC004BE01u);
}

TEST(Uapi, ObjectTypes) {
  EXPECT_EQ(MAPRING_OBJ_RINGBUF, 1);
  EXPECT_EQ(MAPRING_OBJ_PERCPU_ARRAY, 2);
  EXPECT_EQ(MAPRING_OBJ_PERCPU_HASH, 3);
  EXPECT_EQ(MAPRING_OBJ_LRU_PERCPU_HASH, 4);
  EXPECT_EQ(MAPRING_OBJ_RING_GROUP, 5);
}

TEST(Uapi, IoctlNumbers) {
  // Direction read|write, argument size 4 (the leading __u32 size), magic
  // 0xBE: the number does not depend on the size of the struct.
  EXPECT_EQ(MAPRING_IOC_INFO, 0xC004BE00u);
  EXPECT_EQ(_IOC_TYPE(MAPRING_IOC_INFO), 0xBEu);
  EXPECT_EQ(_IOC_NR(MAPRING_IOC_INFO), 0u);
  EXPECT_EQ(_IOC_SIZE(MAPRING_IOC_INFO), 4u);
  EXPECT_EQ(_IOC_DIR(MAPRING_IOC_INFO), unsigned(_IOC_READ | _IOC_WRITE));
}

TEST(Uapi, ObjGetNextIdLayout) {
  EXPECT_EQ(sizeof(mapring_obj_get_next_id), 16u);
  EXPECT_EQ(MAPRING_OBJ_GET_NEXT_ID_SIZE_VER0, 16);
  EXPECT_EQ(offsetof(mapring_obj_get_next_id, start_id), 4u);
  EXPECT_EQ(offsetof(mapring_obj_get_next_id, next_id), 8u);
  EXPECT_EQ(offsetof(mapring_obj_get_next_id, type), 12u);
  EXPECT_EQ(MAPRING_IOC_OBJ_GET_NEXT_ID, 0xC004BE02u);
}

TEST(Uapi, ObjInfoLayout) {
  EXPECT_EQ(sizeof(mapring_obj_info), 152u);
  EXPECT_EQ(MAPRING_OBJ_INFO_SIZE_VER0, 120);
  EXPECT_EQ(offsetof(mapring_obj_info, id), 4u);
  EXPECT_EQ(offsetof(mapring_obj_info, name), 8u);
  EXPECT_EQ(offsetof(mapring_obj_info, type), 40u);
  EXPECT_EQ(offsetof(mapring_obj_info, flags), 44u);
  EXPECT_EQ(offsetof(mapring_obj_info, memory), 48u);
  EXPECT_EQ(offsetof(mapring_obj_info, drops), 56u);
  EXPECT_EQ(offsetof(mapring_obj_info, obj_flags), 64u);
  EXPECT_EQ(offsetof(mapring_obj_info, key_size), 68u);
  EXPECT_EQ(offsetof(mapring_obj_info, value_size), 72u);
  EXPECT_EQ(offsetof(mapring_obj_info, max_entries), 76u);
  EXPECT_EQ(offsetof(mapring_obj_info, entries), 80u);
  EXPECT_EQ(offsetof(mapring_obj_info, nr_possible_cpus), 84u);
  EXPECT_EQ(offsetof(mapring_obj_info, data_size), 88u);
  EXPECT_EQ(offsetof(mapring_obj_info, consumer_pos), 96u);
  EXPECT_EQ(offsetof(mapring_obj_info, producer_pos), 104u);
  EXPECT_EQ(offsetof(mapring_obj_info, pending_pos), 112u);
  EXPECT_EQ(offsetof(mapring_obj_info, overwrite_pos), 120u);
  EXPECT_EQ(offsetof(mapring_obj_info, overwritten), 128u);
  EXPECT_EQ(offsetof(mapring_obj_info, owner_uid), 136u);
  EXPECT_EQ(offsetof(mapring_obj_info, owner_gid), 140u);
  EXPECT_EQ(offsetof(mapring_obj_info, access), 144u);
  EXPECT_EQ(offsetof(mapring_obj_info, __pad0), 148u);
  EXPECT_EQ(MAPRING_IOC_OBJ_INFO, 0xC004BE03u);
}

TEST(Uapi, ObjectFeatureBits) {
  EXPECT_EQ(MAPRING_FEAT_OBJ_INFO, 1ull << 24);
  EXPECT_EQ(MAPRING_FEAT_OBJ_ACCESS, 1ull << 25);
  EXPECT_EQ(MAPRING_FEATURES_OBJECTS, 0x3000000ull);
  EXPECT_EQ(MAPRING_FEATURES_ALL, 0x3007f7full);
}

TEST(Uapi, AccessFlags) {
  EXPECT_EQ(MAPRING_ACCESS_GROUP, 1u);
  EXPECT_EQ(MAPRING_ACCESS_SHARED, 2u);
  EXPECT_EQ(MAPRING_ACCESS_ALL, 3u);
}

TEST(Uapi, Version) { EXPECT_EQ(MAPRING_ABI_VERSION, 1); }

}  // namespace
