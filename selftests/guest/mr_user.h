/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run a function as another user in a forked child: the permission and
 * limit tests. The guest has no user database, so ids are numeric; 65534
 * is nobody. Static inline: each program stays one harness unit.
 */
#ifndef MR_USER_H
#define MR_USER_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mapring.h>

#define MR_NOBODY	65534
#define MR_OTHER	65533	/* a second unprivileged user */
#define MR_GROUP	4242	/* a group nobody is in unless given */

/*
 * Checks inside a child: each failure is printed with errno, the first
 * one's line kept in mr_failed_line, which the child's function returns
 * (0: every check passed) and the parent asserts is 0.
 */
static int mr_failed_line;

static inline void mr_chk(int ok, const char *what, const char *file,
			  int line)
{
	int err = errno;

	if (ok)
		return;
	fprintf(stderr, "# %s:%d: %s failed (errno %d)\n", file, line, what,
		err);
	if (!mr_failed_line)
		mr_failed_line = line;
}

#define MR_CHK(cond) mr_chk(!!(cond), #cond, __FILE__, __LINE__)

/*
 * fn(arg) as uid/gid with the supplementary group sup (-1: none), in a
 * child: its return value (0: every check passed), or -1 when the child
 * could not change identity or did not exit.
 */
static inline int mr_as_user(uid_t uid, gid_t gid, int sup,
			     int (*fn)(void *), void *arg)
{
	int pfd[2], status, ret = -1;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		gid_t g = sup;

		close(pfd[0]);
		if (setgroups(sup < 0 ? 0 : 1, &g) || setresgid(gid, gid, gid) ||
		    setresuid(uid, uid, uid))
			_exit(1);
		mr_failed_line = 0;
		ret = fn(arg);
		if (write(pfd[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = -1;
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return ret;
}

/* An ioctl on /dev/mapring: its result, or -errno. */
static inline int mr_dev_ioctl(unsigned long cmd, void *arg)
{
	int dev = open("/dev/mapring", O_RDWR | O_CLOEXEC), ret;

	if (dev < 0)
		return -errno;
	ret = ioctl(dev, cmd, arg);
	ret = ret < 0 ? -errno : ret;
	close(dev);
	return ret;
}

/* A ring of size bytes with the given access: fd or -errno. */
static inline int mr_ring_new(const char *name, __u64 size, __u32 access)
{
	struct mapring_ring_create a = {
		.size = sizeof(a), .data_size = size, .access = access,
	};

	if (name)
		strncpy(a.name, name, sizeof(a.name) - 1);
	return mr_dev_ioctl(MAPRING_IOC_RING_CREATE, &a);
}

/* A per-CPU array of 8-byte values: fd or -errno. */
static inline int mr_array_new(const char *name, __u32 entries, __u32 access)
{
	struct mapring_map_create a = {
		.size = sizeof(a), .map_type = MAPRING_OBJ_PERCPU_ARRAY,
		.key_size = 4, .value_size = 8, .max_entries = entries,
		.access = access,
	};

	if (name)
		strncpy(a.name, name, sizeof(a.name) - 1);
	return mr_dev_ioctl(MAPRING_IOC_MAP_CREATE, &a);
}

/* MAPRING_IOC_OBJ_OPEN by id (non-zero) or name: fd or -errno. */
static inline int mr_obj_open(__u32 id, const char *name)
{
	struct mapring_obj_open a = { .size = sizeof(a), .id = id };

	if (name)
		strncpy(a.name, name, sizeof(a.name) - 1);
	return mr_dev_ioctl(MAPRING_IOC_OBJ_OPEN, &a);
}

/* MAPRING_IOC_OBJ_INFO by id or name: 0 or -errno. */
static inline int mr_obj_info(__u32 id, const char *name,
			      struct mapring_obj_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->id = id;
	if (name)
		strncpy(info->name, name, sizeof(info->name) - 1);
	return mr_dev_ioctl(MAPRING_IOC_OBJ_INFO, info);
}

/* The id behind an object fd (fdinfo's mapring_id), or 0. */
static inline __u32 mr_fd_id(int fd)
{
	char path[64], line[128];
	unsigned int id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "mapring_id: %u", &id) == 1)
			break;
	fclose(f);
	return id;
}

/* Every id GET_NEXT_ID lists, into ids: how many, or -errno. */
static inline int mr_list_ids(__u32 *ids, int max)
{
	struct mapring_obj_get_next_id a = { .size = sizeof(a) };
	int n = 0, ret;

	for (;;) {
		ret = mr_dev_ioctl(MAPRING_IOC_OBJ_GET_NEXT_ID, &a);
		if (ret == -ENOENT)
			return n;
		if (ret < 0)
			return ret;
		if (n < max)
			ids[n] = a.next_id;
		n++;
		a.start_id = a.next_id;
	}
}

#endif /* MR_USER_H */
