// SPDX-License-Identifier: GPL-2.0
/*
 * How long a ring lives: closing the fd or unmapping while producers run,
 * a producer module keeping a ring alive, mapring.ko refusing to unload
 * while any fd, mapping or module holds a ring, 100 create/destroy cycles
 * without a leak, and memory charged to the creator's cgroup (a limit
 * below the ring's size fails the creation with nothing left allocated).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mr_harness.h"
#include "mr_ring.h"

/* vmap areas the module owns, from /proc/vmallocinfo. */
static int mapring_vmaps(void)
{
	FILE *f = fopen("/proc/vmallocinfo", "re");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "[mapring]") && strstr(line, " vmap");
	fclose(f);
	return n;
}

/* Rings are freed after an RCU grace period: wait for the count. */
static int settle_vmaps(int want)
{
	int n = mapring_vmaps();

	for (int i = 0; i < 1000 && n != want; i++) {
		usleep(10000);
		n = mapring_vmaps();
	}
	return n;
}

FIXTURE(life) {
	int fd;
};

FIXTURE_SETUP(life)
{
	self->fd = -1;
	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_load(NULL));
}

FIXTURE_TEARDOWN(life)
{
	if (self->fd >= 0)
		close(self->fd);
	mr_prod_unload();
	mr_baseline();
}

TEST_F(life, close_fd_while_producers_run)
{
	struct mapring_ring_query q1, q2;
	int fd;

	self->fd = mr_ring_create("life.close", 65536, 0, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mr_prod_cmd("attach life.close"));
	ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread count=%d size=32 batch=16 gap=10",
				 1 << 30));
	ASSERT_EQ(0, mr_prod_cmd("start id=1 ctx=irq cpu=1 count=%d size=32 batch=16 gap=10",
				 1 << 30));
	close(self->fd);
	self->fd = -1;
	usleep(20000);
	fd = mapring_obj__open_by_name("life.close", MAPRING_OBJ_RINGBUF);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_ring_query(fd, &q1));
	usleep(20000);
	ASSERT_EQ(0, mr_ring_query(fd, &q2));
	EXPECT_LT(q1.producer_pos + q1.drops_full, q2.producer_pos + q2.drops_full);
	close(fd);
	/* the jobs and the module hold the ring until they let go */
	ASSERT_EQ(0, mr_prod_cmd("stop"));
	ASSERT_EQ(0, mr_prod_cmd("detach"));
	EXPECT_EQ(-ENOENT, mapring_obj__open_by_name("life.close", 0));
}

TEST_F(life, munmap_and_mmap_during_production)
{
	struct mr_map m = { 0 };
	__u64 last = 0, pos;
	int bad = 0;

	self->fd = mr_ring_create("life.mmap", 65536, 0, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mr_prod_cmd("attach life.mmap"));
	/* with gaps: producers that leave no CPU time starve the mapper */
	ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread cpu=0 count=%d size=64 batch=16 gap=10",
				 1 << 30));
	ASSERT_EQ(0, mr_prod_cmd("start id=1 ctx=timer cpu=1 count=%d size=40 batch=16 gap=100",
				 1 << 30));
	for (int i = 0; i < 300; i++) {
		ASSERT_EQ(0, mr_map_ring(self->fd, &m));
		pos = mr_prod_pos(&m);
		bad += pos < last;
		last = pos;
		/* consume everything committed, as a consumer would */
		mr_set_cons(&m, pos);
		mr_unmap_ring(&m);
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, last);
	ASSERT_EQ(0, mr_prod_cmd("stop"));
}

