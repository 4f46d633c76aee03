// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of /dev/mapring: MAPRING_IOC_INFO, the bpf_attr-style size
 * rules every argument struct follows, bad pointers and unknown commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mapring.h>

#include "mr_harness.h"
#include "mr_test.h"

FIXTURE(dev) {
	int fd;
	long page;
};

FIXTURE_SETUP(dev)
{
	ASSERT_EQ(0, mr_baseline());
	self->fd = open("/dev/mapring", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->page = sysconf(_SC_PAGESIZE);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

/* ioctl's errno, or 0 on success. */
static int ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

TEST_F(dev, info_reports_exact_values)
{
	struct mapring_info info = { .size = sizeof(info) };
	int possible = mr_cpulist_count("/sys/devices/system/cpu/possible");

	ASSERT_EQ(0, ioc(self->fd, MAPRING_IOC_INFO, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(MAPRING_ABI_VERSION, info.abi_version);
	EXPECT_EQ(MAPRING_FEATURES_ALL, info.features);
	EXPECT_EQ(self->page, info.page_size);
	EXPECT_EQ(possible, info.nr_possible_cpus);
	/* x86 numbers possible CPUs densely from 0 */
	EXPECT_EQ(possible, info.nr_cpu_ids);
	EXPECT_EQ(0, info.__pad0);
}

TEST_F(dev, info_overwrites_stale_output_fields)
{
	struct mapring_info info;

	memset(&info, 0xa5, sizeof(info));
	info.size = sizeof(info);
	ASSERT_EQ(0, ioc(self->fd, MAPRING_IOC_INFO, &info));
	EXPECT_EQ(MAPRING_ABI_VERSION, info.abi_version);
	EXPECT_EQ(0, info.__pad0);
}

TEST_F(dev, size_below_first_version_is_einval)
{
	struct mapring_info info;
	__u32 sizes[] = { 0, 4, MAPRING_INFO_SIZE_VER0 - 1 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizes[i];
		EXPECT_EQ(EINVAL, ioc(self->fd, MAPRING_IOC_INFO, &info));
		EXPECT_EQ(0, info.abi_version); /* nothing written */
	}
}

TEST_F(dev, larger_struct_with_zero_tail_is_accepted)
{
	unsigned char buf[128] = { 0 };
	struct mapring_info *info = (void *)buf;

	info->size = sizeof(buf);
	ASSERT_EQ(0, ioc(self->fd, MAPRING_IOC_INFO, buf));
	/* The kernel says how much it wrote, and wrote no more. */
	EXPECT_EQ(sizeof(struct mapring_info), info->size);
	EXPECT_EQ(MAPRING_ABI_VERSION, info->abi_version);
	for (size_t i = sizeof(*info); i < sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]);
}

TEST_F(dev, larger_struct_with_nonzero_tail_is_e2big)
{
	unsigned char buf[128] = { 0 };
	struct mapring_info *info = (void *)buf;

	info->size = sizeof(buf);
	buf[sizeof(buf) - 1] = 1;
	EXPECT_EQ(E2BIG, ioc(self->fd, MAPRING_IOC_INFO, buf));
	EXPECT_EQ(0, info->abi_version);
	EXPECT_EQ(sizeof(buf), info->size);

	buf[sizeof(buf) - 1] = 0;
	buf[sizeof(*info)] = 0x80; /* first unknown byte */
	EXPECT_EQ(E2BIG, ioc(self->fd, MAPRING_IOC_INFO, buf));
}

TEST_F(dev, size_above_page_is_e2big)
{
	unsigned char *buf = calloc(1, 2 * self->page);
	struct mapring_info *info = (void *)buf;

	ASSERT_NE(NULL, buf);
	info->size = self->page;
	EXPECT_EQ(0, ioc(self->fd, MAPRING_IOC_INFO, buf));
	info->size = self->page + 1;
	EXPECT_EQ(E2BIG, ioc(self->fd, MAPRING_IOC_INFO, buf));
	info->size = UINT32_MAX;
	EXPECT_EQ(E2BIG, ioc(self->fd, MAPRING_IOC_INFO, buf));
	free(buf);
}

TEST_F(dev, bad_pointers_are_efault)
{
	long pg = self->page;
	unsigned char *map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mapring_info *info;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + pg, pg)); /* second page now unmapped */

	EXPECT_EQ(EFAULT, ioc(self->fd, MAPRING_IOC_INFO, NULL));
	EXPECT_EQ(EFAULT, ioc(self->fd, MAPRING_IOC_INFO, map + pg));

	/* size is readable, the rest of the struct is not */
	info = (void *)(map + pg - 4);
	info->size = sizeof(*info);
	EXPECT_EQ(EFAULT, ioc(self->fd, MAPRING_IOC_INFO, info));

	/* the known part is readable, the zero-tail check runs off the end */
	info = (void *)(map + pg - sizeof(*info));
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info) + 8;
	EXPECT_EQ(EFAULT, ioc(self->fd, MAPRING_IOC_INFO, info));

	/* readable but not writable: the answer cannot be written back */
	info->size = sizeof(*info);
	ASSERT_EQ(0, mprotect(map, pg, PROT_READ));
	EXPECT_EQ(EFAULT, ioc(self->fd, MAPRING_IOC_INFO, info));
	munmap(map, pg);
}

