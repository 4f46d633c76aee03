// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The ring part of the ABI is fixed, and BPF's where it mirrors BPF.
#include <linux/bpf.h>
#include <linux/mapring.h>
#include <sys/ioctl.h>

#include <cstddef>

#include <gtest/gtest.h>

namespace {

TEST(RingUapi, CreateLayout) {
  EXPECT_EQ(sizeof(mapring_ring_create), 72u);
  EXPECT_EQ(MAPRING_RING_CREATE_SIZE_VER0, 64);
  EXPECT_EQ(offsetof(mapring_ring_create, flags), 4u);
  EXPECT_EQ(offsetof(mapring_ring_create, data_size), 8u);
  EXPECT_EQ(offsetof(mapring_ring_create, wakeup_bytes), 16u);
  EXPECT_EQ(offsetof(mapring_ring_create, wakeup_usecs), 24u);
  EXPECT_EQ(offsetof(mapring_ring_create, __pad0), 28u);
  EXPECT_EQ(offsetof(mapring_ring_create, name), 32u);
  EXPECT_EQ(offsetof(mapring_ring_create, access), 64u);
  EXPECT_EQ(offsetof(mapring_ring_create, __pad1), 68u);
  EXPECT_EQ(MAPRING_RING_F_BATCH_WAKEUP, 1u);
  EXPECT_EQ(MAPRING_RING_F_OVERWRITE, 2u);
  EXPECT_EQ(MAPRING_RING_MAX_WAKEUP_USECS, 10000000u);
}

TEST(RingUapi, QueryLayout) {
  EXPECT_EQ(sizeof(mapring_ring_query), 144u);
  EXPECT_EQ(MAPRING_RING_QUERY_SIZE_VER0, 104);
  EXPECT_EQ(MAPRING_RING_QUERY_SIZE_VER1, 144);
  EXPECT_EQ(offsetof(mapring_ring_query, flags), 4u);
  EXPECT_EQ(offsetof(mapring_ring_query, id), 8u);
  EXPECT_EQ(offsetof(mapring_ring_query, ring_flags), 12u);
  EXPECT_EQ(offsetof(mapring_ring_query, data_size), 16u);
  EXPECT_EQ(offsetof(mapring_ring_query, avail), 24u);
  EXPECT_EQ(offsetof(mapring_ring_query, consumer_pos), 32u);
  EXPECT_EQ(offsetof(mapring_ring_query, producer_pos), 40u);
  EXPECT_EQ(offsetof(mapring_ring_query, pending_pos), 48u);
  EXPECT_EQ(offsetof(mapring_ring_query, drops_full), 56u);
  EXPECT_EQ(offsetof(mapring_ring_query, drops_too_large), 64u);
  EXPECT_EQ(offsetof(mapring_ring_query, drops_busy), 72u);
  EXPECT_EQ(offsetof(mapring_ring_query, wakeups), 80u);
  EXPECT_EQ(offsetof(mapring_ring_query, wakeup_bytes), 88u);
  EXPECT_EQ(offsetof(mapring_ring_query, wakeup_usecs), 96u);
  EXPECT_EQ(offsetof(mapring_ring_query, __pad0), 100u);
  EXPECT_EQ(offsetof(mapring_ring_query, overwrite_pos), 104u);
  EXPECT_EQ(offsetof(mapring_ring_query, overwritten), 112u);
  EXPECT_EQ(offsetof(mapring_ring_query, user_drained), 120u);
  EXPECT_EQ(offsetof(mapring_ring_query, user_discarded), 128u);
  EXPECT_EQ(offsetof(mapring_ring_query, user_bad), 136u);
}

TEST(RingUapi, UserRing) {
  EXPECT_EQ(MAPRING_RING_F_USER, 4u);
  EXPECT_EQ(sizeof(mapring_ring_kick), 8u);
  EXPECT_EQ(MAPRING_RING_KICK_SIZE_VER0, 8);
  EXPECT_EQ(offsetof(mapring_ring_kick, flags), 4u);
  EXPECT_EQ(MAPRING_IOC_RING_KICK, 0xC004BE13u);
}

TEST(RingUapi, OutputLayout) {
  EXPECT_EQ(sizeof(mapring_ring_output), 32u);
  EXPECT_EQ(MAPRING_RING_OUTPUT_SIZE_VER0, 32);
  EXPECT_EQ(offsetof(mapring_ring_output, flags), 8u);
  EXPECT_EQ(offsetof(mapring_ring_output, data), 16u);
  EXPECT_EQ(offsetof(mapring_ring_output, data_size), 24u);
}

TEST(RingUapi, IoctlNumbers) {
  EXPECT_EQ(MAPRING_IOC_RING_CREATE, 0xC004BE10u);
  EXPECT_EQ(MAPRING_IOC_RING_QUERY, 0xC004BE11u);
  EXPECT_EQ(MAPRING_IOC_RING_OUTPUT, 0xC004BE12u);
}

TEST(RingUapi, FeatureBits) {
  EXPECT_EQ(MAPRING_FEAT_RINGBUF, 1ull << 0);
  EXPECT_EQ(MAPRING_FEAT_RING_DROPS, 1ull << 1);
  EXPECT_EQ(MAPRING_FEAT_RING_BATCH_WAKEUP, 1ull << 2);
  EXPECT_EQ(MAPRING_FEAT_RING_WRITE, 1ull << 3);
  EXPECT_EQ(MAPRING_FEAT_RING_OVERWRITE, 1ull << 4);
  EXPECT_EQ(MAPRING_FEAT_RING_USER, 1ull << 5);
  EXPECT_EQ(MAPRING_FEAT_RING_SHARDED, 1ull << 6);
  EXPECT_EQ(MAPRING_FEATURES_RINGS, 0x7full);
  EXPECT_EQ(MAPRING_FEATURES_ALL & 0xffull, MAPRING_FEATURES_RINGS);
}

// What a BPF ring buffer user already knows holds here.
TEST(RingUapi, SameAsBpf) {
  EXPECT_EQ(MAPRING_RB_BUSY_BIT, unsigned(BPF_RINGBUF_BUSY_BIT));
  EXPECT_EQ(MAPRING_RB_DISCARD_BIT, unsigned(BPF_RINGBUF_DISCARD_BIT));
  EXPECT_EQ(MAPRING_RB_HDR_SZ, int(BPF_RINGBUF_HDR_SZ));
  EXPECT_EQ(MAPRING_RB_NO_WAKEUP,
            static_cast<unsigned long long>(BPF_RB_NO_WAKEUP));
  EXPECT_EQ(MAPRING_RB_FORCE_WAKEUP,
            static_cast<unsigned long long>(BPF_RB_FORCE_WAKEUP));
  EXPECT_EQ(sizeof(mapring_rb_hdr), 8u);
  EXPECT_EQ(offsetof(mapring_rb_hdr, seq), 4u);
  EXPECT_EQ(offsetof(mapring_rb_hdr, __pad), 4u);
  // BPF_F_RB_OVERWRITE is a map flag (bit 19); ours is a ring flag, and
  // overwrite_pos sits where BPF's does
  EXPECT_EQ(offsetof(mapring_rb_producer, overwrite_pos), 16u);
  EXPECT_EQ(MAPRING_RB_CONSUMER_PGOFF, 0);
  EXPECT_EQ(MAPRING_RB_PRODUCER_PGOFF, 1);
  EXPECT_EQ(MAPRING_RB_DATA_PGOFF, 2);
}

TEST(RingUapi, ProducerPage) {
  EXPECT_EQ(offsetof(mapring_rb_producer, producer_pos), 0u);
  EXPECT_EQ(offsetof(mapring_rb_producer, pending_pos), 8u);
  EXPECT_EQ(offsetof(mapring_rb_producer, overwrite_pos), 16u);
  EXPECT_EQ(offsetof(mapring_rb_producer, overwritten), 24u);
  EXPECT_EQ(offsetof(mapring_rb_producer, drops_full), 64u);
  EXPECT_EQ(offsetof(mapring_rb_producer, drops_too_large), 72u);
  EXPECT_EQ(offsetof(mapring_rb_producer, drops_busy), 80u);
  EXPECT_EQ(sizeof(mapring_rb_producer), 88u);
}

}  // namespace
