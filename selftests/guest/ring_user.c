// SPDX-License-Identifier: GPL-2.0
/*
 * User rings (MAPRING_RING_F_USER): user space produces with libmapring's
 * mapring_user_ring_buffer, mr_test_drainer.ko drains with
 * mapring_ring_drain(). Exact accounting (records submitted = drained,
 * discarded = skipped, checksums equal), every record size, hostile
 * producer pages and headers, the mmap permission matrix, one drainer at a
 * time, bounded drains, blocking reserve and its wake-ups, kicks, a stress
 * run with concurrent drainers, and lifecycle.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mr_harness.h"
#include "mr_ring.h"
#include "../modules/mr_test_drainer.h"

#define RING 4096
#define NAME "uring"

#define mr_drain_cmd(...) mr_write_filef(MR_DRAINER_DIR "/control", __VA_ARGS__)

/* The status line of mr_test_drainer.ko. */
struct drainer {
	long long drains, records, bytes;
	unsigned long long csum;
	long long bad, busy, last, kicks;
	int blocked, thread;
};

static int drainer_status(struct drainer *d)
{
	char buf[512], *line;
	int err = mr_read_file(MR_DRAINER_DIR "/status", buf, sizeof(buf));

	if (err)
		return err;
	line = strchr(buf, '\n');
	if (!line)
		return -EINVAL;
	return sscanf(line + 1,
		      "drains %lld records %lld bytes %lld csum %llu bad %lld busy %lld last %lld kicks %lld blocked %d thread %d",
		      &d->drains, &d->records, &d->bytes, &d->csum, &d->bad,
		      &d->busy, &d->last, &d->kicks, &d->blocked,
		      &d->thread) == 10 ? 0 : -EINVAL;
}

/* Wait (bounded, not timed) until the drainer has seen n records. */
static int drainer_wait_records(long long n)
{
	struct drainer d;

	for (int i = 0; i < 20000; i++) {
		if (drainer_status(&d))
			return -EIO;
		if (d.records >= n)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static int drainer_load(void)
{
	if (mr_module_loaded("mr_test_drainer"))
		mr_rmmod("mr_test_drainer");
	return mr_insmod("mr_test_drainer", "");
}

static __u8 pay(__u32 size, __u32 i)
{
	return (__u8)(size * 7 + i * 13 + 1);
}

/* What the user side produced, to compare with the drainer's sums. */
struct tally {
	long long submitted, discarded, bytes;
	unsigned long long csum;
};

/* Reserve, fill and submit (or discard) one record of size bytes. */
static void *put(struct mapring_user_ring_buffer *rb, struct tally *t,
		 __u32 size, int discard)
{
	__u8 *p = mapring_user_ring_buffer__reserve(rb, size);

	if (!p)
		return NULL;
	for (__u32 i = 0; i < size; i++)
		p[i] = pay(size, i);
	if (discard) {
		mapring_user_ring_buffer__discard(rb, p);
		t->discarded++;
	} else {
		t->csum += mr_fnv(MR_FNV_BASIS, p, size);
		mapring_user_ring_buffer__submit(rb, p);
		t->submitted++;
		t->bytes += size;
	}
	return p;
}

FIXTURE(user) {
	int fd;
	struct mapring_user_ring_buffer *rb;
	long page;
};

FIXTURE_SETUP(user)
{
	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, drainer_load());
	self->page = sysconf(_SC_PAGESIZE);
	self->fd = mr_ring_create(NAME, RING, MAPRING_RING_F_USER, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mr_drain_cmd("attach " NAME));
	self->rb = mapring_user_ring_buffer__new(self->fd, NULL);
	ASSERT_NE(NULL, self->rb);
}

FIXTURE_TEARDOWN(user)
{
	mapring_user_ring_buffer__free(self->rb);
	close(self->fd);
	mr_drain_cmd("detach");
	mr_rmmod("mr_test_drainer");
}

TEST_F(user, flags_and_feature)
{
	struct mapring_info info = { .size = sizeof(info) };
	struct mapring_ring_query q;
	int dev = open("/dev/mapring", O_RDWR | O_CLOEXEC), fd;

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, ioctl(dev, MAPRING_IOC_INFO, &info));
	close(dev);
	EXPECT_EQ(MAPRING_FEAT_RING_USER, info.features & MAPRING_FEAT_RING_USER);
	/* nothing to batch, overwrite or stamp: no kernel producer */
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, RING, MAPRING_RING_F_USER |
					  MAPRING_RING_F_OVERWRITE, 0, 0));
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, RING, MAPRING_RING_F_USER |
					  MAPRING_RING_F_BATCH_WAKEUP, 0, 100));
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, RING, MAPRING_RING_F_USER |
					  MAPRING_RING_F_TIMESTAMP, 0, 0));
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, RING, 1U << 15, 0, 0));
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(MAPRING_RING_F_USER, q.ring_flags);
	EXPECT_EQ(0, q.user_drained);
	EXPECT_EQ(0, q.user_discarded);
	EXPECT_EQ(0, q.user_bad);

	/* created by the kernel API: a user ring as well */
	ASSERT_EQ(0, mr_drain_cmd("create kuring 8192"));
	fd = mapring_ringbuf__open("kuring");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(MAPRING_RING_F_USER, q.ring_flags);
	EXPECT_EQ(8192, q.data_size);
	close(fd);
}

