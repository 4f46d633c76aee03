/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * What samples/sched_events.ko publishes, shared by the module and its
 * consumers (sched_snoop.cpp, sched_tail.c): one fixed-layout record per
 * process event in the ring "sched_events", and per-CPU counters in the
 * per-CPU array "sched_counts" (key: enum sched_count, value: __u64).
 */
#ifndef SAMPLES_SCHED_EVENT_H
#define SAMPLES_SCHED_EVENT_H

#include <linux/types.h>

#define SCHED_EVENTS_RING	"sched_events"
#define SCHED_EVENTS_COUNTS	"sched_counts"

enum sched_event_type {
	SCHED_EVENT_EXEC = 1,	/* sched_process_exec: after a successful exec */
	SCHED_EVENT_EXIT = 2,	/* sched_process_exit: a task (thread) exits */
	SCHED_EVENT_FORK = 3,	/* sched_process_fork: a new task, process or thread */
};

/* Keys of the counters map: events seen by type, and events not published. */
enum sched_count {
	SCHED_COUNT_DROPS = 0,	/* no room in the ring: counted, not published */
	SCHED_COUNT_EXEC = SCHED_EVENT_EXEC,
	SCHED_COUNT_EXIT = SCHED_EVENT_EXIT,
	SCHED_COUNT_FORK = SCHED_EVENT_FORK,
	SCHED_COUNT_MAX,
};

#define SCHED_COMM_LEN		16
#define SCHED_FILENAME_LEN	256

/*
 * One event, 320 bytes. Ids are as the initial namespaces see them. A
 * fork describes the child: pid and tid are its own (pid is the parent's
 * for a new thread), ppid its parent's.
 */
struct sched_event {
	__u32 type;		/* enum sched_event_type */
	__u32 cpu;		/* where the tracepoint fired */
	__s32 pid;		/* process (thread group) id */
	__s32 tid;		/* thread id */
	__s32 ppid;		/* the parent process's id */
	__u32 uid;		/* real user id */
	__s32 exit_code;	/* exit: the wait() status (code << 8 | signal) */
	__u32 __pad0;
	__u64 timestamp_ns;	/* CLOCK_MONOTONIC when it happened */
	__u64 lifetime_ns;	/* exit: how long the task lived; exec: since
				 * its fork; fork: 0
				 */
	char comm[SCHED_COMM_LEN];		/* the task's name, NUL-terminated */
	char filename[SCHED_FILENAME_LEN];	/* exec: the path run, else "" */
};

#endif /* SAMPLES_SCHED_EVENT_H */
