// SPDX-License-Identifier: GPL-2.0
/*
 * The library's C API against real rings: ring objects, the libbpf-style
 * manager (new, add, poll, consume, consume_n, ring getters), several rings
 * in one manager, callback errors, batched publication of consumer_pos and
 * the edge-triggered manager.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "mr_harness.h"
#include "mr_ring.h"

#define WAIT_MS 20000

struct log {
	int n;
	int stop_at;		/* return -42 at this record (1-based), 0: never */
	size_t sizes[64];
	__u8 first[64];
	unsigned long cons_seen[64];
	struct mapring_ring *ring;
};

static int log_cb(void *ctx, const void *data, size_t size)
{
	struct log *l = ctx;

	if (l->n < 64) {
		l->sizes[l->n] = size;
		l->first[l->n] = size ? *(const __u8 *)data : 0;
		l->cons_seen[l->n] = l->ring ? mapring_ring__consumer_pos(l->ring) : 0;
	}
	l->n++;
	return l->n == l->stop_at ? -42 : 0;
}

static void put_records(struct __test_metadata *_metadata, int fd, int n,
			size_t size, __u8 first)
{
	__u8 buf[256];

	for (int i = 0; i < n; i++) {
		memset(buf, first + i, sizeof(buf));
		ASSERT_EQ(0, mapring_ringbuf__output(fd, buf, size, 0));
	}
}

TEST(ring_objects)
{
	struct mapring_ringbuf_opts o = { .sz = sizeof(o) };
	struct { struct mapring_ringbuf_opts o; __u64 tail; } big = {
		.o.sz = sizeof(big), .tail = 1 };
	struct mapring_ring_query q;
	int fd, fd2;

	ASSERT_EQ(0, mr_baseline());
	o.sz = 4;
	EXPECT_EQ(-EINVAL, mapring_ringbuf__create("lib.obj", 4096, &o));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, mapring_ringbuf__create("lib.obj", 4096, &big.o));
	big.tail = 0;
	fd = mapring_ringbuf__create("lib.obj", 8192, &big.o);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, mapring_ringbuf__create("lib.obj", 4096, NULL));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-EINVAL, mapring_ringbuf__create(NULL, 4096 + 1, NULL));
	EXPECT_EQ(-E2BIG, mapring_ringbuf__create(NULL, 1ULL << 40, NULL));

	ASSERT_EQ(0, mapring_ringbuf__query(fd, &q));
	EXPECT_EQ(8192, q.data_size);
	fd2 = mapring_ringbuf__open("lib.obj");
	ASSERT_LE(0, fd2);
	close(fd2);
	fd2 = mapring_ringbuf__open_by_id(q.id);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-ENOENT, mapring_ringbuf__open("lib.none"));

	EXPECT_EQ(0, mapring_ringbuf__output(fd2, "hi", 2, 0));
	EXPECT_EQ(-E2BIG, mapring_ringbuf__output(fd2, "hi", 8192, 0));
	EXPECT_EQ(-EINVAL, mapring_ringbuf__output(fd2, "hi", 2, 8));
	ASSERT_EQ(0, mapring_ringbuf__query(fd, &q));
	EXPECT_EQ(16, q.producer_pos);
	EXPECT_EQ(1, q.drops_too_large);
	close(fd2);
	close(fd);

	/* batched wake-ups through the options */
	o = (struct mapring_ringbuf_opts){ .sz = sizeof(o),
		.flags = MAPRING_RING_F_BATCH_WAKEUP, .wakeup_bytes = 100,
		.wakeup_usecs = 1000 };
	fd = mapring_ringbuf__create(NULL, 4096, &o);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mapring_ringbuf__query(fd, &q));
	EXPECT_EQ(100, q.wakeup_bytes);
	EXPECT_EQ(1000, q.wakeup_usecs);
	close(fd);
}

