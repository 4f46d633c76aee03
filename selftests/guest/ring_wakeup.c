// SPDX-License-Identifier: GPL-2.0
/*
 * Wake-ups: adaptive (only a consumer that caught up with the record),
 * FORCE_WAKEUP, NO_WAKEUP, batched (by bytes, and by time through the
 * timer), and an edge-triggered consumer under stress that must never
 * wait for a wake-up that does not come.
 *
 * Whether a commit decided to wake is exact: the ring counts it (query's
 * wakeups) before the commit returns. Whether the wake-up arrived is seen
 * by an EPOLLET epoll set: it reports an event only after a wake-up.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "mr_harness.h"
#include "mr_ring.h"

/* Far longer than any wake-up takes; only a lost one hits it. */
#define WAIT_MS 20000

FIXTURE(ring) {
	int fd, ep;
	struct mr_map m;
};

static int make_epoll(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		return -1;
	return ep;
}

FIXTURE_SETUP(ring)
{
	ASSERT_EQ(0, mr_baseline());
	self->fd = mr_ring_create(NULL, 4 * sysconf(_SC_PAGESIZE), 0, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mr_map_ring(self->fd, &self->m));
	self->ep = make_epoll(self->fd);
	ASSERT_LE(0, self->ep);
}

FIXTURE_TEARDOWN(ring)
{
	close(self->ep);
	mr_unmap_ring(&self->m);
	close(self->fd);
}

static __u64 wakeups(int fd)
{
	struct mapring_ring_query q;

	return mr_ring_query(fd, &q) ? ~0ULL : q.wakeups;
}

/* 1 when an edge-triggered wake-up is (or becomes, within ms) pending. */
static int woken(int ep, int ms)
{
	struct epoll_event ev;

	return epoll_wait(ep, &ev, 1, ms);
}

static void catch_up(struct mr_map *m)
{
	mr_set_cons(m, mr_prod_pos(m));
}

TEST_F(ring, adaptive_wakes_only_a_consumer_that_caught_up)
{
	__u64 w = wakeups(self->fd);

	/* the consumer is at 0, where the record goes: wake */
	ASSERT_EQ(0, mr_ring_output(self->fd, "a", 1, 0));
	EXPECT_EQ(w + 1, wakeups(self->fd));
	EXPECT_EQ(1, woken(self->ep, WAIT_MS));

	/* still at 0, behind this record: no wake-up */
	ASSERT_EQ(0, mr_ring_output(self->fd, "b", 1, 0));
	ASSERT_EQ(0, mr_ring_output(self->fd, "c", 1, 0));
	EXPECT_EQ(w + 1, wakeups(self->fd));
	EXPECT_EQ(0, woken(self->ep, 0));

	/* caught up again: the next record wakes */
	catch_up(&self->m);
	ASSERT_EQ(0, mr_ring_output(self->fd, "d", 1, 0));
	EXPECT_EQ(w + 2, wakeups(self->fd));
	EXPECT_EQ(1, woken(self->ep, WAIT_MS));
}

TEST_F(ring, no_wakeup_never_wakes)
{
	__u64 w = wakeups(self->fd);

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, mr_ring_output(self->fd, "n", 1, MAPRING_RB_NO_WAKEUP));
		catch_up(&self->m);
	}
	EXPECT_EQ(w, wakeups(self->fd));
	EXPECT_EQ(0, woken(self->ep, 0));
}

TEST_F(ring, force_wakeup_always_wakes)
{
	__u64 w = wakeups(self->fd);

	ASSERT_EQ(0, mr_ring_output(self->fd, "x", 1, MAPRING_RB_NO_WAKEUP));
	/* behind: only FORCE_WAKEUP wakes now, and it wins over NO_WAKEUP */
	ASSERT_EQ(0, mr_ring_output(self->fd, "y", 1, MAPRING_RB_FORCE_WAKEUP));
	EXPECT_EQ(w + 1, wakeups(self->fd));
	EXPECT_EQ(1, woken(self->ep, WAIT_MS));
	ASSERT_EQ(0, mr_ring_output(self->fd, "z", 1,
				    MAPRING_RB_FORCE_WAKEUP | MAPRING_RB_NO_WAKEUP));
	EXPECT_EQ(w + 2, wakeups(self->fd));
	EXPECT_EQ(1, woken(self->ep, WAIT_MS));
}

