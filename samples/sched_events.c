// SPDX-License-Identifier: GPL-2.0
/*
 * sched_events: a mapring producer on real tracepoints.
 *
 * Probes on sched_process_exec, sched_process_exit and sched_process_fork
 * publish one struct sched_event per event into the ring "sched_events"
 * and count every event by type, and every event the ring had no room
 * for, in the per-CPU array "sched_counts" (samples/sched_event.h). Both
 * objects are created at load time and held until unload; user space
 * opens them by name (samples/sched_snoop.cpp, mapringctl).
 *
 *   insmod sched_events.ko [ring_size=BYTES] [ring_name=NAME] [counts_name=NAME]
 *
 * These tracepoints are not exported to modules, so the probes attach
 * through for_each_kernel_tracepoint() and tracepoint_probe_register().
 * Unloading unregisters them and waits for every probe still running
 * (tracepoint_synchronize_unregister()) before it drops the ring and the
 * map: each event is either published whole or never started, and no probe
 * touches an object after its last reference is gone. A consumer that
 * holds the ring keeps it, and the events in it, after the module is gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/mapring.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>

#include "sched_event.h"

static ulong ring_size = 1 << 20;
module_param(ring_size, ulong, 0444);
MODULE_PARM_DESC(ring_size, "Data bytes of the ring: a power of two, at least a page (default 1 MiB)");

static char *ring_name = SCHED_EVENTS_RING;
module_param(ring_name, charp, 0444);
MODULE_PARM_DESC(ring_name, "Name of the ring of events (default " SCHED_EVENTS_RING ")");

static char *counts_name = SCHED_EVENTS_COUNTS;
module_param(counts_name, charp, 0444);
MODULE_PARM_DESC(counts_name, "Name of the per-CPU counters (default " SCHED_EVENTS_COUNTS ")");

static uint access;
module_param(access, uint, 0444);
MODULE_PARM_DESC(access, "Who else may open the ring and the counters: 0 nobody (default), 1 the loader's group, 2 anyone who may open /dev/mapring");

static struct mapring_ring *ring;
static struct mapring_map *counts;

static void count(u32 key)
{
	mapring_map_add(counts, &key, 0, 1);
}

/*
 * Reserve a zeroed event of the given type describing task p, or NULL
 * (counted as a drop) when the ring is full. Tracepoint probes run with
 * preemption disabled, so the CPU is stable.
 */
static struct sched_event *event_begin(u32 type, struct task_struct *p)
{
	struct sched_event *e;

	count(type);
	e = mapring_ring_reserve(ring, sizeof(*e), 0);
	if (!e) {
		count(SCHED_COUNT_DROPS);
		return NULL;
	}
	/* the record is ring memory user space will read: no stale bytes */
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->cpu = smp_processor_id();
	e->timestamp_ns = ktime_get_ns();
	e->pid = task_tgid_nr(p);
	e->tid = task_pid_nr(p);
	rcu_read_lock();
	e->ppid = task_tgid_nr(rcu_dereference(p->real_parent));
	e->uid = from_kuid_munged(&init_user_ns, task_uid(p));
	rcu_read_unlock();
	/* no task_lock(): a racing rename may tear the name, never overrun */
	strscpy(e->comm, p->comm, sizeof(e->comm));
	return e;
}

static void probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		       struct linux_binprm *bprm)
{
	struct sched_event *e = event_begin(SCHED_EVENT_EXEC, p);

	if (!e)
		return;
	e->lifetime_ns = e->timestamp_ns - p->start_time;
	strscpy(e->filename, bprm->filename, sizeof(e->filename));
	mapring_ring_submit(ring, e, 0);
}

static void probe_exit(void *data, struct task_struct *p)
{
	struct sched_event *e = event_begin(SCHED_EVENT_EXIT, p);

	if (!e)
		return;
	e->exit_code = p->exit_code;
	e->lifetime_ns = e->timestamp_ns - p->start_time;
	mapring_ring_submit(ring, e, 0);
}

static void probe_fork(void *data, struct task_struct *parent,
		       struct task_struct *child)
{
	struct sched_event *e = event_begin(SCHED_EVENT_FORK, child);

	if (e)
		mapring_ring_submit(ring, e, 0);
}

static struct sched_probe {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
} probes[] = {
	{ .name = "sched_process_exec", .probe = probe_exec },
	{ .name = "sched_process_exit", .probe = probe_exit },
	{ .name = "sched_process_fork", .probe = probe_fork },
};

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(probes); i++)
		if (!strcmp(tp->name, probes[i].name))
			probes[i].tp = tp;
}

static void unregister_probes(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		if (probes[i].registered)
			tracepoint_probe_unregister(probes[i].tp,
						    probes[i].probe, NULL);
		probes[i].registered = false;
	}
	/* every probe that was running has returned: nobody holds an event */
	tracepoint_synchronize_unregister();
}

static int register_probes(void)
{
	int i, err;

	for_each_kernel_tracepoint(find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		if (!probes[i].tp) {
			pr_err("no tracepoint %s\n", probes[i].name);
			err = -ENOENT;
			goto fail;
		}
		err = tracepoint_probe_register(probes[i].tp, probes[i].probe,
						NULL);
		if (err) {
			pr_err("cannot attach to %s: %d\n", probes[i].name, err);
			goto fail;
		}
		probes[i].registered = true;
	}
	return 0;
fail:
	unregister_probes();
	return err;
}

static int __init sched_events_init(void)
{
	struct mapring_ring_opts ring_opts = { .access = access };
	struct mapring_map_opts map_opts = { .access = access };
	int err;

	ring = mapring_ring_create(ring_name, ring_size, &ring_opts);
	if (IS_ERR(ring)) {
		err = PTR_ERR(ring);
		pr_err("cannot create ring %s of %lu bytes: %d\n", ring_name,
		       ring_size, err);
		return err;
	}
	counts = mapring_map_create_opts(MAPRING_OBJ_PERCPU_ARRAY, counts_name,
					 sizeof(u32), sizeof(u64),
					 SCHED_COUNT_MAX, &map_opts);
	if (IS_ERR(counts)) {
		err = PTR_ERR(counts);
		pr_err("cannot create map %s: %d\n", counts_name, err);
		goto put_ring;
	}
	/* last: a probe may fire as soon as it is registered */
	err = register_probes();
	if (err)
		goto put_counts;
	pr_info("ring %s (id %u, %lu bytes), counters %s\n", ring_name,
		mapring_ring_id(ring), ring_size, counts_name);
	return 0;

put_counts:
	mapring_map_put(counts);
put_ring:
	mapring_ring_put(ring);
	return err;
}

static void __exit sched_events_exit(void)
{
	unregister_probes();
	mapring_map_put(counts);
	mapring_ring_put(ring);
}

module_init(sched_events_init);
module_exit(sched_events_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The mapring developers");
MODULE_DESCRIPTION("mapring sample: process events from sched tracepoints");
