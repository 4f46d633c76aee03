// SPDX-License-Identifier: GPL-2.0
/*
 * Sharded rings (ring groups): creation and its errors, the cpu -> shard
 * tables, shards as ordinary rings (mmap rules, overwrite, batch), a
 * kernel producer on every online CPU landing in its CPU's shard, exact
 * accounting across shards with producers in every context, the
 * timestamp merge (exact with the kernel's watermark, late records
 * counted in a constructed case), permissions, lifecycle and memcg.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mr_harness.h"
#include "mr_ring.h"
#include "mr_user.h"

#define MAX_CPUS 64

/* MAPRING_IOC_RING_GROUP_CREATE with everything: fd or -errno. */
static int grp_new(const char *name, __u32 nr, __u64 size, __u32 flags,
		   __u32 assign, const __u32 *table, __u32 nr_table,
		   __u32 access)
{
	struct mapring_ring_group_create a = {
		.size = sizeof(a), .flags = flags, .shard_size = size,
		.nr_shards = nr, .access = access, .assign = assign,
		.cpu_table = (__u64)(uintptr_t)table, .nr_cpu_table = nr_table,
	};

	if (name)
		strncpy(a.name, name, sizeof(a.name) - 1);
	return mr_dev_ioctl(MAPRING_IOC_RING_GROUP_CREATE, &a);
}

static int grp_simple(const char *name, __u32 nr, __u64 size, __u32 flags)
{
	return grp_new(name, nr, size, flags, 0, NULL, 0, 0);
}

static int grp_info(int fd, struct mapring_ring_group_info *i, __u32 *table,
		    __u32 n)
{
	return mapring_ring_group__info(fd, i, table, n);
}

static int nr_cpu_ids(void)
{
	struct mapring_info info = { .size = sizeof(info) };

	if (mr_dev_ioctl(MAPRING_IOC_INFO, &info))
		return -1;
	return info.nr_cpu_ids;
}

static int cpu_possible(int cpu)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", cpu);
	return access(path, F_OK) == 0;
}

static int cpu_online(int cpu)
{
	char path[80], buf[8] = "1";

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	if (access(path, F_OK))
		return cpu_possible(cpu);	/* cpu0 may have no such file */
	if (mr_read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	return buf[0] == '1';
}

static int set_online(int cpu, int on)
{
	char path[80];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	return mr_write_file(path, on ? "1" : "0");
}

/* The node of a CPU from sysfs (its nodeN link), 0 without NUMA. */
static int cpu_node(int cpu)
{
	char path[80];

	for (int n = 0; n < 64; n++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/node%d", cpu, n);
		if (access(path, F_OK) == 0)
			return n;
	}
	return 0;
}

/* producer_pos of shard i of a group. */
static __u64 shard_prod(int gfd, __u32 i)
{
	struct mapring_ring_query q;
	int fd = mapring_ring_group__shard_fd(gfd, i);
	__u64 pos;

	if (fd < 0)
		return ~0ULL;
	mr_ring_query(fd, &q);
	pos = q.producer_pos;
	close(fd);
	return pos;
}

TEST(feature_and_abi)
{
	struct mapring_info info = { .size = sizeof(info) };

	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_dev_ioctl(MAPRING_IOC_INFO, &info));
	EXPECT_TRUE(info.features & MAPRING_FEAT_RING_SHARDED);
	EXPECT_EQ(88, sizeof(struct mapring_ring_group_create));
	EXPECT_EQ(104, sizeof(struct mapring_ring_group_info));
}

TEST(create_info_and_default_table)
{
	int ncpu = nr_cpu_ids(), npos = 0, fd, k;
	__u32 table[MAX_CPUS];
	struct mapring_ring_group_info gi;
	struct mapring_obj_info oi;

	ASSERT_EQ(0, mr_baseline());
	ASSERT_LT(0, ncpu);
	ASSERT_GE(MAX_CPUS, ncpu);
	for (int c = 0; c < ncpu; c++)
		npos += cpu_possible(c);
	for (__u32 nr = 1; nr <= (__u32)npos; nr++) {
		fd = grp_simple("sh.grp", nr, 8192, 0);
		ASSERT_LE(0, fd);
		memset(table, 0xab, sizeof(table));
		ASSERT_EQ(0, grp_info(fd, &gi, table, MAX_CPUS));
		EXPECT_EQ(nr, gi.nr_shards);
		EXPECT_EQ(8192, gi.shard_size);
		EXPECT_EQ(0, gi.ring_flags);
		EXPECT_EQ(MAPRING_SHARD_ASSIGN_BLOCKS, gi.assign);
		EXPECT_EQ((__u32)ncpu, gi.nr_cpu_table);
		EXPECT_EQ(0, gi.avail);
		/* the k-th possible CPU gets k * nr / npossible */
		k = 0;
		for (int c = 0; c < ncpu; c++) {
			if (!cpu_possible(c)) {
				EXPECT_EQ(MAPRING_SHARD_NONE, table[c]);
				continue;
			}
			EXPECT_EQ((__u32)(k * nr / npos), table[c]);
			k++;
		}
		EXPECT_EQ(0xabababab, table[ncpu]);	/* nothing past it */
		ASSERT_EQ(0, mr_obj_info(0, "sh.grp", &oi));
		EXPECT_EQ(MAPRING_OBJ_RING_GROUP, oi.type);
		EXPECT_EQ(gi.id, oi.id);
		EXPECT_EQ(nr, oi.max_entries);
		EXPECT_EQ(8192, oi.data_size);
		EXPECT_LT(0, oi.memory);
		/* shards hold 2 + 2 pages each, the group its own memory */
		EXPECT_LE(oi.memory + nr * 4 * 4096ULL, gi.memory);
		close(fd);
	}
}

