// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel aggregation (sum, min, max of u64 or s64 fields over every
 * possible CPU, for one key or a batch) and read-and-reset, with exact
 * values and every argument error.
 */
#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

/* Value of CPU ordinal c: { c + 1, -(c + 1) * 10, 100 - c } + key * 1000 */
struct val {
	__u64 a;
	__s64 b;
	__u64 c;
};

FIXTURE(agg) {
	int fd, n;
};

FIXTURE_VARIANT(agg) {
	__u32 type;
};

FIXTURE_VARIANT_ADD(agg, array) {
	.type = MAPRING_OBJ_PERCPU_ARRAY,
};

FIXTURE_VARIANT_ADD(agg, hash) {
	.type = MAPRING_OBJ_PERCPU_HASH,
};

FIXTURE_SETUP(agg)
{
	struct val *v;
	__u32 key;

	ASSERT_EQ(0, mr_baseline());
	self->n = mr_ncpus();
	self->fd = mr_create(variant->type, NULL, 4, sizeof(struct val), 4, 0);
	ASSERT_LE(0, self->fd);
	v = calloc(self->n, sizeof(*v));
	for (key = 0; key < 3; key++) {
		for (int c = 0; c < self->n; c++) {
			v[c].a = c + 1 + key * 1000;
			v[c].b = -(__s64)(c + 1) * 10 - key * 1000;
			v[c].c = 100 - c + key * 1000;
		}
		ASSERT_EQ(0, mapring_map_update_elem(self->fd, &key, v, 0));
	}
	free(v);
}

FIXTURE_TEARDOWN(agg)
{
	close(self->fd);
}

TEST_F(agg, sum_whole_value)
{
	__u64 res[3] = { 0 };
	__u32 key = 1, count = 1;
	__u64 n = self->n, tri = n * (n + 1) / 2;

	ASSERT_EQ(0, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, &key,
					   &count, res, NULL));
	EXPECT_EQ(1, count);
	EXPECT_EQ(tri + n * 1000, res[0]);
	EXPECT_EQ((__u64)(-(__s64)tri * 10 - (__s64)n * 1000), res[1]);
	EXPECT_EQ(n * 100 - (tri - n) + n * 1000, res[2]);
}

TEST_F(agg, min_max_signed_and_unsigned)
{
	__u32 offs[2] = { 8, 0 }, key = 0, count = 1;
	__u64 res[2], n = self->n;
	struct mapring_map_aggregate_opts o = {
		.sz = sizeof(o), .offsets = offs, .nr_fields = 2,
	};

	/* unsigned: the negative b values are huge */
	ASSERT_EQ(0, mapring_map_aggregate(self->fd, MAPRING_AGG_MIN, &key,
					   &count, res, &o));
	EXPECT_EQ((__u64)(-(__s64)n * 10), res[0]);
	EXPECT_EQ(1, res[1]);
	ASSERT_EQ(0, mapring_map_aggregate(self->fd, MAPRING_AGG_MAX, &key,
					   &count, res, &o));
	EXPECT_EQ((__u64)-10LL, res[0]);
	EXPECT_EQ(n, res[1]);
	o.flags = MAPRING_AGG_F_SIGNED;
	ASSERT_EQ(0, mapring_map_aggregate(self->fd, MAPRING_AGG_MIN, &key,
					   &count, res, &o));
	EXPECT_EQ(-(__s64)n * 10, (__s64)res[0]);
	EXPECT_EQ(1, res[1]);
	ASSERT_EQ(0, mapring_map_aggregate(self->fd, MAPRING_AGG_MAX, &key,
					   &count, res, &o));
	EXPECT_EQ(-10, (__s64)res[0]);
	EXPECT_EQ(n, res[1]);
}

TEST_F(agg, batch_of_keys_and_missing_key)
{
	__u32 keys[4] = { 2, 0, 3, 1 }, count = 4, off = 16;
	__u64 res[4] = { 7, 7, 7, 7 }, n = self->n, tri = n * (n + 1) / 2;
	struct mapring_map_aggregate_opts o = {
		.sz = sizeof(o), .offsets = &off, .nr_fields = 1,
	};
	int expect = variant->type == MAPRING_OBJ_PERCPU_ARRAY ? 0 : -ENOENT;

	/* key 3 exists in the array (zeroes), not in the hash */
	EXPECT_EQ(expect, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, keys,
						&count, res, &o));
	EXPECT_EQ(expect ? 2 : 4, count);
	EXPECT_EQ(n * 100 - (tri - n) + n * 2000, res[0]);
	EXPECT_EQ(n * 100 - (tri - n), res[1]);
	EXPECT_EQ(expect ? 7 : 0, res[2]);
	EXPECT_EQ(expect ? 7 : n * 100 - (tri - n) + n * 1000, res[3]);
	/* out of range for both */
	keys[0] = 99;
	count = 2;
	EXPECT_EQ(-ENOENT, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, keys,
						 &count, res, &o));
	EXPECT_EQ(0, count);
	/* count 0 does nothing */
	count = 0;
	EXPECT_EQ(0, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, keys,
					   &count, res, &o));
	EXPECT_EQ(0, count);
}

