// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile consumer: user space writes consumer_pos behind, ahead,
 * unaligned and at random while kernel producers hold records busy. The
 * kernel must never hand out a reservation that overlaps a record still
 * being written (each producer checks its record before submitting it),
 * never fault, and the ring must work again once consumer_pos is sane.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mr_harness.h"
#include "mr_ring.h"

#define RING 16384

FIXTURE(hostile) {
	int fd;
	struct mr_map m;
};

FIXTURE_SETUP(hostile)
{
	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
	self->fd = mr_ring_create("hostile", RING, 0, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mr_map_ring(self->fd, &self->m));
	ASSERT_EQ(0, mr_prod_cmd("attach hostile"));
}

FIXTURE_TEARDOWN(hostile)
{
	mr_prod_unload();
	mr_unmap_ring(&self->m);
	close(self->fd);
}

/*
 * CVE-2024-41009: with a record busy at [0, 12008), a consumer_pos that
 * claims everything was consumed would let a second reservation run over
 * that record's header. pending_pos refuses it.
 */
TEST_F(hostile, consumer_pos_cannot_open_a_busy_record)
{
	static char big[8000];
	struct mapring_ring_query q;
	struct mr_job j;

	ASSERT_EQ(0, mr_prod_cmd("start id=0 count=1 size=12000 hold=400000000"));
	while (mr_prod_pos(&self->m) != 12008)
		usleep(1000);
	mr_set_cons(&self->m, 12008);
	EXPECT_EQ(-EAGAIN, mr_ring_output(self->fd, big, sizeof(big), 0));
	/* 4408 bytes would reach it, 4368 do not (and are fine) */
	EXPECT_EQ(-EAGAIN, mr_ring_output(self->fd, big, 4400, 0));
	EXPECT_EQ(0, mr_ring_output(self->fd, big, 4360, 0));
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(2, q.drops_full);
	EXPECT_EQ(0, q.pending_pos);

	ASSERT_EQ(0, mr_prod_cmd("wait"));
	ASSERT_EQ(0, mr_prod_job(0, &j));
	EXPECT_EQ(1, j.committed);
	EXPECT_EQ(0, j.corrupt);
	/* the record is intact for a consumer that goes back to it */
	EXPECT_EQ(12000, mr_hdr_len(&self->m, 0));
	EXPECT_TRUE(mr_rec_ok(mr_sample(&self->m, 0), 12000));
}

struct vandal {
	struct mr_map *m;
	int fd;
	int stop;
	unsigned long writes;
};

static __u64 rnd64(unsigned int *seed)
{
	return ((__u64)rand_r(seed) << 42) ^ ((__u64)rand_r(seed) << 21) ^
	       rand_r(seed);
}

static void *vandal_fn(void *arg)
{
	struct vandal *v = arg;
	unsigned int seed = 1;
	struct mapring_ring_query q;
	struct pollfd p = { .fd = v->fd, .events = POLLIN };
	__u64 prod, pos;

	while (!__atomic_load_n(&v->stop, __ATOMIC_RELAXED)) {
		prod = mr_prod_pos(v->m);
		switch (v->writes % 8) {
		case 0:	/* far behind */
			pos = prod - RING + 8;
			break;
		case 1:	/* impossibly far behind */
			pos = prod - 3 * RING;
			break;
		case 2:	/* ahead */
			pos = prod + 64;
			break;
		case 3:	/* unaligned */
			pos = prod - 13;
			break;
		case 4:	/* anything */
			pos = rnd64(&seed);
			break;
		case 5:	/* plausible */
			pos = prod;
			break;
		case 6:
			pos = prod - RING / 2 + 5;
			break;
		default:
			pos = ~0ULL - (v->writes & 0xfff);
			break;
		}
		mr_set_cons(v->m, pos);
		/* make the kernel look at the header at that position */
		poll(&p, 1, 0);
		mr_ring_query(v->fd, &q);
		v->writes++;
	}
	return NULL;
}

TEST_F_TIMEOUT(hostile, random_consumer_positions_while_producing, 120)
{
	struct vandal v = { .m = &self->m, .fd = self->fd };
	struct mapring_ring_buffer *rb;
	unsigned long long corrupt = 0;
	pthread_t t;
	struct mr_job j;
	int n;

	ASSERT_EQ(0, pthread_create(&t, NULL, vandal_fn, &v));
	ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread cpu=0 count=20000 size=200 %s",
				 "hold=20000 batch=8"));
	ASSERT_EQ(0, mr_prod_cmd("start id=1 ctx=irq cpu=1 count=20000 size=64 hold=5000 batch=4"));
	ASSERT_EQ(0, mr_prod_cmd("start id=2 ctx=timer cpu=0 count=10000 size=1000 hold=10000 %s",
				 "batch=4 gap=10"));
	ASSERT_EQ(0, mr_prod_cmd("start id=3 ctx=nmi cpu=1 count=3000 size=32 hold=2000 batch=2"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	__atomic_store_n(&v.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	for (int id = 0; id < 4; id++) {
		ASSERT_EQ(0, mr_prod_job(id, &j));
		EXPECT_STREQ("done", j.state);
		EXPECT_EQ(j.attempts, j.committed + j.dropped);
		corrupt += j.corrupt;
	}
	EXPECT_EQ(0, corrupt);
	TH_LOG("%lu hostile consumer_pos writes", v.writes);

	/* a sane consumer_pos again: the ring works as before */
	ASSERT_EQ(0, mr_prod_cmd("reset"));
	mr_set_cons(&self->m, mr_prod_pos(&self->m));
	ASSERT_EQ(0, mr_prod_cmd("start id=4 ctx=kthread count=50 size=40"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	ASSERT_EQ(0, mr_prod_job(4, &j));
	EXPECT_EQ(50, j.committed);
	rb = mapring_ring_buffer__new(self->fd, NULL, NULL, NULL);
	EXPECT_EQ(NULL, rb); /* a callback is required */
	EXPECT_EQ(EINVAL, errno);
	{
		struct mr_map *m = &self->m;
		__u64 pos = mr_cons(m), end = mr_prod_pos(m);
		int ok = 0;
		__u32 len;

		for (n = 0; pos < end; n++, pos += mr_rec_len(len)) {
			len = mr_hdr_len(m, pos);
			ok += len == 40 && mr_rec_ok(mr_sample(m, pos), 40) &&
			      ((const struct mr_rec *)mr_sample(m, pos))->seq == n;
		}
		EXPECT_EQ(50, n);
		EXPECT_EQ(50, ok);
	}
}

TEST_HARNESS_MAIN