TEST(numa_and_custom_tables)
{
	int ncpu = nr_cpu_ids(), fd;
	__u32 table[MAX_CPUS], got[MAX_CPUS];
	struct mapring_ring_group_info gi;

	ASSERT_EQ(0, mr_baseline());
	fd = grp_new(NULL, 2, 4096, 0, MAPRING_SHARD_ASSIGN_NUMA, NULL, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_info(fd, &gi, got, ncpu));
	EXPECT_EQ(MAPRING_SHARD_ASSIGN_NUMA, gi.assign);
	for (int c = 0; c < ncpu; c++)
		EXPECT_EQ(cpu_possible(c) ? (__u32)(cpu_node(c) % 2) :
			  MAPRING_SHARD_NONE, got[c]);
	close(fd);

	/* reversed: CPU c to shard (nr - 1 - c % nr) */
	for (int c = 0; c < ncpu; c++)
		table[c] = 2 - 1 - c % 2;
	fd = grp_new(NULL, 2, 4096, 0, MAPRING_SHARD_ASSIGN_TABLE, table, ncpu,
		     0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_info(fd, &gi, got, ncpu));
	EXPECT_EQ(MAPRING_SHARD_ASSIGN_TABLE, gi.assign);
	for (int c = 0; c < ncpu; c++)
		EXPECT_EQ(cpu_possible(c) ? table[c] : MAPRING_SHARD_NONE,
			  got[c]);
	/* a short buffer gets only what fits */
	memset(got, 0xee, sizeof(got));
	ASSERT_EQ(0, grp_info(fd, &gi, got, 1));
	EXPECT_EQ(table[0], got[0]);
	EXPECT_EQ(0xeeeeeeee, got[1]);
	EXPECT_EQ((__u32)ncpu, gi.nr_cpu_table);
	close(fd);

	/* table errors */
	table[0] = 2;
	EXPECT_EQ(-EINVAL, grp_new(NULL, 2, 4096, 0, MAPRING_SHARD_ASSIGN_TABLE,
				   table, ncpu, 0));
	table[0] = 0;
	EXPECT_EQ(-EINVAL, grp_new(NULL, 2, 4096, 0, MAPRING_SHARD_ASSIGN_TABLE,
				   table, ncpu - 1, 0));
	EXPECT_EQ(-EINVAL, grp_new(NULL, 2, 4096, 0, MAPRING_SHARD_ASSIGN_TABLE,
				   NULL, ncpu, 0));
	EXPECT_EQ(-EINVAL, grp_new(NULL, 2, 4096, 0, MAPRING_SHARD_ASSIGN_BLOCKS,
				   table, ncpu, 0));
	EXPECT_EQ(-EFAULT, grp_new(NULL, 2, 4096, 0, MAPRING_SHARD_ASSIGN_TABLE,
				   (const __u32 *)8, ncpu, 0));
	EXPECT_EQ(-EINVAL, grp_new(NULL, 2, 4096, 0, 3, NULL, 0, 0));
}

TEST(creation_errors)
{
	struct mapring_ring_group_create a = { .size = sizeof(a) };
	int npos = mr_cpulist_count("/sys/devices/system/cpu/possible"), fd;

	ASSERT_EQ(0, mr_baseline());
	EXPECT_EQ(-EINVAL, grp_simple(NULL, 0, 4096, 0));
	EXPECT_EQ(-EINVAL, grp_simple(NULL, npos + 1, 4096, 0));
	EXPECT_EQ(-EINVAL, grp_simple(NULL, 2, 0, 0));
	EXPECT_EQ(-EINVAL, grp_simple(NULL, 2, 6144, 0));
	EXPECT_EQ(-EINVAL, grp_simple(NULL, 2, 2048, 0));
	EXPECT_EQ(-E2BIG, grp_simple(NULL, 2, 1ULL << 30, 0));
	EXPECT_EQ(-EINVAL, grp_simple(NULL, 2, 4096, 1U << 7));
	EXPECT_EQ(-EINVAL, grp_simple(NULL, 2, 4096, MAPRING_RING_F_USER));
	EXPECT_EQ(-EINVAL, grp_simple("a b", 2, 4096, 0));
	EXPECT_EQ(-EINVAL, grp_new(NULL, 2, 4096, 0, 0, NULL, 0, 1U << 5));
	/* batch parameters only with the flag, and within bounds */
	a.nr_shards = 2;
	a.shard_size = 4096;
	a.wakeup_usecs = 100;
	EXPECT_EQ(-EINVAL, mr_dev_ioctl(MAPRING_IOC_RING_GROUP_CREATE, &a));
	a.flags = MAPRING_RING_F_BATCH_WAKEUP;
	a.wakeup_usecs = 0;
	EXPECT_EQ(-EINVAL, mr_dev_ioctl(MAPRING_IOC_RING_GROUP_CREATE, &a));
	a.flags = 0;
	a.__pad0 = 1;
	EXPECT_EQ(-EINVAL, mr_dev_ioctl(MAPRING_IOC_RING_GROUP_CREATE, &a));
	a.__pad0 = 0;
	a.size = MAPRING_RING_GROUP_CREATE_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, mr_dev_ioctl(MAPRING_IOC_RING_GROUP_CREATE, &a));

	fd = grp_simple("sh.dup", 2, 4096, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, grp_simple("sh.dup", 2, 4096, 0));
	/* one namespace with rings */
	EXPECT_EQ(-EEXIST, mr_ring_create("sh.dup", 4096, 0, 0, 0));
	EXPECT_EQ(-EINVAL, mapring_ringbuf__open("sh.dup"));
	close(fd);
}