TEST_F(ring, discarded_record_still_blocks_the_adaptive_wakeup)
{
	__u64 w = wakeups(self->fd);

	/*
	 * As BPF documents: a record discarded with NO_WAKEUP stays at the
	 * consumer's position, so the next record is "behind" and does not
	 * wake. poll() still reports the ring readable.
	 */
	ASSERT_EQ(0, mr_prod_load(NULL));
	ASSERT_EQ(0, mr_prod_cmd("detach"));
	ASSERT_EQ(0, mr_prod_cmd("create wakeup.discard 4096"));
	ASSERT_EQ(0, mr_prod_cmd("start id=0 count=1 mode=discard flags=1"));
	ASSERT_EQ(0, mr_prod_cmd("start id=1 count=1 mode=submit"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	EXPECT_EQ(w, wakeups(self->fd)); /* another ring's: ours untouched */
	EXPECT_EQ(0, mr_prod_unload());

	ASSERT_EQ(0, mr_ring_output(self->fd, "d", 1, MAPRING_RB_NO_WAKEUP));
	ASSERT_EQ(0, mr_ring_output(self->fd, "s", 1, 0));
	EXPECT_EQ(w, wakeups(self->fd));
	EXPECT_EQ(0, woken(self->ep, 0));
}

TEST(batched_wakes_at_the_byte_mark)
{
	char rec[100] = { 0 };
	struct mr_map m = { 0 };
	__u64 w;
	int fd, ep;

	ASSERT_EQ(0, mr_baseline());
	/* a time bound far away: only the bytes can wake during the test */
	fd = mr_ring_create(NULL, 4 * sysconf(_SC_PAGESIZE),
			    MAPRING_RING_F_BATCH_WAKEUP, 1024,
			    MAPRING_RING_MAX_WAKEUP_USECS);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_map_ring(fd, &m));
	ep = make_epoll(fd);
	ASSERT_LE(0, ep);
	w = wakeups(fd);
	/* 112 bytes a record: the 10th reaches 1024 bytes pending */
	for (int i = 0; i < 9; i++) {
		ASSERT_EQ(0, mr_ring_output(fd, rec, sizeof(rec), 0));
		EXPECT_EQ(w, wakeups(fd));
	}
	ASSERT_EQ(0, mr_ring_output(fd, rec, sizeof(rec), 0));
	EXPECT_EQ(w + 1, wakeups(fd));
	EXPECT_EQ(1, woken(ep, WAIT_MS));
	/* past the mark: no wake-up per record */
	ASSERT_EQ(0, mr_ring_output(fd, rec, sizeof(rec), 0));
	EXPECT_EQ(w + 1, wakeups(fd));
	/* FORCE_WAKEUP still forces */
	ASSERT_EQ(0, mr_ring_output(fd, rec, sizeof(rec), MAPRING_RB_FORCE_WAKEUP));
	EXPECT_EQ(w + 2, wakeups(fd));
	close(ep);
	mr_unmap_ring(&m);
	close(fd);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

TEST(batched_timer_wakes_below_the_mark)
{
	struct mr_map m = { 0 };
	double t0, worst = 0;
	int fd, ep;
	__u64 w;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create(NULL, 4 * sysconf(_SC_PAGESIZE),
			    MAPRING_RING_F_BATCH_WAKEUP, 8192, 20000);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_map_ring(fd, &m));
	ep = make_epoll(fd);
	ASSERT_LE(0, ep);
	for (int i = 0; i < 5; i++) {
		w = wakeups(fd);
		t0 = now_ms();
		/* one small record, far below the mark: the timer must wake */
		ASSERT_EQ(0, mr_ring_output(fd, "t", 1, 0));
		ASSERT_EQ(1, woken(ep, WAIT_MS));
		if (now_ms() - t0 > worst)
			worst = now_ms() - t0;
		EXPECT_EQ(w + 1, wakeups(fd));
		catch_up(&m);
	}
	/* informational: the bound is 20 ms plus scheduling, under TCG */
	TH_LOG("worst wake-up after a commit below the mark: %.1f ms", worst);
	close(ep);
	mr_unmap_ring(&m);
	close(fd);
}

/*
 * Kernel producers at full speed in bursts; the consumer uses only an
 * edge-triggered manager. A poll that times out while committed records
 * wait means a wake-up was lost.
 */
struct et_count {
	__u64 n;
	int bad;
};

static int et_cb(void *ctx, const void *data, size_t size)
{
	struct et_count *c = ctx;

	c->n++;
	c->bad += !mr_rec_ok(data, size);
	return 0;
}

static void et_stress(struct __test_metadata *_metadata, __u32 flags,
		      __u64 bytes, __u32 usecs)
{
	struct mapring_ring_buffer_opts o = {
		.sz = sizeof(o), .flags = MAPRING_RING_BUFFER_EDGE_TRIGGERED,
	};
	struct et_count c = { 0 };
	struct mapring_ring_buffer *rb;
	unsigned long long committed = 0;
	int fd, n, missed = 0, polls = 0, done;
	struct mr_job j;

	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
	fd = mr_ring_create("wakeup.stress", 65536, flags, bytes, usecs);
	ASSERT_LE(0, fd);
	rb = mapring_ring_buffer__new(fd, et_cb, &c, &o);
	ASSERT_NE(NULL, rb);
	ASSERT_EQ(0, mr_prod_cmd("attach wakeup.stress"));
	ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread cpu=0 count=60000 size=32 %s",
				 "batch=32 gap=30"));
	ASSERT_EQ(0, mr_prod_cmd("start id=1 ctx=irq cpu=1 count=30000 size=48 %s",
				 "batch=16 gap=40"));
	ASSERT_EQ(0, mr_prod_cmd("start id=2 ctx=timer cpu=0 count=20000 size=24 %s",
				 "batch=20 gap=100"));
	for (;;) {
		n = mapring_ring_buffer__poll(rb, 3000);
		ASSERT_LE(0, n);
		polls++;
		if (n)
			continue;
		/* timed out: anything committed now was not woken for */
		n = mapring_ring_buffer__consume(rb);
		ASSERT_LE(0, n);
		missed += n > 0;
		done = 1;
		committed = 0;
		for (int id = 0; id < 3; id++) {
			ASSERT_EQ(0, mr_prod_job(id, &j));
			done &= strcmp(j.state, "running") != 0;
			EXPECT_EQ(j.attempts, j.committed + j.dropped);
			committed += j.committed;
		}
		if (done && mapring_ring_buffer__consume(rb) == 0)
			break;
	}
	EXPECT_EQ(0, missed);
	EXPECT_EQ(committed, c.n);
	EXPECT_EQ(0, c.bad);
	TH_LOG("%llu records in %d polls", (unsigned long long)c.n, polls);
	mapring_ring_buffer__free(rb);
	EXPECT_EQ(0, mr_prod_unload());
	close(fd);
}

FIXTURE(stress) {};
FIXTURE_SETUP(stress) {}
FIXTURE_TEARDOWN(stress)
{
	mr_prod_unload();
}

TEST_F_TIMEOUT(stress, edge_triggered_consumer_never_misses_adaptive, 200)
{
	et_stress(_metadata, 0, 0, 0);
}

TEST_F_TIMEOUT(stress, edge_triggered_consumer_never_misses_batched, 200)
{
	et_stress(_metadata, MAPRING_RING_F_BATCH_WAKEUP, 4096, 2000);
}

TEST_HARNESS_MAIN
