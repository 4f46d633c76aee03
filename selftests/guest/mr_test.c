// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mr_test.h"

int mr_insmod(const char *name, const char *params)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), MR_MODULE_DIR "/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int mr_rmmod(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

int mr_module_loaded(const char *name)
{
	char line[512];
	size_t len = strlen(name);
	FILE *f = fopen("/proc/modules", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, len) && line[len] == ' ';
	fclose(f);
	return found;
}

int mr_baseline(void)
{
	return mr_module_loaded("mapring") ? 0 : mr_insmod("mapring", "");
}

int mr_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

int mr_vwrite_filef(const char *path, const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return -E2BIG;
	return mr_write_file(path, buf);
}

int mr_write_filef(const char *path, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = mr_vwrite_filef(path, fmt, ap);
	va_end(ap);
	return ret;
}

int mr_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int mr_cgroup_create(const char *name)
{
	char path[256];

	mkdir(MR_CGROUP_ROOT, 0755);
	if (mount("cgroup2", MR_CGROUP_ROOT, "cgroup2", 0, NULL) && errno != EBUSY)
		return -errno;
	if (mr_write_file(MR_CGROUP_ROOT "/cgroup.subtree_control", "+memory"))
		return -ENOENT;
	snprintf(path, sizeof(path), MR_CGROUP_ROOT "/%s", name);
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

int mr_cgroup_join(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), MR_CGROUP_ROOT "/%s/cgroup.procs", name);
	return mr_write_filef(path, "%d", getpid());
}

long long mr_cgroup_memory(const char *name)
{
	char path[256], buf[32];

	snprintf(path, sizeof(path), MR_CGROUP_ROOT "/%s/memory.current", name);
	if (mr_read_file(path, buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

void mr_cgroup_remove(const char *name)
{
	char path[256];

	mr_cgroup_join("");
	snprintf(path, sizeof(path), MR_CGROUP_ROOT "/%s", name);
	rmdir(path);
}

int mr_pin_cpu(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) ? -errno : 0;
}

long mr_meminfo_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	FILE *f = fopen("/proc/meminfo", "re");
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			if (sscanf(line + len + 1, "%ld", &kb) != 1)
				kb = -1;
			break;
		}
	}
	fclose(f);
	return kb;
}

int mr_cpulist_count(const char *path)
{
	FILE *f = fopen(path, "re");
	int a, b, n = 0, c;

	if (!f)
		return -1;
	for (;;) {
		if (fscanf(f, "%d", &a) != 1)
			break;
		b = a;
		c = fgetc(f);
		if (c == '-') {
			if (fscanf(f, "%d", &b) != 1)
				break;
			c = fgetc(f);
		}
		n += b - a + 1;
		if (c != ',')
			break;
	}
	fclose(f);
	return n;
}
