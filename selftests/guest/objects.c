// SPDX-License-Identifier: GPL-2.0
/*
 * The object registry seen from user space: opening by id and by name, and
 * every way to ask wrongly. Tests of each object type open real objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mapring.h>
#include <mapring/mapring.h>

#include "mr_harness.h"
#include "mr_test.h"

FIXTURE(dev) {
	int fd;
	struct mapring_obj_open attr;
};

FIXTURE_SETUP(dev)
{
	ASSERT_EQ(0, mr_baseline());
	self->fd = open("/dev/mapring", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	memset(&self->attr, 0, sizeof(self->attr));
	self->attr.size = sizeof(self->attr);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

/* MAPRING_IOC_OBJ_OPEN's errno, or 0 (closing the fd) */
static int obj_open(int dev, struct mapring_obj_open *attr)
{
	int fd = ioctl(dev, MAPRING_IOC_OBJ_OPEN, attr);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

TEST_F(dev, unknown_id_is_enoent)
{
	__u32 ids[] = { 1, 999999, 0x7fffffff, 0x80000000, 0xffffffff };

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		self->attr.id = ids[i];
		EXPECT_EQ(ENOENT, obj_open(self->fd, &self->attr));
	}
}

TEST_F(dev, unknown_name_is_enoent)
{
	strcpy(self->attr.name, "no_such_object");
	EXPECT_EQ(ENOENT, obj_open(self->fd, &self->attr));
	self->attr.type = MAPRING_OBJ_RINGBUF;
	EXPECT_EQ(ENOENT, obj_open(self->fd, &self->attr));
}

TEST_F(dev, neither_id_nor_name_is_einval)
{
	EXPECT_EQ(EINVAL, obj_open(self->fd, &self->attr));
}

TEST_F(dev, bad_names_are_einval)
{
	static const char * const bad[] = { "with space", "a/b", "dash-ed", "tab\t", "\xff" };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		strcpy(self->attr.name, bad[i]);
		EXPECT_EQ(EINVAL, obj_open(self->fd, &self->attr));
	}
	/* no terminating NUL within MAPRING_NAME_LEN */
	memset(self->attr.name, 'a', MAPRING_NAME_LEN);
	EXPECT_EQ(EINVAL, obj_open(self->fd, &self->attr));
	/* the longest valid name is only unknown */
	self->attr.name[MAPRING_NAME_LEN - 1] = '\0';
	EXPECT_EQ(ENOENT, obj_open(self->fd, &self->attr));
}

TEST_F(dev, unknown_type_or_flags_are_einval)
{
	strcpy(self->attr.name, "x");
	self->attr.type = MAPRING_OBJ_RING_GROUP + 1;
	EXPECT_EQ(EINVAL, obj_open(self->fd, &self->attr));
	self->attr.type = 0;
	self->attr.flags = 1;
	EXPECT_EQ(EINVAL, obj_open(self->fd, &self->attr));
}

TEST_F(dev, short_struct_is_einval)
{
	strcpy(self->attr.name, "x");
	self->attr.size = MAPRING_OBJ_OPEN_SIZE_VER0 - 1;
	EXPECT_EQ(EINVAL, obj_open(self->fd, &self->attr));
}

TEST(library_reports_errors)
{
	char name[MAPRING_NAME_LEN + 1];

	ASSERT_EQ(0, mr_baseline());
	EXPECT_EQ(-ENOENT, mapring_obj__open_by_name("nope", 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-ENOENT, mapring_obj__open_by_id(424242, 0));
	EXPECT_EQ(-EINVAL, mapring_obj__open_by_name("bad name", 0));
	memset(name, 'n', MAPRING_NAME_LEN);
	name[MAPRING_NAME_LEN] = '\0';
	EXPECT_EQ(-EINVAL, mapring_obj__open_by_name(name, 0));
}

TEST_HARNESS_MAIN
