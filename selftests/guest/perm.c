// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions: who may open /dev/mapring (mode= and gid=), who may create
 * objects (restrict_create=), and who may open or describe an object by id
 * or name (its owner, CAP_SYS_ADMIN, and whom the creator's access flags
 * name). Unprivileged users are forked children with numeric ids.
 */
#define _GNU_SOURCE /* setresuid(), setresgid() */
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "mr_user.h"

#include "mr_harness.h"
#include "mr_test.h"

#define DEV "/dev/mapring"
#define RESTRICT "/sys/module/mapring/parameters/restrict_create"

static int reload(const char *params)
{
	int err = mr_rmmod("mapring");

	if (err && err != -ENOENT)
		return err;
	return mr_insmod("mapring", params);
}

/* What the children check, filled in by the parent before forking. */
struct ids {
	__u32 a, b;
	const char *na, *nb;
	int fd;
	int want;	/* errno expected, positive, or 0 */
};

static int open_device(void *arg)
{
	struct ids *t = arg;
	int fd = open(DEV, O_RDWR | O_CLOEXEC);

	if (t->want)
		MR_CHK(fd < 0 && errno == t->want);
	else
		MR_CHK(fd >= 0);
	if (fd >= 0)
		close(fd);
	return mr_failed_line;
}

/* Create an object as euid/egid (the parent keeps the fd and uid 0). */
static int create_as(uid_t uid, gid_t gid, int (*create)(const char *, __u32),
		     const char *name, __u32 access)
{
	int fd;

	if (setresgid(-1, gid, -1) || setresuid(-1, uid, -1))
		return -EPERM;
	fd = create(name, access);
	if (setresuid(-1, 0, -1) || setresgid(-1, 0, -1))
		return -EPERM;
	return fd;
}

static int ring4k(const char *name, __u32 access)
{
	return mr_ring_new(name, 4096, access);
}

static int array4(const char *name, __u32 access)
{
	return mr_array_new(name, 4, access);
}

/* t->a/na and t->b/nb may neither be opened nor described, nor listed. */
static int refused(void *arg)
{
	struct mapring_obj_info info;
	struct ids *t = arg;
	__u32 ids[8];

	MR_CHK(mr_obj_open(t->a, NULL) == -EACCES);
	MR_CHK(mr_obj_open(0, t->na) == -EACCES);
	MR_CHK(mr_obj_open(t->b, NULL) == -EACCES);
	MR_CHK(mr_obj_open(0, t->nb) == -EACCES);
	MR_CHK(mr_obj_info(t->a, NULL, &info) == -EACCES);
	MR_CHK(mr_obj_info(0, t->na, &info) == -EACCES);
	MR_CHK(mr_obj_info(t->b, NULL, &info) == -EACCES);
	MR_CHK(mr_obj_info(0, t->nb, &info) == -EACCES);
	/* an id that never existed is still -ENOENT */
	MR_CHK(mr_obj_open(t->b + 1000, NULL) == -ENOENT);
	MR_CHK(mr_list_ids(ids, 8) == 0);
	/* names are global: taken is taken */
	MR_CHK(ring4k(t->na, 0) == -EEXIST);
	return mr_failed_line;
}

/* t->a/na and t->b/nb open and describe; both are listed, nothing else. */
static int allowed(void *arg)
{
	struct mapring_obj_info info;
	struct ids *t = arg;
	__u32 ids[8];
	int fd;

	fd = mr_obj_open(t->a, NULL);
	MR_CHK(fd >= 0 && mr_fd_id(fd) == t->a);
	close(fd);
	fd = mr_obj_open(0, t->nb);
	MR_CHK(fd >= 0 && mr_fd_id(fd) == t->b);
	close(fd);
	MR_CHK(mr_obj_info(0, t->na, &info) == 0 && info.id == t->a);
	MR_CHK(info.access == (__u32)t->want);
	MR_CHK(mr_obj_info(t->b, NULL, &info) == 0);
	MR_CHK(mr_list_ids(ids, 8) == 2 && ids[0] == t->a && ids[1] == t->b);
	return mr_failed_line;
}

