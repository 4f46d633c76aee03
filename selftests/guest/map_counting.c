// SPDX-License-Identifier: GPL-2.0
/*
 * Exact counting through the kernel API: mr_test_counter increments on
 * every online CPU from task, kthread, softirq and hard-IRQ context; the
 * in-kernel sum equals the increments it reports, per CPU and in total.
 * Read-and-reset under concurrent increments (over a million) loses none
 * and counts none twice. The rest of the kernel API: create, update,
 * delete, this-CPU lookup, references.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>

#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

#define CTL "/sys/kernel/debug/mr_test_counter/ctl"
#define LAST "/sys/kernel/debug/mr_test_counter/last"

struct last {
	unsigned long long done, value;
	int errors, err, cpu;
};

#define ctl(...) mr_write_filef(CTL, __VA_ARGS__)

static int last(struct last *l)
{
	char buf[160];
	int err = mr_read_file(LAST, buf, sizeof(buf));

	if (err)
		return err;
	return sscanf(buf, "done=%llu errors=%d err=%d value=%llu cpu=%d",
		      &l->done, &l->errors, &l->err, &l->value, &l->cpu) == 5 ?
	       0 : -EINVAL;
}

static int online_cpus(void)
{
	return mr_cpulist_count("/sys/devices/system/cpu/online");
}

static int cpu_online(int cpu)
{
	char path[64], buf[8];

	if (cpu == 0)
		return 1;
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	if (mr_read_file(path, buf, sizeof(buf)))
		return 0;
	return buf[0] == '1';
}

static __u64 sum_at(int fd, __u32 key, __u32 off)
{
	struct mapring_map_aggregate_opts o = {
		.sz = sizeof(o), .offsets = &off, .nr_fields = 1,
	};
	__u32 count = 1;
	__u64 res = ~0ULL;

	if (mapring_map_aggregate(fd, MAPRING_AGG_SUM, &key, &count, &res, &o))
		return ~0ULL;
	return res;
}

FIXTURE(cnt) {
	int fd;
	int online;
};

FIXTURE_VARIANT(cnt) {
	__u32 type;
	const char *name;
};

FIXTURE_VARIANT_ADD(cnt, array) {
	.type = MAPRING_OBJ_PERCPU_ARRAY, .name = "cnt_array",
};

FIXTURE_VARIANT_ADD(cnt, hash) {
	.type = MAPRING_OBJ_PERCPU_HASH, .name = "cnt_hash",
};

FIXTURE_SETUP(cnt)
{
	ASSERT_EQ(0, mr_baseline());
	if (!mr_module_loaded("mr_test_counter"))
		ASSERT_EQ(0, mr_insmod("mr_test_counter", ""));
	self->online = online_cpus();
	ASSERT_LT(0, self->online);
	/* two u64 fields; the counter is the second */
	self->fd = mr_create(variant->type, variant->name, 4, 16, 8, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(cnt)
{
	close(self->fd);
	mr_rmmod("mr_test_counter");
}

/* Each context on each online CPU: exact per-CPU and total counts. */
TEST_F_TIMEOUT(cnt, every_context_exact, 120)
{
	static const char * const ctxs[] = { "kthread", "softirq", "hardirq" };
	__u64 total = 0, per_cpu = 0, n = 20000;
	int ncpu = mr_ncpus();
	__u64 *v = calloc(ncpu, 16);
	struct last l;
	__u32 key = 5;

	for (size_t i = 0; i < ARRAY_SIZE(ctxs); i++) {
		ASSERT_EQ(0, ctl("run map=%s key=5 count=%llu ctx=%s off=8",
				 variant->name, n, ctxs[i]));
		ASSERT_EQ(0, last(&l));
		EXPECT_EQ(n * self->online, l.done);
		EXPECT_EQ(0, l.errors);
		total += l.done;
		per_cpu += n;
		EXPECT_EQ(total, sum_at(self->fd, key, 8));
		EXPECT_EQ(0, sum_at(self->fd, key, 0));
		/* bound contexts count on their own CPU only */
		ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key, v));
		for (int c = 0; c < ncpu; c++) {
			EXPECT_EQ(cpu_online(mr_cpu_id(c)) ? per_cpu : 0,
				  v[c * 2 + 1]) TH_LOG("%s cpu %d", ctxs[i],
						       mr_cpu_id(c));
			EXPECT_EQ(0, v[c * 2]);
		}
	}
	/* the writer's own context: not bound, only the total is known */
	ASSERT_EQ(0, ctl("run map=%s key=5 count=%llu ctx=task off=8 delta=3",
			 variant->name, n));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(n, l.done);
	total += 3 * n;
	EXPECT_EQ(total, sum_at(self->fd, key, 8));
	/* one CPU only */
	ASSERT_EQ(0, ctl("run map=%s key=6 count=1000 ctx=hardirq cpu=%d off=0",
			 variant->name, mr_cpu_id(self->online - 1)));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(1000, l.done);
	EXPECT_EQ(1000, sum_at(self->fd, 6, 0));
	free(v);
}

