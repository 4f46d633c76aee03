// SPDX-License-Identifier: GPL-2.0
/*
 * Overwrite rings (MAPRING_RING_F_OVERWRITE), the flight recorder: exact
 * positions and counters as records are overwritten, a busy record never
 * overwritten, the library's consumer counting what it lost and never
 * delivering a torn copy, snapshots of the newest records, a hostile
 * consumer, kernel producers in every context against a live consumer, and
 * the lifecycle of a ring created by a module. Accounting is exact
 * throughout: records committed = records delivered + records lost, and
 * on the kernel's side committed = overwritten + records still in the ring.
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

#define SMALL 4096	/* x86: one page of data */
#define REC 1008	/* a 1000-byte sample in the ring */

static int ow_create(const char *name, __u64 size)
{
	return mr_ring_create(name, size, MAPRING_RING_F_OVERWRITE, 0, 0);
}

/* A user record of size bytes whose first 8 bytes are idx. */
static int put(int fd, __u64 idx, __u32 size)
{
	__u8 buf[4096];

	for (__u32 i = 0; i < size; i++)
		buf[i] = (__u8)(idx * 7 + i);
	if (size >= 8)
		memcpy(buf, &idx, 8);
	return write(fd, buf, size) == (ssize_t)size ? 0 : -errno;
}

static int intact(const void *data, __u32 size, __u64 *idx)
{
	const __u8 *b = data;

	if (size < 8)
		return 0;
	memcpy(idx, b, 8);
	for (__u32 i = 8; i < size; i++)
		if (b[i] != (__u8)(*idx * 7 + i))
			return 0;
	return 1;
}

struct got {
	__u64 idx[64];
	int n, bad;
};

static int got_cb(void *ctx, const void *data, size_t size)
{
	struct got *g = ctx;
	__u64 idx;

	if (!intact(data, size, &idx) || g->n >= 64)
		g->bad++;
	else
		g->idx[g->n++] = idx;
	return 0;
}

/* Records between overwrite_pos and producer_pos, all committed. */
static __u64 records_in_ring(const struct mr_map *m, int *corrupt)
{
	__u64 pos = m->prod->overwrite_pos, end = mr_prod_pos(m), n = 0;
	__u32 len;

	for (; pos != end; pos += mr_rec_len(len), n++) {
		len = mr_hdr_len(m, pos);
		if ((len & MAPRING_RB_BUSY_BIT) || mr_rec_len(len) > end - pos) {
			(*corrupt)++;
			break;
		}
		if (!(len & MAPRING_RB_DISCARD_BIT) &&
		    !mr_rec_ok(mr_sample(m, pos), len))
			(*corrupt)++;
	}
	return n;
}

TEST(flag_feature_and_query)
{
	struct mapring_info info = { .size = sizeof(info) };
	struct mapring_ring_query q;
	int fd, dev;

	ASSERT_EQ(0, mr_baseline());
	dev = open("/dev/mapring", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, ioctl(dev, MAPRING_IOC_INFO, &info));
	EXPECT_TRUE(info.features & MAPRING_FEAT_RING_OVERWRITE);
	close(dev);

	fd = ow_create("ow.flags", SMALL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(MAPRING_RING_F_OVERWRITE, q.ring_flags);
	EXPECT_EQ(0, q.overwrite_pos);
	EXPECT_EQ(0, q.overwritten);
	EXPECT_EQ(0, q.avail);
	close(fd);
	/* with batched wake-ups too; unknown flags still refused */
	fd = mr_ring_create(NULL, SMALL, MAPRING_RING_F_OVERWRITE |
			    MAPRING_RING_F_BATCH_WAKEUP, 0, 1000);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, SMALL, 1U << 15, 0, 0));
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, SMALL,
					  MAPRING_RING_F_OVERWRITE | 1U << 7, 0, 0));
}

