// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug: the VM has 4 possible CPUs, 2 online. Values of offline
 * possible CPUs are kept and reported; single-CPU access works on them;
 * CPUs go offline and online while increments run and the count stays
 * exact. CPUs 2 and 3 are put back offline at the end.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>

#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

#define CTL "/sys/kernel/debug/mr_test_counter/ctl"
#define LAST "/sys/kernel/debug/mr_test_counter/last"

static int set_online(int cpu, int on)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	return mr_write_file(path, on ? "1" : "0");
}

#define run(...) mr_write_filef(CTL, __VA_ARGS__)

static unsigned long long last_done(void)
{
	char buf[160];
	unsigned long long done = 0;

	if (mr_read_file(LAST, buf, sizeof(buf)) ||
	    sscanf(buf, "done=%llu", &done) != 1)
		return ~0ULL;
	return done;
}

FIXTURE(hp) {
	int fd, n;
	__u64 *v;
};

FIXTURE_SETUP(hp)
{
	ASSERT_EQ(0, mr_baseline());
	self->n = mr_ncpus();
	if (self->n < 4)
		SKIP(return, "needs 4 possible CPUs");
	if (!mr_module_loaded("mr_test_counter"))
		ASSERT_EQ(0, mr_insmod("mr_test_counter", ""));
	self->fd = mr_create(MAPRING_OBJ_PERCPU_ARRAY, "hp_map", 4, 8, 2, 0);
	ASSERT_LE(0, self->fd);
	self->v = calloc(self->n, 8);
}

FIXTURE_TEARDOWN(hp)
{
	/* back to the VM's starting point: CPUs 2 and 3 offline */
	set_online(2, 0);
	set_online(3, 0);
	close(self->fd);
	free(self->v);
	mr_rmmod("mr_test_counter");
}

TEST_F_TIMEOUT(hp, offline_values_kept, 120)
{
	__u32 key = 0;
	__u64 one = 0;

	ASSERT_EQ(0, set_online(2, 1));
	ASSERT_EQ(0, run("run map=hp_map key=0 count=5000 ctx=kthread cpu=2"));
	ASSERT_EQ(5000, last_done());
	ASSERT_EQ(0, set_online(2, 0));
	/* CPU 2 is offline; its value is still there and reported */
	ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key, self->v));
	EXPECT_EQ(5000, self->v[2]);
	EXPECT_EQ(0, self->v[3]);
	ASSERT_EQ(0, mapring_map_lookup_elem_flags(self->fd, &key, &one,
						   MR_CPU(2)));
	EXPECT_EQ(5000, one);
	/* an offline CPU is still a possible CPU: writable */
	one = 77;
	ASSERT_EQ(0, mapring_map_update_elem(self->fd, &key, &one, MR_CPU(3)));
	ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key, self->v));
	EXPECT_EQ(77, self->v[3]);
	/* sums include offline CPUs */
	{
		__u32 count = 1;
		__u64 sum;

		ASSERT_EQ(0, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM,
						   &key, &count, &sum, NULL));
		EXPECT_EQ(5077, sum);
	}
	/* and survive the CPU coming back */
	ASSERT_EQ(0, set_online(2, 1));
	ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key, self->v));
	EXPECT_EQ(5000, self->v[2]);
	EXPECT_EQ(0, run("run map=hp_map key=0 count=100 ctx=softirq cpu=2"));
	ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key, self->v));
	EXPECT_EQ(5100, self->v[2]);
}

struct plug {
	atomic_int stop;
	int cycles, err;
};

static void *plugger(void *arg)
{
	struct plug *p = arg;

	while (!atomic_load(&p->stop) && p->cycles < 20) {
		p->err = set_online(3, 0);
		if (p->err)
			break;
		p->err = set_online(3, 1);
		if (p->err)
			break;
		p->cycles++;
	}
	return NULL;
}

/* CPU 3 goes off and on while every context counts: still exact. */
TEST_F_TIMEOUT(hp, exact_while_plugging, 240)
{
	static const char * const ctxs[] = { "kthread", "softirq", "hardirq",
					     "task" };
	__u64 total = 0;
	__u32 key = 1, count = 1;

	ASSERT_EQ(0, set_online(2, 1));
	ASSERT_EQ(0, set_online(3, 1));
	for (size_t i = 0; i < ARRAY_SIZE(ctxs); i++) {
		struct plug p = { 0 };
		pthread_t t;
		__u64 sum;
		int ret;

		ASSERT_EQ(0, pthread_create(&t, NULL, plugger, &p));
		ret = run("run map=hp_map key=1 count=1000000 ctx=%s", ctxs[i]);
		atomic_store(&p.stop, 1);
		pthread_join(t, NULL);
		ASSERT_EQ(0, p.err);
		ASSERT_EQ(0, ret);
		total += last_done();
		ASSERT_EQ(0, mapring_map_aggregate(self->fd, MAPRING_AGG_SUM,
						   &key, &count, &sum, NULL));
		TH_LOG("%s: %llu counted, %d plug cycles", ctxs[i],
		       last_done(), p.cycles);
		EXPECT_EQ(total, sum);
		/* an IPI to a CPU that went away is not made, and says so */
		if (strcmp(ctxs[i], "hardirq"))
			EXPECT_LE(1000000, last_done());
		ASSERT_EQ(0, set_online(3, 1));
	}
}

TEST_HARNESS_MAIN
