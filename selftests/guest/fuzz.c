// SPDX-License-Identifier: GPL-2.0
/*
 * The interface fuzzer: several threads issue seeded random sequences of
 * every ioctl of /dev/mapring and of ring and map fds (valid, boundary and
 * garbage arguments, bad pointers, huge sizes, size products that overflow),
 * mmap/munmap/mprotect/mremap/madvise with random offsets and protections,
 * read/write/poll/lseek, fdinfo, close and dup racing all of it, and fds
 * passed over SCM_RIGHTS to a second process that uses them too.
 *
 * Bounded by MR_FUZZ_OPS operations and MR_FUZZ_SECS seconds; MR_FUZZ_SEED
 * (default: random, printed) seeds thread i with seed + i, so a run's op
 * sequences are reproducible (their interleaving is the scheduler's).
 * MR_FUZZ_THREADS threads. The kernel must stay clean (the VM runner fails
 * the test on any report), no impossible size may ever be accepted, and
 * afterwards no object may be left and mapring.ko must unload.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mapring.h>

#include "mr_harness.h"
#include "mr_test.h"

#define NR_FDS		48	/* shared fd slots */
#define NR_MAPS		32	/* shared mapping slots */
#define NR_NAMES	6	/* names collide on purpose */
#define AREA		(256 << 10)	/* argument area, then a guard page */
#define MAX_THREADS	16
#define RING_MAX	(4 << 20)	/* ring_max_bytes while fuzzing */
#define RING_MAX_PARAM	"/sys/module/mapring/parameters/ring_max_bytes"
/* where well-formed requests keep their buffers in the argument area */
#define SHAPED_KEY	4096		/* keys, a group's cpu table */
#define SHAPED_CURSOR	8192
#define SHAPED_VALUE	12288
#define SHAPED_VALUE_MAX (AREA / 2)

enum op {
	OP_DEV_OPEN, OP_RING_CREATE, OP_MAP_CREATE, OP_OBJ_OPEN, OP_NEXT_ID,
	OP_OBJ_INFO, OP_DEV_IOCTL, OP_RING_IOCTL, OP_MAP_ELEM, OP_MAP_BATCH,
	OP_MAP_AGG, OP_RW, OP_POLL, OP_MMAP, OP_MUNMAP, OP_MPROTECT,
	OP_MREMAP, OP_TOUCH, OP_CLOSE, OP_DUP, OP_FDINFO, OP_SEND, NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"dev_open", "ring_create", "map_create", "obj_open", "next_id",
	"obj_info", "dev_ioctl", "ring_ioctl", "map_elem", "map_batch",
	"map_agg", "read_write", "poll", "mmap", "munmap", "mprotect",
	"mremap", "touch", "close", "dup", "fdinfo", "send_fd",
};

/* relative weights of the operations */
static const unsigned int op_weight[NR_OPS] = {
	2, 6, 6, 4, 2, 3, 4, 8, 12, 5, 4, 6, 2, 6, 3, 3, 2, 6, 5, 3, 2, 2,
};

struct mapping {
	void *addr;
	size_t len;
	int prot;
};

static struct {
	int fds[NR_FDS];		/* -1: empty; taken with xchg */
	struct mapping *maps[NR_MAPS];	/* NULL: empty; taken with xchg */
	__u32 ids[64];			/* ids seen, to open by id */
	int sock;			/* to the fd-passing child */
	long page;
	int ncpus;
	__u64 ops_left;
	time_t deadline;
	/* results */
	__u64 done[NR_OPS], ok[NR_OPS];
	__u64 impossible;		/* an impossible size was accepted */
	__u64 groups, shard_fds;	/* ring groups made, shard fds taken */
} g;

struct fuzzer {
	__u64 rng;
	unsigned char *area;		/* AREA bytes RW, then PROT_NONE */
	unsigned char *ro;		/* one read-only page */
	__u64 done[NR_OPS], ok[NR_OPS];
};