TEST(overwrites_oldest_committed_exactly)
{
	struct mapring_obj_info info = { 0 };
	struct mapring_ring_query q;
	char path[64], buf[4096];
	struct mr_map m;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = ow_create("ow.exact", SMALL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_map_ring(fd, &m));
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, put(fd, i, 1000));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(4 * REC, q.producer_pos);
	EXPECT_EQ(0, q.overwrite_pos);
	EXPECT_EQ(0, q.overwritten);
	EXPECT_EQ(4 * REC, q.avail);

	/* the fifth wraps over the first */
	ASSERT_EQ(0, put(fd, 4, 1000));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(5 * REC, q.producer_pos);
	EXPECT_EQ(REC, q.overwrite_pos);
	EXPECT_EQ(1, q.overwritten);
	EXPECT_EQ(0, q.drops_full);
	EXPECT_EQ(0, q.consumer_pos);
	EXPECT_EQ(4 * REC, q.avail);	/* from overwrite_pos, not from 0 */
	/* the producer page says the same; headers carry sequence numbers */
	EXPECT_EQ(REC, m.prod->overwrite_pos);
	EXPECT_EQ(1, m.prod->overwritten);
	EXPECT_EQ(1000, mr_hdr_len(&m, 4 * REC));
	EXPECT_EQ(4, ((const __u32 *)(m.data + 4 * REC))[1]);
	EXPECT_EQ(1, ((const __u32 *)(m.data + REC))[1]);

	/* ten more: 15 in all, the newest 4 remain */
	for (int i = 5; i < 15; i++)
		ASSERT_EQ(0, put(fd, i, 1000));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(15 * REC, q.producer_pos);
	EXPECT_EQ(11 * REC, q.overwrite_pos);
	EXPECT_EQ(11, q.overwritten);
	/* a large one passes as many as it needs: 15120 + 3008 - 4095 */
	ASSERT_EQ(0, put(fd, 15, 3000));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(15 * REC + 3008, q.producer_pos);
	EXPECT_EQ(14 * REC, q.overwrite_pos);
	EXPECT_EQ(14, q.overwritten);
	/* too large is still too large */
	EXPECT_EQ(-E2BIG, put(fd, 16, SMALL - 8));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(14, q.overwritten);
	EXPECT_EQ(1, q.drops_too_large);

	/* fdinfo and object info report it too */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	ASSERT_EQ(0, mr_read_file(path, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "ring_overwritten:\t14\n"));
	EXPECT_NE(NULL, strstr(buf, "ring_overwrite_pos:\t14112\n"));
	EXPECT_NE(NULL, strstr(buf, "ring_flags:\t0x2\n"));
	ASSERT_EQ(0, mapring_obj__info_by_name("ow.exact", &info));
	EXPECT_EQ(14, info.overwritten);
	EXPECT_EQ(14 * REC, info.overwrite_pos);
	EXPECT_EQ(MAPRING_RING_F_OVERWRITE, info.obj_flags);
	mr_unmap_ring(&m);
	close(fd);
}

TEST(busy_record_is_never_overwritten)
{
	struct mapring_ring_query q;
	struct mr_job j;
	struct mr_map m;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
	fd = ow_create("ow.busy", SMALL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_map_ring(fd, &m));
	ASSERT_EQ(0, mr_prod_cmd("attach ow.busy"));

	ASSERT_EQ(0, put(fd, 0, 1000));			/* [0, 1008) */
	/* a kernel record held busy at [1008, 2016) for 400 ms */
	ASSERT_EQ(0, mr_prod_cmd("start id=0 count=1 size=1000 hold=400000000"));
	while (mr_prod_pos(&m) != 2 * REC)
		usleep(1000);
	ASSERT_EQ(0, put(fd, 2, 1000));
	ASSERT_EQ(0, put(fd, 3, 1000));
	/* overwriting the committed record 0 is fine */
	ASSERT_EQ(0, put(fd, 4, 1000));
	/* the next would overwrite the busy one: refused, counted */
	EXPECT_EQ(-EAGAIN, put(fd, 5, 1000));
	EXPECT_EQ(-EAGAIN, put(fd, 5, 100));	/* 63 bytes are left */
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(5 * REC, q.producer_pos);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(REC, q.overwrite_pos);
	EXPECT_EQ(1, q.overwritten);
	EXPECT_EQ(2, q.drops_full);
	EXPECT_EQ(REC, q.pending_pos);

	ASSERT_EQ(0, mr_prod_cmd("wait"));
	ASSERT_EQ(0, mr_prod_job(0, &j));
	EXPECT_EQ(1, j.committed);
	EXPECT_EQ(0, j.corrupt);
	/* committed now: it may go */
	ASSERT_EQ(0, put(fd, 5, 1000));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(2 * REC, q.overwrite_pos);
	EXPECT_EQ(2, q.overwritten);
	mr_prod_unload();
	mr_unmap_ring(&m);
	close(fd);
}