FIXTURE(perm) {
	struct ids t;
	int fa, fb;
};

FIXTURE_SETUP(perm)
{
	ASSERT_EQ(0, reload("mode=0666"));
	self->fa = -1;
	self->fb = -1;
	memset(&self->t, 0, sizeof(self->t));
	self->t.na = "perm.a";
	self->t.nb = "perm.b";
}

FIXTURE_TEARDOWN(perm)
{
	if (self->fa >= 0)
		close(self->fa);
	if (self->fb >= 0)
		close(self->fb);
	mr_rmmod("sched_events");
	reload("");
}

/* Create t.a (ring) and t.b (array) as uid/gid with the given access. */
static int make_pair(struct _test_data_perm *self, uid_t uid, gid_t gid,
		     __u32 access)
{
	self->fa = create_as(uid, gid, ring4k, self->t.na, access);
	self->fb = create_as(uid, gid, array4, self->t.nb, access);
	if (self->fa < 0 || self->fb < 0)
		return -1;
	self->t.a = mr_fd_id(self->fa);
	self->t.b = mr_fd_id(self->fb);
	self->t.want = access;
	return self->t.a && self->t.b ? 0 : -1;
}

TEST_F(perm, node_mode_and_group_from_parameters)
{
	struct stat st;

	ASSERT_EQ(0, reload("mode=0660 gid=4242"));
	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(4242, st.st_gid);
	EXPECT_EQ(0, st.st_uid);
	self->t.want = EACCES;
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, open_device, &self->t));
	self->t.want = 0;
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_GROUP, -1, open_device, &self->t));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, MR_GROUP, open_device,
				&self->t));
	ASSERT_EQ(0, reload(""));
	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_gid);
}

TEST_F(perm, invalid_gid_refuses_to_load)
{
	ASSERT_EQ(0, mr_rmmod("mapring"));
	EXPECT_EQ(-EINVAL, mr_insmod("mapring", "gid=4294967295"));
	EXPECT_EQ(0, mr_module_loaded("mapring"));
	EXPECT_EQ(-EINVAL, mr_insmod("mapring", "gid=-5"));
	EXPECT_EQ(0, mr_module_loaded("mapring"));
}

TEST_F(perm, others_objects_are_private_by_default)
{
	__u32 ids[8];

	ASSERT_EQ(0, make_pair(self, 0, 0, 0));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, refused, &self->t));
	/* root sees both */
	ASSERT_EQ(2, mr_list_ids(ids, 8));
}

TEST_F(perm, owner_opens_and_describes_its_objects)
{
	struct mapring_obj_info info;

	ASSERT_EQ(0, make_pair(self, MR_NOBODY, MR_NOBODY, 0));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, allowed, &self->t));
	EXPECT_EQ(0, mr_as_user(MR_OTHER, MR_NOBODY, -1, refused, &self->t));
	ASSERT_EQ(0, mr_obj_info(self->t.a, NULL, &info));
	EXPECT_EQ(MR_NOBODY, info.owner_uid);
	EXPECT_EQ(MR_NOBODY, info.owner_gid);
	EXPECT_EQ(0, info.access);
	EXPECT_EQ(0, info.__pad0);
}

TEST_F(perm, admin_opens_everything)
{
	ASSERT_EQ(0, make_pair(self, MR_NOBODY, MR_NOBODY, 0));
	EXPECT_EQ(0, allowed(&self->t));
}

/* uid 0 without CAP_SYS_ADMIN is nobody special. */
static int drop_sys_admin(void *arg)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	MR_CHK(syscall(SYS_capget, &h, d) == 0);
	d[0].effective &= ~(1U << CAP_SYS_ADMIN);
	d[0].permitted &= ~(1U << CAP_SYS_ADMIN);
	MR_CHK(syscall(SYS_capset, &h, d) == 0);
	return refused(arg);
}