TEST_F(life, producer_module_keeps_the_ring_alive)
{
	struct mapring_ring_query q;
	struct mr_job j;
	int fd;

	self->fd = mr_ring_create("life.keep", 65536, 0, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mr_prod_cmd("attach life.keep"));
	close(self->fd);
	self->fd = -1;
	/* no fd, no mapping: only the module's reference */
	ASSERT_EQ(0, mr_prod_cmd("start id=0 count=10 size=40"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	ASSERT_EQ(0, mr_prod_job(0, &j));
	EXPECT_EQ(10, j.committed);
	fd = mapring_obj__open_by_name("life.keep", MAPRING_OBJ_RINGBUF);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(10 * 48, q.producer_pos);
	close(fd);
	ASSERT_EQ(0, mr_prod_cmd("reset"));
	ASSERT_EQ(0, mr_prod_cmd("detach"));
	EXPECT_EQ(-ENOENT, mapring_obj__open_by_name("life.keep", 0));

	/* a ring the module made itself, at load time */
	ASSERT_EQ(0, mr_prod_unload());
	ASSERT_EQ(0, mr_insmod("mr_test_producer", "ring_name=life.made ring_size=8192"));
	fd = mapring_obj__open_by_name("life.made", MAPRING_OBJ_RINGBUF);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(8192, q.data_size);
	close(fd);
	ASSERT_EQ(0, mr_prod_unload());
	EXPECT_EQ(-ENOENT, mapring_obj__open_by_name("life.made", 0));
}

TEST_F(life, unload_refused_while_a_ring_is_held)
{
	struct mr_map m = { 0 };

	ASSERT_EQ(0, mr_prod_unload());
	self->fd = mr_ring_create(NULL, 8192, 0, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mr_map_ring(self->fd, &m));
	/* an fd */
	EXPECT_EQ(-EWOULDBLOCK, mr_rmmod("mapring"));
	close(self->fd);
	self->fd = -1;
	/* a mapping */
	EXPECT_EQ(-EWOULDBLOCK, mr_rmmod("mapring"));
	mr_set_cons(&m, 0);
	mr_unmap_ring(&m);
	/* nothing: the module goes, freeing every ring on its way */
	EXPECT_EQ(0, mr_rmmod("mapring"));
	ASSERT_EQ(0, mr_baseline());

	/* a kernel module holding a ring */
	ASSERT_EQ(0, mr_insmod("mr_test_producer", "ring_name=life.pin"));
	EXPECT_EQ(-EWOULDBLOCK, mr_rmmod("mapring"));
	ASSERT_EQ(0, mr_prod_unload());
	EXPECT_EQ(0, mr_rmmod("mapring"));
	ASSERT_EQ(0, mr_baseline());
}

/* cgroup v2 with the memory controller, or 0. */
#define MEMCG "mr_ring"

static int memcg_ready(void)
{
	return !mr_cgroup_create(MEMCG);
}

/* In a child in the cgroup: 0 when everything held, else a line number. */
static int memcg_child(void)
{
	long before, after;
	int fd;

	if (mr_cgroup_join(MEMCG))
		return 1;
	if (mr_write_file(MR_CGROUP_ROOT "/" MEMCG "/memory.max", "4194304"))
		return 2;
	before = mr_cgroup_memory(MEMCG);
	/* 8 MiB of pages cannot be charged under a 4 MiB limit */
	if (mr_ring_create("life.memcg", 8 << 20, 0, 0, 0) != -ENOMEM)
		return 3;
	if (mapring_obj__open_by_name("life.memcg", 0) != -ENOENT)
		return 4;
	fd = mr_ring_create("life.memcg", 1 << 20, 0, 0, 0);
	if (fd < 0)
		return 5;
	after = mr_cgroup_memory(MEMCG);
	/* the data pages, the two position pages, the page array */
	if (after - before < (1 << 20) + 2 * 4096)
		return 6;
	close(fd);
	return 0;
}

TEST_F(life, memory_is_charged_to_the_creator_cgroup)
{
	int status, vmaps;
	pid_t pid;

	if (!memcg_ready())
		SKIP(return, "no cgroup v2 memory controller");
	vmaps = settle_vmaps(0);
	ASSERT_EQ(0, vmaps);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(memcg_child());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("failed at step %d", WEXITSTATUS(status));
	}
	/* the failed creation left nothing behind, the other one is freed */
	EXPECT_EQ(0, settle_vmaps(0));
	mr_cgroup_remove(MEMCG);
}

static int cycle(int i)
{
	struct mr_map m = { 0 };
	int fd = mr_ring_create("life.cycles", 1 << 20, i & 1, 0, i & 1);

	if (fd < 0)
		return fd;
	if (i % 3 == 0) {
		if (mr_map_ring(fd, &m) || mr_ring_output(fd, "abc", 3, 0))
			return -1;
		mr_unmap_ring(&m);
	}
	close(fd);
	return 0;
}

/*
 * In a child in the cgroup: 0 when the cycles gave back what they took,
 * else the failed step. memory.current is exact up to the per-CPU charge
 * stock (64 pages a CPU); one leaked ring is 1 MiB and more.
 */
static int cycles_child(void)
{
	long before, after = -1;

	if (mr_cgroup_join(MEMCG) ||
	    mr_write_file(MR_CGROUP_ROOT "/" MEMCG "/memory.max", "max"))
		return 1;
	if (cycle(0) || settle_vmaps(0))
		return 2;
	before = mr_cgroup_memory(MEMCG);
	for (int i = 0; i < 100; i++)
		if (cycle(i))
			return 3;
	if (settle_vmaps(0))
		return 4;
	for (int i = 0; i < 500; i++) {
		after = mr_cgroup_memory(MEMCG);
		if (after - before < 512 * 1024)
			return 0;
		usleep(10000);
	}
	fprintf(stderr, "memory.current %ld -> %ld\n", before, after);
	return 5;
}

TEST_F_TIMEOUT(life, hundred_create_destroy_cycles_leak_nothing, 120)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, settle_vmaps(0));
	if (memcg_ready()) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(cycles_child());
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status)) {
			TH_LOG("failed at step %d", WEXITSTATUS(status));
		}
		mr_cgroup_remove(MEMCG);
	} else {
		for (int i = 0; i < 100; i++)
			ASSERT_EQ(0, cycle(i));
	}
	/* every vmap area went, and the module unloads (it WARNs on leaks) */
	EXPECT_EQ(0, settle_vmaps(0));
	EXPECT_EQ(0, mr_prod_unload());
	EXPECT_EQ(0, mr_rmmod("mapring"));
	ASSERT_EQ(0, mr_baseline());
}

TEST_HARNESS_MAIN
