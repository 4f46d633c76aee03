// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU hash, preallocated and not: creation limits, test_maps.c's
 * test_hashmap_percpu with exact values, key sizes 1 to 512, a full map,
 * many entries, iteration.
 */
#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

#define HASH MAPRING_OBJ_PERCPU_HASH

FIXTURE(hash) {
	int n;
};

FIXTURE_VARIANT(hash) {
	__u32 flags;
};

FIXTURE_VARIANT_ADD(hash, prealloc) {
	.flags = 0,
};

FIXTURE_VARIANT_ADD(hash, no_prealloc) {
	.flags = MAPRING_F_NO_PREALLOC,
};

FIXTURE_SETUP(hash)
{
	ASSERT_EQ(0, mr_baseline());
	self->n = mr_ncpus();
	ASSERT_LT(0, self->n);
}

FIXTURE_TEARDOWN(hash)
{
}

TEST(create_limits)
{
	int fd;

	ASSERT_EQ(0, mr_baseline());
	EXPECT_EQ(EINVAL, mr_err(mr_create(HASH, NULL, 0, 8, 4, 0)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(HASH, NULL, 4, 0, 4, 0)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(HASH, NULL, 4, 8, 0, 0)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(HASH, NULL, 4, 8, 4,
					   MAPRING_F_NO_COMMON_LRU)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(HASH, NULL, 4, 8, 4,
					   MAPRING_F_NUMA_NODE)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(HASH, NULL, 4, 8, 4, 1U << 10)));
	EXPECT_EQ(E2BIG, mr_err(mr_create(HASH, NULL, 4, 32768 + 1, 4, 0)));
	EXPECT_EQ(E2BIG, mr_err(mr_create(HASH, NULL, 4, 8, 0x80000001u,
					  MAPRING_F_NO_PREALLOC)));
	EXPECT_EQ(E2BIG, mr_err(mr_create(HASH, NULL, 0x7fffffff, 0x7fffffff,
					  4, 0)));
	/* a bucket table over 4 GiB (buckets are 16 bytes, more with lockdep) */
	EXPECT_EQ(E2BIG, mr_err(mr_create(HASH, NULL, 4, 8, 0x80000000u, 0)));
	/*
	 * Then one whose table fits that bound on every kernel (2^20 buckets)
	 * but whose preallocated elements, 4 GiB of 4 KiB keys, are more than
	 * the VM's memory: vmalloc refuses at once.
	 */
	EXPECT_EQ(ENOMEM, mr_err(mr_create(HASH, NULL, 4096, 8, 1U << 20, 0)));
	fd = mr_create(HASH, NULL, 4, 32768, 2, MAPRING_F_ZERO_SEED);
	ASSERT_LE(0, fd);
	close(fd);
}

/* test_maps.c's test_hashmap_percpu, with every value checked */
TEST_F(hash, bpf_hashmap_percpu)
{
	int n = self->n, fd, i, seen = 0;
	__u64 *v = calloc(n, 8);
	long long key = 1, next, first;

	fd = mr_create(HASH, NULL, 8, 8, 2, variant->flags);
	ASSERT_LE(0, fd);
	for (i = 0; i < n; i++)
		v[i] = i + 100;
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_ANY));
	EXPECT_EQ(-EEXIST, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	EXPECT_EQ(-EINVAL, mapring_map_update_elem(fd, &key, v, (__u64)-1));
	/* lookup_and_delete returns every CPU and removes the key */
	memset(v, 0, n * 8);
	ASSERT_EQ(0, mapring_map_lookup_and_delete_elem(fd, &key, v));
	for (i = 0; i < n; i++)
		EXPECT_EQ(i + 100, v[i]);
	EXPECT_EQ(-ENOENT, mapring_map_lookup_elem(fd, &key, v));
	EXPECT_EQ(-ENOENT, mapring_map_lookup_and_delete_elem(fd, &key, v));
	for (i = 0; i < n; i++)
		v[i] = i + 100;
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	key = 2;
	EXPECT_EQ(-ENOENT, mapring_map_lookup_elem(fd, &key, v));
	EXPECT_EQ(-ENOENT, mapring_map_update_elem(fd, &key, v, MAPRING_EXIST));
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	/* full */
	key = 0;
	EXPECT_EQ(-E2BIG, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	EXPECT_EQ(-E2BIG, mapring_map_update_elem(fd, &key, v, MAPRING_ANY));
	/* an existing key still updates in a full map; NOEXIST first */
	key = 2;
	EXPECT_EQ(-EEXIST, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_EXIST));
	key = 0;
	EXPECT_EQ(-ENOENT, mapring_map_delete_elem(fd, &key));
	/* the walk sees both keys with their values */
	ASSERT_EQ(0, mapring_map_get_next_key(fd, NULL, &first));
	next = first;
	do {
		EXPECT_TRUE(next == 1 || next == 2);
		memset(v, 0, n * 8);
		ASSERT_EQ(0, mapring_map_lookup_elem(fd, &next, v));
		for (i = 0; i < n; i++)
			EXPECT_EQ(i + 100, v[i]);
		seen++;
		key = next;
	} while (mapring_map_get_next_key(fd, &key, &next) == 0);
	EXPECT_EQ(2, seen);
	EXPECT_EQ(ENOENT, errno);
	/* an unknown key restarts the walk */
	key = 77;
	EXPECT_EQ(0, mapring_map_get_next_key(fd, &key, &next));
	EXPECT_EQ(first, next);
	key = 1;
	EXPECT_EQ(0, mapring_map_delete_elem(fd, &key));
	key = 2;
	EXPECT_EQ(0, mapring_map_delete_elem(fd, &key));
	EXPECT_EQ(-ENOENT, mapring_map_get_next_key(fd, NULL, &next));
	EXPECT_EQ(-ENOENT, mapring_map_get_next_key(fd, &key, &next));
	/* the freed slots are usable again */
	key = 3;
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	key = 4;
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	close(fd);
	free(v);
}

