// SPDX-License-Identifier: GPL-2.0
/*
 * Batches: bpf()'s cursor and count rules, and what count and out_batch
 * hold on every error path (the library writes count back as libbpf does).
 */
#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

#define ARR MAPRING_OBJ_PERCPU_ARRAY
#define HASH MAPRING_OBJ_PERCPU_HASH
#define UNTOUCHED 0xdeadbeefu

/* array_map_batch_ops.c: value(i, cpu j) = i + 1 + j, read in steps of 3 */
TEST(array_lookup_steps)
{
	int n = mr_ncpus(), fd, j;
	__u32 keys[8], in, out, count, i, got = 0;
	__u64 *v = calloc(n, 8), *vals = calloc(8 * n, 8);

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(ARR, NULL, 4, 8, 7, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 7; i++) {
		for (j = 0; j < n; j++)
			v[j] = i + 1 + j;
		ASSERT_EQ(0, mapring_map_update_elem(fd, &i, v, 0));
	}
	/* count 0: nothing happens */
	count = 0;
	out = UNTOUCHED;
	EXPECT_EQ(0, mapring_map_lookup_batch(fd, NULL, &out, keys, vals,
					      &count, NULL));
	EXPECT_EQ(UNTOUCHED, out);

	count = 3;
	ASSERT_EQ(0, mapring_map_lookup_batch(fd, NULL, &out, keys, vals,
					      &count, NULL));
	EXPECT_EQ(3, count);
	EXPECT_EQ(2, out);
	got += count;
	in = out;
	ASSERT_EQ(0, mapring_map_lookup_batch(fd, &in, &out, keys + 3,
					      vals + 3 * n, &count, NULL));
	EXPECT_EQ(3, count);
	EXPECT_EQ(5, out);
	got += count;
	in = out;
	count = 3;
	/* the end: ENOENT, with count and out_batch valid */
	EXPECT_EQ(-ENOENT, mapring_map_lookup_batch(fd, &in, &out, keys + 6,
						    vals + 6 * n, &count, NULL));
	EXPECT_EQ(1, count);
	EXPECT_EQ(6, out);
	got += count;
	ASSERT_EQ(7, got);
	for (i = 0; i < 7; i++) {
		EXPECT_EQ(i, keys[i]);
		for (j = 0; j < n; j++)
			EXPECT_EQ(i + 1 + j, vals[i * n + j]);
	}
	/* past the end: ENOENT, count 0, out_batch not written */
	in = 6;
	count = 3;
	out = UNTOUCHED;
	EXPECT_EQ(-ENOENT, mapring_map_lookup_batch(fd, &in, &out, keys, vals,
						    &count, NULL));
	EXPECT_EQ(0, count);
	EXPECT_EQ(UNTOUCHED, out);
	/* a cursor out of range starts over, as get_next_key does */
	in = 100;
	count = 2;
	EXPECT_EQ(0, mapring_map_lookup_batch(fd, &in, &out, keys, vals,
					      &count, NULL));
	EXPECT_EQ(2, count);
	EXPECT_EQ(1, out);
	close(fd);
	free(v);
	free(vals);
}