struct resetter {
	int fd;
	atomic_int stop;
	__u64 taken;
	unsigned long resets;
	int err;
};

static void *reset_loop(void *arg)
{
	struct resetter *r = arg;
	__u32 key = 1, count, off = 8;
	struct mapring_map_aggregate_opts o = {
		.sz = sizeof(o), .offsets = &off, .nr_fields = 1,
	};
	__u64 res;

	while (!atomic_load(&r->stop)) {
		count = 1;
		r->err = mapring_map_read_and_reset(r->fd, &key, &count, &res,
						    &o);
		if (r->err == -ENOENT)	/* hash: not inserted yet */
			continue;
		if (r->err)
			break;
		r->taken += res;
		r->resets++;
	}
	return NULL;
}

/* Over a million increments, reset all along: each counted exactly once. */
TEST_F_TIMEOUT(cnt, read_and_reset_exact, 240)
{
	struct resetter r = { .fd = self->fd };
	__u64 per_cpu = 1000000 / self->online + 1, final;
	pthread_t t;
	struct last l;

	ASSERT_EQ(0, pthread_create(&t, NULL, reset_loop, &r));
	ASSERT_EQ(0, ctl("run map=%s key=1 count=%llu ctx=kthread off=8",
			 variant->name, per_cpu));
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(per_cpu * self->online, l.done);
	EXPECT_LE(1000000, l.done);
	final = sum_at(self->fd, 1, 8);
	TH_LOG("%llu increments, %lu resets took %llu, %llu left",
	       l.done, r.resets, (unsigned long long)r.taken,
	       (unsigned long long)final);
	EXPECT_LT(1, r.resets);
	EXPECT_EQ(l.done, r.taken + final);
}