TEST(group_fd_errors)
{
	struct mapring_ring_group_shard_fd s = { .size = sizeof(s) };
	struct mapring_ring_group_sync y = { .size = sizeof(y) };
	struct mapring_ring_query q;
	__u64 w;
	int fd, rfd;

	ASSERT_EQ(0, mr_baseline());
	fd = grp_simple(NULL, 2, 4096, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, mapring_ring_group__shard_fd(fd, 2));
	EXPECT_EQ(-ENOENT, mapring_ring_group__shard_fd(fd, ~0U));
	s.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_RING_GROUP_SHARD_FD, &s));
	EXPECT_EQ(EINVAL, errno);
	/* the watermark needs kernel stamps */
	EXPECT_EQ(-EINVAL, mapring_ring_group__sync(fd, &w));
	y.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, MAPRING_IOC_RING_GROUP_SYNC, &y));
	EXPECT_EQ(EINVAL, errno);
	/* a group fd is not a ring fd and the other way round */
	EXPECT_EQ(-ENOTTY, mapring_ringbuf__query(fd, &q));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0));
	rfd = mr_ring_create(NULL, 4096, 0, 0, 0);
	ASSERT_LE(0, rfd);
	EXPECT_EQ(-ENOTTY, mapring_ring_group__shard_fd(rfd, 0));
	EXPECT_EQ(-ENOTTY, mapring_ring_group__sync(rfd, &w));
	errno = 0;
	EXPECT_EQ(NULL, mapring_ring_group_consumer__new(rfd, NULL, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(rfd);
	close(fd);
}

static int count_cb(void *ctx, __u32 shard, const void *data, size_t size)
{
	__u64 *n = ctx;

	(void)data;
	(void)size;
	n[shard]++;
	return 0;
}

TEST(shards_are_rings)
{
	struct mapring_ring_group_info gi;
	struct mapring_ring_query q0, q1;
	struct mapring_obj_info oi;
	char rec[1000] = { 0 };
	int fd, s0, s0b, s1;
	void *p;

	ASSERT_EQ(0, mr_baseline());
	fd = grp_new("sh.rings", 2, 4096, MAPRING_RING_F_OVERWRITE, 0, NULL,
		     0, 0);
	ASSERT_LE(0, fd);
	s0 = mapring_ring_group__shard_fd(fd, 0);
	s0b = mapring_ring_group__shard_fd(fd, 0);
	s1 = mapring_ring_group__shard_fd(fd, 1);
	ASSERT_LE(0, s0);
	ASSERT_LE(0, s0b);
	ASSERT_LE(0, s1);
	EXPECT_EQ(FD_CLOEXEC, fcntl(s0, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, mr_ring_query(s0, &q0));
	ASSERT_EQ(0, mr_ring_query(s1, &q1));
	EXPECT_EQ(mr_fd_id(s0), mr_fd_id(s0b));
	EXPECT_NE(q0.id, q1.id);
	EXPECT_EQ(4096, q0.data_size);
	EXPECT_EQ(MAPRING_RING_F_OVERWRITE, q0.ring_flags);
	ASSERT_EQ(0, mr_obj_info(q0.id, NULL, &oi));
	EXPECT_EQ(MAPRING_OBJ_RINGBUF, oi.type);
	EXPECT_STREQ("", oi.name);

	/* the mapping rules of rings */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s0, 0);
	EXPECT_NE(MAP_FAILED, p);
	munmap(p, 4096);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_SHARED, s0, 4096));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, s0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_EXEC,
				   MAP_SHARED, s0, 4096));
	EXPECT_EQ(EPERM, errno);

	/* overwrite works per shard: the table of ring_overwrite */
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(1000, write(s0, rec, sizeof(rec)));
	ASSERT_EQ(0, mr_ring_query(s0, &q0));
	ASSERT_EQ(0, mr_ring_query(s1, &q1));
	EXPECT_EQ(5040, q0.producer_pos);
	EXPECT_EQ(1008, q0.overwrite_pos);
	EXPECT_EQ(1, q0.overwritten);
	EXPECT_EQ(0, q1.producer_pos);
	ASSERT_EQ(0, grp_info(fd, &gi, NULL, 0));
	EXPECT_EQ(1, gi.overwritten);
	EXPECT_EQ(MAPRING_RING_F_OVERWRITE, gi.ring_flags);
	/* the merge reads in place: not on overwrite shards */
	{
		struct mapring_ring_group_consumer_opts o = {
			.sz = sizeof(o), .flags = MAPRING_RING_GROUP_CONSUMER_MERGE,
		};
		__u64 n[2] = { 0, 0 };
		struct mapring_ring_group_consumer *c;
		struct mapring_ring *r;

		errno = 0;
		EXPECT_EQ(NULL, mapring_ring_group_consumer__new(fd, count_cb,
								 n, &o));
		EXPECT_EQ(EOPNOTSUPP, errno);
		/* without merge the library reads overwrite shards safely */
		c = mapring_ring_group_consumer__new(fd, count_cb, n, NULL);
		ASSERT_NE(NULL, c);
		EXPECT_EQ(4, mapring_ring_group_consumer__consume(c));
		EXPECT_EQ(4, n[0]);
		EXPECT_EQ(0, n[1]);
		r = mapring_ring_group_consumer__ring(c, 0);
		EXPECT_EQ(1, mapring_ring__lost(r, NULL));
		mapring_ring_group_consumer__free(c);
	}
	close(s0);
	close(s0b);
	close(s1);
	close(fd);

	/* batch wake-up parameters reach every shard */
	{
		struct mapring_ring_group_create a = {
			.size = sizeof(a), .flags = MAPRING_RING_F_BATCH_WAKEUP,
			.shard_size = 8192, .wakeup_bytes = 1024,
			.wakeup_usecs = 5000, .nr_shards = 2,
		};

		fd = mr_dev_ioctl(MAPRING_IOC_RING_GROUP_CREATE, &a);
		ASSERT_LE(0, fd);
		s1 = mapring_ring_group__shard_fd(fd, 1);
		ASSERT_LE(0, s1);
		ASSERT_EQ(0, mr_ring_query(s1, &q1));
		EXPECT_EQ(1024, q1.wakeup_bytes);
		EXPECT_EQ(5000, q1.wakeup_usecs);
		EXPECT_EQ(MAPRING_RING_F_BATCH_WAKEUP, q1.ring_flags);
		close(s1);
		close(fd);
	}
}

