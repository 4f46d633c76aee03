// SPDX-License-Identifier: GPL-2.0
/*
 * Memory of a map is charged to the memory cgroup of whoever created it:
 * the per-CPU areas at creation, and the elements a NO_PREALLOC hash
 * allocates later, whoever inserts them.
 */
#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

#define CHILD "mr_maps"

FIXTURE(cg) {
	int dummy;
};

FIXTURE_SETUP(cg)
{
	int err;

	ASSERT_EQ(0, mr_baseline());
	err = mr_cgroup_create(CHILD);
	if (err)
		SKIP(return, "no cgroup v2 memory controller: %s", strerror(-err));
	ASSERT_EQ(0, mr_cgroup_join(CHILD));
}

FIXTURE_TEARDOWN(cg)
{
	mr_cgroup_remove(CHILD);
}

TEST_F(cg, creation_charged_to_creator)
{
	/* 1000 entries of 4 KiB on every possible CPU */
	long long want = 1000LL * 4096 * mr_ncpus(), before, after;
	int fd;

	before = mr_cgroup_memory(CHILD);
	ASSERT_LE(0, before);
	fd = mr_create(MAPRING_OBJ_PERCPU_ARRAY, NULL, 4, 4096, 1000, 0);
	ASSERT_LE(0, fd);
	after = mr_cgroup_memory(CHILD);
	TH_LOG("memory.current %lld -> %lld, values %lld", before, after, want);
	EXPECT_LE(want, after - before);
	close(fd);
}

TEST_F(cg, later_elements_charged_to_creator)
{
	long long want = 2000LL * 1024 * mr_ncpus(), before, after;
	size_t vb = mr_vbytes(1024);
	void *v = calloc(1, vb);
	__u32 key;
	int fd;

	fd = mr_create(MAPRING_OBJ_PERCPU_HASH, NULL, 4, 1024, 2000,
		       MAPRING_F_NO_PREALLOC);
	ASSERT_LE(0, fd);
	/* insert from outside the cgroup */
	ASSERT_EQ(0, mr_cgroup_join(""));
	before = mr_cgroup_memory(CHILD);
	for (key = 0; key < 2000; key++)
		ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	after = mr_cgroup_memory(CHILD);
	TH_LOG("memory.current %lld -> %lld, values %lld", before, after, want);
	EXPECT_LE(want, after - before);
	close(fd);
	ASSERT_EQ(0, mr_cgroup_join(CHILD));
	free(v);
}

TEST_HARNESS_MAIN
