// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF maps peer: kernel-side increments, a lookup and an add of 1 per
 * iteration, what a BPF program counting per CPU does (a plain add: the
 * value is this CPU's), and the same with an atomic add. One BPF_PROG_TEST_RUN is one batch, as one
 * MR_BENCH_MAP_ADD ioctl of mr_bench.ko; the context is that ioctl's
 * argument (map_fd unused: the program names its map).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "mr_bench.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1000);
	__type(key, __u32);
	__type(value, __u64);
} parray SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1000);
	__type(key, __u32);
	__type(value, __u64);
} phash SEC(".maps");

struct add_state {
	__u32 key;
	__u32 done;
};

#define ADDER(NAME, MAP, ADD)						\
static long NAME##_one(__u32 i, void *arg)				\
{									\
	struct add_state *s = arg;					\
	__u64 *v = bpf_map_lookup_elem(&(MAP), &s->key);			\
									\
	if (v) {							\
		ADD;							\
		s->done++;						\
	}								\
	return 0;							\
}									\
									\
SEC("syscall")								\
int NAME(struct mr_bench_add *a)					\
{									\
	struct add_state s = { .key = a->key };				\
									\
	bpf_loop(a->count, NAME##_one, &s, 0);				\
	return s.done;							\
}

/* what per-CPU counting BPF programs do: a plain add */
ADDER(add_parray, parray, *v += 1)
ADDER(add_phash, phash, *v += 1)
/* the same with an atomic add, as mapring_map_add() always does */
ADDER(add_parray_atomic, parray, __sync_fetch_and_add(v, 1))
ADDER(add_phash_atomic, phash, __sync_fetch_and_add(v, 1))
