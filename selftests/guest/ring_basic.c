// SPDX-License-Identifier: GPL-2.0
/*
 * Rings: creation and its errors, opening, query, user-space output and
 * write(), the records as a consumer sees them (headers, wrap-around,
 * every size), full and too-large rings with exact drop counts, kernel
 * reserve/submit/discard through mr_test_producer, poll.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mr_harness.h"
#include "mr_ring.h"

#define MAX_BYTES_PARAM "/sys/module/mapring/parameters/ring_max_bytes"

static long page(void)
{
	return sysconf(_SC_PAGESIZE);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, s, strlen(s)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/* Consume the one record at consumer_pos: its header word. */
static __u32 take(struct mr_map *m)
{
	__u64 cons = mr_cons(m);
	__u32 len = mr_hdr_len(m, cons);

	mr_set_cons(m, cons + mr_rec_len(len));
	return len;
}

/* An address no mapping covers, hidden from the compiler's checks. */
static void *bad_ptr(void)
{
	uintptr_t addr = 8;

	__asm__("" : "+r"(addr));
	return (void *)addr;
}

TEST(create_rejects_bad_sizes)
{
	long pg = page();
	__u64 bad[] = { 0, 8, pg / 2, pg + 8, 3 * pg, 5 * pg, (1ULL << 40) + pg };
	int fd;

	ASSERT_EQ(0, mr_baseline());
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, mr_ring_create(NULL, bad[i], 0, 0, 0));
	/* above ring_max_bytes (default 256 MiB) */
	EXPECT_EQ(-E2BIG, mr_ring_create(NULL, 1ULL << 29, 0, 0, 0));
	EXPECT_EQ(-E2BIG, mr_ring_create(NULL, 1ULL << 40, 0, 0, 0));

	/* the parameter moves the bound, and takes only sane values */
	ASSERT_EQ(0, write_file(MAX_BYTES_PARAM, "16384"));
	EXPECT_EQ(-E2BIG, mr_ring_create(NULL, 32768, 0, 0, 0));
	fd = mr_ring_create(NULL, 16384, 0, 0, 0);
	EXPECT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EINVAL, write_file(MAX_BYTES_PARAM, "12345"));
	EXPECT_EQ(-EINVAL, write_file(MAX_BYTES_PARAM, "1024"));
	EXPECT_EQ(-EINVAL, write_file(MAX_BYTES_PARAM, "8589934592"));
	ASSERT_EQ(0, write_file(MAX_BYTES_PARAM, "268435456"));
}

TEST(create_rejects_bad_flags_and_wakeups)
{
	struct mapring_ring_create a = { .size = sizeof(a), .data_size = 4096 };
	long pg = page();
	int dev, fd;

	ASSERT_EQ(0, mr_baseline());
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, pg, 1U << 15, 0, 0));
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, pg, 1U << 31, 0, 0));
	/* wake-up parameters only with MAPRING_RING_F_BATCH_WAKEUP */
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, pg, 0, 64, 0));
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, pg, 0, 0, 100));
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, pg, MAPRING_RING_F_BATCH_WAKEUP, 64, 0));
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, pg, MAPRING_RING_F_BATCH_WAKEUP, 64,
					  MAPRING_RING_MAX_WAKEUP_USECS + 1));
	EXPECT_EQ(-EINVAL, mr_ring_create(NULL, pg, MAPRING_RING_F_BATCH_WAKEUP,
					  pg + 1, 100));
	fd = mr_ring_create(NULL, pg, MAPRING_RING_F_BATCH_WAKEUP, pg,
			    MAPRING_RING_MAX_WAKEUP_USECS);
	EXPECT_LE(0, fd);
	close(fd);
	fd = mr_ring_create(NULL, pg, MAPRING_RING_F_BATCH_WAKEUP, 0, 1);
	EXPECT_LE(0, fd);
	close(fd);

	/* padding must be zero; the struct has a first published size */
	dev = open("/dev/mapring", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	a.data_size = pg;
	a.__pad0 = 1;
	EXPECT_EQ(-1, ioctl(dev, MAPRING_IOC_RING_CREATE, &a));
	EXPECT_EQ(EINVAL, errno);
	a.__pad0 = 0;
	a.size = MAPRING_RING_CREATE_SIZE_VER0 - 1;
	EXPECT_EQ(-1, ioctl(dev, MAPRING_IOC_RING_CREATE, &a));
	EXPECT_EQ(EINVAL, errno);
	close(dev);
}