/* ---- kernel producers ---- */

FIXTURE(kprod) {
	int ncpu;
};

FIXTURE_SETUP(kprod)
{
	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
	self->ncpu = nr_cpu_ids();
}

FIXTURE_TEARDOWN(kprod)
{
	mr_prod_cmd("reset");
	mr_prod_cmd("gdetach");
	mr_prod_unload();
}

struct shard_count {
	unsigned long long committed, discarded, dropped;
};

/* A group job's per-shard counts from the status file: 0 or -ENOENT. */
static int job_shard(unsigned int id, unsigned int shard,
		     struct shard_count *s)
{
	FILE *f = fopen(MR_DEBUGFS_DIR "/status", "re");
	unsigned int jid, sid;
	char line[256];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "shard %u %u %llu %llu %llu", &jid, &sid,
			   &s->committed, &s->discarded, &s->dropped) == 5 &&
		    jid == id && sid == shard) {
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

/*
 * Every online CPU's records land in exactly its shard, with the default
 * table and a reversed one; CPU 2, possible but offline at boot, is
 * brought online for it and taken offline again.
 */
TEST_F_TIMEOUT(kprod, producer_lands_in_its_cpus_shard, 120)
{
	__u32 table[MAX_CPUS], rev[MAX_CPUS];
	int onlined = 0, fd;

	if (self->ncpu > 2 && !cpu_online(2) && set_online(2, 1) == 0)
		onlined = 1;
	for (int c = 0; c < self->ncpu; c++)
		rev[c] = (self->ncpu - 1 - c) % 2;
	for (int pass = 0; pass < 2; pass++) {
		ASSERT_EQ(0, mr_prod_cmd("reset"));
		if (pass == 0) {
			ASSERT_EQ(0, mr_prod_cmd("group sh.land 2 16384"));
		} else {
			fd = grp_new("sh.land", 2, 16384, 0,
				     MAPRING_SHARD_ASSIGN_TABLE, rev,
				     self->ncpu, 0);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, mr_prod_cmd("gattach sh.land"));
			close(fd);
		}
		fd = mapring_ring_group__open("sh.land");
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, grp_info(fd, &(struct mapring_ring_group_info){},
				      table, MAX_CPUS));
		for (int c = 0; c < self->ncpu; c++) {
			__u64 before[2], after[2];
			struct mr_job j;
			__u32 s;

			if (!cpu_online(c))
				continue;
			s = table[c];
			ASSERT_GT(2, s);
			before[0] = shard_prod(fd, 0);
			before[1] = shard_prod(fd, 1);
			ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread cpu=%d %s",
						 c, "count=10 size=40 group=1"));
			ASSERT_EQ(0, mr_prod_cmd("wait"));
			ASSERT_EQ(0, mr_prod_job(0, &j));
			EXPECT_EQ(10, j.committed);
			after[0] = shard_prod(fd, 0);
			after[1] = shard_prod(fd, 1);
			/* 40-byte samples take 48 bytes */
			EXPECT_EQ(480, after[s] - before[s]);
			EXPECT_EQ(0, after[!s] - before[!s]);
			TH_LOG("pass %d: CPU %d -> shard %u", pass, c, s);
		}
		close(fd);
		ASSERT_EQ(0, mr_prod_cmd("reset"));
		ASSERT_EQ(0, mr_prod_cmd("gdetach"));
	}
	if (onlined)
		EXPECT_EQ(0, set_online(2, 0));
}

