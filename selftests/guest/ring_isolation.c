// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile ring next to sane ones. On the hostile ring a kernel producer
 * commits while user space floods it with records of edge lengths (0, 1,
 * 7, 8, 9, the largest that fits, one byte more, 2^30) through write(),
 * never consumes, and rewrites consumer_pos at random (ring_hostile covers
 * busy records in detail). Two other rings get kernel producers from a
 * kthread, hardirq and softirq, and a consumer drains them.
 *
 * The other rings' data is intact and exactly accounted: consumed =
 * committed, attempts = committed + dropped, the ring's drop counters equal
 * the producers' drops and producer_pos the bytes consumed. The hostile
 * ring's query stays consistent all along, and its drop counters equal
 * exactly what its producers saw refused. MR_SCALE multiplies the load.
 */
#include <pthread.h>
#include <stdlib.h>

#include "mr_harness.h"
#include "mr_ring.h"

#define HOSTILE 16384
#define GOOD 65536
#define NR_JOBS 4

/* One callback per good ring, so bytes are per ring. */
struct vandal {
	int fd, stop;
	struct mr_map m;
	__u64 writes, ok, eagain, e2big, other, queries, inconsistent;
	__u64 last_drops;
};

static __u64 rnd64(unsigned int *seed)
{
	return ((__u64)rand_r(seed) << 42) ^ ((__u64)rand_r(seed) << 21) ^
	       rand_r(seed);
}

/* What a query may never say, whatever user space wrote. */
static int query_consistent(struct vandal *v)
{
	struct mapring_ring_query q;
	__u64 drops;

	if (mr_ring_query(v->fd, &q))
		return 0;
	v->queries++;
	drops = q.drops_full + q.drops_too_large + q.drops_busy;
	/* pending_pos is read before producer_pos: never past it */
	if (q.producer_pos % 8 || q.pending_pos % 8 ||
	    q.pending_pos > q.producer_pos ||
	    q.avail != q.producer_pos - q.consumer_pos ||
	    q.data_size != HOSTILE || drops < v->last_drops)
		return 0;
	v->last_drops = drops;
	return 1;
}

static void *vandal_fn(void *arg)
{
	static char buf[1 << 15];
	static const size_t lens[] = {
		0, 1, 7, 8, 9, HOSTILE - 16, HOSTILE - 15, 1U << 30,
	};
	struct vandal *v = arg;
	unsigned int seed = 7;
	__u64 prod;
	ssize_t r;

	while (!__atomic_load_n(&v->stop, __ATOMIC_RELAXED)) {
		size_t n = lens[v->writes % 8];

		/* a flood of edge lengths while nothing is consumed */
		r = write(v->fd, buf, n);
		if (r == (ssize_t)n)
			v->ok++;
		else if (errno == EAGAIN)
			v->eagain++;
		else if (errno == E2BIG)
			v->e2big++;
		else
			v->other++;
		v->writes++;
		/* now and then, a consumer_pos from anywhere */
		if (v->writes % 16 == 0) {
			prod = mr_prod_pos(&v->m);
			switch (rand_r(&seed) % 4) {
			case 0:
				mr_set_cons(&v->m, rnd64(&seed));
				break;
			case 1:
				mr_set_cons(&v->m, prod + 8 * (rand_r(&seed) % 64));
				break;
			case 2:
				mr_set_cons(&v->m, prod - HOSTILE + 3);
				break;
			default:
				mr_set_cons(&v->m, prod);
				break;
			}
		}
		if (!query_consistent(v))
			v->inconsistent++;
	}
	return NULL;
}

FIXTURE(iso) {
	int hfd, g1, g2;
};

FIXTURE_SETUP(iso)
{
	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
	self->hfd = mr_ring_create("iso.hostile", HOSTILE, 0, 0, 0);
	self->g1 = mr_ring_create("iso.good1", GOOD, 0, 0, 0);
	self->g2 = mr_ring_create("iso.good2", GOOD, MAPRING_RING_F_BATCH_WAKEUP,
				  GOOD / 4, 1000);
	ASSERT_LE(0, self->hfd);
	ASSERT_LE(0, self->g1);
	ASSERT_LE(0, self->g2);
}

FIXTURE_TEARDOWN(iso)
{
	mr_prod_unload();
	close(self->hfd);
	close(self->g1);
	close(self->g2);
}

