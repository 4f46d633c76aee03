// SPDX-License-Identifier: GPL-2.0
/*
 * The library's C API against the module: libbpf's conventions (negative
 * errno and errno, opts structs with sz, count written back on errors),
 * the possible-CPU count, aggregation, read-and-reset and open by name.
 */
#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

TEST(possible_not_online)
{
	int ids[8], n;

	ASSERT_EQ(0, mr_baseline());
	n = mapring_num_possible_cpus();
	EXPECT_EQ(mr_cpulist_count("/sys/devices/system/cpu/possible"), n);
	/* the VM boots more possible CPUs than online ones */
	EXPECT_LT(mr_cpulist_count("/sys/devices/system/cpu/online"), n);
	ASSERT_EQ(n, mapring_possible_cpu_ids(ids, 8));
	for (int i = 0; i < n && i < 8; i++)
		EXPECT_EQ(i, ids[i]);
	/* the module agrees */
	{
		int dev = mapring_dev__open();
		struct mapring_info info;

		ASSERT_LE(0, dev);
		ASSERT_EQ(0, mapring_dev__info(dev, &info));
		EXPECT_EQ(n, info.nr_possible_cpus);
		EXPECT_EQ(MAPRING_FEATURES_MAPS,
			  info.features & MAPRING_FEATURES_MAPS);
		close(dev);
	}
}

TEST(errno_conventions)
{
	int fd;
	__u32 key = 9, count = 5;
	__u64 *v = calloc(mr_ncpus(), 8);
	struct {
		struct mapring_map_batch_opts o;
		__u64 future;
	} big = { .o.sz = sizeof(big), .future = 1 };
	struct mapring_map_create_opts co = { .sz = 4 };

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(MAPRING_OBJ_PERCPU_HASH, "lib_hash", 4, 8, 4, 0);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-ENOENT, mapring_map_lookup_elem(fd, &key, v));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-EINVAL, mapring_map_delete_elem_flags(fd, &key, 1));
	/* opts: a too-small sz, unknown non-zero bytes */
	EXPECT_EQ(-EINVAL, mapring_map__create(MAPRING_OBJ_PERCPU_HASH, NULL,
					       4, 8, 4, &co));
	EXPECT_EQ(-EINVAL, mapring_map_delete_batch(fd, &key, &count, &big.o));
	EXPECT_EQ(5, count);
	big.future = 0;
	/* count written back even on error */
	EXPECT_EQ(-ENOENT, mapring_map_delete_batch(fd, &key, &count, &big.o));
	EXPECT_EQ(0, count);
	/* open by name: maps only */
	EXPECT_EQ(-ENOENT, mapring_map__open("no_such_map"));
	{
		int fd2 = mapring_map__open("lib_hash");

		EXPECT_LE(0, fd2);
		close(fd2);
	}
	EXPECT_EQ(-EBADF, mapring_map_lookup_elem(-1, &key, v));
	/* a device fd is not a map fd */
	{
		int dev = mapring_dev__open();

		EXPECT_EQ(-ENOTTY, mapring_map_lookup_elem(dev, &key, v));
		close(dev);
	}
	close(fd);
	free(v);
}

TEST(aggregate_and_reset_through_the_library)
{
	int n, fd;
	__u32 keys[2] = { 0, 1 }, count = 2;
	__u64 *v, res[4];

	ASSERT_EQ(0, mr_baseline());
	n = mr_ncpus();
	v = calloc(n, 16);
	fd = mr_create(MAPRING_OBJ_PERCPU_ARRAY, NULL, 4, 16, 2, 0);
	ASSERT_LE(0, fd);
	for (int c = 0; c < n; c++) {
		v[2 * c] = 1;
		v[2 * c + 1] = c;
	}
	ASSERT_EQ(0, mapring_map_update_elem(fd, &keys[1], v, 0));
	ASSERT_EQ(0, mapring_map_aggregate(fd, MAPRING_AGG_SUM, keys, &count,
					   res, NULL));
	EXPECT_EQ(2, count);
	EXPECT_EQ(0, res[0]);
	EXPECT_EQ(0, res[1]);
	EXPECT_EQ(n, res[2]);
	EXPECT_EQ(n * (n - 1) / 2, res[3]);
	ASSERT_EQ(0, mapring_map_read_and_reset(fd, keys, &count, res, NULL));
	EXPECT_EQ(n, res[2]);
	ASSERT_EQ(0, mapring_map_read_and_reset(fd, keys, &count, res, NULL));
	EXPECT_EQ(0, res[2]);
	EXPECT_EQ(0, res[3]);
	close(fd);
	free(v);
}

TEST_HARNESS_MAIN