/* splitmix64: tiny, seedable, good enough to pick arguments */
static __u64 rnd(struct fuzzer *f)
{
	__u64 z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 below(struct fuzzer *f, __u64 n)
{
	return n ? rnd(f) % n : 0;
}

static int chance(struct fuzzer *f, unsigned int pct)
{
	return below(f, 100) < pct;
}

/* A 32-bit value from the edges: 0, 1, powers of two and their neighbours. */
static __u32 edge32(struct fuzzer *f)
{
	static const __u32 v[] = {
		0, 1, 2, 3, 4, 7, 8, 9, 16, 24, 31, 32, 63, 64, 4095, 4096,
		4097, 8192, 32767, 32768, 32769, 65536, 1U << 20, 1U << 24,
		(1U << 28), 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000,
		0x80000001, 0xfffffff8, 0xfffffffe, 0xffffffff,
	};

	if (chance(f, 20))
		return rnd(f);
	return v[below(f, ARRAY_SIZE(v))];
}

static __u64 edge64(struct fuzzer *f)
{
	static const __u64 v[] = {
		0, 1, 8, 4096, 8192, 1ULL << 20, 1ULL << 28, 1ULL << 31,
		1ULL << 32, (1ULL << 32) + 4096, 1ULL << 63, ~0ULL, ~0ULL - 7,
		~0ULL << 12,
	};

	if (chance(f, 40))
		return edge32(f);
	if (chance(f, 20))
		return rnd(f);
	return v[below(f, ARRAY_SIZE(v))];
}

/* A pointer of n bytes: mostly good, sometimes bad in every way. */
static __u64 ptr(struct fuzzer *f, size_t n)
{
	if (n > AREA)
		n = AREA;
	switch (below(f, 28)) {
	case 0:
		return 0;
	case 1:
		return 0xffffffff81000000ULL;	/* kernel text */
	case 2:
		return (__u64)(uintptr_t)(f->area + AREA);	/* guard page */
	case 3:	/* the last bytes run into the guard page */
		return (__u64)(uintptr_t)(f->area + AREA - n / 2 - 1);
	case 4:
		return (__u64)(uintptr_t)f->ro;	/* read-only: fails writes */
	case 5:
		return rnd(f);
	case 6:	/* unaligned */
		return (__u64)(uintptr_t)(f->area + 1 + below(f, 7));
	default:
		return (__u64)(uintptr_t)(f->area + below(f, AREA - n + 1));
	}
}

/* Random bytes in the argument area. */
static void scribble(struct fuzzer *f, void *p, size_t n)
{
	unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = chance(f, 50) ? 0 : rnd(f);
}

/* The size field of an extensible struct: right, boundary or garbage. */
static __u32 usize(struct fuzzer *f, __u32 kernel, __u32 ver0)
{
	switch (below(f, 12)) {
	case 0:
		return 0;
	case 1:
		return ver0 - 1;
	case 2:
		return ver0;
	case 3:
		return kernel + 8;	/* a zero tail: accepted */
	case 4:
		return g.page;
	case 5:
		return g.page + 1;
	case 6:
		return edge32(f);
	default:
		return kernel;
	}
}

/* Scratch room for an ioctl struct, inside the argument area. */
static void *argbuf(struct fuzzer *f, size_t n)
{
	(void)n;
	return f->area + AREA - 2 * g.page - 64 * below(f, 8);
}

/*
 * Where the struct built at a goes: itself, or its first bytes copied to
 * the end of the area so the rest lies in the guard page, or a bad pointer.
 */
static void *aim(struct fuzzer *f, void *a, size_t n)
{
	size_t k;

	switch (below(f, 40)) {
	case 0:
	case 1:
		k = 1 + below(f, n);
		memmove(f->area + AREA - k, a, k);
		return f->area + AREA - k;
	case 2:
		return NULL;
	case 3:
		return (void *)0xffffffff81000000ULL;
	case 4:
		return f->ro;
	default:
		return a;
	}
}

/* ---- the shared tables ---- */

static int fd_take(struct fuzzer *f)
{
	return __atomic_exchange_n(&g.fds[below(f, NR_FDS)], -1,
				   __ATOMIC_ACQ_REL);
}

/* A slot's fd without taking it: it may be closed under us, on purpose. */
static int fd_peek(struct fuzzer *f)
{
	return __atomic_load_n(&g.fds[below(f, NR_FDS)], __ATOMIC_ACQUIRE);
}

static void fd_put(struct fuzzer *f, int fd)
{
	int old;

	if (fd < 0)
		return;
	old = __atomic_exchange_n(&g.fds[below(f, NR_FDS)], fd,
				  __ATOMIC_ACQ_REL);
	if (old >= 0)
		close(old);
}

static void id_seen(struct fuzzer *f, int fd)
{
	char path[64], buf[512], *p;
	unsigned int id;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (mr_read_file(path, buf, sizeof(buf)))
		return;
	p = strstr(buf, "mapring_id:");
	if (p && sscanf(p, "mapring_id: %u", &id) == 1)
		__atomic_store_n(&g.ids[below(f, ARRAY_SIZE(g.ids))], id,
				 __ATOMIC_RELAXED);
}

static void name_of(struct fuzzer *f, char *name)
{
	static const char *const bad[] = {
		"", "a/b", "with space", "0123456789012345678901234567890",
	};

	memset(name, 0, MAPRING_NAME_LEN);
	if (chance(f, 40))
		return;
	if (chance(f, 15)) {
		strcpy(name, bad[below(f, ARRAY_SIZE(bad))]);
		if (chance(f, 30))	/* no NUL at all */
			memset(name, 'x', MAPRING_NAME_LEN);
		return;
	}
	snprintf(name, MAPRING_NAME_LEN, "fz.%u", (unsigned int)below(f, NR_NAMES));
}

static int dev_open(void)
{
	return open("/dev/mapring", O_RDWR | O_CLOEXEC);
}

/* ---- operations on /dev/mapring ---- */

/* A ring group: shard counts around the possible CPUs, every assignment. */
static int do_group_create(struct fuzzer *f, int dev)
{
	static const __u32 flags[] = {
		0, MAPRING_RING_F_TIMESTAMP, MAPRING_RING_F_OVERWRITE,
		MAPRING_RING_F_TIMESTAMP | MAPRING_RING_F_OVERWRITE,
		MAPRING_RING_F_USER, MAPRING_RING_F_BATCH_WAKEUP,
	};
	struct mapring_ring_group_create *a = argbuf(f, sizeof(*a));
	__u32 *table = (__u32 *)(f->area + SHAPED_KEY);
	int fd;

	memset(a, 0, sizeof(*a) + 8);
	a->size = usize(f, sizeof(*a), MAPRING_RING_GROUP_CREATE_SIZE_VER0);
	a->nr_shards = chance(f, 80) ? 1 + below(f, g.ncpus + 1) : edge32(f);
	a->shard_size = chance(f, 80) ? g.page << below(f, 5) : edge64(f);
	a->flags = chance(f, 90) ? flags[below(f, ARRAY_SIZE(flags))] :
				   edge32(f);
	if (a->flags & MAPRING_RING_F_BATCH_WAKEUP)
		a->wakeup_usecs = 1 + below(f, 1000);
	a->assign = chance(f, 90) ? below(f, 3) : edge32(f);
	if (a->assign == MAPRING_SHARD_ASSIGN_TABLE || chance(f, 5)) {
		for (int i = 0; i < 64; i++)
			table[i] = chance(f, 90) ? below(f, a->nr_shards + 1) :
						   edge32(f);
		a->cpu_table = chance(f, 80) ? (__u64)(uintptr_t)table :
					       ptr(f, 256);
		a->nr_cpu_table = chance(f, 70) ? g.ncpus : edge32(f) & 127;
	}
	a->access = chance(f, 90) ? below(f, 4) : edge32(f);
	name_of(f, a->name);
	fd = ioctl(dev, MAPRING_IOC_RING_GROUP_CREATE, aim(f, a, sizeof(*a)));
	if (fd >= 0)
		__atomic_add_fetch(&g.groups, 1, __ATOMIC_RELAXED);
	return fd;
}

static int do_ring_create(struct fuzzer *f, int dev)
{
	struct mapring_ring_create *a = argbuf(f, sizeof(*a));
	int fd;

	if (chance(f, 20))
		return do_group_create(f, dev);

	memset(a, 0, sizeof(*a) + 8);
	a->size = usize(f, sizeof(*a), MAPRING_RING_CREATE_SIZE_VER0);
	if (chance(f, 70))
		a->data_size = g.page << below(f, 9);	/* valid: up to 1 MiB */
	else
		a->data_size = edge64(f);
	if (chance(f, 30)) {
		a->flags = MAPRING_RING_F_BATCH_WAKEUP;
		a->wakeup_bytes = chance(f, 70) ? below(f, a->data_size + 1) :
						  edge64(f);
		a->wakeup_usecs = chance(f, 70) ? 1 + below(f, 100000) :
						  edge32(f);
	} else if (chance(f, 10)) {
		a->flags = MAPRING_RING_F_USER;	/* pages writable by us */
	} else if (chance(f, 5)) {
		a->flags = edge32(f);
	}
	if (chance(f, 3))
		a->__pad0 = 1;
	name_of(f, a->name);
	fd = ioctl(dev, MAPRING_IOC_RING_CREATE, aim(f, a, sizeof(*a)));
	/* larger than ring_max_bytes, or not a power of two: never */
	if (fd >= 0 && (a->data_size > RING_MAX ||
			(a->data_size & (a->data_size - 1))))
		__atomic_add_fetch(&g.impossible, 1, __ATOMIC_RELAXED);
	return fd;
}

static int do_map_create(struct fuzzer *f, int dev)
{
	static const __u32 types[] = {
		MAPRING_OBJ_PERCPU_ARRAY, MAPRING_OBJ_PERCPU_HASH,
		MAPRING_OBJ_LRU_PERCPU_HASH,
	};
	struct mapring_map_create *a = argbuf(f, sizeof(*a));
	__u64 bytes;
	int fd;

	memset(a, 0, sizeof(*a) + 8);
	a->size = usize(f, sizeof(*a), MAPRING_MAP_CREATE_SIZE_VER0);
	a->map_type = chance(f, 95) ? types[below(f, 3)] : edge32(f);
	if (chance(f, 60)) {	/* valid and small */
		a->key_size = a->map_type == MAPRING_OBJ_PERCPU_ARRAY ? 4 :
			      1 + below(f, 64);
		a->value_size = 1 + below(f, 256);
		a->max_entries = 1 + below(f, 256);
		if (chance(f, 30))
			a->map_flags = 1U << below(f, 9);
	} else if (chance(f, 50)) {
		/* products that overflow 32 or 64 bits: must be refused */
		static const __u32 vs[] = { 32768, 32769, 0x7fffffff,
					    0x80000000, 0xffffffff };
		static const __u32 me[] = { 0x80000001, 0xffffffff,
					    0x40000000 };

		a->key_size = a->map_type == MAPRING_OBJ_PERCPU_ARRAY ? 4 :
			      edge32(f);
		a->value_size = vs[below(f, ARRAY_SIZE(vs))];
		a->max_entries = me[below(f, ARRAY_SIZE(me))];
	} else {
		a->key_size = edge32(f);
		a->value_size = edge32(f);
		a->max_entries = edge32(f);
		a->map_flags = chance(f, 50) ? 0 : edge32(f);
		/* what could really be allocated stays small: ~1 MiB */
		bytes = (__u64)a->max_entries *
			(a->key_size + 64 + ((a->value_size + 7) & ~7ULL) *
			 g.ncpus);
		if (a->value_size <= 32768 && a->max_entries <= 0x80000000U &&
		    bytes > (1 << 20)) {
			a->max_entries = 1 + below(f, 4);
			if (a->key_size > (1 << 18) && a->key_size < (1U << 30))
				a->key_size = 1 + below(f, 1 << 18);
		}
	}
	name_of(f, a->name);
	fd = ioctl(dev, MAPRING_IOC_MAP_CREATE, aim(f, a, sizeof(*a)));
	if (fd >= 0 && ((__u64)a->value_size > 32768 ||
			a->max_entries > 0x80000000U))
		__atomic_add_fetch(&g.impossible, 1, __ATOMIC_RELAXED);
	return fd;
}

static int do_obj_open(struct fuzzer *f, int dev)
{
	struct mapring_obj_open *a = argbuf(f, sizeof(*a));

	memset(a, 0, sizeof(*a) + 8);
	a->size = usize(f, sizeof(*a), MAPRING_OBJ_OPEN_SIZE_VER0);
	if (chance(f, 50))
		a->id = chance(f, 80) ? __atomic_load_n(&g.ids[below(f, 64)],
							__ATOMIC_RELAXED) :
					edge32(f);
	name_of(f, a->name);
	a->type = chance(f, 80) ? below(f, 5) : edge32(f);
	a->flags = chance(f, 90) ? 0 : edge32(f);
	return ioctl(dev, MAPRING_IOC_OBJ_OPEN, aim(f, a, sizeof(*a)));
}

static int do_next_id(struct fuzzer *f, int dev)
{
	struct mapring_obj_get_next_id *a = argbuf(f, sizeof(*a));
	int ret;

	memset(a, 0, sizeof(*a) + 8);
	a->size = usize(f, sizeof(*a), MAPRING_OBJ_GET_NEXT_ID_SIZE_VER0);
	a->start_id = chance(f, 50) ? below(f, 100) : edge32(f);
	a->type = chance(f, 80) ? below(f, 5) : edge32(f);
	ret = ioctl(dev, MAPRING_IOC_OBJ_GET_NEXT_ID, aim(f, a, sizeof(*a)));
	if (!ret)
		__atomic_store_n(&g.ids[below(f, 64)], a->next_id,
				 __ATOMIC_RELAXED);
	return ret;
}

static int do_obj_info(struct fuzzer *f, int dev)
{
	struct mapring_obj_info *a = argbuf(f, sizeof(*a));

	memset(a, 0, sizeof(*a) + 8);
	a->size = usize(f, sizeof(*a), MAPRING_OBJ_INFO_SIZE_VER0);
	a->id = chance(f, 70) ? __atomic_load_n(&g.ids[below(f, 64)],
						__ATOMIC_RELAXED) : 0;
	name_of(f, a->name);
	a->type = chance(f, 80) ? below(f, 5) : edge32(f);
	a->flags = chance(f, 90) ? 0 : edge32(f);
	return ioctl(dev, MAPRING_IOC_OBJ_INFO, aim(f, a, sizeof(*a)));
}

/* Any command number: ours with wrong bits, or somebody else's. */
static unsigned long any_cmd(struct fuzzer *f, unsigned int lo, unsigned int hi)
{
	unsigned int nr = lo + below(f, hi - lo + 1);

	switch (below(f, 6)) {
	case 0:
		return _IOR(MAPRING_IOC_MAGIC, nr, __u32);
	case 1:
		return _IOWR(MAPRING_IOC_MAGIC, nr, __u64);
	case 2:
		return _IO(MAPRING_IOC_MAGIC, nr);
	case 3:
		return rnd(f);
	case 4:
		return FIONREAD;
	default:
		return MAPRING_IOC(nr);
	}
}

/*
 * Any ioctl on any fd, with a scribbled struct; but creations get their
 * own generators, which keep what could really be allocated small: a
 * table near the size of RAM fails cleanly (map_huge), yet while it is
 * being allocated every other allocation of the VM can meet the OOM killer.
 */
static int do_dev_ioctl(struct fuzzer *f, int fd)
{
	unsigned long cmd = chance(f, 50) ? any_cmd(f, 0, 0x5f) :
					    MAPRING_IOC(below(f, 0x60));
	__u32 *a = argbuf(f, 256);

	if (cmd == MAPRING_IOC_MAP_CREATE)
		return do_map_create(f, fd);
	if (cmd == MAPRING_IOC_RING_CREATE)
		return do_ring_create(f, fd);
	scribble(f, a, 256);
	a[0] = usize(f, 120, 16);
	return ioctl(fd, cmd, aim(f, a, 256));
}

/* ---- operations on ring and map fds ---- */

static int do_ring_output(struct fuzzer *f, int fd)
{
	struct mapring_ring_output *o = argbuf(f, sizeof(*o));
	__u64 n = chance(f, 80) ? below(f, 2048) : edge64(f);

	memset(o, 0, sizeof(*o) + 8);
	o->size = usize(f, sizeof(*o), MAPRING_RING_OUTPUT_SIZE_VER0);
	o->flags = chance(f, 80) ? below(f, 4) : edge64(f);
	o->data = ptr(f, n);
	o->data_size = n;
	o->__pad0 = chance(f, 97) ? 0 : 1;
	return ioctl(fd, MAPRING_IOC_RING_OUTPUT, aim(f, o, sizeof(*o)));
}

/* fd, or half of the time a slot's group fd if one is found in 8 tries */
static int group_fd(struct fuzzer *f, int fd)
{
	struct mapring_ring_group_info gi;

	if (chance(f, 50))
		return fd;
	for (int tries = 0; tries < 8; tries++) {
		int cand = fd_peek(f);

		memset(&gi, 0, sizeof(gi));
		gi.size = sizeof(gi);
		if (cand >= 0 && !ioctl(cand, MAPRING_IOC_RING_GROUP_INFO, &gi))
			return cand;
	}
	return fd;
}

/* The ioctls of group fds and the user ring's kick, on any fd. */
static int do_group_ioctl(struct fuzzer *f, int fd)
{
	__u64 *a = argbuf(f, 128);
	unsigned long cmd;
	int ret;

	fd = group_fd(f, fd);
	memset(a, 0, 136);
	switch (below(f, 4)) {
	case 0: {
		struct mapring_ring_group_info *gi = (void *)a;

		cmd = MAPRING_IOC_RING_GROUP_INFO;
		gi->size = usize(f, sizeof(*gi),
				 MAPRING_RING_GROUP_INFO_SIZE_VER0);
		if (chance(f, 50)) {
			gi->cpu_table = ptr(f, 64 * 4);
			gi->nr_cpu_table = chance(f, 80) ? below(f, 65) :
							   edge32(f);
		}
		break;
	}
	case 1: {
		struct mapring_ring_group_shard_fd *sf = (void *)a;

		cmd = MAPRING_IOC_RING_GROUP_SHARD_FD;
		sf->size = usize(f, sizeof(*sf),
				 MAPRING_RING_GROUP_SHARD_FD_SIZE_VER0);
		sf->index = chance(f, 90) ? below(f, g.ncpus + 1) : edge32(f);
		sf->flags = chance(f, 95) ? 0 : edge32(f);
		break;
	}
	case 2: {
		struct mapring_ring_group_sync *gs = (void *)a;

		cmd = MAPRING_IOC_RING_GROUP_SYNC;
		gs->size = usize(f, sizeof(*gs),
				 MAPRING_RING_GROUP_SYNC_SIZE_VER0);
		break;
	}
	default: {
		struct mapring_ring_kick *k = (void *)a;

		cmd = MAPRING_IOC_RING_KICK;
		k->size = usize(f, sizeof(*k), MAPRING_RING_KICK_SIZE_VER0);
		k->flags = chance(f, 95) ? 0 : edge32(f);
		break;
	}
	}
	ret = ioctl(fd, cmd, aim(f, a, 128));
	if (cmd == MAPRING_IOC_RING_GROUP_SHARD_FD && ret >= 0) {
		fd_put(f, ret);	/* a shard: a ring fd like any other */
		__atomic_add_fetch(&g.shard_fds, 1, __ATOMIC_RELAXED);
		ret = 0;
	}
	return ret;
}

static int do_ring_ioctl(struct fuzzer *f, int fd)
{
	if (chance(f, 25))
		return do_group_ioctl(f, fd);
	if (chance(f, 40)) {
		struct mapring_ring_query *q = argbuf(f, sizeof(*q));

		memset(q, 0, sizeof(*q) + 8);
		q->size = usize(f, sizeof(*q), MAPRING_RING_QUERY_SIZE_VER0);
		q->flags = chance(f, 90) ? 0 : edge32(f);
		return ioctl(fd, MAPRING_IOC_RING_QUERY, aim(f, q, sizeof(*q)));
	}
	return do_ring_output(f, fd);
}

/* Element flags: BPF's, CPU flags with good and bad CPUs, garbage. */
static __u64 elem_flags(struct fuzzer *f)
{
	switch (below(f, 8)) {
	case 0:
		return MAPRING_F_CPU | (below(f, g.ncpus + 2) << 32);
	case 1:
		return MAPRING_F_ALL_CPUS;
	case 2:
		return edge64(f);
	case 3:
		return MAPRING_F_CPU | ((__u64)edge32(f) << 32);
	default:
		return below(f, 3);
	}
}

static size_t value_bytes(struct fuzzer *f)
{
	/* the largest per-CPU value, or something smaller */
	return chance(f, 50) ? 32768 * (size_t)g.ncpus : below(f, 4096);
}

/*
 * Half of the element and batch commands are well formed for the map behind
 * fd, from its MAP_INFO: random arguments alone rarely get past the checks,
 * and the element code (inserts, deletes, LRU eviction, key walks racing
 * deletes on other threads) is where a concurrency bug would hide.
 * Returns fd, or another slot's map fd, when the request is to be well
 * formed; otherwise -1.
 */
static int shaped(struct fuzzer *f, int fd, struct mapring_map_info *mi,
		  size_t *vbytes)
{
	if (chance(f, 50))
		return -1;
	for (int tries = 0; tries < 8; tries++, fd = fd_peek(f)) {
		memset(mi, 0, sizeof(*mi));
		mi->size = sizeof(*mi);
		if (fd < 0 || ioctl(fd, MAPRING_IOC_MAP_INFO, mi) ||
		    mi->key_size > 64 || mi->key_size < 4)
			continue;
		*vbytes = ((mi->value_size + 7) & ~7UL) * mi->nr_possible_cpus;
		if (*vbytes <= SHAPED_VALUE_MAX)
			return fd;
	}
	return -1;
}

/* Mostly keys the map can hold, so elements exist; some beyond its size. */
static void shaped_key(struct fuzzer *f, unsigned char *key,
		       const struct mapring_map_info *mi)
{
	__u32 k = chance(f, 85) ? below(f, mi->max_entries) : below(f, 300);

	memset(key, 0, mi->key_size);
	memcpy(key, &k, sizeof(k));
}

static int do_map_elem_shaped(struct fuzzer *f, int fd, unsigned long cmd,
			      const struct mapring_map_info *mi)
{
	struct mapring_map_elem *e = argbuf(f, 64);
	unsigned char *key = f->area + SHAPED_KEY;

	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	shaped_key(f, key, mi);
	e->key = cmd == MAPRING_IOC_MAP_GET_NEXT_KEY && chance(f, 20) ? 0 :
		 (__u64)(uintptr_t)key;
	e->value = (__u64)(uintptr_t)(f->area + SHAPED_VALUE);
	if (cmd == MAPRING_IOC_MAP_UPDATE_ELEM)
		e->flags = chance(f, 60) ? MAPRING_ANY :
			   chance(f, 80) ? below(f, 3) : elem_flags(f);
	else if (cmd == MAPRING_IOC_MAP_LOOKUP_ELEM && chance(f, 20))
		e->flags = MAPRING_F_CPU | (below(f, g.ncpus) << 32);
	return ioctl(fd, cmd, e);
}

static int do_map_batch_shaped(struct fuzzer *f, int fd, unsigned long cmd,
			       const struct mapring_map_info *mi, size_t vb)
{
	struct mapring_map_batch *b = argbuf(f, sizeof(*b));
	unsigned char *keys = f->area + SHAPED_KEY;
	__u32 n = 1 + below(f, 16);

	while (n > 1 && n * vb > SHAPED_VALUE_MAX)
		n /= 2;
	for (__u32 i = 0; i < n; i++)
		shaped_key(f, keys + i * mi->key_size, mi);
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->count = n;
	/* a cursor from an earlier batch of this thread, or the start */
	b->in_batch = chance(f, 50) ? 0 :
		      (__u64)(uintptr_t)(f->area + SHAPED_CURSOR);
	b->out_batch = (__u64)(uintptr_t)(f->area + SHAPED_CURSOR);
	b->keys = (__u64)(uintptr_t)keys;
	b->values = (__u64)(uintptr_t)(f->area + SHAPED_VALUE);
	b->elem_flags = cmd == MAPRING_IOC_MAP_UPDATE_BATCH ? below(f, 3) : 0;
	return ioctl(fd, cmd, b);
}

static int do_map_elem(struct fuzzer *f, int fd)
{
	static const unsigned long cmds[] = {
		MAPRING_IOC_MAP_INFO, MAPRING_IOC_MAP_LOOKUP_ELEM,
		MAPRING_IOC_MAP_UPDATE_ELEM, MAPRING_IOC_MAP_DELETE_ELEM,
		MAPRING_IOC_MAP_GET_NEXT_KEY,
		MAPRING_IOC_MAP_LOOKUP_AND_DELETE_ELEM,
	};
	unsigned long cmd = cmds[below(f, ARRAY_SIZE(cmds))];
	struct mapring_map_elem *e = argbuf(f, 64);
	struct mapring_map_info mi;
	size_t vb = value_bytes(f), svb;
	__u32 *key;
	int mfd;

	mfd = cmd == MAPRING_IOC_MAP_INFO ? -1 : shaped(f, fd, &mi, &svb);
	if (mfd >= 0)
		return do_map_elem_shaped(f, mfd, cmd, &mi);
	memset(e, 0, 72);
	if (cmd == MAPRING_IOC_MAP_INFO) {
		e->size = usize(f, sizeof(struct mapring_map_info),
				MAPRING_MAP_INFO_SIZE_VER0);
		return ioctl(fd, cmd, aim(f, e, 64));
	}
	e->size = usize(f, sizeof(*e), MAPRING_MAP_ELEM_SIZE_VER0);
	e->key = chance(f, 10) ? 0 : ptr(f, 64);
	e->value = ptr(f, vb);
	e->flags = elem_flags(f);
	/* small keys, so lookups of inserted keys hit */
	key = (__u32 *)(uintptr_t)e->key;
	if ((unsigned char *)key >= f->area &&
	    (unsigned char *)key + 64 <= f->area + AREA) {
		memset(key, 0, 64);
		key[0] = below(f, 300);
	}
	return ioctl(fd, cmd, aim(f, e, sizeof(*e)));
}

static int do_map_batch(struct fuzzer *f, int fd)
{
	static const unsigned long cmds[] = {
		MAPRING_IOC_MAP_LOOKUP_BATCH,
		MAPRING_IOC_MAP_LOOKUP_AND_DELETE_BATCH,
		MAPRING_IOC_MAP_UPDATE_BATCH, MAPRING_IOC_MAP_DELETE_BATCH,
	};
	unsigned long cmd = cmds[below(f, ARRAY_SIZE(cmds))];
	struct mapring_map_batch *b = argbuf(f, sizeof(*b));
	__u32 count = chance(f, 70) ? below(f, 16) : edge32(f);
	struct mapring_map_info mi;
	size_t vb;
	int mfd = shaped(f, fd, &mi, &vb);

	if (mfd >= 0)
		return do_map_batch_shaped(f, mfd, cmd, &mi, vb);
	memset(b, 0, sizeof(*b) + 8);
	b->size = usize(f, sizeof(*b), MAPRING_MAP_BATCH_SIZE_VER0);
	b->count = count;
	b->in_batch = chance(f, 50) ? 0 : ptr(f, 64);
	b->out_batch = ptr(f, 64);
	b->keys = ptr(f, 64 * 16);
	b->values = ptr(f, 16 * 4096);
	b->elem_flags = elem_flags(f);
	b->flags = chance(f, 90) ? 0 : edge64(f);
	return ioctl(fd, cmd, aim(f, b, sizeof(*b)));
}

static int do_map_agg(struct fuzzer *f, int fd)
{
	struct mapring_map_aggregate *a = argbuf(f, sizeof(*a));
	__u32 *offs = (__u32 *)f->area;

	memset(a, 0, sizeof(*a) + 8);
	a->size = usize(f, sizeof(*a), MAPRING_MAP_AGGREGATE_SIZE_VER0);
	a->count = chance(f, 70) ? below(f, 16) : edge32(f);
	a->keys = ptr(f, 64 * 16);
	a->nr_fields = chance(f, 50) ? 0 : chance(f, 80) ? below(f, 8) : edge32(f);
	for (int i = 0; i < 8; i++)
		offs[i] = chance(f, 80) ? 8 * below(f, 8) : edge32(f);
	a->offsets = chance(f, 80) ? (__u64)(uintptr_t)offs : ptr(f, 32);
	a->results = ptr(f, 16 * 8 * 8);
	a->op = chance(f, 90) ? below(f, 3) : edge32(f);
	a->flags = chance(f, 90) ? below(f, 2) : edge64(f);
	return ioctl(fd, chance(f, 70) ? MAPRING_IOC_MAP_AGGREGATE :
					 MAPRING_IOC_MAP_READ_AND_RESET,
		     aim(f, a, sizeof(*a)));
}

static int do_rw(struct fuzzer *f, int fd)
{
	size_t n = chance(f, 80) ? below(f, 4096) : edge64(f);
	void *p = (void *)(uintptr_t)ptr(f, n);

	switch (below(f, 4)) {
	case 0:
		return read(fd, p, n);
	case 1:
		return lseek(fd, edge64(f), below(f, 5));
	default:
		return write(fd, p, n);
	}
}

static int do_poll(struct fuzzer *f, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLPRI };

	return poll(&p, 1, below(f, 3));
}