struct tally {
	__u64 per_shard[MR_MAX_SHARDS];
	__u64 count[MR_MAX_JOBS];
	__s64 last[MR_MAX_JOBS];
	__u64 bad, out_of_order, late_ts;
	__u64 last_ts;
	int check_ts;
};

static void tally_init(struct tally *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < MR_MAX_JOBS; i++)
		t->last[i] = -1;
}

static int tally_cb(void *ctx, __u32 shard, const void *data, size_t size)
{
	struct tally *t = ctx;
	const struct mr_rec *r = (const void *)((const char *)data + MR_TS_SZ);
	__u64 ts;

	if (shard >= MR_MAX_SHARDS || size < MR_TS_SZ + sizeof(*r) ||
	    !mr_rec_ok(r, size - MR_TS_SZ) || r->producer >= MR_MAX_JOBS) {
		t->bad++;
		return 0;
	}
	memcpy(&ts, data, sizeof(ts));
	if (t->check_ts && ts < t->last_ts)
		t->late_ts++;
	t->last_ts = ts;
	t->per_shard[shard]++;
	if ((__s64)r->seq <= t->last[r->producer])
		t->out_of_order++;
	t->last[r->producer] = r->seq;
	t->count[r->producer]++;
	return 0;
}

struct cthread {
	struct mapring_ring_group_consumer *c;
	int stop;
};

static void *consume_thread(void *arg)
{
	struct cthread *t = arg;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE))
		mapring_ring_group_consumer__poll(t->c, 20);
	return NULL;
}

/*
 * Producers in all four contexts on both online CPUs into a two-shard
 * group of small shards (so some reservations fail), a consumer thread on
 * the group. Per shard: records consumed = committed into it, drops
 * counted by the shard = the producers' drops there; summed in the group.
 */
