// SPDX-License-Identifier: GPL-2.0
/*
 * Multi-producer stress: kernel producers in a kthread on each CPU, in
 * hardirq, in softirq and in NMI, plus user-space producers through
 * MAPRING_IOC_RING_OUTPUT and write(), more than a million records in all,
 * consumed by the library. Every record must arrive exactly once, intact
 * and in its producer's order, or be counted as dropped:
 * produced = consumed + dropped, exactly, per producer and for the ring.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mr_harness.h"
#include "mr_ring.h"

#define NR_IDS 16
#define USER_ID0 10
#define NR_USER 2
#define USER_COUNT 60000

struct user_producer {
	int fd;
	__u32 id;
	__u64 committed, dropped;
	int errors;
	int finished;
};

static void *user_fn(void *arg)
{
	struct user_producer *u = arg;
	__u8 rec[64];
	int err;

	for (__u64 seq = 0; seq < USER_COUNT; seq++) {
		__u32 size = 24 + (seq % 5) * 8;

		mr_rec_fill(rec, seq, u->id, size);
		/* half through write(), half through the ioctl */
		if (seq & 1)
			err = write(u->fd, rec, size) == size ? 0 : -errno;
		else
			err = mr_ring_output(u->fd, rec, size, 0);
		if (!err)
			u->committed++;
		else if (err == -EAGAIN)
			u->dropped++;
		else
			u->errors++;
		if (seq % 64 == 63)
			sched_yield();
	}
	__atomic_store_n(&u->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *const jobs[] = {
	"start id=0 ctx=kthread cpu=0 count=300000 size=32 batch=64",
	"start id=1 ctx=kthread cpu=1 count=300000 size=48 batch=64",
	"start id=2 ctx=irq cpu=1 count=200000 size=40 batch=32",
	"start id=3 ctx=timer cpu=0 count=150000 size=24 batch=64 gap=20",
	"start id=4 ctx=nmi cpu=0 count=20000 size=32 batch=4",
	"start id=5 ctx=kthread count=30000 size=400 batch=16 mode=mixed",
};

FIXTURE(stress) {
	int fd;
};

FIXTURE_SETUP(stress)
{
	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
	self->fd = mr_ring_create("stress", 1 << 20, 0, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mr_prod_cmd("attach stress"));
}

FIXTURE_TEARDOWN(stress)
{
	mr_prod_unload();
	close(self->fd);
}

TEST_F_TIMEOUT(stress, million_records_exactly_accounted, 400)
{
	struct mr_seen *s = calloc(1, sizeof(*s));
	struct user_producer u[NR_USER];
	struct mapring_ring_buffer *rb;
	unsigned long long produced = 0, consumed = 0, dropped = 0;
	struct mapring_ring_query q;
	pthread_t t[NR_USER];
	struct mr_job j;
	double t0, dt;
	int done, n;

	ASSERT_NE(NULL, s);
	mr_seen_init(s, NR_IDS);
	rb = mapring_ring_buffer__new(self->fd, mr_seen_cb, s, NULL);
	ASSERT_NE(NULL, rb);

	t0 = now_s();
	for (size_t i = 0; i < ARRAY_SIZE(jobs); i++)
		ASSERT_EQ(0, mr_prod_cmd("%s", jobs[i]));
	for (int i = 0; i < NR_USER; i++) {
		u[i] = (struct user_producer){ .fd = self->fd, .id = USER_ID0 + i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, user_fn, &u[i]));
	}
	for (done = 0; !done;) {
		n = mapring_ring_buffer__poll(rb, 50);
		ASSERT_LE(0, n);
		if (n > 1000)
			continue;
		done = 1;
		for (size_t i = 0; i < ARRAY_SIZE(jobs); i++) {
			ASSERT_EQ(0, mr_prod_job(i, &j));
			done &= strcmp(j.state, "running") != 0;
		}
		for (int i = 0; i < NR_USER; i++)
			done &= __atomic_load_n(&u[i].finished, __ATOMIC_ACQUIRE);
	}
	for (int i = 0; i < NR_USER; i++)
		pthread_join(t[i], NULL);
	ASSERT_LE(0, mapring_ring_buffer__consume(rb));
	dt = now_s() - t0;

	EXPECT_EQ(0, s->bad);
	EXPECT_EQ(0, s->out_of_order);
	for (size_t i = 0; i < ARRAY_SIZE(jobs); i++) {
		ASSERT_EQ(0, mr_prod_job(i, &j));
		EXPECT_STREQ("done", j.state);
		EXPECT_EQ(0, j.corrupt);
		EXPECT_EQ(j.attempts, j.committed + j.discarded + j.dropped);
		EXPECT_EQ(j.committed, s->count[i]) {
			TH_LOG("job %zu: %llu committed, %llu consumed", i,
			       j.committed, (unsigned long long)s->count[i]);
		}
		produced += j.attempts;
		consumed += s->count[i];
		dropped += j.dropped + j.discarded;
	}
	for (int i = 0; i < NR_USER; i++) {
		EXPECT_EQ(0, u[i].errors);
		EXPECT_EQ(u[i].committed, s->count[USER_ID0 + i]);
		produced += USER_COUNT;
		consumed += s->count[USER_ID0 + i];
		dropped += u[i].dropped;
	}
	EXPECT_LE(1000000, produced);
	EXPECT_EQ(produced, consumed + dropped);

	/* the ring's own drop counters agree with the producers' */
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	ASSERT_EQ(0, mr_prod_job(5, &j));
	EXPECT_EQ(dropped - j.discarded, q.drops_full + q.drops_busy);
	EXPECT_EQ(0, q.drops_too_large);
	EXPECT_EQ(q.producer_pos, q.consumer_pos);
	TH_LOG("%llu produced, %llu consumed, %llu dropped or discarded", produced, consumed,
	       dropped);
	TH_LOG("(full %llu, busy %llu) in %.1f s: %.0f records/s produced, %.0f consumed",
	       (unsigned long long)q.drops_full, (unsigned long long)q.drops_busy, dt,
	       produced / dt, consumed / dt);
	mapring_ring_buffer__free(rb);
	free(s);
}

TEST_HARNESS_MAIN
