// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF ring buffer peer's producer: one syscall program per record size,
 * run with BPF_PROG_TEST_RUN. One run is one batch, with the same work per
 * record as one MR_BENCH_RING_PRODUCE ioctl of mr_bench.ko: reserve, write
 * the first 8 bytes, submit with the same flags. The context is that
 * ioctl's argument (ring_fd unused).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "mr_bench.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);	/* the driver sets the size */
} rb SEC(".maps");

struct loop_state {
	__u64 seq;
	__u32 every;		/* 0: flags 0; N: NO_WAKEUP, FORCE every N */
	__u32 left;		/* records until the next forced wake-up */
	__u32 stamp;
	__u32 committed;
};

static __always_inline __u64 commit_flags(struct loop_state *s)
{
	if (!s->every)
		return 0;
	if (--s->left)
		return BPF_RB_NO_WAKEUP;
	s->left = s->every;
	return BPF_RB_FORCE_WAKEUP;
}

static __always_inline void loop_init(struct loop_state *s,
				      const struct mr_bench_produce *a)
{
	s->seq = a->seq;
	s->every = a->sample_every;
	s->left = s->every ? s->every - s->seq % s->every : 0;
	s->stamp = a->stamp;
	s->committed = 0;
}

#define PRODUCER(SIZE)							\
static long one_##SIZE(__u32 i, void *arg)				\
{									\
	struct loop_state *s = arg;					\
	__u64 *rec = bpf_ringbuf_reserve(&rb, SIZE, 0);			\
									\
	if (!rec)							\
		return 0;						\
	*rec = s->stamp ? bpf_ktime_get_ns() : s->seq + i;		\
	bpf_ringbuf_submit(rec, commit_flags(s));			\
	s->committed++;							\
	return 0;							\
}									\
									\
SEC("syscall")								\
int produce_##SIZE(struct mr_bench_produce *a)				\
{									\
	struct loop_state s;						\
									\
	loop_init(&s, a);						\
	bpf_loop(a->count, one_##SIZE, &s, 0);				\
	return s.committed;						\
}

PRODUCER(8)
PRODUCER(64)
PRODUCER(256)
PRODUCER(1024)
