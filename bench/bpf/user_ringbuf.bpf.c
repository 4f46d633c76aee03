// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF peer of the user-ring case: a syscall program, run with
 * BPF_PROG_TEST_RUN, drains BPF_MAP_TYPE_USER_RINGBUF with
 * bpf_user_ringbuf_drain() until it is empty, and its callback reads each
 * record's first 8 bytes, the work mr_bench.ko's MR_BENCH_USER_DRAIN does
 * per record. The context is struct mr_bench_drain (ring_fd unused).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "mr_bench.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);	/* the driver sets the size */
} urb SEC(".maps");

static long take(struct bpf_dynptr *rec, void *ctx)
{
	__u64 *sum = ctx, v = 0;

	bpf_dynptr_read(&v, sizeof(v), rec, 0, 0);
	*sum += v;
	return 0;
}

SEC("syscall")
int drain(struct mr_bench_drain *a)
{
	__u64 sum = 0;
	long n, total = 0;
	int i;

	/* each call drains at most 128 Ki records: enough calls for 4 MiB */
	for (i = 0; i < 64; i++) {
		n = bpf_user_ringbuf_drain(&urb, take, &sum, 0);
		if (n <= 0)
			break;
		total += n;
	}
	a->sum = sum;
	return total;
}