TEST(kernel_api)
{
	int n, fd, fd2;
	__u64 *v;
	__u32 key = 3;
	struct last l;
	struct mapring_map_info info;

	ASSERT_EQ(0, mr_baseline());
	if (!mr_module_loaded("mr_test_counter"))
		ASSERT_EQ(0, mr_insmod("mr_test_counter", ""));
	/* the update and the this-CPU lookup below must run on one CPU */
	ASSERT_EQ(0, mr_pin_cpu(0));
	n = mr_ncpus();
	v = calloc(n, 8);
	/* a map made by a module, opened by name from here */
	ASSERT_EQ(0, ctl("create map=kmap type=hash key_size=4 value_size=8 max=2"));
	EXPECT_EQ(-EBUSY, ctl("create map=kmap2 type=array key_size=4 value_size=8 max=2"));
	fd = mapring_map__open("kmap");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mapring_map__info(fd, &info));
	EXPECT_EQ(MAPRING_OBJ_PERCPU_HASH, info.map_type);
	EXPECT_EQ(2, info.max_entries);
	/* an update from the kernel writes its own CPU; the rest are 0 */
	ASSERT_EQ(0, ctl("update map=kmap key=3 value=9"));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(0, l.err);
	ASSERT_EQ(0, mapring_map_lookup_elem(fd, &key, v));
	for (int c = 0; c < n; c++)
		EXPECT_EQ(mr_cpu_id(c) == l.cpu ? 9 : 0, v[c]);
	/* the this-CPU lookup sees the same */
	ASSERT_EQ(0, ctl("lookup map=kmap key=3"));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(0, l.err);
	for (int c = 0; c < n; c++)
		if (mr_cpu_id(c) == l.cpu)
			EXPECT_EQ(v[c], l.value);
	EXPECT_EQ(9, l.value);
	/* ALL_CPUS, NOEXIST, a full map */
	ASSERT_EQ(0, ctl("update map=kmap key=3 value=4 flags=16"));
	ASSERT_EQ(0, mapring_map_lookup_elem(fd, &key, v));
	for (int c = 0; c < n; c++)
		EXPECT_EQ(4, v[c]);
	ASSERT_EQ(0, ctl("update map=kmap key=3 value=4 flags=1"));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(-EEXIST, l.err);
	ASSERT_EQ(0, ctl("update map=kmap key=4 value=4"));
	ASSERT_EQ(0, ctl("update map=kmap key=5 value=4"));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(-E2BIG, l.err);
	/* add to a missing key of a full hash */
	ASSERT_EQ(0, ctl("run map=kmap key=6 count=1 ctx=task"));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(0, l.done);
	EXPECT_EQ(-E2BIG, l.err);
	/* delete */
	ASSERT_EQ(0, ctl("delete map=kmap key=3"));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(0, l.err);
	ASSERT_EQ(0, ctl("delete map=kmap key=3"));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(-ENOENT, l.err);
	EXPECT_EQ(-ENOENT, mapring_map_lookup_elem(fd, &key, v));
	ASSERT_EQ(0, ctl("lookup map=kmap key=3"));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(-ENOENT, l.err);
	/* a bad CPU through the kernel API */
	ASSERT_EQ(0, ctl("update map=kmap key=4 value=1 flags=%llu",
			 (unsigned long long)MR_CPU(n)));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(-ERANGE, l.err);
	/* mapring.ko is pinned by its API user and by our fd */
	EXPECT_EQ(-EWOULDBLOCK, mr_rmmod("mapring"));
	/* the module drops its reference; our fd keeps the map */
	ASSERT_EQ(0, ctl("drop"));
	key = 4;
	EXPECT_EQ(0, mapring_map_lookup_elem(fd, &key, v));
	fd2 = mapring_map__open("kmap");
	EXPECT_LE(0, fd2);
	close(fd2);
	close(fd);
	EXPECT_EQ(-ENOENT, mapring_map__open("kmap"));
	/* a map by fd: ours, another kind of fd, no fd */
	fd = mr_create(MAPRING_OBJ_PERCPU_ARRAY, NULL, 4, 8, 1, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ctl("run fd=%d key=0 count=10 ctx=task", fd));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(10, l.done);
	key = 0;
	ASSERT_EQ(0, mapring_map_lookup_elem(fd, &key, v));
	for (int c = 1; c < n; c++)
		v[0] += v[c];
	EXPECT_EQ(10, v[0]);
	fd2 = mapring_dev__open();
	EXPECT_EQ(-EINVAL, ctl("run fd=%d key=0 count=1 ctx=task", fd2));
	close(fd2);
	EXPECT_EQ(-EBADF, ctl("run fd=999 key=0 count=1 ctx=task"));
	close(fd);
	EXPECT_EQ(-ENOENT, ctl("run map=kmap key=1 count=1 ctx=task"));
	EXPECT_EQ(0, mr_rmmod("mr_test_counter"));
	free(v);
}

/* In an LRU map a kernel-API use keeps an element; a user-space read not. */
TEST(lru_kernel_use_counts)
{
	__u64 *v;
	__u32 key;
	int fd;
	struct last l;

	ASSERT_EQ(0, mr_baseline());
	if (!mr_module_loaded("mr_test_counter"))
		ASSERT_EQ(0, mr_insmod("mr_test_counter", ""));
	v = calloc(mr_ncpus(), 8);
	fd = mr_create(MAPRING_OBJ_LRU_PERCPU_HASH, "lru_k", 4, 8, 3, 0);
	ASSERT_LE(0, fd);
	for (key = 1; key <= 3; key++)
		ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	ASSERT_EQ(0, ctl("lookup map=lru_k key=1"));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(0, l.err);
	key = 4;
	ASSERT_EQ(0, mapring_map_update_elem(fd, &key, v, 0));
	key = 1;
	EXPECT_EQ(0, mapring_map_lookup_elem(fd, &key, v));
	key = 2;
	EXPECT_EQ(-ENOENT, mapring_map_lookup_elem(fd, &key, v));
	/* an add to a missing key of a full LRU map evicts to make room */
	ASSERT_EQ(0, ctl("run map=lru_k key=9 count=5 ctx=task"));
	ASSERT_EQ(0, last(&l));
	EXPECT_EQ(5, l.done);
	key = 9;
	ASSERT_EQ(0, mapring_map_lookup_elem(fd, &key, v));
	for (int c = 1; c < mr_ncpus(); c++)
		v[0] += v[c];
	EXPECT_EQ(5, v[0]);
	key = 3;
	EXPECT_EQ(-ENOENT, mapring_map_lookup_elem(fd, &key, v));
	close(fd);
	free(v);
	EXPECT_EQ(0, mr_rmmod("mr_test_counter"));
}

TEST_HARNESS_MAIN