TEST_F(hash, key_sizes_1_to_512)
{
	static const __u32 ks[] = { 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 31, 64,
				    100, 255, 256, 511, 512 };
	unsigned char key[512], next[512];
	size_t vb = mr_vbytes(24);
	unsigned char *in = malloc(vb), *out = malloc(vb);

	for (size_t s = 0; s < ARRAY_SIZE(ks); s++) {
		int fd = mr_create(HASH, NULL, ks[s], 24, 16, variant->flags);
		int k, found = 0;

		ASSERT_LE(0, fd);
		/* keys that differ only in their last byte */
		for (k = 0; k < 16; k++) {
			memset(key, 0xa5, ks[s]);
			key[ks[s] - 1] = k;
			mr_fill(in, 24, k * 100000 + ks[s]);
			ASSERT_EQ(0, mapring_map_update_elem(fd, key, in,
							     MAPRING_NOEXIST));
		}
		memset(key, 0xa5, ks[s]);
		key[ks[s] - 1] = 16;
		EXPECT_EQ(-E2BIG, mapring_map_update_elem(fd, key, in, 0));
		for (k = 0; k < 16; k++) {
			memset(key, 0xa5, ks[s]);
			key[ks[s] - 1] = k;
			mr_fill(in, 24, k * 100000 + ks[s]);
			ASSERT_EQ(0, mapring_map_lookup_elem(fd, key, out));
			EXPECT_EQ(0, memcmp(in, out, vb));
		}
		if (mapring_map_get_next_key(fd, NULL, next) == 0) {
			do {
				found++;
				memcpy(key, next, ks[s]);
			} while (!mapring_map_get_next_key(fd, key, next));
		}
		EXPECT_EQ(16, found);
		for (k = 0; k < 16; k++) {
			memset(key, 0xa5, ks[s]);
			key[ks[s] - 1] = k;
			ASSERT_EQ(0, mapring_map_delete_elem(fd, key));
		}
		EXPECT_EQ(-ENOENT, mapring_map_get_next_key(fd, NULL, next));
		close(fd);
	}
	free(in);
	free(out);
}

TEST_F(hash, full_then_room_again)
{
	size_t vb = mr_vbytes(8);
	__u64 *v = calloc(1, vb);
	__u32 key, max = 100;
	int fd = mr_create(HASH, NULL, 4, 8, max, variant->flags);

	ASSERT_LE(0, fd);
	for (key = 0; key < max; key++)
		ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	EXPECT_EQ(-E2BIG, mapring_map_update_elem(fd, &key, v, 0));
	key = 42;
	ASSERT_EQ(0, mapring_map_delete_elem(fd, &key));
	key = max;
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	key = max + 1;
	EXPECT_EQ(-E2BIG, mapring_map_update_elem(fd, &key, v, 0));
	close(fd);
	free(v);
}

TEST_F(hash, many_entries)
{
	int n = self->n, i;
	__u32 key, max = 5000, walked = 0;
	__u64 *v = calloc(n, 8);
	unsigned char *seen = calloc(max, 1);
	int fd = mr_create(HASH, NULL, 4, 8, max, variant->flags);

	ASSERT_LE(0, fd);
	for (key = 0; key < max; key++) {
		for (i = 0; i < n; i++)
			v[i] = (__u64)key << 8 | i;
		ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	}
	for (key = 0; key < max; key++) {
		ASSERT_EQ(0, mapring_map_lookup_elem(fd, &key, v));
		for (i = 0; i < n; i++)
			ASSERT_EQ((__u64)key << 8 | i, v[i]);
	}
	if (!mapring_map_get_next_key(fd, NULL, &key)) {
		do {
			ASSERT_LT(key, max);
			EXPECT_EQ(0, seen[key]);
			seen[key] = 1;
			walked++;
		} while (!mapring_map_get_next_key(fd, &key, &key));
	}
	EXPECT_EQ(max, walked);
	close(fd);
	free(v);
	free(seen);
}