TEST_F(user, kernel_producers_and_write_refused)
{
	struct mapring_ring_query q;
	char buf[16] = "x";
	struct mapring_ring_kick k = { .size = sizeof(k) };
	int fd;

	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-EOPNOTSUPP, mr_ring_output(self->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(0, q.drops_full + q.drops_too_large + q.drops_busy);
	EXPECT_EQ(0, q.producer_pos);

	/* kicks need a user ring and zero flags; drains need a user ring */
	k.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MAPRING_IOC_RING_KICK, &k));
	EXPECT_EQ(EINVAL, errno);
	fd = mr_ring_create("plain", RING, 0, 0, 0);
	ASSERT_LE(0, fd);
	k.flags = 0;
	EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_RING_KICK, &k));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mr_drain_cmd("attach plain"));
	EXPECT_EQ(-EINVAL, mr_drain_cmd("drain"));
	EXPECT_EQ(-EINVAL, mr_drain_cmd("thread start"));
	/* the library refuses it too */
	EXPECT_EQ(NULL, mapring_user_ring_buffer__new(fd, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	/* unknown drain flags */
	ASSERT_EQ(0, mr_drain_cmd("attach " NAME));
	EXPECT_EQ(-EINVAL, mr_drain_cmd("drain flags=4"));
}

TEST_F(user, mmap_permission_matrix)
{
	long pg = self->page;
	size_t span = pg + 2 * RING;
	int plain = mr_ring_create(NULL, RING, 0, 0, 0);
	void *p;

	ASSERT_LE(0, plain);
	/* user ring: the consumer page is the kernel's */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, pg, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, pg);
	/* producer page and data writable, together or alone */
	p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, pg);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, span);
	p = mmap(NULL, RING, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 2 * pg);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, RING);
	/* read-only stays read-only; never executable */
	p = mmap(NULL, span, PROT_READ, MAP_SHARED, self->fd, pg);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, span, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, span);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, span, PROT_READ | PROT_EXEC,
				   MAP_SHARED, self->fd, pg));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, pg, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, self->fd, pg));
	EXPECT_EQ(EINVAL, errno);

	/* a kernel-produced ring keeps its rules */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, span, PROT_READ | PROT_WRITE,
				   MAP_SHARED, plain, pg));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, RING, PROT_READ | PROT_WRITE,
				   MAP_SHARED, plain, 2 * pg));
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, span, PROT_READ, MAP_SHARED, plain, pg);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, span);
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, plain, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, pg);
	close(plain);
}

/*
 * Every size from 0 to the largest, every 7th discarded, drained whenever
 * the ring is full: records straddle the end of the ring at every offset.
 */
TEST_F(user, every_size_exact_accounting)
{
	const __u32 max = RING - MAPRING_RB_HDR_SZ;
	struct mapring_ring_query q;
	struct tally t = {};
	struct drainer d;

	for (__u32 size = 0; size <= max; size++) {
		if (put(self->rb, &t, size, size % 7 == 3))
			continue;
		ASSERT_EQ(ENOSPC, errno);
		ASSERT_EQ(0, mr_drain_cmd("drain"));
		ASSERT_EQ(0, mapring_user_ring_buffer__pending(self->rb));
		ASSERT_NE(NULL, put(self->rb, &t, size, size % 7 == 3));
	}
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	EXPECT_EQ(NULL, mapring_user_ring_buffer__reserve(self->rb, max + 1));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(NULL, mapring_user_ring_buffer__reserve(self->rb, 1U << 30));
	EXPECT_EQ(E2BIG, errno);

	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(max + 1, t.submitted + t.discarded);
	EXPECT_EQ(t.submitted, d.records);
	EXPECT_EQ(t.bytes, d.bytes);
	EXPECT_EQ(t.csum, d.csum);
	EXPECT_EQ(0, d.bad);
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(t.submitted, q.user_drained);
	EXPECT_EQ(t.discarded, q.user_discarded);
	EXPECT_EQ(0, q.user_bad);
	EXPECT_EQ(q.producer_pos, q.consumer_pos);
	EXPECT_EQ(0, q.avail);
}