TEST_F(perm, uid_0_without_cap_sys_admin_is_refused)
{
	ASSERT_EQ(0, make_pair(self, MR_NOBODY, MR_NOBODY, 0));
	EXPECT_EQ(0, mr_as_user(0, 0, -1, drop_sys_admin, &self->t));
}

TEST_F(perm, shared_objects_open_for_everyone)
{
	ASSERT_EQ(0, make_pair(self, 0, 0, MAPRING_ACCESS_SHARED));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, allowed, &self->t));
	EXPECT_EQ(0, mr_as_user(MR_OTHER, MR_OTHER, -1, allowed, &self->t));
}

TEST_F(perm, group_objects_open_for_the_creators_group)
{
	ASSERT_EQ(0, make_pair(self, 0, MR_GROUP, MAPRING_ACCESS_GROUP));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_GROUP, -1, allowed, &self->t));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, MR_GROUP, allowed,
				&self->t));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, refused, &self->t));
}

TEST_F(perm, group_alone_grants_nothing)
{
	ASSERT_EQ(0, make_pair(self, 0, MR_GROUP, 0));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_GROUP, -1, refused, &self->t));
}

/* t.a/t.b: the ids of the sample module's ring and counters. */
static int sample_ids(struct ids *t)
{
	struct mapring_obj_info info;

	t->na = "sched_events";
	t->nb = "sched_counts";
	if (mr_obj_info(0, t->na, &info))
		return -1;
	t->a = info.id;
	if (mr_obj_info(0, t->nb, &info))
		return -1;
	t->b = info.id;
	return info.access == (__u32)t->want ? 0 : -1;
}

/* Objects kernel code creates take access bits too (the sample's access=). */
TEST_F(perm, kernel_made_objects_take_access_bits)
{
	/* private to whoever loaded the module by default */
	ASSERT_EQ(0, mr_insmod("sched_events", "ring_size=4096"));
	ASSERT_EQ(0, sample_ids(&self->t));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, refused, &self->t));
	ASSERT_EQ(0, mr_rmmod("sched_events"));

	self->t.want = MAPRING_ACCESS_SHARED;
	ASSERT_EQ(0, mr_insmod("sched_events", "ring_size=4096 access=2"));
	ASSERT_EQ(0, sample_ids(&self->t));
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, allowed, &self->t));
	ASSERT_EQ(0, mr_rmmod("sched_events"));

	/* bits the kernel does not know: the ring (and the load) fail */
	EXPECT_EQ(-EINVAL, mr_insmod("sched_events", "access=4"));
}

TEST_F(perm, bad_access_fields)
{
	struct mapring_ring_create r = {
		.size = sizeof(r), .data_size = 4096, .access = 4,
	};
	struct mapring_map_create m = {
		.size = sizeof(m), .map_type = MAPRING_OBJ_PERCPU_ARRAY,
		.key_size = 4, .value_size = 8, .max_entries = 1,
		.access = 1U << 31,
	};
	struct mapring_obj_info info;
	int fd;

	EXPECT_EQ(-EINVAL, mr_dev_ioctl(MAPRING_IOC_RING_CREATE, &r));
	r.access = 0;
	r.__pad1 = 1;
	EXPECT_EQ(-EINVAL, mr_dev_ioctl(MAPRING_IOC_RING_CREATE, &r));
	EXPECT_EQ(-EINVAL, mr_dev_ioctl(MAPRING_IOC_MAP_CREATE, &m));
	m.access = 0;
	m.__pad0 = 1;
	EXPECT_EQ(-EINVAL, mr_dev_ioctl(MAPRING_IOC_MAP_CREATE, &m));

	/* callers of the first published sizes make private objects */
	r.__pad1 = 0;
	r.size = MAPRING_RING_CREATE_SIZE_VER0;
	r.access = MAPRING_ACCESS_SHARED; /* beyond size: not read */
	fd = mr_dev_ioctl(MAPRING_IOC_RING_CREATE, &r);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_obj_info(mr_fd_id(fd), NULL, &info));
	EXPECT_EQ(0, info.access);
	close(fd);
	m.__pad0 = 0;
	m.size = MAPRING_MAP_CREATE_SIZE_VER0;
	m.access = MAPRING_ACCESS_SHARED;
	fd = mr_dev_ioctl(MAPRING_IOC_MAP_CREATE, &m);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mr_obj_info(mr_fd_id(fd), NULL, &info));
	EXPECT_EQ(0, info.access);
	close(fd);
}