TEST(consumer_counts_lost_records_exactly)
{
	struct mapring_ring_buffer *rb;
	struct mapring_ring_query q;
	struct mapring_ring *r;
	struct got g = { 0 };
	__u64 torn = 99;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = ow_create("ow.lost", SMALL);
	ASSERT_LE(0, fd);
	rb = mapring_ring_buffer__new(fd, got_cb, &g, NULL);
	ASSERT_NE(NULL, rb);
	r = mapring_ring_buffer__ring(rb, 0);
	ASSERT_NE(NULL, r);

	for (int i = 0; i < 10; i++)
		ASSERT_EQ(0, put(fd, i, 1000));
	EXPECT_EQ(4 * REC, mapring_ring__avail_data_size(r));
	EXPECT_EQ(4, mapring_ring_buffer__consume(rb));
	EXPECT_EQ(6, mapring_ring__lost(r, &torn));
	EXPECT_EQ(0, torn);
	ASSERT_EQ(4, g.n);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(6 + i, g.idx[i]);
	EXPECT_EQ(10 * REC, mapring_ring__consumer_pos(r));
	EXPECT_EQ(0, mapring_ring__avail_data_size(r));

	/* caught up: nothing lost */
	ASSERT_EQ(0, put(fd, 10, 1000));
	ASSERT_EQ(0, put(fd, 11, 1000));
	EXPECT_EQ(2, mapring_ring_buffer__poll(rb, 1000));
	EXPECT_EQ(6, mapring_ring__lost(r, NULL));

	/* five while not reading: the oldest of them is lost */
	for (int i = 12; i < 17; i++)
		ASSERT_EQ(0, put(fd, i, 1000));
	EXPECT_EQ(4, mapring_ring_buffer__poll(rb, 1000));
	EXPECT_EQ(7, mapring_ring__lost(r, NULL));
	ASSERT_EQ(10, g.n);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(13 + i, g.idx[6 + i]);
	EXPECT_EQ(0, g.bad);
	/* 17 = 10 delivered + 7 lost; the kernel overwrote 13 (4 remain) */
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(13, q.overwritten);
	EXPECT_EQ(0, q.avail);
	/* poll on a drained ring times out */
	EXPECT_EQ(0, mapring_ring_buffer__poll(rb, 0));
	mapring_ring_buffer__free(rb);
	close(fd);
}

/* What the ring holds after put(i, sizes[i]) for every i, newest first. */
static int sizes_of(int i)
{
	return 100 + 37 * i;
}

