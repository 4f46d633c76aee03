// SPDX-License-Identifier: GPL-2.0
/*
 * The module's life under use (device.c and ring_lifecycle.c cover the
 * quiet cases): mapring.ko unloaded and reloaded 100 times while another
 * process opens, maps and closes objects (each unload either succeeds or
 * is refused with EWOULDBLOCK, never anything else); a producer module
 * loading while mapring.ko unloads; consumers killed with SIGKILL in the
 * middle of a read. Afterwards nothing holds the module. kmemleak and KASAN
 * on the debug kernel judge the rest. MR_SCALE multiplies the cycles.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "mr_harness.h"
#include "mr_ring.h"

static unsigned long scale(void)
{
	const char *s = getenv("MR_SCALE");
	unsigned long n = s ? strtoul(s, NULL, 0) : 1;

	return n ? n : 1;
}

/* Open, create, map, write, close, over and over; never exits by itself. */
static void churn(void)
{
	struct mapring_map_create mc = {
		.size = sizeof(mc), .map_type = MAPRING_OBJ_PERCPU_HASH,
		.key_size = 4, .value_size = 8, .max_entries = 64,
	};
	struct mr_map m;
	int dev, fd, map;

	for (;;) {
		dev = open("/dev/mapring", O_RDWR | O_CLOEXEC);
		if (dev < 0)
			continue;
		fd = mr_ring_create(NULL, 8192, 0, 0, 0);
		map = ioctl(dev, MAPRING_IOC_MAP_CREATE, &mc);
		close(dev);
		if (fd >= 0 && !mr_map_ring(fd, &m)) {
			if (write(fd, "abc", 3) != 3)
				_exit(2);
			mr_unmap_ring(&m);
		}
		if (fd >= 0)
			close(fd);
		if (map >= 0)
			close(map);
		/* a window with nothing open, now and then */
		usleep(rand() % 1000);
	}
}

FIXTURE(life) {
	pid_t pid;
};

FIXTURE_SETUP(life)
{
	self->pid = -1;
	ASSERT_EQ(0, mr_baseline());
}

FIXTURE_TEARDOWN(life)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	mr_prod_unload();
	mr_baseline();
}

TEST_F_TIMEOUT(life, reload_100_times_while_objects_come_and_go, 600)
{
	unsigned long cycles = 100 * scale(), unloaded = 0, refused = 0;
	int err, status;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (self->pid == 0)
		churn();
	/* 100 real unloads; the attempts in between are refused */
	while (unloaded < cycles && refused < 100 * cycles) {
		err = mr_rmmod("mapring");
		if (err == -EWOULDBLOCK) {
			refused++;
			usleep(300);
			continue;
		}
		ASSERT_EQ(0, err);
		unloaded++;
		ASSERT_EQ(0, mr_insmod("mapring", ""));
	}
	kill(self->pid, SIGKILL);
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	self->pid = -1;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	TH_LOG("%lu unloads, %lu refused while in use", unloaded, refused);
	EXPECT_EQ(cycles, unloaded);
	EXPECT_LT(0, refused);
	/* nothing in use any more: it goes */
	EXPECT_EQ(0, mr_rmmod("mapring"));
	ASSERT_EQ(0, mr_baseline());
}

