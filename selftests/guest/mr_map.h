/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers of the map tests; static inline, so no build change is needed. */
#ifndef MR_MAP_H
#define MR_MAP_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mapring.h>
#include <mapring/mapring.h>

#define MR_CPU(c)	(MAPRING_F_CPU | ((__u64)(c) << MAPRING_F_CPU_SHIFT))
#define MR_ENOTSUPP	524	/* the kernel's ENOTSUPP, as bpf() returns it */

static inline int mr_ncpus(void)
{
	return mapring_num_possible_cpus();
}

/* The possible CPU id of ordinal i. */
static inline int mr_cpu_id(int i)
{
	int ids[1024];
	int n = mapring_possible_cpu_ids(ids, 1024);

	return i < n ? ids[i] : -1;
}

static inline size_t mr_stride(__u32 value_size)
{
	return (value_size + 7) & ~7u;
}

/* Bytes of a whole per-CPU value. */
static inline size_t mr_vbytes(__u32 value_size)
{
	return mr_stride(value_size) * mr_ncpus();
}

static inline int mr_create(__u32 type, const char *name, __u32 ksize,
			    __u32 vsize, __u32 max, __u32 flags)
{
	struct mapring_map_create_opts o = { .sz = sizeof(o), .map_flags = flags };

	return mapring_map__create(type, name, ksize, vsize, max, &o);
}

/* -errno of a library call, as a positive errno or 0. */
static inline int mr_err(int ret)
{
	return ret < 0 ? -ret : 0;
}

/* Fill a per-CPU buffer: CPU ordinal c, u64 word w = base + c * 1000 + w. */
static inline void mr_fill(void *buf, __u32 vsize, __u64 base)
{
	size_t stride = mr_stride(vsize);
	int c;

	for (c = 0; c < mr_ncpus(); c++)
		for (size_t w = 0; w < stride / 8; w++) {
			__u64 v = base + c * 1000 + w;

			memcpy((char *)buf + c * stride + w * 8, &v, 8);
		}
}

static inline __u64 mr_word(const void *buf, __u32 vsize, int cpu_ord, int w)
{
	__u64 v;

	memcpy(&v, (const char *)buf + cpu_ord * mr_stride(vsize) + w * 8, 8);
	return v;
}

#endif /* MR_MAP_H */