/* ---- mappings ---- */

static void map_put(struct fuzzer *f, struct mapping *m)
{
	struct mapping *old;

	old = __atomic_exchange_n(&g.maps[below(f, NR_MAPS)], m,
				  __ATOMIC_ACQ_REL);
	if (old) {
		munmap(old->addr, old->len);
		free(old);
	}
}

static struct mapping *map_take(struct fuzzer *f)
{
	return __atomic_exchange_n(&g.maps[below(f, NR_MAPS)], NULL,
				   __ATOMIC_ACQ_REL);
}

static const int prots[] = {
	PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE, PROT_WRITE,
	PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
};

static int do_mmap(struct fuzzer *f, int fd)
{
	size_t pages = chance(f, 70) ? 1 + below(f, 16) : below(f, 600);
	off_t off = chance(f, 80) ? below(f, 4) * g.page :
				    (off_t)(edge32(f) & ~(g.page - 1));
	int prot = prots[below(f, ARRAY_SIZE(prots))];
	int flags = chance(f, 90) ? MAP_SHARED : MAP_PRIVATE;
	struct mapping *m;
	void *p;

	if (chance(f, 10))
		off += below(f, g.page);	/* unaligned: EINVAL */
	p = mmap(NULL, pages * g.page, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return -1;
	m = malloc(sizeof(*m));
	if (!m) {
		munmap(p, pages * g.page);
		return -1;
	}
	*m = (struct mapping){ .addr = p, .len = pages * g.page, .prot = prot };
	map_put(f, m);
	return 0;
}

static int do_munmap(struct fuzzer *f)
{
	struct mapping *m = map_take(f);
	size_t pages, cut;
	int ret;

	if (!m)
		return -1;
	pages = m->len / g.page;
	if (pages > 1 && chance(f, 50)) {
		/* cut off the head or the tail: the rest stays mapped */
		cut = 1 + below(f, pages - 1);
		if (chance(f, 50)) {
			ret = munmap(m->addr, cut * g.page);
			m->addr = (char *)m->addr + cut * g.page;
		} else {
			ret = munmap((char *)m->addr + (pages - cut) * g.page,
				     cut * g.page);
		}
		m->len -= cut * g.page;
		map_put(f, m);
		return ret;
	}
	ret = munmap(m->addr, m->len);
	free(m);
	return ret;
}

static int do_mprotect(struct fuzzer *f)
{
	struct mapping *m = map_take(f);
	int prot = prots[below(f, ARRAY_SIZE(prots))], ret;

	if (!m)
		return -1;
	ret = mprotect(m->addr, m->len, prot);
	if (!ret)
		m->prot = prot;
	map_put(f, m);
	return ret;
}

static int do_mremap(struct fuzzer *f)
{
	struct mapping *m = map_take(f);
	size_t len;
	void *p;

	if (!m)
		return -1;
	len = chance(f, 50) ? m->len / 2 : m->len + g.page * (1 + below(f, 4));
	len = (len + g.page - 1) & ~(g.page - 1);
	if (!len)
		len = g.page;
	p = mremap(m->addr, m->len, len, chance(f, 50) ? MREMAP_MAYMOVE : 0);
	if (p != MAP_FAILED) {
		m->addr = p;
		m->len = len;
	}
	map_put(f, m);
	return p == MAP_FAILED ? -1 : 0;
}

/* Read every page a mapping can be read through; write where it can. */
static int do_touch(struct fuzzer *f)
{
	struct mapping *m = map_take(f);
	__u64 *w, sum = 0;

	if (!m)
		return -1;
	if (chance(f, 10))
		madvise(m->addr, m->len, MADV_DONTNEED);
	for (size_t off = 0; off < m->len; off += g.page) {
		w = (__u64 *)((char *)m->addr + off);
		if (m->prot & PROT_READ)
			sum += __atomic_load_n(&w[below(f, g.page / 8)],
					       __ATOMIC_RELAXED);
		/* a hostile consumer position */
		if ((m->prot & PROT_WRITE) && chance(f, 50))
			w[0] = chance(f, 50) ? edge64(f) : sum;
	}
	map_put(f, m);
	return (int)(sum & 0);
}

/* ---- fds ---- */

static int do_fdinfo(int fd)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return mr_read_file(path, buf, sizeof(buf));
}

