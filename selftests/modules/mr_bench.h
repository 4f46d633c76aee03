/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mr_bench.ko: the kernel side of mapring's benchmarks (bench/,
 * docs/performance.md). One ioctl is one trigger, as one BPF_PROG_TEST_RUN
 * of the BPF peer's program is: it does a whole batch through the mapring
 * kernel API in the caller's context and returns. The argument structs are
 * the BPF programs' contexts too (bench/bpf/bench_bpf.h), so both peers do
 * the same work per record.
 */
#ifndef MR_BENCH_H
#define MR_BENCH_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MR_BENCH_CTL	"/sys/kernel/debug/mr_bench/ctl"

/*
 * Produce count records of rec_size bytes (8 or more) into the ring behind
 * ring_fd with reserve + submit. Only the first 8 bytes are written: seq + i
 * or, with stamp, ktime_get_ns() just before the submit (the kernel study's
 * records are one 8-byte value too). Commit flags: 0, or with sample_every
 * N, MAPRING_RB_FORCE_WAKEUP on every record whose seq + i + 1 is a
 * multiple of N and MAPRING_RB_NO_WAKEUP on the others. Returns the number
 * of records committed (the rest were dropped) or -errno.
 */
struct mr_bench_produce {
	__u64 seq;
	__u32 count;
	__u32 rec_size;
	__u32 sample_every;
	__u32 stamp;
	__s32 ring_fd;
	__u32 __pad;
};

/*
 * count times mapring_map_add(map, &key, 0, 1) on the map behind map_fd
 * (a u32 key). Returns the number of adds that succeeded or -errno.
 */
struct mr_bench_add {
	__u32 count;
	__u32 key;
	__s32 map_fd;
	__u32 __pad;
};

/*
 * Drain the user ring (MAPRING_RING_F_USER) behind ring_fd with
 * mapring_ring_drain() until it is empty; the callback reads each record's
 * first 8 bytes, as every consumer of the benchmarks does (the BPF peer's
 * callback reads them through its dynptr). Returns the records drained or
 * -errno.
 */
struct mr_bench_drain {
	__s32 ring_fd;
	__u32 __pad;
	__u64 sum;		/* out: the sum of the 8-byte values */
};

#define MR_BENCH_RING_PRODUCE	_IOW('m', 0xb0, struct mr_bench_produce)
#define MR_BENCH_MAP_ADD	_IOW('m', 0xb1, struct mr_bench_add)
#define MR_BENCH_USER_DRAIN	_IOWR('m', 0xb2, struct mr_bench_drain)

#endif /* MR_BENCH_H */
