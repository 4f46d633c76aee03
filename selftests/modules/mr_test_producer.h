/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The records mr_test_producer.ko writes, shared with the guest tests that
 * check them. A record of size bytes (at least sizeof(struct mr_rec)) is
 * the header below and a payload that is a function of (producer, seq);
 * csum is FNV-1a over seq, producer, size and the payload.
 */
#ifndef MR_TEST_PRODUCER_H
#define MR_TEST_PRODUCER_H

#include <linux/types.h>

#define MR_DEBUGFS_DIR	"/sys/kernel/debug/mr_test_producer"
#define MR_MAX_JOBS	16
/*
 * Jobs started with group=1 produce into the current CPU's shard of the
 * module's ring group: each record is a __u64 timestamp (the kernel's
 * stamp in a MAPRING_RING_F_TIMESTAMP group, else ktime_get_mono_fast_ns()
 * written by the producer after reserve) followed by a struct mr_rec
 * record of size - 8 bytes. Per-shard counts for groups of up to
 * MR_MAX_SHARDS shards.
 */
#define MR_MAX_SHARDS	8
#define MR_TS_SZ	8

struct mr_rec {
	__u64 seq;		/* the producer's attempt number, from 0 */
	__u32 producer;		/* the job id */
	__u32 size;		/* bytes of the whole record */
	__u64 csum;
};

static inline __u8 mr_payload_byte(__u64 seq, __u32 producer, __u32 i)
{
	return (__u8)(seq * 131 + producer * 17 + i);
}

static inline __u64 mr_fnv(__u64 h, const void *p, __u32 n)
{
	const __u8 *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The checksum of a record whose header fields and payload are set. */
static inline __u64 mr_rec_csum(const struct mr_rec *r)
{
	__u64 h = 0xcbf29ce484222325ULL;

	h = mr_fnv(h, &r->seq, sizeof(r->seq));
	h = mr_fnv(h, &r->producer, sizeof(r->producer));
	h = mr_fnv(h, &r->size, sizeof(r->size));
	return mr_fnv(h, r + 1, r->size - sizeof(*r));
}

/* Fill a record of size bytes (>= sizeof(struct mr_rec)). */
static inline void mr_rec_fill(void *p, __u64 seq, __u32 producer, __u32 size)
{
	struct mr_rec *r = p;
	__u8 *pl = (__u8 *)(r + 1);
	__u32 i;

	r->seq = seq;
	r->producer = producer;
	r->size = size;
	for (i = 0; i < size - sizeof(*r); i++)
		pl[i] = mr_payload_byte(seq, producer, i);
	r->csum = mr_rec_csum(r);
}

/* 1 when the record of size bytes at p is intact. */
static inline int mr_rec_ok(const void *p, __u32 size)
{
	const struct mr_rec *r = p;

	return size >= sizeof(*r) && r->size == size &&
	       r->csum == mr_rec_csum(r);
}

#endif /* MR_TEST_PRODUCER_H */