static int send_fd(int sock, int fd)
{
	char c = 'f';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c0 = CMSG_FIRSTHDR(&msg);

	c0->cmsg_level = SOL_SOCKET;
	c0->cmsg_type = SCM_RIGHTS;
	c0->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c0), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/*
 * The second process: takes every fd passed to it, queries it, maps it,
 * reads the mapping, moves the consumer position, keeps a few and closes
 * the rest. Exits 0 when the socket closes.
 */
static int child(int sock)
{
	struct mapring_ring_query q;
	int kept[8] = { -1, -1, -1, -1, -1, -1, -1, -1 }, fd, n = 0;
	char c;

	for (;;) {
		char buf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { .iov_base = &c, .iov_len = 1 };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = buf, .msg_controllen = sizeof(buf),
		};
		struct cmsghdr *cm;
		ssize_t r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		void *p;

		if (r <= 0)
			break;
		cm = CMSG_FIRSTHDR(&msg);
		if (!cm || cm->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		if (!ioctl(fd, MAPRING_IOC_RING_QUERY, &q)) {
			p = mmap(NULL, g.page, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 0);
			if (p != MAP_FAILED) {
				/* consume everything, or claim to */
				__atomic_store_n((__u64 *)p,
						 q.producer_pos + (n & 1),
						 __ATOMIC_RELEASE);
				munmap(p, g.page);
			}
			p = mmap(NULL, g.page * 3, PROT_READ, MAP_SHARED, fd,
				 g.page);
			if (p != MAP_FAILED) {
				n += __atomic_load_n((char *)p + 2 * g.page,
						     __ATOMIC_RELAXED);
				munmap(p, g.page * 3);
			}
		}
		if (write(fd, "x", 1) < 0)
			n++;
		if (kept[n & 7] >= 0)
			close(kept[n & 7]);
		kept[n++ & 7] = fd;
	}
	return 0;
}