TEST(names_are_unique_and_checked)
{
	long pg = page();
	int a, b;

	ASSERT_EQ(0, mr_baseline());
	a = mr_ring_create("basic.name_1", pg, 0, 0, 0);
	ASSERT_LE(0, a);
	EXPECT_EQ(-EEXIST, mr_ring_create("basic.name_1", pg, 0, 0, 0));
	EXPECT_EQ(-EINVAL, mr_ring_create("bad name", pg, 0, 0, 0));
	EXPECT_EQ(-EINVAL, mr_ring_create("bad/name", pg, 0, 0, 0));
	/* the name is free again as soon as the ring is gone */
	close(a);
	b = mr_ring_create("basic.name_1", pg, 0, 0, 0);
	EXPECT_LE(0, b);
	close(b);
}

TEST(fd_is_cloexec_and_opens_by_name_and_id)
{
	struct mapring_ring_query q1, q2;
	char path[64], line[128];
	int fd, byname, byid, found = 0;
	FILE *f;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create("basic.open", 2 * page(), 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	ASSERT_EQ(0, mr_ring_query(fd, &q1));
	EXPECT_NE(0, q1.id);

	byname = mapring_obj__open_by_name("basic.open", MAPRING_OBJ_RINGBUF);
	ASSERT_LE(0, byname);
	EXPECT_EQ(FD_CLOEXEC, fcntl(byname, F_GETFD));
	byid = mapring_obj__open_by_id(q1.id, MAPRING_OBJ_UNSPEC);
	ASSERT_LE(0, byid);
	ASSERT_EQ(0, mr_ring_query(byid, &q2));
	EXPECT_EQ(q1.id, q2.id);
	EXPECT_EQ(2 * page(), q2.data_size);
	EXPECT_EQ(-EINVAL, mapring_obj__open_by_name("basic.open",
						     MAPRING_OBJ_PERCPU_ARRAY));

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", byname);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		found += !strcmp(line, "mapring_type:\tringbuf\n");
		found += !strcmp(line, "mapring_name:\tbasic.open\n");
		found += !strncmp(line, "ring_data_size:\t", 16) &&
			 atol(line + 16) == 2 * page();
	}
	fclose(f);
	EXPECT_EQ(3, found);
	close(byid);
	close(byname);
	close(fd);
}

