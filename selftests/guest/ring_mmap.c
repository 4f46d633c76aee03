// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap permission matrix of a ring, case by case: only the consumer
 * page alone may be writable; everything else is read-only for good
 * (mprotect cannot add write or exec, mremap cannot grow); shared mappings
 * only; bounds are checked; the data pages appear twice in a row.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mr_harness.h"
#include "mr_ring.h"

#define NR_DATA 4

FIXTURE(ring) {
	int fd;
	long page;
	size_t size;
};

FIXTURE_SETUP(ring)
{
	ASSERT_EQ(0, mr_baseline());
	self->page = sysconf(_SC_PAGESIZE);
	self->size = NR_DATA * self->page;
	self->fd = mr_ring_create(NULL, self->size, 0, 0, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ring)
{
	close(self->fd);
}

/* mmap's errno, or 0 (and the mapping is undone). */
static int map_err(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

TEST_F(ring, consumer_page_is_writable_alone)
{
	struct mapring_ring_query q;
	__u64 *cons;

	cons = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		    self->fd, 0);
	ASSERT_NE(MAP_FAILED, cons);
	*cons = 4096;
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(4096, q.consumer_pos);
	*cons = 0;
	munmap(cons, self->page);

	/* one page more, at any offset, and write is refused */
	EXPECT_EQ(EPERM, map_err(self->fd, 2 * self->page,
				 PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(EPERM, map_err(self->fd, self->page, PROT_WRITE, MAP_SHARED,
				 self->page));
}

TEST_F(ring, producer_and_data_pages_refuse_write)
{
	off_t off;

	for (off = 1; off < 2 + 2 * NR_DATA; off++) {
		EXPECT_EQ(EPERM, map_err(self->fd, self->page,
					 PROT_READ | PROT_WRITE, MAP_SHARED,
					 off * self->page)) {
			TH_LOG("page offset %ld", (long)off);
		}
	}
	/* the producer page and all the data, as libbpf maps them */
	EXPECT_EQ(EPERM, map_err(self->fd, self->page + 2 * self->size,
				 PROT_READ | PROT_WRITE, MAP_SHARED, self->page));
}

TEST_F(ring, exec_is_refused_everywhere)
{
	EXPECT_EQ(EPERM, map_err(self->fd, self->page, PROT_READ | PROT_EXEC,
				 MAP_SHARED, 0));
	EXPECT_EQ(EPERM, map_err(self->fd, self->page, PROT_READ | PROT_EXEC,
				 MAP_SHARED, self->page));
	EXPECT_EQ(EPERM, map_err(self->fd, self->page, PROT_READ | PROT_EXEC,
				 MAP_SHARED, 2 * self->page));
}

TEST_F(ring, private_mappings_are_refused)
{
	EXPECT_EQ(EINVAL, map_err(self->fd, self->page, PROT_READ, MAP_PRIVATE,
				  0));
	EXPECT_EQ(EINVAL, map_err(self->fd, self->page, PROT_READ, MAP_PRIVATE,
				  self->page));
}

TEST_F(ring, read_only_cannot_gain_write_or_exec)
{
	size_t len = self->page + 2 * self->size;
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd, self->page);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, self->page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(p, len, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, mprotect(p, len, PROT_READ));
	EXPECT_EQ(0, mprotect(p, len, PROT_NONE));
	EXPECT_EQ(-1, mprotect(p, len, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, len);

	/* read-only consumer page: read-only for good too, as BPF */
	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, self->page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, self->page);
}

TEST_F(ring, mremap_cannot_grow)
{
	void *p = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->fd, 0);
	void *q;

	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, self->page, 2 * self->page, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EFAULT, errno);
	munmap(p, self->page);

	p = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->fd,
		 self->page);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, 2 * self->page, 3 * self->page, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EFAULT, errno);
	/* shrinking and moving are fine */
	q = mremap(p, 2 * self->page, self->page, 0);
	EXPECT_EQ(p, q);
	munmap(p, self->page);
}