TEST(snapshot_returns_newest_whole_records)
{
	static const size_t budgets[] = { 0, 8, 150, 500, 1000, 2000, 4096, 65536 };
	struct mapring_ring_query q;
	struct mapring_ring_buffer *rb;
	struct mapring_ring *r;
	__u64 start[20], len[20], prod = 0, over = 0;
	struct got g = { 0 };
	static __u8 buf[65536];
	int fd, oldest = 0;

	ASSERT_EQ(0, mr_baseline());
	fd = ow_create("ow.snap", SMALL);
	ASSERT_LE(0, fd);
	rb = mapring_ring_buffer__new(fd, got_cb, &g, NULL);
	ASSERT_NE(NULL, rb);
	r = mapring_ring_buffer__ring(rb, 0);
	for (int i = 0; i < 20; i++) {
		ASSERT_EQ(0, put(fd, i, sizes_of(i)));
		start[i] = prod;
		len[i] = mr_rec_len(sizes_of(i));
		prod += len[i];
		while (prod - over > SMALL - 1)
			over += len[oldest++];
	}
	for (size_t b = 0; b < ARRAY_SIZE(budgets); b++) {
		size_t want = 0, off = 0;
		int first = 20;
		long n;

		while (first > oldest && want + len[first - 1] <= budgets[b])
			want += len[--first];
		n = mapring_ring__snapshot(r, buf, budgets[b]);
		ASSERT_EQ((long)want, n) {
			TH_LOG("budget %zu", budgets[b]);
		}
		for (int i = first; i < 20; i++) {
			const struct mapring_rb_hdr *h = (const void *)(buf + off);
			__u64 idx;

			EXPECT_EQ(sizes_of(i), h->len);
			EXPECT_EQ(i, h->seq);
			EXPECT_TRUE(intact(h + 1, h->len, &idx));
			EXPECT_EQ(i, idx);
			off += len[i];
		}
		EXPECT_EQ(want, off);
	}
	/* nothing consumed; the kernel agrees on what is left */
	EXPECT_EQ(0, mapring_ring__consumer_pos(r));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(start[oldest], q.overwrite_pos);
	EXPECT_EQ(oldest, q.overwritten);
	mapring_ring_buffer__free(rb);
	close(fd);

	/* a ring that does not overwrite: from consumer_pos */
	fd = mr_ring_create(NULL, SMALL, 0, 0, 0);
	ASSERT_LE(0, fd);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, put(fd, i, 1000));
	rb = mapring_ring_buffer__new(fd, got_cb, &g, NULL);
	ASSERT_NE(NULL, rb);
	r = mapring_ring_buffer__ring(rb, 0);
	EXPECT_EQ(3 * REC, mapring_ring__snapshot(r, buf, sizeof(buf)));
	EXPECT_EQ(2 * REC, mapring_ring__snapshot(r, buf, 2 * REC + 1000));
	EXPECT_EQ(0, mapring_ring__lost(r, NULL));
	mapring_ring_buffer__free(rb);
	close(fd);
}

/* ---- kernel producers ---------------------------------------------------- */

#define RING 16384

struct vandal {
	struct mr_map *m;
	int fd;
	int stop;
	unsigned long writes;
};

static void *vandal_fn(void *arg)
{
	struct vandal *v = arg;
	unsigned int seed = 7;
	struct mapring_ring_query q;
	struct pollfd p = { .fd = v->fd, .events = POLLIN };
	__u64 prod, pos;

	while (!__atomic_load_n(&v->stop, __ATOMIC_RELAXED)) {
		prod = mr_prod_pos(v->m);
		switch (v->writes % 6) {
		case 0:
			pos = prod - 3 * RING;
			break;
		case 1:
			pos = prod + 64;
			break;
		case 2:
			pos = prod - 13;
			break;
		case 3:
			pos = ((__u64)rand_r(&seed) << 33) ^ rand_r(&seed);
			break;
		case 4:
			pos = ~0ULL - (v->writes & 0xfff);
			break;
		default:
			pos = v->m->prod->overwrite_pos + 4;
			break;
		}
		mr_set_cons(v->m, pos);
		poll(&p, 1, 0);
		mr_ring_query(v->fd, &q);
		v->writes++;
	}
	return NULL;
}

FIXTURE(kprod) {
	int fd;
	struct mr_map m;
};

FIXTURE_SETUP(kprod)
{
	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
	self->fd = ow_create("ow.kprod", RING);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mr_map_ring(self->fd, &self->m));
	ASSERT_EQ(0, mr_prod_cmd("attach ow.kprod"));
}

FIXTURE_TEARDOWN(kprod)
{
	mr_prod_unload();
	mr_unmap_ring(&self->m);
	close(self->fd);
}

/*
 * A hostile consumer cannot make the kernel overwrite a busy record (each
 * producer checks its own before submitting) nor lose its count.
 */
