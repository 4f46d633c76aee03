// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user limits: max_objects_per_user and max_memory_per_user, filled
 * exactly. The limited user is nobody: the test switches its effective
 * uid, which also clears its effective capabilities (CAP_SYS_RESOURCE and
 * CAP_SYS_ADMIN exempt root), and back to root to change the limits.
 */
#define _GNU_SOURCE /* setresuid(), setresgid() */
#include <mapring/mapring.h>

#include "mr_user.h"

#include "mr_harness.h"
#include "mr_test.h"

#define PARAM "/sys/module/mapring/parameters/"

static int reload(const char *params)
{
	int err = mr_rmmod("mapring");

	if (err && err != -ENOENT)
		return err;
	return mr_insmod("mapring", params);
}

static int as(uid_t uid)
{
	return setresuid(-1, uid, -1) ? -errno : 0;
}

static int set_limits(unsigned int objects, unsigned long long memory)
{
	return mr_write_filef(PARAM "max_objects_per_user", "%u", objects) ?:
	       mr_write_filef(PARAM "max_memory_per_user", "%llu", memory);
}

/* The memory an object reports, the amount the limit counts. */
static long long memory_of(int fd)
{
	struct mapring_obj_info info;

	if (mr_obj_info(mr_fd_id(fd), NULL, &info))
		return -1;
	return info.memory;
}

/* The object behind fd still works: 0 or -errno. */
static int works(int fd)
{
	struct mapring_obj_info info;
	char value[64] = "";
	__u32 key = 0;

	if (mr_obj_info(mr_fd_id(fd), NULL, &info))
		return -ENOENT;
	if (info.type == MAPRING_OBJ_RINGBUF) {
		char rec[8] = "limits";

		return mapring_ringbuf__output(fd, rec, sizeof(rec), 0) ? -EIO : 0;
	}
	return mapring_map_lookup_elem(fd, &key, value) ? -EIO : 0;
}

static int other_process_refused(void *arg)
{
	(void)arg;
	MR_CHK(mr_array_new(NULL, 1, 0) == -EMFILE);
	return mr_failed_line;
}

FIXTURE(lim) {
	int fds[16];
	int n;
};

FIXTURE_SETUP(lim)
{
	ASSERT_EQ(0, reload("mode=0666"));
	self->n = 0;
}