TEST_F_TIMEOUT(life, producer_module_races_unload, 600)
{
	unsigned long cycles = 30 * scale(), loaded = 0, refused = 0;
	int status, ins, rm;
	pid_t pid;

	for (unsigned long i = 0; i < cycles; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(-mr_insmod("mr_test_producer", "ring_name=life.race"));
		if (i & 1)
			usleep(i % 7 * 300);
		rm = mr_rmmod("mapring");
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ins = -WEXITSTATUS(status);
		/*
		 * Either the producer came first and holds mapring.ko, or
		 * mapring.ko went first and the producer finds no symbols.
		 */
		if (rm == 0) {
			EXPECT_EQ(-ENOENT, ins);
			refused++;
		} else {
			EXPECT_EQ(-EWOULDBLOCK, rm);
			EXPECT_EQ(0, ins);
			loaded++;
		}
		if (ins == 0)
			ASSERT_EQ(0, mr_rmmod("mr_test_producer"));
		ASSERT_EQ(0, mr_baseline());
	}
	TH_LOG("%lu producer loads held mapring.ko, %lu found it gone",
	       loaded, refused);
	EXPECT_EQ(-ENOENT, mapring_obj__open_by_name("life.race", 0));
	EXPECT_EQ(0, mr_rmmod("mapring"));
	ASSERT_EQ(0, mr_baseline());
}

static int count_cb(void *ctx, const void *data, size_t size)
{
	__u64 *n = ctx;

	(*n) += mr_rec_ok(data, size);
	return 0;
}

/* A consumer forever: poll and read, until killed. */
static void consumer(void)
{
	__u64 n = 0;
	int fd = mapring_obj__open_by_name("life.kill", MAPRING_OBJ_RINGBUF);
	struct mapring_ring_buffer *rb;

	if (fd < 0)
		_exit(1);
	rb = mapring_ring_buffer__new(fd, count_cb, &n, NULL);
	if (!rb)
		_exit(2);
	for (;;)
		mapring_ring_buffer__poll(rb, 100);
}

TEST_F_TIMEOUT(life, consumer_killed_mid_read, 600)
{
	unsigned long kills = 10 * scale();
	struct mapring_ring_buffer *rb;
	struct mapring_ring_query q;
	struct mr_job j;
	__u64 n = 0, before;
	int status, fd;

	ASSERT_EQ(0, mr_prod_load(NULL));
	ASSERT_EQ(0, mr_prod_cmd("create life.kill 65536"));
	ASSERT_EQ(0, mr_prod_cmd("start id=0 ctx=kthread count=%d size=64 batch=16 gap=50",
				 1 << 30));
	ASSERT_EQ(0, mr_prod_cmd("start id=1 ctx=irq cpu=1 count=%d size=40 batch=8 gap=50",
				 1 << 30));
	for (unsigned long i = 0; i < kills; i++) {
		self->pid = fork();
		ASSERT_LE(0, self->pid);
		if (self->pid == 0)
			consumer();
		usleep(20000 + i % 5 * 7000);
		ASSERT_EQ(0, kill(self->pid, SIGKILL));
		ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
		self->pid = -1;
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	ASSERT_EQ(0, mr_prod_cmd("stop"));
	/* the ring is whole: a new consumer reads every record left, intact */
	fd = mapring_obj__open_by_name("life.kill", MAPRING_OBJ_RINGBUF);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	/* pending_pos moves on at the next reservation: it may lag */
	EXPECT_LE(q.pending_pos, q.producer_pos);
	before = q.consumer_pos;
	rb = mapring_ring_buffer__new(fd, count_cb, &n, NULL);
	ASSERT_NE(NULL, rb);
	EXPECT_LE(0, mapring_ring_buffer__consume(rb));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(q.producer_pos, q.consumer_pos);
	TH_LOG("%lu consumers killed; %llu records left after them, all intact, %llu bytes",
	       kills, n, q.producer_pos - before);
	ASSERT_EQ(0, mr_prod_job(0, &j));
	EXPECT_EQ(j.attempts, j.committed + j.dropped);
	EXPECT_EQ(0, j.corrupt);
	mapring_ring_buffer__free(rb);
	close(fd);
	/* nothing of the killed consumers holds the ring or the module */
	ASSERT_EQ(0, mr_prod_unload());
	EXPECT_EQ(-ENOENT, mapring_obj__open_by_name("life.kill", 0));
	EXPECT_EQ(0, mr_rmmod("mapring"));
	ASSERT_EQ(0, mr_baseline());
}

TEST_HARNESS_MAIN