TEST_F(agg, bad_arguments)
{
	__u32 key = 0, count = 1, offs[4] = { 0, 8, 16, 0 };
	__u64 res[4];
	struct mapring_map_aggregate_opts o = {
		.sz = sizeof(o), .offsets = offs, .nr_fields = 4,
	};
	struct mapring_map_aggregate a = {
		.size = sizeof(a), .count = 1, .keys = (__u64)(uintptr_t)&key,
		.results = (__u64)(uintptr_t)res, .op = MAPRING_AGG_MIN,
	};

	/* more fields than the value has words */
	EXPECT_EQ(-EINVAL, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, &key,
						 &count, res, &o));
	o.nr_fields = 1;
	offs[0] = 4;		/* not a multiple of 8 */
	EXPECT_EQ(-EINVAL, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, &key,
						 &count, res, &o));
	offs[0] = 24;		/* past the value */
	EXPECT_EQ(-EINVAL, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, &key,
						 &count, res, &o));
	offs[0] = 16;
	EXPECT_EQ(-EINVAL, mapring_map_aggregate(self->fd, 3, &key, &count, res,
						 &o));
	o.flags = 2;
	EXPECT_EQ(-EINVAL, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, &key,
						 &count, res, &o));
	o.flags = 0;
	o.nr_fields = 0;	/* whole value, yet offsets given */
	EXPECT_EQ(-EINVAL, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, &key,
						 &count, res, &o));
	EXPECT_EQ(1, count);
	o.nr_fields = 1;
	EXPECT_EQ(-EFAULT, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, &key,
						 &count, NULL, &o));
	EXPECT_EQ(0, count);
	count = 1;
	EXPECT_EQ(-EFAULT, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM, NULL,
						 &count, res, &o));
	/* read-and-reset only sums */
	EXPECT_EQ(-1, ioctl(self->fd, MAPRING_IOC_MAP_READ_AND_RESET, &a));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(agg, read_and_reset)
{
	__u32 key = 2, count = 1, off = 8;
	__u64 res[3], n = self->n, tri = n * (n + 1) / 2;
	struct val *v = calloc(n, sizeof(*v));
	struct mapring_map_aggregate_opts o = {
		.sz = sizeof(o), .offsets = &off, .nr_fields = 1,
	};

	/* one field: it is zeroed, the others stay */
	ASSERT_EQ(0, mapring_map_read_and_reset(self->fd, &key, &count, res, &o));
	EXPECT_EQ((__u64)(-(__s64)tri * 10 - (__s64)n * 2000), res[0]);
	ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key, v));
	for (__u64 c = 0; c < n; c++) {
		EXPECT_EQ(c + 1 + 2000, v[c].a);
		EXPECT_EQ(0, v[c].b);
	}
	/* the whole value: sums, then all zero, then sums of zero */
	ASSERT_EQ(0, mapring_map_read_and_reset(self->fd, &key, &count, res,
						NULL));
	EXPECT_EQ(tri + n * 2000, res[0]);
	EXPECT_EQ(0, res[1]);
	ASSERT_EQ(0, mapring_map_read_and_reset(self->fd, &key, &count, res,
						NULL));
	EXPECT_EQ(0, res[0]);
	EXPECT_EQ(0, res[2]);
	ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key, v));
	for (__u64 c = 0; c < n; c++)
		EXPECT_EQ(0, v[c].c);
	key = 42;
	EXPECT_EQ(-ENOENT, mapring_map_read_and_reset(self->fd, &key, &count,
						      res, NULL));
	EXPECT_EQ(0, count);
	free(v);
}

/* An odd value size reduces its rounded words, padding included. */
TEST(odd_value_whole)
{
	int n, fd;
	__u32 key = 0, count = 1;
	unsigned char *v;
	__u64 res[2];

	ASSERT_EQ(0, mr_baseline());
	n = mr_ncpus();
	fd = mr_create(MAPRING_OBJ_PERCPU_ARRAY, NULL, 4, 12, 1, 0);
	ASSERT_LE(0, fd);
	v = calloc(n, 16);
	for (int c = 0; c < n; c++) {
		__u64 w0 = c + 1, w1 = 0x100000000ULL + c;

		memcpy(v + c * 16, &w0, 8);
		memcpy(v + c * 16 + 8, &w1, 8);
	}
	ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	ASSERT_EQ(0, mapring_map_aggregate(fd, MAPRING_AGG_MAX, &key, &count,
					   res, NULL));
	EXPECT_EQ(n, res[0]);
	EXPECT_EQ(0x100000000ULL + n - 1, res[1]);
	close(fd);
	free(v);
}

TEST_HARNESS_MAIN