TEST_F_TIMEOUT(iso, hostile_ring_harms_only_itself, 600)
{
	const char *s = getenv("MR_SCALE");
	unsigned long scale = s ? strtoul(s, NULL, 0) : 1, n;
	struct vandal v = { .fd = self->hfd };
	struct mr_seen s1, s2;
	struct mapring_ring_query q1, q2, qh;
	struct mr_consumer c = { 0 };
	__u64 drop1, drop2;
	pthread_t tv, tc;
	struct mr_job j[NR_JOBS];

	if (!scale)
		scale = 1;
	n = 10000 * scale;
	mr_seen_init(&s1, NR_JOBS);
	mr_seen_init(&s2, NR_JOBS);
	ASSERT_EQ(0, mr_map_ring(self->hfd, &v.m));
	c.rb = mapring_ring_buffer__new(self->g1, mr_seen_cb, &s1, NULL);
	ASSERT_NE(NULL, c.rb);
	ASSERT_EQ(0, mapring_ring_buffer__add(c.rb, self->g2, mr_seen_cb, &s2));
	ASSERT_EQ(0, pthread_create(&tc, NULL, mr_consume_thread, &c));
	ASSERT_EQ(0, pthread_create(&tv, NULL, vandal_fn, &v));

	ASSERT_EQ(0, mr_prod_cmd("attach iso.hostile"));
	ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread cpu=0 count=%lu size=24 batch=8 gap=50",
				 n));
	ASSERT_EQ(0, mr_prod_cmd("attach iso.good1"));
	ASSERT_EQ(0, mr_prod_cmd("start id=1 ctx=kthread cpu=1 count=%lu size=48 batch=8 gap=100",
				 n));
	ASSERT_EQ(0, mr_prod_cmd("start id=2 ctx=irq cpu=1 count=%lu size=200 batch=4 gap=50",
				 n / 2));
	ASSERT_EQ(0, mr_prod_cmd("attach iso.good2"));
	/* the largest and the smallest record the producer makes */
	ASSERT_EQ(0, mr_prod_cmd("start id=3 ctx=timer cpu=0 count=%lu size=%d batch=1 gap=200",
				 n / 20, GOOD - 16));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	__atomic_store_n(&v.stop, 1, __ATOMIC_RELAXED);
	pthread_join(tv, NULL);
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(tc, NULL);
	ASSERT_LE(0, mapring_ring_buffer__consume(c.rb));

	for (int id = 0; id < NR_JOBS; id++) {
		ASSERT_EQ(0, mr_prod_job(id, &j[id]));
		EXPECT_STREQ("done", j[id].state);
		EXPECT_EQ(j[id].attempts, j[id].committed + j[id].dropped);
		EXPECT_EQ(0, j[id].corrupt);
		TH_LOG("job %d: %llu attempted, %llu committed, %llu dropped",
		       id, j[id].attempts, j[id].committed, j[id].dropped);
	}
	/* the good rings: everything committed consumed, intact, in order */
	EXPECT_EQ(j[1].committed, s1.count[1]);
	EXPECT_EQ(j[2].committed, s1.count[2]);
	EXPECT_EQ(j[3].committed, s2.count[3]);
	EXPECT_EQ(0, s1.count[0] + s2.count[0] + s1.count[3] + s2.count[1]);
	EXPECT_EQ(0, s1.bad + s2.bad + s1.out_of_order + s2.out_of_order);
	ASSERT_EQ(0, mr_ring_query(self->g1, &q1));
	ASSERT_EQ(0, mr_ring_query(self->g2, &q2));
	drop1 = q1.drops_full + q1.drops_busy + q1.drops_too_large;
	drop2 = q2.drops_full + q2.drops_busy + q2.drops_too_large;
	EXPECT_EQ(j[1].dropped + j[2].dropped, drop1);
	EXPECT_EQ(j[3].dropped, drop2);
	EXPECT_EQ(s1.bytes, q1.producer_pos);
	EXPECT_EQ(s2.bytes, q2.producer_pos);
	EXPECT_EQ(q1.producer_pos, q1.consumer_pos);
	EXPECT_EQ(q2.producer_pos, q2.consumer_pos);
	TH_LOG("good rings: %llu + %llu records consumed, %llu + %llu dropped",
	       s1.count[1] + s1.count[2], s2.count[3], drop1, drop2);

	/* the hostile ring: consistent, and every refusal counted once */
	ASSERT_EQ(0, mr_ring_query(self->hfd, &qh));
	EXPECT_EQ(0, v.inconsistent);
	EXPECT_EQ(0, v.other);
	EXPECT_EQ(j[0].dropped + v.eagain + v.e2big,
		  qh.drops_full + qh.drops_too_large + qh.drops_busy);
	EXPECT_EQ(qh.drops_full, v.m.prod->drops_full);
	EXPECT_EQ(qh.drops_too_large, v.m.prod->drops_too_large);
	EXPECT_EQ(v.e2big, qh.drops_too_large);
	EXPECT_LT(0, v.ok);
	EXPECT_LT(0, v.eagain);
	TH_LOG("hostile ring: %llu writes (%llu ok, %llu full, %llu too large), %llu queries",
	       v.writes, v.ok, v.eagain, v.e2big, v.queries);
	mapring_ring_buffer__free(c.rb);
	mr_unmap_ring(&v.m);
}

TEST_HARNESS_MAIN
