// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF perf buffer peer's producer: bpf_perf_event_output() needs the
 * program's context, which only some program types have and a bpf_loop
 * callback does not, so these are raw_tp programs (run with
 * BPF_PROG_TEST_RUN on the caller's CPU) with a bounded loop. Context:
 * args[0] the first sequence number, args[1] the count, args[2] stamp.
 * The record is built in a per-CPU scratch value and copied by the helper,
 * which is how the perf buffer works (BPF_RB_* flags do not exist there:
 * wake-ups are the perf event's wakeup_events).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_BATCH	1024
#define MAX_SIZE	1024

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} pb SEC(".maps");

struct scratch_rec {
	__u64 val;
	__u8 pad[MAX_SIZE - 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch_rec);
} scratch SEC(".maps");

#define PRODUCER(SIZE)							\
SEC("raw_tp")								\
int output_##SIZE(struct bpf_raw_tracepoint_args *ctx)			\
{									\
	__u64 seq = ctx->args[0], count = ctx->args[1];			\
	__u64 stamp = ctx->args[2];					\
	struct scratch_rec *rec;					\
	__u32 zero = 0, i, committed = 0;				\
									\
	rec = bpf_map_lookup_elem(&scratch, &zero);			\
	if (!rec)							\
		return 0;						\
	for (i = 0; i < MAX_BATCH && i < count; i++) {			\
		rec->val = stamp ? bpf_ktime_get_ns() : seq + i;	\
		if (!bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU,	\
					   rec, SIZE))			\
			committed++;					\
	}								\
	return committed;						\
}

PRODUCER(8)
PRODUCER(64)
PRODUCER(256)
PRODUCER(1024)
