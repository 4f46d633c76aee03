// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU array: creation limits, the single-element commands with
 * bpf()'s errno values (test_maps.c's test_arraymap_percpu and more), value
 * sizes that are not multiples of 8, many keys, access flags.
 */
#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

#define ARR MAPRING_OBJ_PERCPU_ARRAY

TEST(create_limits)
{
	int fd;

	ASSERT_EQ(0, mr_baseline());
	EXPECT_EQ(EINVAL, mr_err(mr_create(ARR, NULL, 8, 8, 4, 0)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(ARR, NULL, 0, 8, 4, 0)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(ARR, NULL, 4, 0, 4, 0)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(ARR, NULL, 4, 8, 0, 0)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(ARR, NULL, 4, 8, 4,
					   MAPRING_F_NO_PREALLOC)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(ARR, NULL, 4, 8, 4,
					   MAPRING_F_NUMA_NODE)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(ARR, NULL, 4, 8, 4,
					   MAPRING_F_ZERO_SEED)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(ARR, NULL, 4, 8, 4, 1U << 10)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(ARR, NULL, 4, 8, 4,
					   MAPRING_F_RDONLY | MAPRING_F_WRONLY)));
	/* rounded value over 32 KiB */
	EXPECT_EQ(E2BIG, mr_err(mr_create(ARR, NULL, 4, 32768 + 1, 1, 0)));
	EXPECT_EQ(E2BIG, mr_err(mr_create(ARR, NULL, 4, 0x80000000u, 1, 0)));
	/* not map types */
	EXPECT_EQ(EINVAL, mr_err(mr_create(MAPRING_OBJ_RINGBUF, NULL, 4, 8, 4, 0)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(99, NULL, 4, 8, 4, 0)));
	EXPECT_EQ(EINVAL, mr_err(mr_create(ARR, "bad name", 4, 8, 4, 0)));
	/* the largest value: 32 KiB exactly */
	fd = mr_create(ARR, NULL, 4, 32768, 2, 0);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST(named_open_info_fdinfo)
{
	struct mapring_map_info info;
	char path[64], text[1024];
	int fd, fd2, flags;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(ARR, "arr_named", 4, 12, 7, 0);
	ASSERT_LE(0, fd);
	flags = fcntl(fd, F_GETFD);
	EXPECT_TRUE(flags & FD_CLOEXEC);
	EXPECT_EQ(EEXIST, mr_err(mr_create(ARR, "arr_named", 4, 12, 7, 0)));
	fd2 = mapring_map__open("arr_named");
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mapring_map__info(fd2, &info));
	EXPECT_EQ(ARR, info.map_type);
	EXPECT_EQ(4, info.key_size);
	EXPECT_EQ(12, info.value_size);
	EXPECT_EQ(7, info.max_entries);
	EXPECT_EQ(mr_ncpus(), info.nr_possible_cpus);
	EXPECT_STREQ("arr_named", info.name);
	EXPECT_NE(0, info.id);
	/* the id opens the same map */
	close(fd2);
	fd2 = mapring_obj__open_by_id(info.id, ARR);
	ASSERT_LE(0, fd2);
	flags = mapring_obj__open_by_id(info.id, MAPRING_OBJ_PERCPU_HASH);
	EXPECT_EQ(-EINVAL, flags);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd2);
	ASSERT_EQ(0, mr_read_file(path, text, sizeof(text)));
	EXPECT_NE(NULL, strstr(text, "mapring_type:\tpercpu_array"));
	EXPECT_NE(NULL, strstr(text, "value_size:\t12"));
	EXPECT_NE(NULL, strstr(text, "max_entries:\t7"));
	close(fd2);
	close(fd);
	/* the name is free again once the last fd is gone */
	fd = mr_create(ARR, "arr_named", 4, 12, 7, 0);
	ASSERT_LE(0, fd);
	close(fd);
}