TEST_F(ring, bounds_are_checked)
{
	long all = 2 + 2 * NR_DATA;

	/* the whole area read-only: the exact size works, one more does not */
	EXPECT_EQ(0, map_err(self->fd, all * self->page, PROT_READ, MAP_SHARED,
			     0));
	EXPECT_EQ(EINVAL, map_err(self->fd, (all + 1) * self->page, PROT_READ,
				  MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, map_err(self->fd, self->page, PROT_READ, MAP_SHARED,
				  all * self->page));
	EXPECT_EQ(EINVAL, map_err(self->fd, 2 * self->page, PROT_READ,
				  MAP_SHARED, (all - 1) * self->page));
	EXPECT_EQ(0, map_err(self->fd, self->page, PROT_READ, MAP_SHARED,
			     (all - 1) * self->page));
}

TEST_F(ring, read_only_at_an_offset_sees_the_data_twice)
{
	__u8 rec[100];
	const __u8 *d;
	size_t i;

	for (i = 0; i < sizeof(rec); i++)
		rec[i] = i + 1;
	ASSERT_EQ(0, mr_ring_output(self->fd, rec, sizeof(rec), 0));

	/* the data pages only, both copies */
	d = mmap(NULL, 2 * self->size, PROT_READ, MAP_SHARED, self->fd,
		 MAPRING_RB_DATA_PGOFF * self->page);
	ASSERT_NE(MAP_FAILED, d);
	EXPECT_EQ(sizeof(rec), *(const __u32 *)d);
	EXPECT_EQ(0, memcmp(d + MAPRING_RB_HDR_SZ, rec, sizeof(rec)));
	for (i = 0; i < self->size; i++)
		ASSERT_EQ(d[i], d[i + self->size]);
	munmap((void *)d, 2 * self->size);

	/* the second copy's first page alone */
	d = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd,
		 (MAPRING_RB_DATA_PGOFF + NR_DATA) * self->page);
	ASSERT_NE(MAP_FAILED, d);
	EXPECT_EQ(0, memcmp(d + MAPRING_RB_HDR_SZ, rec, sizeof(rec)));
	munmap((void *)d, self->page);
}

TEST_F(ring, producer_page_layout)
{
	const struct mapring_rb_producer *p;
	__u8 rec[13] = { 0 };

	ASSERT_EQ(0, mr_ring_output(self->fd, rec, sizeof(rec), 0));
	ASSERT_EQ(E2BIG, -mr_ring_output(self->fd, rec, self->size, 0));
	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, self->page);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(24, p->producer_pos); /* round_up(13 + 8, 8) */
	EXPECT_EQ(0, p->pending_pos);	/* advanced by the next reserve */
	EXPECT_EQ(0, p->drops_full);
	EXPECT_EQ(1, p->drops_too_large);
	EXPECT_EQ(0, p->drops_busy);
	EXPECT_EQ(0, p->overwrite_pos);	/* not an overwrite ring */
	EXPECT_EQ(0, p->overwritten);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0, p->__reserved[i]);
	munmap((void *)p, self->page);
}

TEST_F(ring, proc_mem_cannot_write_read_only_pages)
{
	void *p = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->fd,
		       self->page);
	__u64 v = 12345;
	int mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_LE(0, mem);
	/* FOLL_FORCE does not break a shared read-only mapping */
	EXPECT_EQ(-1, pwrite(mem, &v, sizeof(v), (off_t)(uintptr_t)p));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pwrite(mem, &v, sizeof(v),
			     (off_t)(uintptr_t)p + self->page));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(0, *(__u64 *)p);
	close(mem);
	munmap(p, 2 * self->page);
}

TEST_F(ring, zapped_pages_fault_back_in)
{
	__u64 *cons = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			   MAP_SHARED, self->fd, 0);
	__u8 rec[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const __u8 *d;
	struct mapring_ring_query q;

	ASSERT_NE(MAP_FAILED, cons);
	d = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd,
		 MAPRING_RB_DATA_PGOFF * self->page);
	ASSERT_NE(MAP_FAILED, d);
	ASSERT_EQ(0, mr_ring_output(self->fd, rec, sizeof(rec), 0));
	EXPECT_EQ(8, *(const __u32 *)d);
	ASSERT_EQ(0, madvise((void *)d, self->page, MADV_DONTNEED));
	EXPECT_EQ(8, *(const __u32 *)d);
	EXPECT_EQ(0, memcmp(d + 8, rec, 8));

	/* the consumer page too: still the kernel's page, not a copy */
	*cons = 16;
	ASSERT_EQ(0, madvise(cons, self->page, MADV_DONTNEED));
	EXPECT_EQ(16, *cons);
	*cons = 0;
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	EXPECT_EQ(0, q.consumer_pos);
	munmap((void *)d, self->page);
	munmap(cons, self->page);
}

TEST_F(ring, mapping_outlives_the_fd)
{
	struct mr_map m = { 0 };
	__u8 rec[16] = { 7 };
	int fd2;
	struct mapring_ring_query q;

	ASSERT_EQ(0, mr_ring_output(self->fd, rec, sizeof(rec), 0));
	ASSERT_EQ(0, mr_ring_query(self->fd, &q));
	ASSERT_EQ(0, mr_map_ring(self->fd, &m));
	close(self->fd);
	/* the ring lives on in the mapping, and can be opened by id */
	EXPECT_EQ(24, mr_prod_pos(&m));
	EXPECT_EQ(16, mr_hdr_len(&m, 0));
	fd2 = mapring_obj__open_by_id(q.id, MAPRING_OBJ_RINGBUF);
	ASSERT_LE(0, fd2);
	mr_set_cons(&m, 24);
	ASSERT_EQ(0, mr_ring_query(fd2, &q));
	EXPECT_EQ(24, q.consumer_pos);
	mr_unmap_ring(&m);
	self->fd = fd2;
}

TEST_HARNESS_MAIN
