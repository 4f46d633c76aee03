/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the ring tests: raw ioctls on rings, mapping a ring as a
 * consumer does, and driving mr_test_producer.ko. Static inline so that
 * each test program stays one translation unit with the harness.
 */
#ifndef MR_RING_H
#define MR_RING_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mapring.h>
#include <mapring/mapring.h>

#include "mr_test.h"
#include "../modules/mr_test_producer.h"

/* MAPRING_IOC_RING_CREATE: a new fd or -errno. */
static inline int mr_ring_create(const char *name, __u64 size, __u32 flags,
				 __u64 wakeup_bytes, __u32 wakeup_usecs)
{
	struct mapring_ring_create a = {
		.size = sizeof(a), .flags = flags, .data_size = size,
		.wakeup_bytes = wakeup_bytes, .wakeup_usecs = wakeup_usecs,
	};
	int dev = open("/dev/mapring", O_RDWR | O_CLOEXEC), fd;

	if (dev < 0)
		return -errno;
	if (name)
		strncpy(a.name, name, sizeof(a.name) - 1);
	fd = ioctl(dev, MAPRING_IOC_RING_CREATE, &a);
	fd = fd < 0 ? -errno : fd;
	close(dev);
	return fd;
}

static inline int mr_ring_query(int fd, struct mapring_ring_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	return ioctl(fd, MAPRING_IOC_RING_QUERY, q) ? -errno : 0;
}

static inline int mr_ring_output(int fd, const void *data, __u64 size,
				 __u64 flags)
{
	struct mapring_ring_output o = {
		.size = sizeof(o), .flags = flags,
		.data = (__u64)(uintptr_t)data, .data_size = size,
	};

	return ioctl(fd, MAPRING_IOC_RING_OUTPUT, &o) ? -errno : 0;
}

/* A ring mapped as a consumer maps it. */
struct mr_map {
	__u64 *cons;				/* consumer page, RW */
	const struct mapring_rb_producer *prod;	/* producer page, RO */
	const __u8 *data;			/* data, twice */
	__u64 size;
	long page;
};

static inline int mr_map_ring(int fd, struct mr_map *m)
{
	struct mapring_ring_query q;
	void *c, *p;

	memset(m, 0, sizeof(*m));
	if (mr_ring_query(fd, &q))
		return -errno;
	m->page = sysconf(_SC_PAGESIZE);
	m->size = q.data_size;
	c = mmap(NULL, m->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c == MAP_FAILED)
		return -errno;
	p = mmap(NULL, m->page + 2 * m->size, PROT_READ, MAP_SHARED, fd,
		 m->page);
	if (p == MAP_FAILED) {
		munmap(c, m->page);
		return -errno;
	}
	m->cons = c;
	m->prod = p;
	m->data = (const __u8 *)p + m->page;
	return 0;
}

static inline void mr_unmap_ring(struct mr_map *m)
{
	munmap((void *)m->cons, m->page);
	munmap((void *)m->prod, m->page + 2 * m->size);
}

static inline __u32 mr_hdr_len(const struct mr_map *m, __u64 pos)
{
	return __atomic_load_n((const __u32 *)(m->data + (pos & (m->size - 1))),
			       __ATOMIC_ACQUIRE);
}

static inline const void *mr_sample(const struct mr_map *m, __u64 pos)
{
	return (const void *)(m->data + (pos & (m->size - 1)) + MAPRING_RB_HDR_SZ);
}

static inline __u64 mr_rec_len(__u32 len)
{
	return ((len & ~(MAPRING_RB_BUSY_BIT | MAPRING_RB_DISCARD_BIT)) +
		MAPRING_RB_HDR_SZ + 7) & ~7ULL;
}

/*
 * A consumer's tally of struct mr_rec records (mr_test_producer.ko and the
 * tests' user-space writers), per producer id: how many, the last sequence
 * number, the ring bytes they took, and the records that were damaged,
 * from an unknown producer or out of order.
 */
#define MR_SEEN_MAX 16
struct mr_seen {
	unsigned int producers;		/* ids 0 .. producers - 1 */
	__u64 count[MR_SEEN_MAX];
	__s64 last[MR_SEEN_MAX];	/* -1 before the first record */
	__u64 bytes;
	__u64 bad, out_of_order;
};

static inline void mr_seen_init(struct mr_seen *s, unsigned int producers)
{
	memset(s, 0, sizeof(*s));
	s->producers = producers < MR_SEEN_MAX ? producers : MR_SEEN_MAX;
	for (int i = 0; i < MR_SEEN_MAX; i++)
		s->last[i] = -1;
}

/* A mapring_ring_buffer callback; ctx is a struct mr_seen. */
static inline int mr_seen_cb(void *ctx, const void *data, size_t size)
{
	struct mr_seen *s = ctx;
	const struct mr_rec *r = data;

	s->bytes += mr_rec_len(size);
	if (!mr_rec_ok(data, size) || r->producer >= s->producers) {
		s->bad++;
		return 0;
	}
	if ((__s64)r->seq <= s->last[r->producer])
		s->out_of_order++;
	s->last[r->producer] = r->seq;
	s->count[r->producer]++;
	return 0;
}

/* A consumer thread: polls rb until stop is set (release) by the test. */
struct mr_consumer {
	struct mapring_ring_buffer *rb;
	int stop;
};

static inline void *mr_consume_thread(void *arg)
{
	struct mr_consumer *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
		mapring_ring_buffer__poll(c->rb, 20);
	return NULL;
}

static inline __u64 mr_prod_pos(const struct mr_map *m)
{
	return __atomic_load_n(&m->prod->producer_pos, __ATOMIC_ACQUIRE);
}

static inline __u64 mr_cons(const struct mr_map *m)
{
	return __atomic_load_n(m->cons, __ATOMIC_ACQUIRE);
}

static inline void mr_set_cons(struct mr_map *m, __u64 pos)
{
	__atomic_store_n(m->cons, pos, __ATOMIC_RELEASE);
}

/* ---- mr_test_producer.ko ---- */

/* One control command, printf-style: 0 or -errno. */
#define mr_prod_cmd(...) mr_write_filef(MR_DEBUGFS_DIR "/control", __VA_ARGS__)

/* Stop every job, drop the module's ring and unload it: 0 or -errno. */
static inline int mr_prod_unload(void)
{
	if (!mr_module_loaded("mr_test_producer"))
		return 0;
	mr_prod_cmd("reset");
	mr_prod_cmd("detach");
	return mr_rmmod("mr_test_producer");
}

static inline int mr_prod_load(const char *params)
{
	/* a fresh module: a test that failed midway leaves no job running */
	int err = mr_prod_unload();

	return err ? err : mr_insmod("mr_test_producer", params ? params : "");
}

struct mr_job {
	char state[16];
	unsigned long long attempts, committed, discarded, dropped, corrupt;
};

/* A job's line of the status file: 0 or -ENOENT. */
static inline int mr_prod_job(unsigned int id, struct mr_job *j)
{
	FILE *f = fopen(MR_DEBUGFS_DIR "/status", "re");
	char line[256], ctx[16];
	unsigned int jid;
	int cpu, ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "job %u %15s %d %15s %llu %llu %llu %llu %llu",
			   &jid, ctx, &cpu, j->state, &j->attempts,
			   &j->committed, &j->discarded, &j->dropped,
			   &j->corrupt) == 9 && jid == id) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

#endif /* MR_RING_H */
