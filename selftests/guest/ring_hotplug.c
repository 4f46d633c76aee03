// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug under ring load (map_hotplug does the maps): CPUs 1, 2 and 3
 * go offline and online over and over while kernel producers commit from a
 * kthread, a kthread bound to CPU 3, a softirq timer pinned to CPU 2 and
 * hardirq IPIs, and a consumer drains the ring. Nothing committed may be
 * lost: every producer's consumed records equal its committed ones, in
 * order and intact, and attempts = committed + dropped, exactly.
 * MR_SCALE multiplies the load (make fuzz). CPUs 2 and 3 end offline.
 */
#include <pthread.h>
#include <stdlib.h>

#include "mr_harness.h"
#include "mr_ring.h"

#define NR_JOBS 4

static int set_online(int cpu, int on)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	return mr_write_file(path, on ? "1" : "0");
}

struct plug {
	int stop, err;
	unsigned long cycles;
};

static void *plugger(void *arg)
{
	static const int cpus[] = { 1, 2, 3 };
	struct plug *p = arg;

	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) {
		int cpu = cpus[p->cycles % 3];

		p->err = set_online(cpu, 0);
		if (!p->err)
			p->err = set_online(cpu, 1);
		if (p->err)
			break;
		p->cycles++;
	}
	return NULL;
}

FIXTURE(hp) {
	int fd;
};

FIXTURE_SETUP(hp)
{
	self->fd = -1;
	ASSERT_EQ(0, mr_baseline());
	if (mr_cpulist_count("/sys/devices/system/cpu/possible") < 4)
		SKIP(return, "needs 4 possible CPUs");
	ASSERT_EQ(0, mr_prod_load(NULL));
	self->fd = mr_ring_create("hp.ring", 256 << 10, 0, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mr_prod_cmd("attach hp.ring"));
}

FIXTURE_TEARDOWN(hp)
{
	mr_prod_unload();
	if (self->fd >= 0)
		close(self->fd);
	set_online(1, 1);
	set_online(2, 0);
	set_online(3, 0);
}

TEST_F_TIMEOUT(hp, nothing_committed_is_lost, 600)
{
	const char *s = getenv("MR_SCALE");
	unsigned long scale = s ? strtoul(s, NULL, 0) : 1, n;
	struct mapring_ring_query q;
	struct mr_consumer c = { 0 };
	struct plug p = { 0 };
	struct mr_seen seen;
	__u64 dropped = 0;
	pthread_t tp, tc;
	struct mr_job j;

	if (!scale)
		scale = 1;
	n = 20000 * scale;
	mr_seen_init(&seen, NR_JOBS);
	ASSERT_EQ(0, set_online(2, 1));
	ASSERT_EQ(0, set_online(3, 1));
	c.rb = mapring_ring_buffer__new(self->fd, mr_seen_cb, &seen, NULL);
	ASSERT_NE(NULL, c.rb);
	ASSERT_EQ(0, pthread_create(&tc, NULL, mr_consume_thread, &c));
	ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread count=%lu size=40 batch=16 gap=200", n));
	ASSERT_EQ(0, mr_prod_cmd("start id=1 ctx=kthread cpu=3 count=%lu size=100 batch=8 gap=200",
				 n));
	ASSERT_EQ(0, mr_prod_cmd("start id=2 ctx=timer cpu=2 count=%lu size=64 batch=8 gap=50",
				 n / 2));
	ASSERT_EQ(0, mr_prod_cmd("start id=3 ctx=irq cpu=0 count=%lu size=32 batch=8 gap=20",
				 n / 2));
	ASSERT_EQ(0, pthread_create(&tp, NULL, plugger, &p));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELAXED);
	pthread_join(tp, NULL);
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(tc, NULL);
	/* everything committed is there to read now */
	ASSERT_LE(0, mapring_ring_buffer__consume(c.rb));
	ASSERT_EQ(0, p.err);

	for (int id = 0; id < NR_JOBS; id++) {
		ASSERT_EQ(0, mr_prod_job(id, &j));
		EXPECT_STREQ("done", j.state);
		EXPECT_EQ(j.attempts, j.committed + j.dropped);
		EXPECT_EQ(j.committed, seen.count[id]);
		EXPECT_EQ(0, j.corrupt);
		dropped += j.dropped;
		TH_LOG("job %d: %llu attempted, %llu committed and consumed, %llu dropped",
		       id, j.attempts, j.committed, j.dropped);
	}
	EXPECT_EQ(0, seen.bad);
	EXPECT_EQ(0, seen.out_of_order);
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(dropped, q.drops_full + q.drops_busy + q.drops_too_large);
	EXPECT_EQ(q.producer_pos, seen.bytes);
	EXPECT_EQ(q.producer_pos, q.consumer_pos);
	TH_LOG("%lu CPU offline/online cycles under load", p.cycles);
	EXPECT_LT(0, p.cycles);
	mapring_ring_buffer__free(c.rb);
}

TEST_HARNESS_MAIN