/* A new element written from user space sets every CPU. */
TEST_F(hash, new_element_sets_all_cpus)
{
	int n = self->n, i;
	__u64 *v = calloc(n, 8), one = 7;
	__u32 key = 5;
	int fd = mr_create(HASH, NULL, 4, 8, 4, variant->flags);

	ASSERT_LE(0, fd);
	mr_fill(v, 8, 1);
	ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	ASSERT_EQ(0, mapring_map_delete_elem(fd, &key));
	/* the recycled element forgets its old values */
	ASSERT_EQ(0, mapring_map_update_elem(fd, &key, &one, MR_CPU(0)));
	ASSERT_EQ(0, mapring_map_lookup_elem(fd, &key, v));
	EXPECT_EQ(7, v[0]);
	for (i = 1; i < n; i++)
		EXPECT_EQ(0, v[i]);
	close(fd);
	free(v);
}

/* ---- LRU ------------------------------------------------------------------ */

#define LRU MAPRING_OBJ_LRU_PERCPU_HASH

TEST(lru_create)
{
	struct mapring_map_info info;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	/* bpf(): an LRU map is always preallocated */
	EXPECT_EQ(MR_ENOTSUPP, mr_err(mr_create(LRU, NULL, 4, 8, 4,
						MAPRING_F_NO_PREALLOC)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(HASH, NULL, 4, 8, 4,
					   MAPRING_F_NO_COMMON_LRU)));
	EXPECT_EQ(E2BIG, mr_err(mr_create(LRU, NULL, 4, 32769, 4, 0)));
	/* per-CPU LRU lists: bpf() rounds to whole per-CPU shares */
	fd = mr_create(LRU, NULL, 4, 8, 5, MAPRING_F_NO_COMMON_LRU);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mapring_map__info(fd, &info));
	EXPECT_EQ(LRU, info.map_type);
	EXPECT_EQ((5 + mr_ncpus() - 1) / mr_ncpus() * mr_ncpus(),
		  info.max_entries);
	close(fd);
}

static int present(int fd, __u32 key)
{
	__u64 v[64];

	return mapring_map_lookup_elem(fd, &key, v) == 0;
}

/* A full LRU map evicts the least recently used element, never fails. */
TEST(lru_evicts_least_recent)
{
	__u64 *v = calloc(mr_ncpus(), 8);
	__u32 key;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(LRU, NULL, 4, 8, 4, 0);
	ASSERT_LE(0, fd);
	for (key = 1; key <= 4; key++)
		ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	/* user-space reads are not uses (as in bpf()) */
	EXPECT_TRUE(present(fd, 1));
	key = 5;
	ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	EXPECT_FALSE(present(fd, 1));
	for (key = 2; key <= 5; key++)
		EXPECT_TRUE(present(fd, key));
	/* an update is a use: 2 gets a second chance, 3 goes */
	key = 2;
	ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_EXIST));
	key = 6;
	ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_ANY));
	EXPECT_FALSE(present(fd, 3));
	EXPECT_TRUE(present(fd, 2));
	EXPECT_TRUE(present(fd, 4));
	EXPECT_TRUE(present(fd, 6));
	/* NOEXIST on an existing key still fails before any eviction */
	key = 4;
	EXPECT_EQ(-EEXIST, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	EXPECT_TRUE(present(fd, 5));
	/* deleting makes room without evicting */
	ASSERT_EQ(0, mapring_map_delete_elem(fd, &key));
	key = 7;
	ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_ANY));
	EXPECT_TRUE(present(fd, 2));
	EXPECT_TRUE(present(fd, 5));
	EXPECT_TRUE(present(fd, 6));
	close(fd);
	free(v);
}

/* Many more keys than entries: the map never holds more than max. */
TEST(lru_churn)
{
	__u64 *v = calloc(mr_ncpus(), 8);
	__u32 key, next, n = 0;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(LRU, NULL, 4, 8, 64, 0);
	ASSERT_LE(0, fd);
	for (key = 0; key < 5000; key++) {
		v[0] = key;
		ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	}
	/* the last 64 inserted survive, each with its own value */
	if (!mapring_map_get_next_key(fd, NULL, &next)) {
		do {
			n++;
			ASSERT_LE(5000 - 64, next);
			ASSERT_EQ(0, mapring_map_lookup_elem(fd, &next, v));
			EXPECT_EQ(next, v[0]);
			key = next;
		} while (!mapring_map_get_next_key(fd, &key, &next));
	}
	EXPECT_EQ(64, n);
	close(fd);
	free(v);
}

TEST_HARNESS_MAIN
