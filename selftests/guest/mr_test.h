/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest tests. Kept out of the harness header: only
 * one translation unit per program may include mr_harness.h (the harness).
 */
#ifndef MR_TEST_H
#define MR_TEST_H

#include <stdarg.h>
#include <stddef.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Where the VM's init puts our .ko files. */
#define MR_MODULE_DIR "/lib/modules/mapring"

/* Load MR_MODULE_DIR/<name>.ko with params ("" for none): 0 or -errno. */
int mr_insmod(const char *name, const char *params);
/* Unload without waiting (O_NONBLOCK, as rmmod): 0 or -errno. */
int mr_rmmod(const char *name);
/* 1 if the module is listed in /proc/modules, else 0. */
int mr_module_loaded(const char *name);
/* Make sure mapring.ko is loaded with default parameters: 0 or -errno. */
int mr_baseline(void);

/* Write a string to a file in one write(2): 0 or -errno. */
int mr_write_file(const char *path, const char *s);
/* The same, printf-style (control files of the test modules). */
int mr_write_filef(const char *path, const char *fmt, ...);
int mr_vwrite_filef(const char *path, const char *fmt, va_list ap);
/* Read at most len - 1 bytes, NUL-terminated: 0 or -errno. */
int mr_read_file(const char *path, char *buf, size_t len);

/*
 * cgroup v2, for tests of memory charging. mr_cgroup_create() mounts the
 * hierarchy at MR_CGROUP_ROOT if needed, enables the memory controller for
 * the root's children and creates cgroup NAME: 0, or -errno (the test
 * skips: no cgroup2 or no memory controller in this kernel).
 */
#define MR_CGROUP_ROOT "/sys/fs/cgroup"
int mr_cgroup_create(const char *name);
/* Move the calling process into NAME, or back to the root for "": 0 or -errno. */
int mr_cgroup_join(const char *name);
/* NAME's memory.current in bytes, or -1. */
long long mr_cgroup_memory(const char *name);
/* Back to the root, and NAME removed. */
void mr_cgroup_remove(const char *name);

/* Run the calling thread on this CPU only: 0 or -errno. */
int mr_pin_cpu(int cpu);

/* A /proc/meminfo field in kB, or -1. */
long mr_meminfo_kb(const char *field);
/* Number of CPUs in a sysfs cpu list such as "0-3,8", or -1. */
int mr_cpulist_count(const char *path);

#endif /* MR_TEST_H */
