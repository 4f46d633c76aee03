// SPDX-License-Identifier: GPL-2.0
/*
 * Memory of a map is charged to the memory cgroup of whoever created it:
 * the per-CPU areas at creation, and the elements a NO_PREALLOC hash
 * allocates later, whoever inserts them.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "mr_map.h"

#include "kselftest_harness.h"
#include "mr_test.h"

#define CG "/sys/fs/cgroup"
#define CHILD CG "/mr_maps"

static long long memory_current(void)
{
	char buf[64];

	if (mr_read_file(CHILD "/memory.current", buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

static int join(const char *cgroup)
{
	char path[128], pid[16];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return mr_write_file(path, pid);
}

FIXTURE(cg) {
	int dummy;
};

FIXTURE_SETUP(cg)
{
	ASSERT_EQ(0, mr_baseline());
	mkdir(CG, 0755);
	if (mount("cgroup2", CG, "cgroup2", 0, NULL) && errno != EBUSY)
		SKIP(return, "no cgroup2: %s", strerror(errno));
	if (mr_write_file(CG "/cgroup.subtree_control", "+memory"))
		SKIP(return, "no memory controller");
	if (mkdir(CHILD, 0755) && errno != EEXIST)
		SKIP(return, "mkdir %s: %s", CHILD, strerror(errno));
	ASSERT_EQ(0, join(CHILD));
}

FIXTURE_TEARDOWN(cg)
{
	join(CG);
	rmdir(CHILD);
}

TEST_F(cg, creation_charged_to_creator)
{
	/* 1000 entries of 4 KiB on every possible CPU */
	long long want = 1000LL * 4096 * mr_ncpus(), before, after;
	int fd;

	before = memory_current();
	ASSERT_LE(0, before);
	fd = mr_create(MAPRING_OBJ_PERCPU_ARRAY, NULL, 4, 4096, 1000, 0);
	ASSERT_LE(0, fd);
	after = memory_current();
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
	ASSERT_EQ(0, join(CG));
	before = memory_current();
	for (key = 0; key < 2000; key++)
		ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	after = memory_current();
	TH_LOG("memory.current %lld -> %lld, values %lld", before, after, want);
	EXPECT_LE(want, after - before);
	close(fd);
	ASSERT_EQ(0, join(CHILD));
	free(v);
}

TEST_HARNESS_MAIN
