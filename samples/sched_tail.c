// SPDX-License-Identifier: GPL-2.0
/*
 * sched_tail: the C API in a few lines. Prints the execs that
 * samples/sched_events.ko publishes (like execsnoop), COUNT of them or until
 * SIGINT, then the module's counters summed over every CPU in the kernel.
 *
 *   sched_tail [COUNT]
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapring/mapring.h>

#include "sched_event.h"

static atomic_bool stop;	/* lock-free: a signal handler may set it */

static void on_signal(int sig)
{
	(void)sig;
	stop = true;
}

/* Called for each record, which points into the ring's mapping. */
static int on_event(void *ctx, const void *data, size_t size)
{
	const struct sched_event *e = data;
	long *left = ctx;

	if (size != sizeof(*e) || e->type != SCHED_EVENT_EXEC)
		return 0;
	printf("%-7d %-7d %-16.16s %.256s\n", e->pid, e->ppid, e->comm,
	       e->filename);
	fflush(stdout);
	return --*left == 0 ? -1 : 0;	/* negative: stop consuming */
}

static int print_counters(void)
{
	__u32 keys[SCHED_COUNT_MAX] = { 0, 1, 2, 3 }, count = SCHED_COUNT_MAX;
	__u64 sums[SCHED_COUNT_MAX];
	int fd, err;

	fd = mapring_map__open(SCHED_EVENTS_COUNTS);
	if (fd < 0)
		return fd;
	/* one call: the kernel adds up every possible CPU's value */
	err = mapring_map_aggregate(fd, MAPRING_AGG_SUM, keys, &count, sums,
				    NULL);
	if (!err)
		printf("exec %llu  exit %llu  fork %llu  drops %llu\n",
		       sums[SCHED_COUNT_EXEC], sums[SCHED_COUNT_EXIT],
		       sums[SCHED_COUNT_FORK], sums[SCHED_COUNT_DROPS]);
	return err;
}

int main(int argc, char **argv)
{
	long left = argc > 1 ? atol(argv[1]) : -1;
	struct mapring_ring_buffer *rb;
	int fd, err = 0;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fd = mapring_ringbuf__open(SCHED_EVENTS_RING);
	if (fd < 0) {
		fprintf(stderr, "sched_tail: %s: %s\n", SCHED_EVENTS_RING,
			strerror(-fd));
		return 1;
	}
	rb = mapring_ring_buffer__new(fd, on_event, &left, NULL);
	if (!rb) {
		fprintf(stderr, "sched_tail: %s\n", strerror(errno));
		return 1;
	}
	printf("%-7s %-7s %-16s %s\n", "PID", "PPID", "COMM", "FILENAME");
	while (!stop && left) {
		err = mapring_ring_buffer__poll(rb, 250);
		if (err == -EINTR || (err < 0 && !left))
			err = 0;	/* a signal, or COUNT reached */
		if (err < 0)
			break;
	}
	mapring_ring_buffer__free(rb);
	if (!err)
		err = print_counters();
	if (err < 0)
		fprintf(stderr, "sched_tail: %s\n", strerror(-err));
	return err < 0;
}