/* The largest record fills the ring exactly; nothing fits beside it. */
TEST_F(user, largest_record_fills_the_ring)
{
	const __u32 max = RING - MAPRING_RB_HDR_SZ;
	struct tally t = {};
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };

	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	ASSERT_NE(NULL, put(self->rb, &t, 8, 0));
	EXPECT_EQ(NULL, mapring_user_ring_buffer__reserve(self->rb, max));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	ASSERT_NE(NULL, put(self->rb, &t, max, 0));
	EXPECT_EQ(RING, mapring_user_ring_buffer__pending(self->rb));
	EXPECT_EQ(NULL, mapring_user_ring_buffer__reserve(self->rb, 0));
	EXPECT_EQ(ENOSPC, errno);
	/* full: no room, and never readable */
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	EXPECT_EQ(0, drainer_wait_records(2));
}

/* A record reserved but not submitted ends the drain; later ones wait. */
TEST_F(user, busy_record_stops_the_drain)
{
	struct tally t = {};
	struct drainer d;
	void *busy;

	ASSERT_NE(NULL, put(self->rb, &t, 10, 0));
	busy = mapring_user_ring_buffer__reserve(self->rb, 20);
	ASSERT_NE(NULL, busy);
	ASSERT_NE(NULL, put(self->rb, &t, 30, 0));
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(1, d.records);
	EXPECT_EQ(1, d.last);
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(0, d.last);
	/* submitted out of order: both go now */
	memset(busy, 0, 20);
	t.csum += mr_fnv(MR_FNV_BASIS, busy, 20);
	mapring_user_ring_buffer__submit(self->rb, busy);
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(2, d.last);
	EXPECT_EQ(3, d.records);
	EXPECT_EQ(t.csum, d.csum);
	EXPECT_EQ(0, d.bad);
}