static int create_refused(void *arg)
{
	struct ids *t = arg;
	int fd;

	fd = ring4k("perm.c1", 0);
	MR_CHK(t->want ? fd == -t->want : fd >= 0);
	fd = array4("perm.c2", 0);
	MR_CHK(t->want ? fd == -t->want : fd >= 0);
	/* what was shared still opens */
	fd = mr_obj_open(t->a, NULL);
	MR_CHK(fd >= 0);
	close(fd);
	return mr_failed_line;
}

TEST_F(perm, restrict_create_takes_cap_bpf)
{
	char buf[8];
	int fd;

	ASSERT_EQ(0, make_pair(self, 0, 0, MAPRING_ACCESS_SHARED));
	ASSERT_EQ(0, mr_read_file(RESTRICT, buf, sizeof(buf)));
	EXPECT_STREQ("N\n", buf);
	ASSERT_EQ(0, mr_write_file(RESTRICT, "1"));
	self->t.want = EPERM;
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, create_refused,
				&self->t));
	fd = ring4k("perm.root", 0);
	EXPECT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mr_write_file(RESTRICT, "0"));
	self->t.want = 0;
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, create_refused,
				&self->t));
}

static int use_inherited_fd(void *arg)
{
	struct mapring_ring_query q = { .size = sizeof(q) };
	struct ids *t = arg;

	MR_CHK(ioctl(t->fd, MAPRING_IOC_RING_QUERY, &q) == 0);
	MR_CHK(q.id == t->a);
	MR_CHK(mr_obj_open(t->a, NULL) == -EACCES);
	return mr_failed_line;
}

TEST_F(perm, an_fd_once_held_is_not_checked)
{
	ASSERT_EQ(0, make_pair(self, 0, 0, 0));
	self->t.fd = self->fa;
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, use_inherited_fd,
				&self->t));
}

/* Run mapringctl with args; its stdout into out. Exit status or -1. */
static int mapringctl(char *const argv[], char *out, size_t len)
{
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execvp("mapringctl", argv);
		_exit(127);
	}
	close(pfd[1]);
	while (got < (ssize_t)len - 1 &&
	       (n = read(pfd[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int mapringctl_as_nobody(void *arg)
{
	static char *const show[] = { "mapringctl", "show", "perm.a", NULL };
	static char *const list[] = { "mapringctl", "list", NULL };
	char out[4096];

	(void)arg;
	MR_CHK(mapringctl(show, out, sizeof(out)) == 4);
	MR_CHK(mapringctl(list, out, sizeof(out)) == 0);
	MR_CHK(!strstr(out, "perm.a") && !strstr(out, "perm.b"));
	MR_CHK(strstr(out, "perm.mine") && strstr(out, "perm.pub"));
	return mr_failed_line;
}

TEST_F(perm, mapringctl_shows_only_what_one_may_open)
{
	int mine, pub;

	ASSERT_EQ(0, make_pair(self, 0, 0, 0));
	mine = create_as(MR_NOBODY, MR_NOBODY, array4, "perm.mine", 0);
	ASSERT_LE(0, mine);
	pub = array4("perm.pub", MAPRING_ACCESS_SHARED);
	ASSERT_LE(0, pub);
	EXPECT_EQ(0, mr_as_user(MR_NOBODY, MR_NOBODY, -1, mapringctl_as_nobody,
				NULL));
	close(mine);
	close(pub);
}

TEST_HARNESS_MAIN