TEST(query_reports_exact_values)
{
	struct mapring_ring_query q;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create(NULL, 4 * page(), MAPRING_RING_F_BATCH_WAKEUP, 512, 250);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(sizeof(q), q.size);
	EXPECT_EQ(MAPRING_RING_F_BATCH_WAKEUP, q.ring_flags);
	EXPECT_EQ(4 * page(), q.data_size);
	EXPECT_EQ(0, q.avail);
	EXPECT_EQ(0, q.consumer_pos);
	EXPECT_EQ(0, q.producer_pos);
	EXPECT_EQ(0, q.pending_pos);
	EXPECT_EQ(0, q.drops_full + q.drops_too_large + q.drops_busy);
	EXPECT_EQ(512, q.wakeup_bytes);
	EXPECT_EQ(250, q.wakeup_usecs);
	EXPECT_EQ(0, q.__pad0);

	q.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_RING_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	memset(&q, 0, sizeof(q));
	q.size = MAPRING_RING_QUERY_SIZE_VER0 - 1;
	EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_RING_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(output_and_write_publish_records)
{
	struct mapring_ring_query q;
	struct mr_map m = { 0 };
	const __u8 *s;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create(NULL, page(), 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_map_ring(fd, &m));
	ASSERT_EQ(0, mr_ring_output(fd, "abc", 3, 0));
	ASSERT_EQ(5, write(fd, "hello", 5));
	ASSERT_EQ(0, write(fd, "", 0)); /* an empty record */

	EXPECT_EQ(16 + 16 + 8, mr_prod_pos(&m));
	EXPECT_EQ(3, mr_hdr_len(&m, 0));
	EXPECT_EQ(0, ((const __u32 *)m.data)[1]); /* header pad */
	s = mr_sample(&m, 0);
	EXPECT_EQ(0, memcmp(s, "abc", 3));
	EXPECT_EQ(5, mr_hdr_len(&m, 16));
	EXPECT_EQ(0, memcmp(mr_sample(&m, 16), "hello", 5));
	EXPECT_EQ(0, mr_hdr_len(&m, 32));

	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(40, q.avail);
	EXPECT_EQ(40, q.producer_pos);
	mr_set_cons(&m, 16);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(24, q.avail);
	EXPECT_EQ(16, q.consumer_pos);
	mr_unmap_ring(&m);
	close(fd);
}

TEST(output_errors_leave_no_record)
{
	struct mapring_ring_output o = { .size = sizeof(o), .data_size = 8 };
	struct mapring_ring_query q;
	char buf[8] = { 0 };
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create(NULL, page(), 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, mr_ring_output(fd, buf, 8, 4));
	EXPECT_EQ(-EINVAL, mr_ring_output(fd, buf, 8, 1ULL << 63));
	EXPECT_EQ(-EFAULT, mr_ring_output(fd, (void *)8, 8, 0));
	EXPECT_EQ(-EFAULT, mr_ring_output(fd, (void *)8, 200, 0));
	EXPECT_EQ(-1, write(fd, bad_ptr(), 8));
	EXPECT_EQ(EFAULT, errno);
	o.__pad0 = 1;
	o.data = (__u64)(uintptr_t)buf;
	EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_RING_OUTPUT, &o));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(0, q.producer_pos);
	EXPECT_EQ(0, q.drops_full + q.drops_too_large + q.drops_busy);

	/* too large: counted, whatever the size */
	EXPECT_EQ(-E2BIG, mr_ring_output(fd, buf, page(), 0));
	EXPECT_EQ(-E2BIG, mr_ring_output(fd, buf, 1ULL << 40, 0));
	EXPECT_EQ(-1, write(fd, buf, page()));
	EXPECT_EQ(E2BIG, errno);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(3, q.drops_too_large);
	EXPECT_EQ(0, q.producer_pos);

	/* a ring fd is not the device, nor the device a ring */
	EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_INFO, &q));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
	fd = open("/dev/mapring", O_RDWR | O_CLOEXEC);
	EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_RING_QUERY, &q));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST(full_ring_drops_exactly_one_per_failure)
{
	struct mapring_ring_query q;
	struct mr_map m = { 0 };
	char rec[64] = { 0 };
	int fd, n = 0;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create(NULL, page(), 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_map_ring(fd, &m));
	while (!mr_ring_output(fd, rec, sizeof(rec), 0))
		n++;
	/* 72 bytes each, at most page - 1 bytes ahead of the consumer */
	EXPECT_EQ((page() - 1) / 72, n);
	for (int i = 0; i < 10; i++)
		EXPECT_EQ(-EAGAIN, mr_ring_output(fd, rec, sizeof(rec), 0));
	EXPECT_EQ(-1, write(fd, rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(12, q.drops_full);
	EXPECT_EQ(12, __atomic_load_n(&m.prod->drops_full, __ATOMIC_RELAXED));
	EXPECT_EQ(0, q.drops_too_large);
	EXPECT_EQ(0, q.drops_busy);
	/* a smaller record that fits still goes in */
	EXPECT_EQ(0, mr_ring_output(fd, rec, page() - 1 - 72 * n - 8 - 7, 0));

	/* consuming one record makes room for one more */
	take(&m);
	EXPECT_EQ(0, mr_ring_output(fd, rec, sizeof(rec), 0));
	EXPECT_EQ(-EAGAIN, mr_ring_output(fd, rec, sizeof(rec), 0));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(13, q.drops_full);
	mr_unmap_ring(&m);
	close(fd);
}

TEST(largest_record_fits_one_more_does_not)
{
	struct mapring_ring_query q;
	char *rec = calloc(1, page());
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create(NULL, page(), 0, 0, 0);
	ASSERT_LE(0, fd);
	/* a record takes round_up(size + 8, 8) <= data_size - 1 bytes */
	EXPECT_EQ(-E2BIG, mr_ring_output(fd, rec, page() - 15, 0));
	EXPECT_EQ(0, mr_ring_output(fd, rec, page() - 16, 0));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(1, q.drops_too_large);
	EXPECT_EQ(page() - 8, q.producer_pos);
	free(rec);
	close(fd);
}

TEST(every_size_from_0_to_the_largest)
{
	long max = page() - 16;
	struct mr_map m = { 0 };
	__u8 *rec = malloc(max);
	const __u8 *s;
	int fd, bad = 0;
	__u64 pos;
	__u32 len;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create(NULL, page(), 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_map_ring(fd, &m));
	for (long size = 0; size <= max; size++) {
		for (long i = 0; i < size; i++)
			rec[i] = (__u8)(size + i);
		ASSERT_EQ(0, mr_ring_output(fd, rec, size, 0)) {
			TH_LOG("size %ld", size);
		}
		pos = mr_cons(&m);
		len = mr_hdr_len(&m, pos);
		s = mr_sample(&m, pos);
		bad += len != size || memcmp(s, rec, size);
		ASSERT_EQ(pos + mr_rec_len(len), mr_prod_pos(&m));
		mr_set_cons(&m, pos + mr_rec_len(len));
	}
	EXPECT_EQ(0, bad);
	mr_unmap_ring(&m);
	free(rec);
	close(fd);
}

TEST(records_straddling_the_end_are_contiguous)
{
	struct mr_map m = { 0 };
	__u8 rec[1000];
	int fd, straddled = 0;
	__u64 pos;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create(NULL, page(), 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_map_ring(fd, &m));
	for (int r = 0; r < 40; r++) {
		for (size_t i = 0; i < sizeof(rec); i++)
			rec[i] = (__u8)(r * 7 + i);
		ASSERT_EQ(0, mr_ring_output(fd, rec, sizeof(rec), 0));
		pos = mr_cons(&m);
		straddled += (pos & (m.size - 1)) + 1008 > m.size;
		ASSERT_EQ(sizeof(rec), mr_hdr_len(&m, pos));
		ASSERT_EQ(0, memcmp(mr_sample(&m, pos), rec, sizeof(rec)));
		mr_set_cons(&m, pos + 1008);
	}
	EXPECT_LE(8, straddled);
	mr_unmap_ring(&m);
	close(fd);
}

TEST(kernel_reserve_submit_discard_output)
{
	struct mr_map m = { 0 };
	struct mr_job j;
	int fd, seen = 0, discards = 0, bad = 0;
	__u64 pos, end;
	__u32 len;

	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
	fd = mr_ring_create("basic.kernel", 16 * page(), 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_map_ring(fd, &m));
	ASSERT_EQ(0, mr_prod_cmd("attach basic.kernel"));
	ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread count=3 size=40 mode=submit"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	ASSERT_EQ(0, mr_prod_cmd("start id=1 ctx=kthread count=2 size=48 mode=discard"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	ASSERT_EQ(0, mr_prod_cmd("start id=2 ctx=irq cpu=0 count=8 size=56 mode=mixed"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	ASSERT_EQ(0, mr_prod_cmd("start id=3 ctx=timer cpu=0 count=3 size=24 mode=output"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	ASSERT_EQ(0, mr_prod_job(2, &j));
	EXPECT_STREQ("done", j.state);
	EXPECT_EQ(8, j.attempts);
	EXPECT_EQ(6, j.committed);
	EXPECT_EQ(2, j.discarded);
	EXPECT_EQ(0, j.dropped);

	end = mr_prod_pos(&m);
	EXPECT_EQ(3 * 48 + 2 * 56 + 8 * 64 + 3 * 32, end);
	for (pos = 0; pos < end; pos += mr_rec_len(len)) {
		len = mr_hdr_len(&m, pos);
		EXPECT_EQ(0, len & MAPRING_RB_BUSY_BIT);
		if (len & MAPRING_RB_DISCARD_BIT) {
			discards++;
			continue;
		}
		seen++;
		bad += !mr_rec_ok(mr_sample(&m, pos), len);
	}
	EXPECT_EQ(3 + 6 + 3, seen);
	EXPECT_EQ(2 + 2, discards);
	EXPECT_EQ(0, bad);
	/* discarded records keep their length, with the DISCARD bit */
	EXPECT_EQ(48 | MAPRING_RB_DISCARD_BIT, mr_hdr_len(&m, 3 * 48));

	EXPECT_EQ(0, mr_prod_unload());
	mr_unmap_ring(&m);
	close(fd);
}

TEST(poll_reports_committed_records)
{
	struct mr_map m = { 0 };
	struct pollfd p;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create(NULL, page(), 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_map_ring(fd, &m));
	p = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT | POLLRDNORM };
	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, mr_ring_output(fd, "x", 1, MAPRING_RB_NO_WAKEUP));
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLRDNORM, p.revents);
	take(&m);
	EXPECT_EQ(0, poll(&p, 1, 0));
	mr_unmap_ring(&m);
	close(fd);
}

TEST(no_read_no_seek)
{
	char buf[8];
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create(NULL, page(), 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	close(fd);
}

TEST_HARNESS_MAIN