static void run_stress(struct __test_metadata *_metadata, int ncpu, int merge)
{
	static const char *const ctxs[] = { "kthread", "timer", "irq", "nmi" };
	struct mapring_ring_group_consumer_opts o = { .sz = sizeof(o) };
	struct mapring_ring_group_info gi;
	__u32 table[MAX_CPUS];
	unsigned long long committed = 0, dropped = 0;
	__u64 shard_committed[2] = { 0, 0 }, shard_dropped[2] = { 0, 0 };
	struct cthread ct = { 0 };
	struct tally t;
	pthread_t th;
	int fd, jobs = 0;

	for (int c = 0; c < ncpu; c++)
		table[c] = c % 2;
	fd = grp_new("sh.stress", 2, 8192, merge ? MAPRING_RING_F_TIMESTAMP : 0,
		     MAPRING_SHARD_ASSIGN_TABLE, table, ncpu, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_prod_cmd(merge ? "gattach sh.stress ts" :
				 "gattach sh.stress"));
	tally_init(&t);
	t.check_ts = merge;
	if (merge)
		o.flags = MAPRING_RING_GROUP_CONSUMER_MERGE;
	ct.c = mapring_ring_group_consumer__new(fd, tally_cb, &t, &o);
	ASSERT_NE(NULL, ct.c);
	EXPECT_EQ(merge, mapring_ring_group_consumer__exact(ct.c));
	EXPECT_EQ(2, mapring_ring_group_consumer__nr_shards(ct.c));
	ASSERT_EQ(0, pthread_create(&th, NULL, consume_thread, &ct));

	for (int c = 0; c < 2 && c < ncpu; c++) {
		if (!cpu_online(c))
			continue;
		for (int x = 0; x < 4; x++, jobs++)
			ASSERT_EQ(0, mr_prod_cmd("start id=%d ctx=%s cpu=%d size=%d %s",
						 jobs, ctxs[x], c, 40 + 8 * x,
						 "count=1500 batch=8 gap=200 mode=mixed group=1"));
	}
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	__atomic_store_n(&ct.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	while (mapring_ring_group_consumer__consume(ct.c) > 0)
		;

	for (int i = 0; i < jobs; i++) {
		struct mr_job j;
		struct shard_count s;

		ASSERT_EQ(0, mr_prod_job(i, &j));
		EXPECT_STREQ("done", j.state);
		EXPECT_EQ(1500, j.attempts);
		EXPECT_EQ(j.attempts, j.committed + j.discarded + j.dropped);
		EXPECT_EQ(j.committed, t.count[i]);
		committed += j.committed;
		dropped += j.dropped;
		for (unsigned int sh = 0; sh < 2; sh++) {
			ASSERT_EQ(0, job_shard(i, sh, &s));
			shard_committed[sh] += s.committed;
			shard_dropped[sh] += s.dropped;
		}
	}
	EXPECT_EQ(0, t.bad);
	EXPECT_EQ(0, t.out_of_order);
	for (unsigned int sh = 0; sh < 2; sh++) {
		struct mapring_ring_query q;
		int s = mapring_ring_group__shard_fd(fd, sh);

		ASSERT_LE(0, s);
		ASSERT_EQ(0, mr_ring_query(s, &q));
		EXPECT_EQ(shard_committed[sh], t.per_shard[sh]);
		EXPECT_EQ(shard_dropped[sh],
			  q.drops_full + q.drops_busy + q.drops_too_large);
		EXPECT_EQ(q.producer_pos, q.consumer_pos);
		TH_LOG("shard %u: %llu consumed, %llu dropped", sh,
		       (unsigned long long)t.per_shard[sh],
		       (unsigned long long)shard_dropped[sh]);
		close(s);
	}
	ASSERT_EQ(0, grp_info(fd, &gi, NULL, 0));
	EXPECT_EQ(dropped, gi.drops_full + gi.drops_busy + gi.drops_too_large);
	EXPECT_EQ(0, gi.avail);
	EXPECT_EQ(committed, t.per_shard[0] + t.per_shard[1]);
	if (merge) {
		/* the kernel's watermark: exact order, nothing late */
		EXPECT_EQ(0, mapring_ring_group_consumer__late(ct.c));
		EXPECT_EQ(0, t.late_ts);
	}
	mapring_ring_group_consumer__free(ct.c);
	close(fd);
}

TEST_F_TIMEOUT(kprod, stress_exact_accounting, 240)
{
	run_stress(_metadata, self->ncpu, 0);
}

TEST_F_TIMEOUT(kprod, merge_in_timestamp_order, 240)
{
	run_stress(_metadata, self->ncpu, 1);
}

/* ---- the merge, constructed ---- */

struct seen_ts {
	__u64 ts[16];
	__u32 shard[16];
	int n;
};

static int ts_cb(void *ctx, __u32 shard, const void *data, size_t size)
{
	struct seen_ts *s = ctx;

	if (size >= 8 && s->n < 16) {
		memcpy(&s->ts[s->n], data, 8);
		s->shard[s->n++] = shard;
	}
	return 0;
}

static int put_ts(int fd, __u64 ts)
{
	__u64 rec[2] = { ts, 0 };

	return write(fd, rec, sizeof(rec)) == sizeof(rec) ? 0 : -errno;
}

/*
 * User-chosen timestamps (no kernel stamps): each pass merges what is
 * there, and what comes behind is delivered and counted late, exactly.
 */
TEST(merge_counts_late_records_exactly)
{
	struct mapring_ring_group_consumer_opts o = {
		.sz = sizeof(o), .flags = MAPRING_RING_GROUP_CONSUMER_MERGE,
	};
	struct mapring_ring_group_consumer *c;
	struct seen_ts s = { 0 };
	int fd, s0, s1;

	ASSERT_EQ(0, mr_baseline());
	fd = grp_simple(NULL, 2, 4096, 0);
	ASSERT_LE(0, fd);
	s0 = mapring_ring_group__shard_fd(fd, 0);
	s1 = mapring_ring_group__shard_fd(fd, 1);
	c = mapring_ring_group_consumer__new(fd, ts_cb, &s, &o);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(0, mapring_ring_group_consumer__exact(c));

	ASSERT_EQ(0, put_ts(s1, 20));
	ASSERT_EQ(0, put_ts(s0, 10));
	ASSERT_EQ(0, put_ts(s0, 40));
	ASSERT_EQ(0, put_ts(s1, 30));
	EXPECT_EQ(4, mapring_ring_group_consumer__poll(c, 1000));
	EXPECT_EQ(0, mapring_ring_group_consumer__late(c));
	EXPECT_EQ(10, s.ts[0]);
	EXPECT_EQ(20, s.ts[1]);
	EXPECT_EQ(30, s.ts[2]);
	EXPECT_EQ(40, s.ts[3]);
	EXPECT_EQ(0, s.shard[0]);
	EXPECT_EQ(1, s.shard[1]);

	ASSERT_EQ(0, put_ts(s1, 35));	/* behind 40: late */
	ASSERT_EQ(0, put_ts(s1, 38));	/* late */
	EXPECT_EQ(2, mapring_ring_group_consumer__consume(c));
	EXPECT_EQ(2, mapring_ring_group_consumer__late(c));
	ASSERT_EQ(0, put_ts(s0, 50));
	ASSERT_EQ(0, put_ts(s1, 45));	/* not late: 40 was the newest */
	EXPECT_EQ(2, mapring_ring_group_consumer__consume(c));
	EXPECT_EQ(2, mapring_ring_group_consumer__late(c));
	EXPECT_EQ(45, s.ts[6]);
	EXPECT_EQ(50, s.ts[7]);
	EXPECT_EQ(0, mapring_ring_group_consumer__consume(c));
	mapring_ring_group_consumer__free(c);
	close(s0);
	close(s1);
	close(fd);
}

/*
 * Kernel stamps: write() keeps the kernel's stamp in place of the first 8
 * bytes; the stamps of a shard never go back; the watermark is at least
 * every stamp taken before it; samples shorter than 8 bytes are refused.
 */
TEST(kernel_stamps_and_watermark)
{
	struct mapring_ring_group_consumer_opts o = {
		.sz = sizeof(o), .flags = MAPRING_RING_GROUP_CONSUMER_MERGE,
	};
	struct mapring_ring_group_consumer *c;
	struct seen_ts s = { 0 };
	__u64 w0, w1;
	int fd, s0, s1;

	ASSERT_EQ(0, mr_baseline());
	fd = grp_simple(NULL, 2, 4096, MAPRING_RING_F_TIMESTAMP);
	ASSERT_LE(0, fd);
	s0 = mapring_ring_group__shard_fd(fd, 0);
	s1 = mapring_ring_group__shard_fd(fd, 1);
	ASSERT_EQ(0, mapring_ring_group__sync(fd, &w0));
	ASSERT_EQ(0, put_ts(s1, 1));
	ASSERT_EQ(0, put_ts(s0, ~0ULL));
	ASSERT_EQ(0, put_ts(s1, 7));
	EXPECT_EQ(-1, write(s0, "1234567", 7));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mapring_ring_group__sync(fd, &w1));
	EXPECT_LE(w0, w1);
	c = mapring_ring_group_consumer__new(fd, ts_cb, &s, &o);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(1, mapring_ring_group_consumer__exact(c));
	EXPECT_EQ(3, mapring_ring_group_consumer__consume(c));
	ASSERT_EQ(3, s.n);
	/* stamped in write order, between the two watermarks */
	EXPECT_EQ(1, s.shard[0]);
	EXPECT_EQ(0, s.shard[1]);
	EXPECT_EQ(1, s.shard[2]);
	EXPECT_LE(w0, s.ts[0]);
	EXPECT_LE(s.ts[0], s.ts[1]);
	EXPECT_LE(s.ts[1], s.ts[2]);
	EXPECT_LE(s.ts[2], w1);
	EXPECT_EQ(0, mapring_ring_group_consumer__late(c));
	mapring_ring_group_consumer__free(c);
	close(s0);
	close(s1);
	close(fd);
}