/* ---- the loop ---- */

static enum op pick(struct fuzzer *f)
{
	unsigned int total = 0, r;
	int i;

	for (i = 0; i < NR_OPS; i++)
		total += op_weight[i];
	r = below(f, total);
	for (i = 0; i < NR_OPS; i++) {
		if (r < op_weight[i])
			break;
		r -= op_weight[i];
	}
	return i;
}

static int one_op(struct fuzzer *f, enum op op)
{
	int fd, ret = -1;

	switch (op) {
	case OP_DEV_OPEN:
		fd = dev_open();
		fd_put(f, fd);
		return fd;
	case OP_RING_CREATE:
	case OP_MAP_CREATE:
	case OP_OBJ_OPEN:
	case OP_NEXT_ID:
	case OP_OBJ_INFO:
		/* a dev fd from a slot half the time: it may be anything */
		fd = chance(f, 50) ? fd_peek(f) : -1;
		if (fd < 0) {
			int dev = dev_open();

			ret = op == OP_RING_CREATE ? do_ring_create(f, dev) :
			      op == OP_MAP_CREATE ? do_map_create(f, dev) :
			      op == OP_OBJ_OPEN ? do_obj_open(f, dev) :
			      op == OP_NEXT_ID ? do_next_id(f, dev) :
			      do_obj_info(f, dev);
			close(dev);
		} else {
			ret = op == OP_RING_CREATE ? do_ring_create(f, fd) :
			      op == OP_MAP_CREATE ? do_map_create(f, fd) :
			      op == OP_OBJ_OPEN ? do_obj_open(f, fd) :
			      op == OP_NEXT_ID ? do_next_id(f, fd) :
			      do_obj_info(f, fd);
		}
		if (op <= OP_OBJ_OPEN && ret >= 0) {
			id_seen(f, ret);
			fd_put(f, ret);
		}
		return ret;
	case OP_MUNMAP:
		return do_munmap(f);
	case OP_MPROTECT:
		return do_mprotect(f);
	case OP_MREMAP:
		return do_mremap(f);
	case OP_TOUCH:
		return do_touch(f);
	case OP_CLOSE:
		fd = fd_take(f);
		return fd < 0 ? -1 : close(fd);
	default:
		break;
	}

	fd = fd_peek(f);
	if (fd < 0)
		return -1;
	switch (op) {
	case OP_DEV_IOCTL:
		/* a create or an open may have come out of it: keep the fd */
		ret = do_dev_ioctl(f, fd);
		if (ret > 0)
			fd_put(f, ret);
		return ret;
	case OP_RING_IOCTL:
		return do_ring_ioctl(f, fd);
	case OP_MAP_ELEM:
		return do_map_elem(f, fd);
	case OP_MAP_BATCH:
		return do_map_batch(f, fd);
	case OP_MAP_AGG:
		return do_map_agg(f, fd);
	case OP_RW:
		return do_rw(f, fd);
	case OP_POLL:
		return do_poll(f, fd);
	case OP_MMAP:
		return do_mmap(f, fd);
	case OP_DUP:
		ret = chance(f, 50) ? dup(fd) : fcntl(fd, F_DUPFD_CLOEXEC, 100);
		fd_put(f, ret);
		return ret;
	case OP_FDINFO:
		return do_fdinfo(fd);
	case OP_SEND:
		return send_fd(g.sock, fd);
	default:
		return -1;
	}
}