/* test_maps.c's test_arraymap_percpu, with exact values */
TEST(bpf_arraymap_percpu)
{
	int n = mr_ncpus(), fd, i;
	__u64 *v = calloc(n, 8), *got = calloc(n, 8);
	__u32 key = 1, next;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(ARR, NULL, 4, 8, 2, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < n; i++)
		v[i] = i + 100;
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_ANY));
	v[0] = 0;
	EXPECT_EQ(-EEXIST, mapring_map_update_elem(fd, &key, v, MAPRING_NOEXIST));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_EXIST));
	EXPECT_EQ(-EINVAL, mapring_map_update_elem(fd, &key, v, (__u64)-1));
	EXPECT_EQ(-EINVAL, mapring_map_update_elem(fd, &key, v, 3));
	EXPECT_EQ(-EINVAL, mapring_map_update_elem(fd, &key, v, MAPRING_F_LOCK));
	EXPECT_EQ(-EINVAL, mapring_map_update_elem(fd, &key, v, 1ULL << 33));
	EXPECT_EQ(-EINVAL, mapring_map_lookup_elem_flags(fd, &key, got,
							 MAPRING_F_LOCK));
	EXPECT_EQ(-EINVAL, mapring_map_lookup_elem_flags(fd, &key, got,
							 MAPRING_EXIST));
	ASSERT_EQ(0, mapring_map_lookup_elem(fd, &key, got));
	EXPECT_EQ(0, got[0]);
	for (i = 1; i < n; i++)
		EXPECT_EQ(i + 100, got[i]);
	/* untouched key 0 reads as zero on every CPU */
	key = 0;
	ASSERT_EQ(0, mapring_map_lookup_elem(fd, &key, got));
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, got[i]);
	/* out of range: update E2BIG, lookup ENOENT */
	key = 2;
	EXPECT_EQ(-E2BIG, mapring_map_update_elem(fd, &key, v, MAPRING_ANY));
	EXPECT_EQ(-E2BIG, mapring_map_update_elem(fd, &key, v, MAPRING_EXIST));
	EXPECT_EQ(-ENOENT, mapring_map_lookup_elem(fd, &key, got));
	/* next key: NULL or out of range is 0; 0 -> 1; 1 is the end */
	EXPECT_EQ(0, mapring_map_get_next_key(fd, NULL, &next));
	EXPECT_EQ(0, next);
	key = 99;
	EXPECT_EQ(0, mapring_map_get_next_key(fd, &key, &next));
	EXPECT_EQ(0, next);
	key = 0;
	EXPECT_EQ(0, mapring_map_get_next_key(fd, &key, &next));
	EXPECT_EQ(1, next);
	key = 1;
	EXPECT_EQ(-ENOENT, mapring_map_get_next_key(fd, &key, &next));
	/* arrays do not delete */
	key = 0;
	EXPECT_EQ(-EINVAL, mapring_map_delete_elem(fd, &key));
	EXPECT_EQ(-MR_ENOTSUPP, mapring_map_lookup_and_delete_elem(fd, &key, got));
	close(fd);
	free(v);
	free(got);
}

TEST(bad_pointers_are_efault)
{
	int fd;
	__u32 key = 0;
	__u64 *v = calloc(mr_ncpus(), 8);

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(ARR, NULL, 4, 8, 2, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EFAULT, mapring_map_lookup_elem(fd, NULL, v));
	EXPECT_EQ(-EFAULT, mapring_map_lookup_elem(fd, &key, NULL));
	EXPECT_EQ(-EFAULT, mapring_map_update_elem(fd, &key, NULL, 0));
	EXPECT_EQ(-EFAULT, mapring_map_update_elem(fd, (void *)8, v, 0));
	EXPECT_EQ(-EFAULT, mapring_map_get_next_key(fd, &key, NULL));
	EXPECT_EQ(-EFAULT, mapring_map_delete_elem(fd, NULL));
	/* a struct size the kernel does not accept */
	{
		struct mapring_map_elem e = { .size = 8 };

		EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_MAP_LOOKUP_ELEM, &e));
		EXPECT_EQ(EINVAL, errno);
		e.size = sizeof(e);
		e.__pad0 = 1;
		EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_MAP_LOOKUP_ELEM, &e));
		EXPECT_EQ(EINVAL, errno);
		/* a map fd does not take device commands */
		EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_MAP_CREATE, &e));
		EXPECT_EQ(ENOTTY, errno);
	}
	close(fd);
	free(v);
}