/* ---- permissions ---- */

struct perm_ids {
	__u32 gid, sid;
	int gfd;
	int want;
};

static int nobody_checks(void *arg)
{
	struct perm_ids *p = arg;
	int fd;

	fd = mr_obj_open(p->gid, NULL);
	MR_CHK(p->want ? fd == -p->want : fd >= 0);
	fd = mapring_ring_group__open("sh.perm");
	MR_CHK(p->want ? fd == -p->want : fd >= 0);
	if (fd >= 0)
		close(fd);
	/* a shard has the group's access */
	fd = mr_obj_open(p->sid, NULL);
	MR_CHK(p->want ? fd == -p->want : fd >= 0);
	if (fd >= 0)
		close(fd);
	/* an fd, once held, is never checked again: the inherited group fd */
	fd = mapring_ring_group__shard_fd(p->gfd, 1);
	MR_CHK(fd >= 0);
	if (fd >= 0) {
		MR_CHK(write(fd, "01234567", 8) == 8);
		close(fd);
	}
	return mr_failed_line;
}

TEST(permission_matrix)
{
	struct mapring_ring_group_info gi;
	struct perm_ids p;
	struct mapring_ring_query q;
	int fd, s;

	ASSERT_EQ(0, mr_baseline());
	/* everyone may open the device; the objects' access decides */
	ASSERT_EQ(0, mr_rmmod("mapring"));
	ASSERT_EQ(0, mr_insmod("mapring", "mode=0666"));
	for (int shared = 0; shared < 2; shared++) {
		fd = grp_new("sh.perm", 2, 4096, 0, 0, NULL, 0,
			     shared ? MAPRING_ACCESS_SHARED : 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, grp_info(fd, &gi, NULL, 0));
		s = mapring_ring_group__shard_fd(fd, 0);
		ASSERT_LE(0, s);
		ASSERT_EQ(0, mr_ring_query(s, &q));
		p = (struct perm_ids){ .gid = gi.id, .sid = q.id, .gfd = fd,
				       .want = shared ? 0 : EACCES };
		EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1,
					nobody_checks, &p));
		close(s);
		close(fd);
	}
	EXPECT_EQ(0, mr_baseline());
}

/* ---- lifecycle ---- */