TEST_F_TIMEOUT(kprod, hostile_consumer, 240)
{
	struct vandal v = { .m = &self->m, .fd = self->fd };
	unsigned long long committed = 0, corrupt = 0;
	struct mapring_ring_buffer *rb;
	struct mapring_ring_query q;
	struct got g = { 0 };
	pthread_t t;
	struct mr_job j;
	__u64 in_ring;
	int bad = 0, n;

	ASSERT_EQ(0, pthread_create(&t, NULL, vandal_fn, &v));
	ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread cpu=0 count=6000 size=200 %s",
				 "hold=20000 batch=8"));
	ASSERT_EQ(0, mr_prod_cmd("start id=1 ctx=irq cpu=1 count=6000 size=64 hold=5000 batch=4"));
	ASSERT_EQ(0, mr_prod_cmd("start id=2 ctx=timer cpu=0 count=3000 size=1000 hold=10000 %s",
				 "batch=4 gap=10"));
	ASSERT_EQ(0, mr_prod_cmd("start id=3 ctx=nmi cpu=1 count=1000 size=32 hold=2000 batch=2"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	__atomic_store_n(&v.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	for (int id = 0; id < 4; id++) {
		ASSERT_EQ(0, mr_prod_job(id, &j));
		EXPECT_STREQ("done", j.state);
		EXPECT_EQ(j.attempts, j.committed + j.dropped);
		corrupt += j.corrupt;
		committed += j.committed;
	}
	EXPECT_EQ(0, corrupt);
	/* the kernel's books: committed = overwritten + still in the ring */
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	in_ring = records_in_ring(&self->m, &bad);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(committed, q.overwritten + in_ring);
	EXPECT_LT(0, q.overwritten);
	TH_LOG("%lu hostile writes; %llu committed, %llu overwritten, %llu in the ring",
	       v.writes, committed, (unsigned long long)q.overwritten,
	       (unsigned long long)in_ring);

	/* a consumer starting from 0 gets the survivors and counts the rest */
	mr_set_cons(&self->m, 0);
	rb = mapring_ring_buffer__new(self->fd, got_cb, &g, NULL);
	ASSERT_NE(NULL, rb);
	n = mapring_ring_buffer__consume_n(rb, 10);
	EXPECT_EQ(in_ring < 10 ? in_ring : 10, n);
	/* mr_rec records are not put() records: every one is "bad" here */
	EXPECT_EQ(n, g.bad);
	n += mapring_ring_buffer__consume(rb);
	EXPECT_EQ(in_ring, n);
	EXPECT_EQ(q.overwritten,
		  mapring_ring__lost(mapring_ring_buffer__ring(rb, 0), NULL));
	mapring_ring_buffer__free(rb);
}

struct user_producer {
	int fd;
	__u64 committed, dropped;
	int errors, finished;
};

#define USER_ID 10
#define USER_COUNT 20000

static void *user_fn(void *arg)
{
	struct user_producer *u = arg;
	__u8 rec[64];

	for (__u64 seq = 0; seq < USER_COUNT; seq++) {
		__u32 size = 24 + (seq % 5) * 8;

		mr_rec_fill(rec, seq, USER_ID, size);
		if (write(u->fd, rec, size) == size)
			u->committed++;
		else if (errno == EAGAIN)
			u->dropped++;
		else
			u->errors++;
		if (seq % 64 == 63)
			sched_yield();
	}
	__atomic_store_n(&u->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static const char *const stress_jobs[] = {
	"start id=0 ctx=kthread cpu=0 count=60000 size=32 batch=64",
	"start id=1 ctx=kthread cpu=1 count=60000 size=48 batch=64",
	"start id=2 ctx=irq cpu=1 count=30000 size=40 batch=32",
	"start id=3 ctx=timer cpu=0 count=30000 size=24 batch=64 gap=20",
	"start id=4 ctx=nmi cpu=0 count=5000 size=32 batch=4",
	"start id=5 ctx=kthread count=10000 size=400 batch=16 hold=2000",
};

/*
 * Producers in every context overwrite a ring while the library consumes
 * it: every record delivered is intact and in its producer's order, and
 * every record committed was either delivered or counted lost.
 */
TEST_F_TIMEOUT(kprod, stress_with_live_consumer, 400)
{
	struct mr_seen *s = calloc(1, sizeof(*s));
	unsigned long long committed = 0, delivered = 0, dropped = 0;
	struct user_producer u = { .fd = self->fd };
	struct mapring_ring_buffer *rb;
	struct mapring_ring_query q;
	struct mapring_ring *r;
	__u64 lost, torn;
	pthread_t t;
	struct mr_job j;
	int done, n, bad = 0;

	ASSERT_NE(NULL, s);
	mr_seen_init(s, MR_SEEN_MAX);
	rb = mapring_ring_buffer__new(self->fd, mr_seen_cb, s, NULL);
	ASSERT_NE(NULL, rb);
	r = mapring_ring_buffer__ring(rb, 0);
	for (size_t i = 0; i < ARRAY_SIZE(stress_jobs); i++)
		ASSERT_EQ(0, mr_prod_cmd("%s", stress_jobs[i]));
	ASSERT_EQ(0, pthread_create(&t, NULL, user_fn, &u));
	for (done = 0; !done;) {
		n = mapring_ring_buffer__poll(rb, 20);
		ASSERT_LE(0, n);
		if (n > 200)
			continue;
		done = __atomic_load_n(&u.finished, __ATOMIC_ACQUIRE);
		for (size_t i = 0; i < ARRAY_SIZE(stress_jobs); i++) {
			ASSERT_EQ(0, mr_prod_job(i, &j));
			done &= strcmp(j.state, "running") != 0;
		}
	}
	pthread_join(t, NULL);
	ASSERT_LE(0, mapring_ring_buffer__consume(rb));

	EXPECT_EQ(0, s->bad);
	EXPECT_EQ(0, s->out_of_order);
	for (size_t i = 0; i < ARRAY_SIZE(stress_jobs); i++) {
		ASSERT_EQ(0, mr_prod_job(i, &j));
		EXPECT_STREQ("done", j.state);
		EXPECT_EQ(0, j.corrupt);
		EXPECT_EQ(j.attempts, j.committed + j.dropped);
		EXPECT_LE(s->count[i], j.committed);
		committed += j.committed;
		dropped += j.dropped;
		delivered += s->count[i];
	}
	EXPECT_EQ(0, u.errors);
	EXPECT_LE(s->count[USER_ID], u.committed);
	committed += u.committed;
	dropped += u.dropped;
	delivered += s->count[USER_ID];

	lost = mapring_ring__lost(r, &torn);
	EXPECT_EQ(committed, delivered + lost);
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(dropped, q.drops_full + q.drops_busy);
	/* the kernel's books agree: committed = overwritten + in the ring */
	EXPECT_EQ(committed, q.overwritten + records_in_ring(&self->m, &bad));
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, mapring_ring__avail_data_size(r));
	TH_LOG("%llu committed, %llu delivered, %llu lost (%llu torn copies), %llu dropped",
	       committed, delivered, (unsigned long long)lost,
	       (unsigned long long)torn, dropped);
	TH_LOG("kernel: %llu overwritten, drops full %llu busy %llu",
	       (unsigned long long)q.overwritten, (unsigned long long)q.drops_full,
	       (unsigned long long)q.drops_busy);
	mapring_ring_buffer__free(rb);
	free(s);
}

/*
 * A ring a module created in overwrite mode: user space opens and consumes
 * it while the module produces, then everyone lets go in turn; the ring
 * goes when the last holder does, and the modules unload.
 */
TEST(lifecycle_module_ring)
{
	struct mapring_ring_buffer *rb;
	struct mapring_ring_query q;
	struct mr_seen s;
	struct mr_job j;
	int fd, n = 0;

	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
	ASSERT_EQ(0, mr_prod_cmd("create ow.life 8192 overwrite"));
	fd = mapring_ringbuf__open("ow.life");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(MAPRING_RING_F_OVERWRITE, q.ring_flags);
	mr_seen_init(&s, MR_SEEN_MAX);
	rb = mapring_ring_buffer__new(fd, mr_seen_cb, &s, NULL);
	ASSERT_NE(NULL, rb);
	ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread count=100000000 %s",
				 "size=64 batch=32 gap=100"));
	while (n < 2000) {
		int got = mapring_ring_buffer__poll(rb, 100);

		ASSERT_LE(0, got);
		n += got;
	}
	EXPECT_EQ(0, s.bad);
	EXPECT_EQ(0, s.out_of_order);
	/* user space lets go first, while the job produces */
	mapring_ring_buffer__free(rb);
	close(fd);
	ASSERT_EQ(0, mr_prod_cmd("detach"));
	/* the job's own reference keeps it alive */
	fd = mapring_ringbuf__open("ow.life");
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mr_prod_cmd("stop"));
	ASSERT_EQ(0, mr_prod_job(0, &j));
	EXPECT_EQ(j.attempts, j.committed + j.dropped);
	EXPECT_EQ(-ENOENT, mapring_ringbuf__open("ow.life"));
	EXPECT_EQ(0, mr_prod_unload());
	EXPECT_EQ(0, mr_rmmod("mapring"));
}

TEST_HARNESS_MAIN