/* Padding of odd value sizes is stored and returned as bpf() does. */
TEST(odd_value_sizes)
{
	static const __u32 sizes[] = { 1, 3, 5, 7, 9, 12, 15, 17, 100, 4095 };

	ASSERT_EQ(0, mr_baseline());
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t bytes = mr_vbytes(sizes[s]);
		unsigned char *in = malloc(bytes), *out = malloc(bytes);
		__u32 key = 2;
		__u64 flags;
		int fd = mr_create(ARR, NULL, 4, sizes[s], 3, 0);

		ASSERT_LE(0, fd);
		for (size_t i = 0; i < bytes; i++)
			in[i] = (unsigned char)(i * 7 + s + 1);
		ASSERT_EQ(0, mapring_map_update_elem(fd, &key, in, 0));
		memset(out, 0xee, bytes);
		ASSERT_EQ(0, mapring_map_lookup_elem(fd, &key, out));
		EXPECT_EQ(0, memcmp(in, out, bytes));
		/* one CPU's value_size bytes with MAPRING_F_CPU */
		memset(out, 0xee, bytes);
		flags = MR_CPU(mr_cpu_id(mr_ncpus() - 1));
		ASSERT_EQ(0, mapring_map_lookup_elem_flags(fd, &key, out, flags));
		EXPECT_EQ(0, memcmp(in + (mr_ncpus() - 1) * mr_stride(sizes[s]),
				    out, sizes[s]));
		EXPECT_EQ(0xee, out[sizes[s]]);
		close(fd);
		free(in);
		free(out);
	}
}

/* test_arraymap_percpu_many_keys: 2000 keys, CPU i holds key + i + 10 */
TEST(many_keys)
{
	int n = mr_ncpus(), fd, i;
	__u64 *v = calloc(n, 8);
	__u32 key;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(ARR, NULL, 4, 8, 2000, 0);
	ASSERT_LE(0, fd);
	for (key = 0; key < 2000; key++) {
		for (i = 0; i < n; i++)
			v[i] = key + i + 10;
		ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, MAPRING_ANY));
	}
	for (key = 0; key < 2000; key++) {
		memset(v, 0, n * 8);
		ASSERT_EQ(0, mapring_map_lookup_elem(fd, &key, v));
		for (i = 0; i < n; i++)
			ASSERT_EQ(key + i + 10, v[i]);
	}
	close(fd);
	free(v);
}

TEST(one_entry)
{
	int fd;
	__u32 key = 0, next = 7;
	__u64 *v = calloc(mr_ncpus(), 8);

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(ARR, NULL, 4, 8, 1, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	EXPECT_EQ(-ENOENT, mapring_map_get_next_key(fd, &key, &next));
	EXPECT_EQ(0, mapring_map_get_next_key(fd, NULL, &next));
	EXPECT_EQ(0, next);
	key = 1;
	EXPECT_EQ(-E2BIG, mapring_map_update_elem(fd, &key, v, 0));
	close(fd);
	free(v);
}

TEST(access_flags)
{
	int fd;
	__u32 key = 0, count = 1;
	__u64 *v = calloc(mr_ncpus(), 8), res;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(ARR, NULL, 4, 8, 1, MAPRING_F_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, mapring_map_lookup_elem(fd, &key, v));
	EXPECT_EQ(-EPERM, mapring_map_update_elem(fd, &key, v, 0));
	EXPECT_EQ(-EPERM, mapring_map_update_batch(fd, &key, v, &count, NULL));
	EXPECT_EQ(0, mapring_map_aggregate(fd, MAPRING_AGG_SUM, &key, &count,
					   &res, NULL));
	EXPECT_EQ(-EPERM, mapring_map_read_and_reset(fd, &key, &count, &res,
						     NULL));
	close(fd);
	fd = mr_create(ARR, NULL, 4, 8, 1, MAPRING_F_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPERM, mapring_map_lookup_elem(fd, &key, v));
	EXPECT_EQ(-EPERM, mapring_map_get_next_key(fd, NULL, &key));
	EXPECT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	close(fd);
	free(v);
}

TEST_HARNESS_MAIN