static void *fuzz_thread(void *arg)
{
	struct fuzzer *f = arg;
	__u64 n = 0;
	enum op op;

	while (__atomic_sub_fetch(&g.ops_left, 1, __ATOMIC_RELAXED) <
	       (__u64)1 << 62) {
		if ((n++ & 31) == 0 && time(NULL) >= g.deadline)
			break;
		op = pick(f);
		f->done[op]++;
		if (one_op(f, op) >= 0)
			f->ok[op]++;
	}
	return NULL;
}

static __u64 env_u64(const char *name, __u64 def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static __u64 random_seed(void)
{
	__u64 seed = time(NULL) ^ ((__u64)getpid() << 32);
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &seed, sizeof(seed)) != sizeof(seed))
			seed ^= 1;
		close(fd);
	}
	return seed;
}

/* No live object is left: GET_NEXT_ID from 0 finds nothing. */
static int objects_left(void)
{
	struct mapring_obj_get_next_id a = { .size = sizeof(a) };
	int dev = dev_open(), n = 0;

	if (dev < 0)
		return -1;
	while (!ioctl(dev, MAPRING_IOC_OBJ_GET_NEXT_ID, &a)) {
		a.start_id = a.next_id;
		n++;
	}
	close(dev);
	return n;
}

FIXTURE(fuzz) {};