TEST_F(dev, unknown_commands_are_enotty)
{
	struct mapring_info info = { .size = sizeof(info) };
	unsigned long cmds[] = {
		_IOWR(MAPRING_IOC_MAGIC, 0xff, __u32),	/* unknown number */
		_IOWR(MAPRING_IOC_MAGIC - 1, 0, __u32),	/* other magic */
		_IO(MAPRING_IOC_MAGIC, 0),		/* other direction */
		_IOR(MAPRING_IOC_MAGIC, 0, __u32),
		_IOW(MAPRING_IOC_MAGIC, 0, __u32),
		_IOWR(MAPRING_IOC_MAGIC, 0, struct mapring_info), /* size */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(ENOTTY, ioc(self->fd, cmds[i], &info)) {
			TH_LOG("cmd %#lx", cmds[i]);
		}
	}
}

TEST_F(dev, read_only_open_can_ask)
{
	struct mapring_info info = { .size = sizeof(info) };
	int fd = open("/dev/mapring", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioc(fd, MAPRING_IOC_INFO, &info));
	EXPECT_EQ(MAPRING_ABI_VERSION, info.abi_version);
	close(fd);
}

TEST_F(dev, device_does_not_seek)
{
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

/* User rings: the kick's and the grown query's size rules. */
TEST_F(dev, user_ring_kick_and_query_sizes)
{
	struct mapring_ring_create c = {
		.size = sizeof(c), .flags = MAPRING_RING_F_USER,
		.data_size = self->page,
	};
	struct mapring_ring_query q;
	__u64 buf[4] = { 0 };
	struct mapring_ring_kick *k = (void *)buf;
	int fd = ioctl(self->fd, MAPRING_IOC_RING_CREATE, &c);

	ASSERT_LE(0, fd);
	k->size = 4;
	EXPECT_EQ(EINVAL, ioc(fd, MAPRING_IOC_RING_KICK, k));
	k->size = MAPRING_RING_KICK_SIZE_VER0;
	EXPECT_EQ(0, ioctl(fd, MAPRING_IOC_RING_KICK, k));	/* no drainer */
	k->size = sizeof(buf);
	EXPECT_EQ(0, ioc(fd, MAPRING_IOC_RING_KICK, k));
	buf[3] = 1;
	EXPECT_EQ(E2BIG, ioc(fd, MAPRING_IOC_RING_KICK, k));

	/* the first published size gets 104 bytes, nothing after them */
	memset(&q, 0xa5, sizeof(q));
	q.size = MAPRING_RING_QUERY_SIZE_VER0;
	q.flags = 0;
	ASSERT_EQ(0, ioc(fd, MAPRING_IOC_RING_QUERY, &q));
	EXPECT_EQ(MAPRING_RING_QUERY_SIZE_VER0, q.size);
	EXPECT_EQ(MAPRING_RING_F_USER, q.ring_flags);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, q.user_bad);
	memset(&q, 0xa5, sizeof(q));
	q.size = MAPRING_RING_QUERY_SIZE_VER1;
	q.flags = 0;
	ASSERT_EQ(0, ioc(fd, MAPRING_IOC_RING_QUERY, &q));
	EXPECT_EQ(sizeof(q), q.size);
	EXPECT_EQ(0, q.user_drained);
	EXPECT_EQ(0, q.user_discarded);
	EXPECT_EQ(0, q.user_bad);
	close(fd);
}

/* Ring groups (sharded rings): the same size rules on their structs. */
TEST_F(dev, ring_group_structs_follow_the_size_rules)
{
	unsigned char buf[256] = { 0 };
	struct mapring_ring_group_create *c = (void *)buf;
	struct mapring_ring_group_info *gi = (void *)buf;
	struct mapring_ring_group_shard_fd sf = { .size = 8 };
	int gfd, sfd;

	c->size = MAPRING_RING_GROUP_CREATE_SIZE_VER0 - 4;
	c->nr_shards = 1;
	c->shard_size = self->page;
	EXPECT_EQ(EINVAL, ioc(self->fd, MAPRING_IOC_RING_GROUP_CREATE, buf));
	c->size = sizeof(buf);
	buf[sizeof(buf) - 1] = 1;
	EXPECT_EQ(E2BIG, ioc(self->fd, MAPRING_IOC_RING_GROUP_CREATE, buf));
	buf[sizeof(buf) - 1] = 0;
	gfd = ioctl(self->fd, MAPRING_IOC_RING_GROUP_CREATE, buf);
	ASSERT_LE(0, gfd);

	memset(buf, 0, sizeof(buf));
	gi->size = sizeof(buf);
	ASSERT_EQ(0, ioc(gfd, MAPRING_IOC_RING_GROUP_INFO, buf));
	EXPECT_EQ(sizeof(*gi), gi->size);
	EXPECT_EQ(1, gi->nr_shards);
	for (size_t i = sizeof(*gi); i < sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]);
	gi->size = MAPRING_RING_GROUP_INFO_SIZE_VER0 - 8;
	EXPECT_EQ(EINVAL, ioc(gfd, MAPRING_IOC_RING_GROUP_INFO, buf));
	EXPECT_EQ(EINVAL, ioc(gfd, MAPRING_IOC_RING_GROUP_SHARD_FD, &sf));
	EXPECT_EQ(ENOTTY, ioc(gfd, MAPRING_IOC_RING_QUERY, buf));
	EXPECT_EQ(EFAULT, ioc(gfd, MAPRING_IOC_RING_GROUP_INFO, (void *)8));
	sf.size = sizeof(sf);
	sfd = ioctl(gfd, MAPRING_IOC_RING_GROUP_SHARD_FD, &sf);
	ASSERT_LE(0, sfd);
	EXPECT_EQ(ENOTTY, ioc(sfd, MAPRING_IOC_RING_GROUP_INFO, buf));
	close(sfd);
	close(gfd);
}

TEST_HARNESS_MAIN