/* max_records, the callback stopping, its error, and the hard cap. */
TEST_F(user, drains_are_bounded)
{
	struct mapring_ring_query q;
	struct tally t = {};
	struct drainer d;
	int fd, i;
	struct mapring_user_ring_buffer *big;

	for (i = 0; i < 10; i++)
		ASSERT_NE(NULL, put(self->rb, &t, 16, i == 4));
	ASSERT_EQ(0, mr_drain_cmd("drain max=3"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(3, d.last);
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(3 * 24, q.consumer_pos);
	/* max counts the discarded record too: 2 delivered, 1 skipped */
	ASSERT_EQ(0, mr_drain_cmd("drain max=3"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(2, d.last);
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(6 * 24, q.consumer_pos);
	EXPECT_EQ(1, q.user_discarded);
	/* the callback stops after its 2nd record: both consumed */
	ASSERT_EQ(0, mr_drain_cmd("drain stop=2"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(2, d.last);
	/* a negative return is the drain's; that record is consumed too */
	EXPECT_EQ(-EIO, mr_drain_cmd("drain stop=1 ret=-5"));
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(9 * 24, q.consumer_pos);
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(1, d.last);
	EXPECT_EQ(9, d.records);
	EXPECT_EQ(t.csum, d.csum);

	/* the hard cap: MAPRING_RING_DRAIN_MAX (128 Ki) records per call */
	fd = mr_ring_create("big", 2 << 20, MAPRING_RING_F_USER, 0, 0);
	ASSERT_LE(0, fd);
	big = mapring_user_ring_buffer__new(fd, NULL);
	ASSERT_NE(NULL, big);
	for (i = 0; i < 128 * 1024 + 5; i++)
		ASSERT_NE(NULL, put(big, &t, 0, 0));
	ASSERT_EQ(0, mr_drain_cmd("attach big"));
	ASSERT_EQ(0, mr_drain_cmd("drain max=0"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(128 * 1024, d.last);
	ASSERT_EQ(0, mr_drain_cmd("drain max=4000000000"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(5, d.last);
	mapring_user_ring_buffer__free(big);
	close(fd);
}

/* A drain while another is running gets -EBUSY at once. */
TEST_F(user, one_drainer_at_a_time)
{
	struct tally t = {};
	struct drainer d;
	int i;

	ASSERT_NE(NULL, put(self->rb, &t, 40, 0));
	ASSERT_NE(NULL, put(self->rb, &t, 41, 0));
	ASSERT_EQ(0, mr_drain_cmd("block"));
	for (i = 0; i < 20000; i++) {
		ASSERT_EQ(0, drainer_status(&d));
		if (d.blocked)
			break;
		usleep(1000);
	}
	ASSERT_EQ(1, d.blocked);
	EXPECT_EQ(-EBUSY, mr_drain_cmd("drain"));
	EXPECT_EQ(-EBUSY, mr_drain_cmd("drain irq=1"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(2, d.busy);
	EXPECT_EQ(1, d.records);
	ASSERT_EQ(0, mr_drain_cmd("unblock"));
	ASSERT_EQ(0, drainer_status(&d));
	/* the blocked drain went on to the second record */
	EXPECT_EQ(2, d.records);
	EXPECT_EQ(2, d.last);
	EXPECT_EQ(t.csum, d.csum);
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(0, d.last);
}

/* The producer's pages mapped writable by the test itself. */
struct raw {
	__u64 *prod;
	__u8 *data;
	const __u64 *cons;
	size_t span;
	long page;
};

static int raw_map(int fd, long page, struct raw *r)
{
	void *p, *c;

	r->page = page;
	r->span = page + 2 * RING;
	p = mmap(NULL, r->span, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
	if (p == MAP_FAILED)
		return -errno;
	c = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (c == MAP_FAILED) {
		munmap(p, r->span);
		return -errno;
	}
	r->prod = p;
	r->data = (__u8 *)p + page;
	r->cons = c;
	return 0;
}

static void raw_unmap(struct raw *r)
{
	munmap(r->prod, r->span);
	munmap((void *)r->cons, r->page);
}

static void raw_hdr(struct raw *r, __u64 pos, __u32 len)
{
	struct mapring_rb_hdr *h = (void *)(r->data + (pos & (RING - 1)));

	h->__pad = 0;
	__atomic_store_n(&h->len, len, __ATOMIC_RELEASE);
}

static void raw_prod(struct raw *r, __u64 pos)
{
	__atomic_store_n(r->prod, pos, __ATOMIC_RELEASE);
}

/*
 * Every kind of bad producer state: -EBADMSG, counted once per drain,
 * consumer_pos where it was; the ring works again once it is sane.
 */
TEST_F(user, hostile_positions_and_headers)
{
	struct mapring_ring_query q;
	struct drainer d;
	struct raw r;
	long long bad = 0;

	ASSERT_EQ(0, raw_map(self->fd, self->page, &r));
	/* one good record first: consumer_pos 16 */
	raw_hdr(&r, 0, 5);
	raw_prod(&r, 16);
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	EXPECT_EQ(16, *r.cons);

#define EXPECT_BAD() do {						\
		EXPECT_EQ(-EBADMSG, mr_drain_cmd("drain"));		\
		bad++;							\
		ASSERT_EQ(0, mr_ring_query(self->fd, &q));		\
		EXPECT_EQ(bad, q.user_bad);				\
		EXPECT_EQ(16, q.consumer_pos);				\
		EXPECT_EQ(16, *r.cons);					\
	} while (0)

	raw_hdr(&r, 16, 0);
	raw_prod(&r, 20);			/* unaligned */
	EXPECT_BAD();
	raw_prod(&r, 8);			/* behind consumer_pos */
	EXPECT_BAD();
	raw_prod(&r, 0);
	EXPECT_BAD();
	raw_prod(&r, 16 + RING + 8);		/* more than the ring ahead */
	EXPECT_BAD();
	raw_prod(&r, ~7ULL);
	EXPECT_BAD();
	raw_prod(&r, 32);			/* room for 16 bytes... */
	raw_hdr(&r, 16, 9);			/* ...a record of 24 */
	EXPECT_BAD();
	raw_hdr(&r, 16, 0x3fffffff);		/* the largest len */
	EXPECT_BAD();
	raw_hdr(&r, 16, 9 | MAPRING_RB_DISCARD_BIT);	/* skipped, checked */
	EXPECT_BAD();
	raw_prod(&r, 16 + RING);		/* a whole ring ahead */
	raw_hdr(&r, 16, RING - 7);		/* one byte more than fits */
	EXPECT_BAD();
	/* good record, then a bad one: the good one is drained */
	raw_prod(&r, 48);
	raw_hdr(&r, 16, 8);
	raw_hdr(&r, 32, 200);
	EXPECT_EQ(-EBADMSG, mr_drain_cmd("drain"));
	bad++;
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(bad, q.user_bad);
	EXPECT_EQ(32, q.consumer_pos);
	EXPECT_EQ(2, q.user_drained);

	/* busy is not bad: the drain just ends */
	raw_hdr(&r, 32, 200 | MAPRING_RB_BUSY_BIT);
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	/* and both bits is busy */
	raw_hdr(&r, 32, 8 | MAPRING_RB_BUSY_BIT | MAPRING_RB_DISCARD_BIT);
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(0, d.last);
	/* repaired: a full-size record at the end of the ring drains */
	raw_hdr(&r, 32, 8);
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	raw_hdr(&r, 48, RING - 8);
	raw_prod(&r, 48 + RING);
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(1, d.last);
	EXPECT_EQ(bad, d.bad);
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(48 + RING, q.consumer_pos);
	EXPECT_EQ(4, q.user_drained);
	EXPECT_EQ(bad, q.user_bad);
#undef EXPECT_BAD
	raw_unmap(&r);
}

/* Random garbage, many times: every -EBADMSG counted exactly. */
TEST_F(user, random_garbage)
{
	struct mapring_ring_query q;
	struct drainer d;
	struct raw r;
	long long bad = 0, ok = 0;
	int err;

	ASSERT_EQ(0, raw_map(self->fd, self->page, &r));
	srandom(1234);
	for (int i = 0; i < 400; i++) {
		for (int j = 0; j < RING; j += 4)
			*(__u32 *)(r.data + j) = random();
		switch (i % 4) {
		case 0:
			raw_prod(&r, ((__u64)random() << 32) | random());
			break;
		case 1:	/* aligned, within a ring: headers decide */
			raw_prod(&r, *r.cons + (random() % (RING / 8 + 1)) * 8);
			break;
		default: /* small plausible lengths */
			for (int j = 0; j < RING; j += 8)
				*(__u32 *)(r.data + j) = random() % 64;
			raw_prod(&r, *r.cons + (random() % (RING / 8 + 1)) * 8);
			break;
		}
		err = mr_drain_cmd("drain irq=%d", i & 1);
		if (err == -EBADMSG)
			bad++;
		else if (!err)
			ok++;
		else
			ASSERT_EQ(0, err);
	}
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(bad, q.user_bad);
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(bad, d.bad);
	EXPECT_EQ(400, bad + ok);
	EXPECT_LT(0, bad);
	EXPECT_LT(0, q.user_drained);
	EXPECT_EQ(0, q.consumer_pos & 7);
	raw_unmap(&r);
}

struct scribbler {
	struct raw *r;
	int stop;
	long rounds;
};

static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	unsigned int seed = 99;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		for (int j = 0; j < 64; j++) {
			__u32 off = (rand_r(&seed) % (RING / 4)) * 4;

			__atomic_store_n((__u32 *)(s->r->data + off),
					 rand_r(&seed) % 256, __ATOMIC_RELAXED);
		}
		raw_prod(s->r, *s->r->cons +
			 (rand_r(&seed) % (RING / 8 + 2)) * 8);
		s->rounds++;
		if (s->rounds % 16 == 0)
			usleep(50);	/* leave the drains CPU time */
	}
	return NULL;
}

/* A thread rewrites headers and producer_pos while the kernel drains. */
TEST_F(user, scribbling_while_draining)
{
	struct scribbler s = {};
	struct mapring_ring_query q;
	struct raw r;
	pthread_t th;
	long long bad = 0, ok = 0;
	int err;

	ASSERT_EQ(0, raw_map(self->fd, self->page, &r));
	s.r = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, scribble, &s));
	for (int i = 0; i < 300; i++) {
		err = mr_drain_cmd("drain irq=%d", i & 1);
		if (err == -EBADMSG)
			bad++;
		else if (!err)
			ok++;
		else
			break;
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	EXPECT_EQ(300, bad + ok);
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(bad, q.user_bad);
	EXPECT_EQ(0, q.consumer_pos & 7);
	raw_unmap(&r);
}

/* timeout, E2BIG and EINVAL, nobody draining */
TEST_F(user, reserve_blocking_errors)
{
	struct tally t = {};

	while (put(self->rb, &t, 100, 0))
		;
	ASSERT_EQ(ENOSPC, errno);
	EXPECT_EQ(NULL, mapring_user_ring_buffer__reserve_blocking(self->rb, 100, 30));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(NULL, mapring_user_ring_buffer__reserve_blocking(self->rb, 100, 0));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(NULL, mapring_user_ring_buffer__reserve_blocking(self->rb, 100, -2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, mapring_user_ring_buffer__reserve_blocking(self->rb, RING, -1));
	EXPECT_EQ(E2BIG, errno);
}

struct waiter {
	struct mapring_user_ring_buffer *rb;
	void *sample;
	int err, done;
};

static void *wait_room(void *arg)
{
	struct waiter *w = arg;

	w->sample = mapring_user_ring_buffer__reserve_blocking(w->rb, 1000, 60000);
	w->err = w->sample ? 0 : errno;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A blocked reserve is woken by a drain: from process context, and from a
 * drain with interrupts off (the wake-up goes through irq_work).
 */
TEST_F(user, reserve_blocking_woken_by_drain)
{
	struct mapring_ring_query q;
	struct tally t = {};
	struct waiter w = { .rb = self->rb };
	pthread_t th;

	for (int irq = 0; irq < 2; irq++) {
		while (put(self->rb, &t, 1000, 0))
			;
		w.done = 0;
		ASSERT_EQ(0, pthread_create(&th, NULL, wait_room, &w));
		usleep(50000);	/* most likely asleep by now; either way works */
		ASSERT_EQ(0, mr_drain_cmd("drain max=1 irq=%d", irq));
		pthread_join(th, NULL);
		ASSERT_EQ(0, w.err);
		ASSERT_NE(NULL, w.sample);
		mapring_user_ring_buffer__discard(self->rb, w.sample);
		t.discarded++;
		ASSERT_EQ(0, mr_drain_cmd("drain"));
	}
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_LT(0, q.wakeups);
	EXPECT_EQ(t.submitted, q.user_drained);
	EXPECT_EQ(t.discarded, q.user_discarded);
}

/* Kicks reach a kthread drainer; without one, the kick says so. */
TEST_F(user, kick_wakes_the_kernel_drainer)
{
	struct tally t = {};
	struct drainer d;

	EXPECT_EQ(0, mapring_user_ring_buffer__kick(self->rb));
	ASSERT_EQ(0, mr_drain_cmd("thread start"));
	EXPECT_EQ(-EBUSY, mr_drain_cmd("thread start"));
	for (int i = 0; i < 50; i++)
		ASSERT_NE(NULL, put(self->rb, &t, 40, i % 10 == 0));
	EXPECT_EQ(1, mapring_user_ring_buffer__kick(self->rb));
	ASSERT_EQ(0, drainer_wait_records(t.submitted));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_LE(1, d.kicks);
	EXPECT_EQ(1, d.thread);
	EXPECT_EQ(t.csum, d.csum);
	ASSERT_EQ(0, mr_drain_cmd("thread stop"));
	/* the drainer unregistered */
	EXPECT_EQ(0, mapring_user_ring_buffer__kick(self->rb));
}

/*
 * A module unloaded with its kick still set: mapring removes the kick (its
 * fn went with the module; calling it would crash) and the ring, which the
 * kick held, lives on with its fd and is freed once that is closed.
 */
TEST_F(user, kick_left_by_an_unloaded_module_is_removed)
{
	struct tally t = {};
	struct drainer d;

	ASSERT_EQ(0, mr_drain_cmd("kick leak"));
	EXPECT_EQ(-EBUSY, mr_drain_cmd("thread start"));
	EXPECT_EQ(1, mapring_user_ring_buffer__kick(self->rb));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(1, d.kicks);
	ASSERT_EQ(0, mr_drain_cmd("detach"));
	ASSERT_EQ(0, mr_rmmod("mr_test_drainer"));
	EXPECT_EQ(0, mapring_user_ring_buffer__kick(self->rb));
	EXPECT_NE(NULL, put(self->rb, &t, 40, 0));
	/* a new drainer can set its own, and drains what is there */
	ASSERT_EQ(0, drainer_load());
	ASSERT_EQ(0, mr_drain_cmd("attach " NAME));
	ASSERT_EQ(0, mr_drain_cmd("thread start"));
	EXPECT_EQ(1, mapring_user_ring_buffer__kick(self->rb));
	ASSERT_EQ(0, drainer_wait_records(1));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(t.csum, d.csum);
}

struct drain_loop {
	int stop;
	long ebusy, calls;
};

static void *drain_loop(void *arg)
{
	struct drain_loop *l = arg;
	int err;

	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		err = mr_drain_cmd("drain max=7");
		if (err == -EBUSY)
			l->ebusy++;
		l->calls++;
		usleep(200);
	}
	return NULL;
}

/*
 * One producer with a blocking reserve, two drainers (the kicked kthread
 * and a thread issuing drains): every record exactly once, in checksum.
 */
TEST_F_TIMEOUT(user, stress_concurrent_drainers, 120)
{
	struct drain_loop l = {};
	struct mapring_ring_query q;
	struct tally t = {};
	struct drainer d;
	pthread_t th;
	const int n = 6000;

	ASSERT_EQ(0, mr_drain_cmd("thread start max=64"));
	ASSERT_EQ(0, pthread_create(&th, NULL, drain_loop, &l));
	for (int i = 0; i < n; i++) {
		__u32 size = (i * 37) % 300;
		__u8 *p = mapring_user_ring_buffer__reserve_blocking(self->rb,
								     size, 20000);

		ASSERT_NE(NULL, p);
		for (__u32 k = 0; k < size; k++)
			p[k] = pay(size, k + i);
		if (i % 13 == 0) {
			mapring_user_ring_buffer__discard(self->rb, p);
			t.discarded++;
		} else {
			t.csum += mr_fnv(MR_FNV_BASIS, p, size);
			t.bytes += size;
			t.submitted++;
			mapring_user_ring_buffer__submit(self->rb, p);
		}
		if (i % 8 == 7)
			mapring_user_ring_buffer__kick(self->rb);
	}
	mapring_user_ring_buffer__kick(self->rb);
	ASSERT_EQ(0, drainer_wait_records(t.submitted));
	__atomic_store_n(&l.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	ASSERT_EQ(0, mr_drain_cmd("thread stop"));
	ASSERT_EQ(0, mr_drain_cmd("drain"));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(t.submitted, d.records);
	EXPECT_EQ(t.bytes, d.bytes);
	EXPECT_EQ(t.csum, d.csum);
	EXPECT_EQ(0, d.bad);
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(t.submitted, q.user_drained);
	EXPECT_EQ(t.discarded, q.user_discarded);
	/* the thread's -EBUSY drains are among the module's */
	EXPECT_LE(l.ebusy, d.busy);
	EXPECT_LT(0, l.calls);
	EXPECT_EQ(q.producer_pos, q.consumer_pos);
}

/*
 * The producer unmaps and closes everything while the kthread drains: the
 * module's reference keeps the ring; every record still arrives. mapring.ko
 * cannot be unloaded under the drainer; the drainer can, thread running.
 */
TEST_F(user, lifecycle_close_while_draining)
{
	struct tally t = {};
	struct drainer d;
	void *p;

	ASSERT_EQ(0, mr_drain_cmd("thread start max=3"));
	for (int i = 0; i < 100; i++) {
		if (!put(self->rb, &t, 64, 0)) {
			mapring_user_ring_buffer__kick(self->rb);
			p = mapring_user_ring_buffer__reserve_blocking(self->rb,
								       0, 20000);
			ASSERT_NE(NULL, p);
			break;
		}
	}
	/* a zero-size record is left busy: freed with it, never drained */
	mapring_user_ring_buffer__kick(self->rb);
	mapring_user_ring_buffer__free(self->rb);
	self->rb = NULL;
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, drainer_wait_records(t.submitted));
	ASSERT_EQ(0, drainer_status(&d));
	EXPECT_EQ(t.csum, d.csum);
	EXPECT_NE(0, mr_rmmod("mapring"));
	EXPECT_EQ(1, mr_module_loaded("mapring"));
	EXPECT_EQ(0, mr_rmmod("mr_test_drainer"));
	EXPECT_EQ(0, mr_rmmod("mapring"));
	EXPECT_EQ(0, mr_baseline());
}

TEST_HARNESS_MAIN