TEST(array_error_paths)
{
	int n = mr_ncpus(), fd;
	__u32 keys[4] = { 0, 1, 9, 2 }, count, out;
	__u64 *vals = calloc(4 * n, 8);
	struct mapring_map_batch_opts o = { .sz = sizeof(o) };
	int ret;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(ARR, NULL, 4, 8, 4, 0);
	ASSERT_LE(0, fd);
	/* arrays have neither delete batch: 524, count left alone */
	count = 4;
	EXPECT_EQ(-MR_ENOTSUPP, mapring_map_delete_batch(fd, keys, &count, NULL));
	EXPECT_EQ(4, count);
	ret = mapring_map_lookup_and_delete_batch(fd, NULL, &out, keys, vals,
						  &count, NULL);
	EXPECT_EQ(-MR_ENOTSUPP, ret);
	EXPECT_EQ(4, count);
	/* update stops at the first error; count says how far it got */
	EXPECT_EQ(-E2BIG, mapring_map_update_batch(fd, keys, vals, &count, NULL));
	EXPECT_EQ(2, count);
	/* elem_flags other than CPU flags: EINVAL before count is touched */
	o.elem_flags = MAPRING_NOEXIST;
	count = 4;
	EXPECT_EQ(-EINVAL, mapring_map_update_batch(fd, keys, vals, &count, &o));
	EXPECT_EQ(4, count);
	o.elem_flags = MAPRING_F_LOCK;
	EXPECT_EQ(-EINVAL, mapring_map_lookup_batch(fd, NULL, &out, keys, vals,
						    &count, &o));
	EXPECT_EQ(4, count);
	/* unreadable keys: EFAULT after count was zeroed */
	count = 4;
	EXPECT_EQ(-EFAULT, mapring_map_update_batch(fd, NULL, vals, &count, NULL));
	EXPECT_EQ(0, count);
	count = 4;
	EXPECT_EQ(-EFAULT, mapring_map_lookup_batch(fd, NULL, &out, keys, NULL,
						    &count, NULL));
	EXPECT_EQ(0, count);
	count = 4;
	EXPECT_EQ(-EFAULT, mapring_map_lookup_batch(fd, (void *)8, &out, keys,
						    vals, &count, NULL));
	EXPECT_EQ(0, count);
	close(fd);
	free(vals);
}

FIXTURE(hash) {
	int fd, n;
	__u64 *vals;
};

FIXTURE_VARIANT(hash) {
	__u32 flags;
};

FIXTURE_VARIANT_ADD(hash, prealloc) {
	.flags = MAPRING_F_ZERO_SEED,
};

FIXTURE_VARIANT_ADD(hash, no_prealloc) {
	.flags = MAPRING_F_ZERO_SEED | MAPRING_F_NO_PREALLOC,
};

FIXTURE_SETUP(hash)
{
	ASSERT_EQ(0, mr_baseline());
	self->n = mr_ncpus();
	self->fd = mr_create(HASH, NULL, 4, 8, 8, variant->flags);
	ASSERT_LE(0, self->fd);
	self->vals = calloc(16 * self->n, 8);
}

FIXTURE_TEARDOWN(hash)
{
	close(self->fd);
	free(self->vals);
}

static int fill(int fd, int n, __u32 nkeys)
{
	__u64 v[64];
	__u32 k;
	int j, err;

	for (k = 0; k < nkeys; k++) {
		for (j = 0; j < n; j++)
			v[j] = k * 100 + j;
		err = mapring_map_update_elem(fd, &k, v, MAPRING_NOEXIST);
		if (err)
			return err;
	}
	return 0;
}

TEST_F(hash, empty_and_zero_count)
{
	__u32 keys[16], count = 16, out = UNTOUCHED, in;

	EXPECT_EQ(-ENOENT, mapring_map_lookup_batch(self->fd, NULL, &out, keys,
						    self->vals, &count, NULL));
	EXPECT_EQ(0, count);
	EXPECT_EQ(8, out);	/* the bucket count: the end */
	count = 0;
	out = UNTOUCHED;
	EXPECT_EQ(0, mapring_map_lookup_batch(self->fd, NULL, &out, keys,
					      self->vals, &count, NULL));
	EXPECT_EQ(UNTOUCHED, out);
	/* a cursor past the last bucket: ENOENT, nothing written */
	in = 8;
	count = 4;
	EXPECT_EQ(-ENOENT, mapring_map_lookup_batch(self->fd, &in, &out, keys,
						    self->vals, &count, NULL));
	EXPECT_EQ(0, count);
	EXPECT_EQ(UNTOUCHED, out);
}