FIXTURE_TEARDOWN(lim)
{
	as(0);
	for (int i = 0; i < self->n; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	reload("");
}

static int keep(struct _test_data_lim *self, int fd)
{
	if (fd >= 0 && self->n < (int)ARRAY_SIZE(self->fds))
		self->fds[self->n++] = fd;
	return fd;
}

TEST_F(lim, defaults)
{
	char buf[32];

	ASSERT_EQ(0, mr_read_file(PARAM "max_objects_per_user", buf, sizeof(buf)));
	EXPECT_STREQ("1024\n", buf);
	ASSERT_EQ(0, mr_read_file(PARAM "max_memory_per_user", buf, sizeof(buf)));
	EXPECT_STREQ("1073741824\n", buf);
}

TEST_F(lim, object_limit_filled_exactly)
{
	int fd, dup_fd;

	ASSERT_EQ(0, set_limits(5, 0));
	ASSERT_EQ(0, as(MR_NOBODY));
	for (int i = 0; i < 3; i++)
		ASSERT_LE(0, keep(self, mr_array_new(NULL, 4, 0)));
	for (int i = 0; i < 2; i++)
		ASSERT_LE(0, keep(self, mr_ring_new(NULL, 4096, 0)));
	EXPECT_EQ(-EMFILE, mr_array_new(NULL, 4, 0));
	EXPECT_EQ(-EMFILE, mr_ring_new(NULL, 4096, 0));
	/* the count is the user's, not the process's */
	ASSERT_EQ(0, as(0));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, other_process_refused,
				NULL));
	ASSERT_EQ(0, as(MR_NOBODY));
	/* nothing existing was harmed */
	for (int i = 0; i < 5; i++)
		EXPECT_EQ(0, works(self->fds[i]));

	/* another user has a count of its own; root is not limited */
	ASSERT_EQ(0, as(0));
	ASSERT_EQ(0, as(MR_OTHER));
	fd = mr_array_new(NULL, 4, 0);
	EXPECT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, as(0));
	for (int i = 0; i < 6; i++)
		ASSERT_LE(0, keep(self, mr_array_new(NULL, 4, 0)));

	/* an object still referenced elsewhere still counts */
	ASSERT_EQ(0, as(MR_NOBODY));
	dup_fd = dup(self->fds[0]);
	ASSERT_LE(0, dup_fd);
	close(self->fds[0]);
	self->fds[0] = -1;
	EXPECT_EQ(-EMFILE, mr_array_new(NULL, 4, 0));
	/* freeing one allows exactly one more */
	close(dup_fd);
	self->fds[0] = mr_array_new(NULL, 4, 0);
	EXPECT_LE(0, self->fds[0]);
	EXPECT_EQ(-EMFILE, mr_ring_new(NULL, 4096, 0));

	/* the limit changes at run time; 0 lifts it */
	ASSERT_EQ(0, as(0));
	ASSERT_EQ(0, set_limits(6, 0));
	ASSERT_EQ(0, as(MR_NOBODY));
	ASSERT_LE(0, keep(self, mr_ring_new(NULL, 4096, 0)));
	EXPECT_EQ(-EMFILE, mr_ring_new(NULL, 4096, 0));
	ASSERT_EQ(0, as(0));
	ASSERT_EQ(0, set_limits(0, 0));
	ASSERT_EQ(0, as(MR_NOBODY));
	ASSERT_LE(0, keep(self, mr_ring_new(NULL, 4096, 0)));
}

TEST_F(lim, memory_limit_filled_exactly)
{
	long long m;
	int fd;

	/* rings of one size hold the same memory, whoever creates them */
	fd = mr_ring_new(NULL, 16384, 0);
	ASSERT_LE(0, fd);
	m = memory_of(fd);
	close(fd);
	ASSERT_LT(16384, m);
	TH_LOG("a 16 KiB ring holds %lld bytes", m);

	/* 3 * m - 1: two fit, the third does not */
	ASSERT_EQ(0, set_limits(0, 3 * m - 1));
	ASSERT_EQ(0, as(MR_NOBODY));
	for (int i = 0; i < 2; i++)
		ASSERT_LE(0, keep(self, mr_ring_new(NULL, 16384, 0)));
	EXPECT_EQ(-ENOMEM, mr_ring_new(NULL, 16384, 0));

	/* 3 * m: exactly three fit */
	ASSERT_EQ(0, as(0));
	ASSERT_EQ(0, set_limits(0, 3 * m));
	ASSERT_EQ(0, as(MR_NOBODY));
	ASSERT_LE(0, keep(self, mr_ring_new(NULL, 16384, 0)));
	EXPECT_EQ(-ENOMEM, mr_ring_new(NULL, 16384, 0));
	EXPECT_EQ(-ENOMEM, mr_array_new(NULL, 1, 0));
	/* an object that could never fit */
	EXPECT_EQ(-E2BIG, mr_ring_new(NULL, 131072, 0));
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(m, memory_of(self->fds[i]));
		EXPECT_EQ(0, works(self->fds[i]));
	}

	/* freeing one allows exactly one more */
	close(self->fds[1]);
	self->fds[1] = mr_ring_new(NULL, 16384, 0);
	EXPECT_LE(0, self->fds[1]);
	EXPECT_EQ(-ENOMEM, mr_ring_new(NULL, 16384, 0));

	/* root is not limited */
	ASSERT_EQ(0, as(0));
	ASSERT_LE(0, keep(self, mr_ring_new(NULL, 131072, 0)));
}

TEST_HARNESS_MAIN
