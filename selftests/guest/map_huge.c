// SPDX-License-Identifier: GPL-2.0
/*
 * Maps whose tables are larger than the machine's memory (the VM has
 * 1 GiB) but within the size checks: creation fails with -ENOMEM and the
 * OOM killer is never woken (the fuzzer found it killing processes for a
 * table of preallocated elements near the size of RAM; later, on the KASAN
 * kernel, through vmalloc()'s page tables), and the module still works
 * afterwards.
 */
#include <stdio.h>

#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

/* /proc/vmstat's oom_kill: processes the OOM killer has killed. */
static long oom_kills(void)
{
	char line[128];
	long n = -1;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "oom_kill %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

FIXTURE(huge) {
	long kills;
};

FIXTURE_SETUP(huge)
{
	ASSERT_EQ(0, mr_baseline());
	/* -1 without CONFIG_VM_EVENT_COUNTERS: an OOM kill still fails us */
	self->kills = oom_kills();
}

FIXTURE_TEARDOWN(huge)
{
}

/*
 * vmalloc() itself refuses more than the machine's RAM: ask for 95% of
 * it, more than is free. Preallocated elements of a 64-byte key take
 * 120 bytes each.
 */
static __u32 entries_for(long bytes_each)
{
	return (__u32)(mr_meminfo_kb("MemTotal") * 1024 / 100 * 95 /
		       bytes_each);
}

TEST_F_TIMEOUT(huge, hash_elements_beyond_memory, 400)
{
	EXPECT_EQ(-ENOMEM, mr_create(MAPRING_OBJ_PERCPU_HASH, "huge", 64, 8,
				     entries_for(120), 0));
	EXPECT_EQ(-ENOMEM, mr_create(MAPRING_OBJ_LRU_PERCPU_HASH, "huge", 64,
				     8, entries_for(120), 0));
	EXPECT_EQ(self->kills, oom_kills());
}

/* an array's table of per-CPU pointers, 8 bytes an entry */
TEST_F_TIMEOUT(huge, array_pointers_beyond_memory, 400)
{
	EXPECT_EQ(-ENOMEM, mr_create(MAPRING_OBJ_PERCPU_ARRAY, "huge", 4, 8,
				     entries_for(8), 0));
	EXPECT_EQ(self->kills, oom_kills());
}

/* and everything still works: the name is free, a small map is made */
TEST_F(huge, module_works_afterwards)
{
	int fd;

	/* the failed creations above left their name free */
	fd = mr_create(MAPRING_OBJ_PERCPU_HASH, "huge", 8, 8, 16, 0);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(self->kills, oom_kills());
}

TEST_HARNESS_MAIN