TEST_F(hash, bad_flags)
{
	__u32 keys[16], count = 16, out = UNTOUCHED;
	struct mapring_map_batch_opts o = { .sz = sizeof(o), .flags = 1 };
	int ret;

	ASSERT_EQ(0, fill(self->fd, self->n, 3));
	EXPECT_EQ(-EINVAL, mapring_map_lookup_batch(self->fd, NULL, &out, keys,
						    self->vals, &count, &o));
	EXPECT_EQ(16, count);
	o.flags = 0;
	o.elem_flags = MAPRING_F_LOCK;
	ret = mapring_map_lookup_and_delete_batch(self->fd, NULL, &out, keys,
						  self->vals, &count, &o);
	EXPECT_EQ(-EINVAL, ret);
	o.elem_flags = 1;
	EXPECT_EQ(-EINVAL, mapring_map_delete_batch(self->fd, keys, &count, &o));
	EXPECT_EQ(16, count);
	EXPECT_EQ(UNTOUCHED, out);
}

/*
 * Step through with count 1: a bucket of two or more does not fit, which
 * is ENOSPC with count 0 and the cursor unchanged; a larger count takes
 * the whole bucket. Every key is seen once.
 */
TEST_F(hash, enospc_and_full_walk)
{
	__u32 keys[16], count, in = 0, out, seen = 0, enospc = 0, i;
	int ret, j;

	ASSERT_EQ(0, fill(self->fd, self->n, 8));
	for (;;) {
		count = 1;
		out = UNTOUCHED;
		ret = mapring_map_lookup_batch(self->fd, &in, &out, keys,
					       self->vals, &count, NULL);
		if (ret == -ENOSPC) {
			enospc++;
			EXPECT_EQ(0, count);
			EXPECT_EQ(in, out);
			count = 8;
			ret = mapring_map_lookup_batch(self->fd, &in, &out,
						       keys, self->vals,
						       &count, NULL);
			EXPECT_LT(1, count);
		}
		ASSERT_TRUE(ret == 0 || ret == -ENOENT) TH_LOG("ret %d", ret);
		for (i = 0; i < count; i++) {
			ASSERT_LT(keys[i], 8);
			EXPECT_EQ(0, seen & (1u << keys[i]));
			seen |= 1u << keys[i];
			for (j = 0; j < self->n; j++)
				EXPECT_EQ(keys[i] * 100 + j,
					  self->vals[i * self->n + j]);
		}
		if (ret == -ENOENT) {
			EXPECT_EQ(8, out);
			break;
		}
		EXPECT_LT(in, out);
		in = out;
	}
	EXPECT_EQ(0xff, seen);
	/* 8 keys in 8 buckets with bpf()'s zero-seed hash do collide */
	EXPECT_LT(0, enospc);
}

TEST_F(hash, lookup_and_delete_batch_empties)
{
	__u32 keys[16], count = 16, out, next;
	int ret;

	ASSERT_EQ(0, fill(self->fd, self->n, 8));
	ret = mapring_map_lookup_and_delete_batch(self->fd, NULL, &out, keys,
						  self->vals, &count, NULL);
	EXPECT_EQ(-ENOENT, ret);
	EXPECT_EQ(8, count);
	EXPECT_EQ(-ENOENT, mapring_map_get_next_key(self->fd, NULL, &next));
	/* and the elements are free for reuse */
	ASSERT_EQ(0, fill(self->fd, self->n, 8));
}

TEST_F(hash, write_batches_stop_at_first_error)
{
	__u32 keys[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, count = 10;
	__u32 del[4] = { 0, 1, 42, 2 };

	/* 8 fit, the 9th is E2BIG */
	EXPECT_EQ(-E2BIG, mapring_map_update_batch(self->fd, keys, self->vals,
						   &count, NULL));
	EXPECT_EQ(8, count);
	count = 4;
	EXPECT_EQ(-ENOENT, mapring_map_delete_batch(self->fd, del, &count, NULL));
	EXPECT_EQ(2, count);
	count = 1;
	EXPECT_EQ(0, mapring_map_delete_batch(self->fd, &del[3], &count, NULL));
	EXPECT_EQ(1, count);
	count = 2;
	EXPECT_EQ(-EFAULT, mapring_map_delete_batch(self->fd, NULL, &count, NULL));
	EXPECT_EQ(0, count);
}

TEST_HARNESS_MAIN