FIXTURE_SETUP(fuzz)
{
	ASSERT_EQ(0, mr_baseline());
}

FIXTURE_TEARDOWN(fuzz)
{
	mr_baseline();
}

/* room for `make fuzz TIME=` up to 4 hours; MR_FUZZ_SECS bounds a run */
TEST_F_TIMEOUT(fuzz, interface, 4 * 3600 + 600)
{
	__u64 seed = env_u64("MR_FUZZ_SEED", 0);
	__u64 ops = env_u64("MR_FUZZ_OPS", 200000);
	__u64 secs = env_u64("MR_FUZZ_SECS", 20);
	int nthreads = env_u64("MR_FUZZ_THREADS", 4);
	struct fuzzer *fz;
	pthread_t t[MAX_THREADS];
	__u64 total = 0, total_ok = 0;
	int sv[2], status, i, err;
	pid_t pid;

	ASSERT_EQ(0, mr_baseline());
	if (!seed)
		seed = random_seed();
	if (nthreads < 1 || nthreads > MAX_THREADS)
		nthreads = 4;
	printf("# seed %llu ops %llu secs %llu threads %d (MR_FUZZ_SEED=%llu reproduces)\n",
	       (unsigned long long)seed, (unsigned long long)ops,
	       (unsigned long long)secs, nthreads, (unsigned long long)seed);
	fflush(stdout);
	g.page = sysconf(_SC_PAGESIZE);
	g.ncpus = mr_cpulist_count("/sys/devices/system/cpu/possible");
	ASSERT_LT(0, g.ncpus);
	/* rings up to 4 MiB: fuzzing is not about memory pressure */
	ASSERT_EQ(0, mr_write_filef(RING_MAX_PARAM, "%d", RING_MAX));
	g.ops_left = ops;
	g.deadline = time(NULL) + secs;
	memset(g.fds, 0xff, sizeof(g.fds));
	/* a SIGPIPE from the child's socket must not end the run */
	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		_exit(child(sv[1]));
	}
	close(sv[1]);
	g.sock = sv[0];

	fz = calloc(nthreads, sizeof(*fz));
	ASSERT_NE(NULL, fz);
	for (i = 0; i < nthreads; i++) {
		unsigned char *a = mmap(NULL, AREA + 2 * g.page,
					PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ASSERT_NE(MAP_FAILED, a);
		ASSERT_EQ(0, mprotect(a + AREA, g.page, PROT_NONE));
		ASSERT_EQ(0, mprotect(a + AREA + g.page, g.page, PROT_READ));
		fz[i].area = a;
		fz[i].ro = a + AREA + g.page;
		fz[i].rng = seed + i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, fuzz_thread, &fz[i]));
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);

	/* tear down: every fd, every mapping, the child */
	for (i = 0; i < NR_FDS; i++)
		if (g.fds[i] >= 0)
			close(g.fds[i]);
	for (i = 0; i < NR_MAPS; i++)
		if (g.maps[i]) {
			munmap(g.maps[i]->addr, g.maps[i]->len);
			free(g.maps[i]);
		}
	close(g.sock);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	for (i = 0; i < nthreads; i++)
		for (int op = 0; op < NR_OPS; op++) {
			g.done[op] += fz[i].done[op];
			g.ok[op] += fz[i].ok[op];
		}
	for (int op = 0; op < NR_OPS; op++) {
		printf("# %-12s %8llu ops %8llu succeeded\n", op_names[op],
		       (unsigned long long)g.done[op],
		       (unsigned long long)g.ok[op]);
		total += g.done[op];
		total_ok += g.ok[op];
	}
	printf("# total %llu ops, %llu succeeded, seed %llu\n",
	       (unsigned long long)total, (unsigned long long)total_ok,
	       (unsigned long long)seed);
	printf("# ring groups made %llu, shard fds taken %llu\n",
	       (unsigned long long)g.groups, (unsigned long long)g.shard_fds);
	fflush(stdout);
	EXPECT_EQ(0, g.impossible);
	/* a run that did nothing proves nothing */
	EXPECT_LT(1000, total);
	EXPECT_LT(0, g.ok[OP_RING_CREATE]);
	EXPECT_LT(0, g.ok[OP_MAP_CREATE]);
	EXPECT_LT(0, g.ok[OP_MMAP]);

	/* nothing is left behind: no object, no reference on the module */
	for (i = 0; i < 500 && objects_left(); i++)
		usleep(10000);
	EXPECT_EQ(0, objects_left());
	for (i = 0; i < 500; i++) {
		err = mr_rmmod("mapring");
		if (err != -EWOULDBLOCK && err != -EAGAIN)
			break;
		usleep(10000);
	}
	EXPECT_EQ(0, err);
	ASSERT_EQ(0, mr_baseline());
	for (i = 0; i < nthreads; i++)
		munmap(fz[i].area, AREA + 2 * g.page);
	free(fz);
}

TEST_HARNESS_MAIN