TEST(manager_like_libbpf)
{
	struct log l = { 0 };
	struct mapring_ring_buffer *rb;
	struct mapring_ring *r;
	struct mapring_ring_drops d;
	int fd, p[2];

	ASSERT_EQ(0, mr_baseline());
	fd = mapring_ringbuf__create("lib.mgr", 4096, NULL);
	ASSERT_LE(0, fd);
	rb = mapring_ring_buffer__new(fd, log_cb, &l, NULL);
	ASSERT_NE(NULL, rb);
	r = mapring_ring_buffer__ring(rb, 0);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(NULL, mapring_ring_buffer__ring(rb, 1));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_LE(0, mapring_ring_buffer__epoll_fd(rb));

	/* empty: poll(0) finds nothing */
	EXPECT_EQ(0, mapring_ring_buffer__poll(rb, 0));

	/* two records and a discarded one (a kernel producer's) */
	put_records(_metadata, fd, 2, 20, 'a');
	ASSERT_EQ(0, mr_prod_load(NULL));
	ASSERT_EQ(0, mr_prod_cmd("attach lib.mgr"));
	ASSERT_EQ(0, mr_prod_cmd("start id=0 count=1 size=24 mode=discard"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	ASSERT_EQ(0, mr_prod_unload());
	EXPECT_EQ(3 * 32, mapring_ring__avail_data_size(r));
	EXPECT_EQ(96, mapring_ring__producer_pos(r));
	EXPECT_EQ(0, mapring_ring__consumer_pos(r));
	EXPECT_EQ(4096, mapring_ring__size(r));
	EXPECT_EQ(fd, mapring_ring__map_fd(r));

	EXPECT_EQ(2, mapring_ring_buffer__poll(rb, WAIT_MS));
	EXPECT_EQ(2, l.n);
	EXPECT_EQ(20, l.sizes[0]);
	EXPECT_EQ('a', l.first[0]);
	EXPECT_EQ('b', l.first[1]);
	EXPECT_EQ(96, mapring_ring__consumer_pos(r));
	EXPECT_EQ(0, mapring_ring__avail_data_size(r));
	EXPECT_EQ(0, mapring_ring_buffer__consume(rb));

	/* drops, through the producer page */
	while (!mapring_ringbuf__output(fd, "x", 1, 0))
		;
	EXPECT_EQ(-E2BIG, mapring_ringbuf__output(fd, "x", 4096, 0));
	EXPECT_EQ(2, mapring_ring__drops(r, &d));
	EXPECT_EQ(1, d.full);
	EXPECT_EQ(1, d.too_large);
	EXPECT_EQ(0, d.busy);
	EXPECT_EQ(255, mapring_ring__consume(r)); /* (4096 - 96 - 1) / 16 */

	/* only rings can be added */
	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-EINVAL, mapring_ring_buffer__add(rb, p[0], log_cb, &l));
	EXPECT_EQ(-EBADF, mapring_ring_buffer__add(rb, 1000, log_cb, &l));
	EXPECT_EQ(NULL, mapring_ring_buffer__new(p[0], log_cb, &l, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(p[0]);
	close(p[1]);
	mapring_ring_buffer__free(rb);
	close(fd);
}

TEST(several_rings_in_one_manager)
{
	struct log a = { 0 }, b = { 0 };
	struct mapring_ring_buffer *rb;
	int fa, fb;

	ASSERT_EQ(0, mr_baseline());
	fa = mapring_ringbuf__create(NULL, 4096, NULL);
	fb = mapring_ringbuf__create(NULL, 8192, NULL);
	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	rb = mapring_ring_buffer__new(fa, log_cb, &a, NULL);
	ASSERT_NE(NULL, rb);
	ASSERT_EQ(0, mapring_ring_buffer__add(rb, fb, log_cb, &b));
	EXPECT_EQ(8192, mapring_ring__size(mapring_ring_buffer__ring(rb, 1)));

	put_records(_metadata, fa, 1, 8, 'A');
	put_records(_metadata, fb, 1, 8, 'B');
	/* each ring's wake-up may come separately */
	for (int got = 0, n; got < 2; got += n) {
		n = mapring_ring_buffer__poll(rb, WAIT_MS);
		ASSERT_LT(0, n);
	}
	EXPECT_EQ(1, a.n);
	EXPECT_EQ(1, b.n);
	EXPECT_EQ('A', a.first[0]);
	EXPECT_EQ('B', b.first[0]);

	put_records(_metadata, fb, 3, 8, 'C');
	EXPECT_EQ(3, mapring_ring_buffer__poll(rb, WAIT_MS));
	EXPECT_EQ(1, a.n);
	EXPECT_EQ(4, b.n);
	mapring_ring_buffer__free(rb);
	close(fa);
	close(fb);
}

TEST(consume_n_takes_batches)
{
	struct log l = { 0 };
	struct mapring_ring_buffer *rb;
	int fd, fd2;

	ASSERT_EQ(0, mr_baseline());
	fd = mapring_ringbuf__create(NULL, 4096, NULL);
	fd2 = mapring_ringbuf__create(NULL, 4096, NULL);
	ASSERT_LE(0, fd);
	rb = mapring_ring_buffer__new(fd, log_cb, &l, NULL);
	ASSERT_NE(NULL, rb);
	put_records(_metadata, fd, 32, 8, 0);
	for (int i = 0; i < 8; i++) {
		EXPECT_EQ(4, mapring_ring_buffer__consume_n(rb, 4));
		EXPECT_EQ(4 * (i + 1), l.n);
	}
	EXPECT_EQ(0, mapring_ring_buffer__consume_n(rb, 4));
	EXPECT_EQ(0, mapring_ring_buffer__consume_n(rb, 0));

	/* across rings: the first ring first, then the next */
	ASSERT_EQ(0, mapring_ring_buffer__add(rb, fd2, log_cb, &l));
	put_records(_metadata, fd, 3, 8, 0);
	put_records(_metadata, fd2, 3, 8, 0);
	EXPECT_EQ(5, mapring_ring_buffer__consume_n(rb, 5));
	EXPECT_EQ(1, mapring_ring__consume_n(mapring_ring_buffer__ring(rb, 1), 7));
	EXPECT_EQ(38, l.n);
	mapring_ring_buffer__free(rb);
	close(fd);
	close(fd2);
}

TEST(callback_error_stops_and_is_returned)
{
	struct log l = { .stop_at = 3 };
	struct mapring_ring_buffer *rb;
	struct mapring_ring *r;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mapring_ringbuf__create(NULL, 4096, NULL);
	ASSERT_LE(0, fd);
	rb = mapring_ring_buffer__new(fd, log_cb, &l, NULL);
	ASSERT_NE(NULL, rb);
	r = mapring_ring_buffer__ring(rb, 0);
	put_records(_metadata, fd, 5, 8, 0);
	EXPECT_EQ(-42, mapring_ring_buffer__poll(rb, WAIT_MS));
	EXPECT_EQ(42, errno);
	EXPECT_EQ(3, l.n);
	/* the failing record counts as consumed, as in libbpf */
	EXPECT_EQ(3 * 16, mapring_ring__consumer_pos(r));
	EXPECT_EQ(2, mapring_ring_buffer__consume(rb));
	EXPECT_EQ(5, l.n);
	l.stop_at = 6;
	put_records(_metadata, fd, 2, 8, 0);
	EXPECT_EQ(-42, mapring_ring__consume(r));
	EXPECT_EQ(1, mapring_ring__consume(r));
	mapring_ring_buffer__free(rb);
	close(fd);
}

TEST(consumer_pos_is_published_per_batch)
{
	struct mapring_ring_buffer_opts o = { .sz = sizeof(o) };
	struct log l = { 0 };
	struct mapring_ring_buffer *rb;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mapring_ringbuf__create(NULL, 16384, NULL);
	ASSERT_LE(0, fd);

	/* default: a quarter of the ring, here 4096 bytes: once at the end */
	rb = mapring_ring_buffer__new(fd, log_cb, &l, NULL);
	ASSERT_NE(NULL, rb);
	l.ring = mapring_ring_buffer__ring(rb, 0);
	put_records(_metadata, fd, 10, 8, 0);
	EXPECT_EQ(10, mapring_ring_buffer__consume(rb));
	for (int i = 0; i < 10; i++)
		EXPECT_EQ(0, l.cons_seen[i]);
	EXPECT_EQ(160, mapring_ring__consumer_pos(l.ring));
	mapring_ring_buffer__free(rb);

	/* every 48 bytes: the position lags by less than a batch */
	o.batch_bytes = 48;
	rb = mapring_ring_buffer__new(fd, log_cb, &l, &o);
	ASSERT_NE(NULL, rb);
	l = (struct log){ .ring = mapring_ring_buffer__ring(rb, 0) };
	put_records(_metadata, fd, 10, 8, 0);
	EXPECT_EQ(10, mapring_ring_buffer__consume(rb));
	for (int i = 0; i < 10; i++)
		EXPECT_EQ(160 + i / 3 * 48, l.cons_seen[i]);
	mapring_ring_buffer__free(rb);

	/* 1 byte: after every record, as libbpf */
	o.batch_bytes = 1;
	rb = mapring_ring_buffer__new(fd, log_cb, &l, &o);
	ASSERT_NE(NULL, rb);
	l = (struct log){ .ring = mapring_ring_buffer__ring(rb, 0) };
	put_records(_metadata, fd, 4, 8, 0);
	EXPECT_EQ(4, mapring_ring_buffer__consume(rb));
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(320 + 16 * i, l.cons_seen[i]);
	mapring_ring_buffer__free(rb);
	close(fd);
}

TEST(edge_triggered_manager_keeps_what_it_owes)
{
	struct mapring_ring_buffer_opts o = {
		.sz = sizeof(o), .flags = MAPRING_RING_BUFFER_EDGE_TRIGGERED };
	struct log l = { .stop_at = 2 };
	struct mapring_ring_buffer *rb;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mapring_ringbuf__create(NULL, 4096, NULL);
	ASSERT_LE(0, fd);
	rb = mapring_ring_buffer__new(fd, log_cb, &l, &o);
	ASSERT_NE(NULL, rb);
	put_records(_metadata, fd, 5, 8, 0);
	EXPECT_EQ(-42, mapring_ring_buffer__poll(rb, WAIT_MS));
	/*
	 * No new wake-up will come for the three records left (the consumer
	 * is behind them), and epoll will not report the ring again: the
	 * manager must remember it owes this ring a pass.
	 */
	EXPECT_EQ(3, mapring_ring_buffer__poll(rb, WAIT_MS));
	EXPECT_EQ(5, l.n);
	EXPECT_EQ(0, mapring_ring_buffer__poll(rb, 0));
	/* and wake-ups keep coming for new records */
	put_records(_metadata, fd, 1, 8, 0);
	EXPECT_EQ(1, mapring_ring_buffer__poll(rb, WAIT_MS));
	mapring_ring_buffer__free(rb);
	close(fd);
}

TEST_HARNESS_MAIN