TEST(lifecycle_group_and_shards)
{
	struct mapring_obj_get_next_id n = { .size = sizeof(n) };
	struct mapring_obj_info oi;
	struct mapring_ring_query q;
	__u32 gid;
	int fd, s;

	ASSERT_EQ(0, mr_baseline());
	fd = grp_simple("sh.life", 2, 4096, 0);
	ASSERT_LE(0, fd);
	gid = mr_fd_id(fd);
	s = mapring_ring_group__shard_fd(fd, 1);
	ASSERT_LE(0, s);
	/* the module is pinned by the group fd, then by the shard fd */
	EXPECT_EQ(-EWOULDBLOCK, mr_rmmod("mapring"));
	close(fd);
	/* the shard fd holds the shard, not the group */
	EXPECT_EQ(-ENOENT, mr_obj_info(gid, NULL, &oi));
	EXPECT_EQ(-ENOENT, mapring_ring_group__open("sh.life"));
	ASSERT_EQ(8, write(s, "01234567", 8));
	ASSERT_EQ(0, mr_ring_query(s, &q));
	EXPECT_EQ(16, q.producer_pos);
	EXPECT_EQ(-EWOULDBLOCK, mr_rmmod("mapring"));
	close(s);
	/* the name is free again at once */
	fd = grp_simple("sh.life", 2, 4096, 0);
	ASSERT_LE(0, fd);
	close(fd);

	/* 100 cycles leave no object behind and the module unloads */
	for (int i = 0; i < 100; i++) {
		fd = grp_simple("sh.cycle", 3, 4096, 0);
		ASSERT_LE(0, fd);
		s = mapring_ring_group__shard_fd(fd, i % 3);
		ASSERT_LE(0, s);
		close(fd);
		close(s);
	}
	usleep(100 * 1000);	/* RCU-deferred frees */
	EXPECT_EQ(-ENOENT, mr_dev_ioctl(MAPRING_IOC_OBJ_GET_NEXT_ID, &n));
	EXPECT_EQ(0, mr_rmmod("mapring"));
	EXPECT_EQ(0, mr_baseline());
}

TEST(group_memory_charged_to_creator)
{
	long long before, after;
	int fd, err;

	ASSERT_EQ(0, mr_baseline());
	err = mr_cgroup_create("sh_memcg");
	if (err)
		SKIP(return, "no cgroup v2 memory controller: %s",
		     strerror(-err));
	ASSERT_EQ(0, mr_cgroup_join("sh_memcg"));
	before = mr_cgroup_memory("sh_memcg");
	fd = grp_simple(NULL, 2, 1 << 20, 0);
	ASSERT_LE(0, fd);
	after = mr_cgroup_memory("sh_memcg");
	TH_LOG("memory.current %lld -> %lld", before, after);
	/* two shards of 1 MiB of data pages each */
	EXPECT_LE(2LL << 20, after - before);
	close(fd);
	ASSERT_EQ(0, mr_cgroup_join(""));
	mr_cgroup_remove("sh_memcg");
}

TEST(kernel_api_group)
{
	int fd;

	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
	ASSERT_EQ(0, mr_prod_cmd("group sh.kapi 2 4096 ts"));
	fd = mapring_ring_group__open("sh.kapi");
	ASSERT_LE(0, fd);
	/* the module holds it: unloading mapring is refused */
	EXPECT_EQ(-EWOULDBLOCK, mr_rmmod("mapring"));
	ASSERT_EQ(0, mr_prod_cmd("gdetach"));
	/* our fd keeps it alive */
	{
		struct mapring_ring_group_info gi;

		ASSERT_EQ(0, grp_info(fd, &gi, NULL, 0));
		EXPECT_EQ(2, gi.nr_shards);
		EXPECT_EQ(MAPRING_RING_F_TIMESTAMP, gi.ring_flags);
	}
	close(fd);
	EXPECT_EQ(-EINVAL, mr_prod_cmd("group sh.kapi 0 4096"));
	/* no group held: a group job cannot start */
	EXPECT_EQ(-ENOENT, mr_prod_cmd("start id=0 ctx=kthread count=1 group=1 size=32"));
	mr_prod_unload();
}

/* mapringctl lists and shows a group */
TEST(mapringctl_shows_group)
{
	char out[4096] = "";
	size_t got;
	FILE *f;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	if (system("command -v mapringctl >/dev/null 2>&1"))
		SKIP(return, "no mapringctl in PATH");
	fd = grp_simple("sh.ctl", 2, 8192, 0);
	ASSERT_LE(0, fd);
	f = popen("mapringctl show sh.ctl; mapringctl list", "r");
	ASSERT_NE(NULL, f);
	got = fread(out, 1, sizeof(out) - 1, f);
	out[got] = '\0';
	EXPECT_EQ(0, pclose(f));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "ring_group  name sh.ctl"));
	EXPECT_NE(NULL, strstr(out, "shards 2  shard_size 8192B"));
	/* its shards are listed as anonymous rings */
	EXPECT_NE(NULL, strstr(out, ": ringbuf  flags 0x0"));
	close(fd);
}

TEST_HARNESS_MAIN
