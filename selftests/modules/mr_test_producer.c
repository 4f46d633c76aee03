// SPDX-License-Identifier: GPL-2.0
/*
 * mr_test_producer: produces records (mr_test_producer.h) into a mapring
 * ring from chosen CPUs and contexts, at full speed, for tests and
 * benchmarks. Controlled through debugfs, MR_DEBUGFS_DIR:
 *
 *   control   write one command per write():
 *     create NAME SIZE [WAKEUP_BYTES WAKEUP_USECS] [overwrite]
 *                                 create a ring and hold it (overwrite:
 *                                 MAPRING_RING_F_OVERWRITE)
 *     attach NAME                 hold an existing ring (by name)
 *     group NAME NR SIZE [ts] [overwrite] [numa]
 *                                 create a ring group of NR shards and hold
 *                                 it (ts: MAPRING_RING_F_TIMESTAMP; numa:
 *                                 MAPRING_SHARD_ASSIGN_NUMA)
 *     gattach NAME [ts]           hold an existing ring group (ts: it
 *                                 has MAPRING_RING_F_TIMESTAMP)
 *     gdetach                     drop the group
 *     detach                      drop the ring (jobs keep their own ref)
 *     start KEY=VALUE...          start job id=N (0..MR_MAX_JOBS-1) with
 *         ctx=kthread|timer|irq|nmi   where records are produced:
 *                                 a kthread; an hrtimer in softirq context;
 *                                 hardirq through smp_call_function_single();
 *                                 NMI through an NMI IPI
 *         cpu=N (-1: any, kthread only)   count=N (records to attempt)
 *         size=N (record bytes, >= 24)    batch=N (records per wake of the
 *                                 context)  gap=N (us between batches)
 *         flags=N (commit flags)  mode=submit|output|discard|mixed
 *                                 (mixed discards every 4th record)
 *         hold=N (ns between reserve and submit; the record is checked
 *                                 before submit and counted if corrupted)
 *         group=1 (into the group's shard of the producing CPU, records
 *                                 as mr_test_producer.h says)
 *     wait                        until every job is done
 *     stop                        stop every job now
 *     reset                       stop, forget every job
 *   status    read: "ring NAME ID" or "ring -", "group ID NR" or
 *             "group -", then per job
 *             "job ID ctx CPU state attempts committed discarded dropped
 *             corrupt" with state running/done/failed, and for group jobs
 *             per shard "shard ID SHARD committed discarded dropped".
 *
 * Module parameters ring_name and ring_size create a ring at load time.
 *
 * attempts = committed + discarded + dropped, exactly, and record seq
 * numbers are attempt numbers, so a consumer can tell every record apart.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/mapring.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/nmi.h>

#include "mr_test_producer.h"

static char *ring_name;
module_param(ring_name, charp, 0444);
MODULE_PARM_DESC(ring_name, "Create a ring of this name at load time");
static ulong ring_size = 65536;
module_param(ring_size, ulong, 0444);
MODULE_PARM_DESC(ring_size, "Data size of the ring created at load time");

enum job_ctx { CTX_KTHREAD, CTX_TIMER, CTX_IRQ, CTX_NMI };
static const char *const ctx_names[] = { "kthread", "timer", "irq", "nmi" };

enum job_mode { MODE_SUBMIT, MODE_OUTPUT, MODE_DISCARD, MODE_MIXED };
static const char *const mode_names[] = { "submit", "output", "discard",
					  "mixed" };

enum job_state { JOB_IDLE, JOB_RUNNING, JOB_DONE, JOB_FAILED };
static const char *const state_names[] = { "idle", "running", "done",
					   "failed" };

struct job {
	u32 id;
	enum job_ctx ctx;
	int cpu;
	u64 count, size, batch, gap_us, flags, hold_ns;
	enum job_mode mode;
	enum job_state state;
	struct mapring_ring *ring;	/* the job's own reference */
	struct mapring_ring_group *group; /* group=1: the job's reference */
	u64 use_group;
	bool group_ts;			/* the kernel stamps the records */
	u64 by_shard[MR_MAX_SHARDS][3];	/* committed, discarded, dropped */
	void *buf;			/* output mode's record */
	struct task_struct *task;	/* producer or driver kthread */
	struct hrtimer timer;
	struct completion done;
	int stop;
	int nmi_pending;		/* driver -> NMI handler handshake */
	/* written by the producing context only, read at any time */
	u64 attempts, committed, discarded, dropped, corrupt;
};

static DEFINE_MUTEX(ctl_lock);		/* control commands, ring, jobs */
static struct mapring_ring *ring;	/* the module's reference */
static struct mapring_ring_group *group; /* the module's reference */
static bool group_ts;			/* created or attached with ts */
static struct job jobs[MR_MAX_JOBS];
static struct dentry *dir;

/* ---- producing ---------------------------------------------------------- */

static bool job_finished(struct job *j)
{
	return READ_ONCE(j->attempts) >= j->count || READ_ONCE(j->stop);
}

/* Busy-wait: any context, NMI included. */
static void hold(u64 ns)
{
	u64 end = ktime_get_mono_fast_ns() + ns;

	while (ktime_get_mono_fast_ns() < end)
		cpu_relax();
}

enum { BY_COMMITTED, BY_DISCARDED, BY_DROPPED };

static void count_shard(struct job *j, u32 shard, int what)
{
	WRITE_ONCE(j->by_shard[shard][what], j->by_shard[shard][what] + 1);
}

/* group=1: into the shard of the CPU we run on, a stamp before the record */
static void produce_one_group(struct job *j)
{
	u32 shard = mapring_ring_group_cpu_shard(j->group,
						 raw_smp_processor_id());
	struct mapring_ring *r = mapring_ring_group_shard_at(j->group, shard);
	bool own_ts = !j->group_ts;
	u64 seq = j->attempts;
	bool discard = j->mode == MODE_DISCARD ||
		       (j->mode == MODE_MIXED && seq % 4 == 3);
	void *rec;
	int err;

	if (j->mode == MODE_OUTPUT) {
		*(u64 *)j->buf = ktime_get_mono_fast_ns();
		mr_rec_fill(j->buf + MR_TS_SZ, seq, j->id, j->size - MR_TS_SZ);
		err = mapring_ring_output(r, j->buf, j->size, j->flags);
		count_shard(j, shard, err ? BY_DROPPED : BY_COMMITTED);
		if (err)
			WRITE_ONCE(j->dropped, j->dropped + 1);
		else
			WRITE_ONCE(j->committed, j->committed + 1);
		WRITE_ONCE(j->attempts, seq + 1);
		return;
	}
	rec = mapring_ring_reserve(r, j->size, 0);
	if (!rec) {
		count_shard(j, shard, BY_DROPPED);
		WRITE_ONCE(j->dropped, j->dropped + 1);
		WRITE_ONCE(j->attempts, seq + 1);
		return;
	}
	if (own_ts)
		*(u64 *)rec = ktime_get_mono_fast_ns();
	mr_rec_fill(rec + MR_TS_SZ, seq, j->id, j->size - MR_TS_SZ);
	if (j->hold_ns) {
		hold(j->hold_ns);
		if (!mr_rec_ok(rec + MR_TS_SZ, j->size - MR_TS_SZ))
			WRITE_ONCE(j->corrupt, j->corrupt + 1);
	}
	if (discard) {
		mapring_ring_discard(r, rec, j->flags);
		count_shard(j, shard, BY_DISCARDED);
		WRITE_ONCE(j->discarded, j->discarded + 1);
	} else {
		mapring_ring_submit(r, rec, j->flags);
		count_shard(j, shard, BY_COMMITTED);
		WRITE_ONCE(j->committed, j->committed + 1);
	}
	WRITE_ONCE(j->attempts, seq + 1);
}

static void produce_one(struct job *j)
{
	u64 seq = j->attempts;
	bool discard = j->mode == MODE_DISCARD ||
		       (j->mode == MODE_MIXED && seq % 4 == 3);
	void *rec;

	if (j->group) {
		produce_one_group(j);
		return;
	}
	if (j->mode == MODE_OUTPUT) {
		mr_rec_fill(j->buf, seq, j->id, j->size);
		if (mapring_ring_output(j->ring, j->buf, j->size, j->flags))
			WRITE_ONCE(j->dropped, j->dropped + 1);
		else
			WRITE_ONCE(j->committed, j->committed + 1);
		WRITE_ONCE(j->attempts, seq + 1);
		return;
	}

	rec = mapring_ring_reserve(j->ring, j->size, 0);
	if (!rec) {
		WRITE_ONCE(j->dropped, j->dropped + 1);
		WRITE_ONCE(j->attempts, seq + 1);
		return;
	}
	mr_rec_fill(rec, seq, j->id, j->size);
	if (j->hold_ns) {
		/* nobody may have reserved over us meanwhile */
		hold(j->hold_ns);
		if (!mr_rec_ok(rec, j->size) ||
		    READ_ONCE(((u32 *)rec)[-2]) != (j->size | MAPRING_RB_BUSY_BIT))
			WRITE_ONCE(j->corrupt, j->corrupt + 1);
	}
	if (discard) {
		mapring_ring_discard(j->ring, rec, j->flags);
		WRITE_ONCE(j->discarded, j->discarded + 1);
	} else {
		mapring_ring_submit(j->ring, rec, j->flags);
		WRITE_ONCE(j->committed, j->committed + 1);
	}
	WRITE_ONCE(j->attempts, seq + 1);
}

static void produce_batch(struct job *j)
{
	u64 i;

	for (i = 0; i < j->batch && !job_finished(j); i++)
		produce_one(j);
}

/* Park a finished kthread until the reaper's kthread_stop(). */
static void park_until_stopped(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static void job_finish(struct job *j, enum job_state state)
{
	WRITE_ONCE(j->state, state);
	complete_all(&j->done);
}

static void job_pause(struct job *j)
{
	if (j->gap_us)
		usleep_range(j->gap_us, j->gap_us + j->gap_us / 4 + 1);
	else
		cond_resched();
}

static int kthread_fn(void *arg)
{
	struct job *j = arg;

	while (!job_finished(j) && !kthread_should_stop()) {
		produce_batch(j);
		job_pause(j);
	}
	job_finish(j, JOB_DONE);
	park_until_stopped();
	return 0;
}

/* hardirq: an IPI from the driver kthread */
static void irq_batch_fn(void *arg)
{
	produce_batch(arg);
}

/* NMI handler: produces for every job whose NMI is pending on this CPU */
static int nmi_fn(unsigned int type, struct pt_regs *regs)
{
	int cpu = smp_processor_id(), i, ret = NMI_DONE;
	struct job *j;

	for (i = 0; i < MR_MAX_JOBS; i++) {
		j = &jobs[i];
		if (READ_ONCE(j->ctx) != CTX_NMI || j->cpu != cpu)
			continue;
		/* pairs with the driver's release: the job is set up */
		if (!smp_load_acquire(&j->nmi_pending))
			continue;
		produce_batch(j);
		/* pairs with the driver's acquire: the batch is done */
		smp_store_release(&j->nmi_pending, 0);
		ret = NMI_HANDLED;
	}
	return ret;
}

static bool nmi_sent_and_handled(struct job *j)
{
	unsigned long deadline = jiffies + HZ;

	/* pairs with the handler's acquire */
	smp_store_release(&j->nmi_pending, 1);
	apic->send_IPI_mask(cpumask_of(j->cpu), NMI_VECTOR);
	/* pairs with the handler's release */
	while (smp_load_acquire(&j->nmi_pending)) {
		if (time_after(jiffies, deadline))
			return false;
		cpu_relax();
	}
	return true;
}

/* Drives irq and nmi jobs: one batch per IPI or NMI, from another CPU. */
static int driver_fn(void *arg)
{
	struct job *j = arg;
	enum job_state state = JOB_DONE;

	while (!job_finished(j) && !kthread_should_stop()) {
		if (j->ctx == CTX_IRQ) {
			if (smp_call_function_single(j->cpu, irq_batch_fn, j, 1)) {
				state = JOB_FAILED;
				break;
			}
		} else if (!nmi_sent_and_handled(j)) {
			pr_err("job %u: NMI to CPU %d not handled\n", j->id,
			       j->cpu);
			state = JOB_FAILED;
			break;
		}
		job_pause(j);
	}
	job_finish(j, state);
	park_until_stopped();
	return 0;
}

/* softirq: an hrtimer pinned to the job's CPU */
static enum hrtimer_restart timer_fn(struct hrtimer *t)
{
	struct job *j = container_of(t, struct job, timer);

	produce_batch(j);
	if (job_finished(j)) {
		job_finish(j, JOB_DONE);
		return HRTIMER_NORESTART;
	}
	hrtimer_forward_now(t, ns_to_ktime(max_t(u64, j->gap_us, 1) * 1000));
	return HRTIMER_RESTART;
}

static void timer_start_fn(void *arg)
{
	struct job *j = arg;

	hrtimer_start(&j->timer, 0, HRTIMER_MODE_REL_PINNED_SOFT);
}

/* ---- jobs --------------------------------------------------------------- */

/* Stop a job and release what it holds; process context, ctl_lock held. */
static void job_reap(struct job *j)
{
	if (j->state == JOB_IDLE)
		return;
	WRITE_ONCE(j->stop, 1);
	if (j->task) {
		kthread_stop(j->task);
		put_task_struct(j->task);
		j->task = NULL;
	}
	if (j->ctx == CTX_TIMER && hrtimer_cancel(&j->timer))
		job_finish(j, JOB_DONE);
	wait_for_completion(&j->done);
	mapring_ring_put(j->ring);
	j->ring = NULL;
	mapring_ring_group_put(j->group);
	j->group = NULL;
	kfree(j->buf);
	j->buf = NULL;
}

static int job_parse(struct job *j, char *args)
{
	char *tok, *val;
	u64 v;
	int i;

	while ((tok = strsep(&args, " \t\n"))) {
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(tok, "ctx")) {
			i = match_string(ctx_names, ARRAY_SIZE(ctx_names), val);
			if (i < 0)
				return -EINVAL;
			j->ctx = i;
			continue;
		}
		if (!strcmp(tok, "mode")) {
			i = match_string(mode_names, ARRAY_SIZE(mode_names), val);
			if (i < 0)
				return -EINVAL;
			j->mode = i;
			continue;
		}
		if (!strcmp(tok, "cpu")) {
			if (kstrtoint(val, 0, &j->cpu))
				return -EINVAL;
			continue;
		}
		if (kstrtou64(val, 0, &v))
			return -EINVAL;
		if (!strcmp(tok, "id"))
			j->id = v;
		else if (!strcmp(tok, "count"))
			j->count = v;
		else if (!strcmp(tok, "size"))
			j->size = v;
		else if (!strcmp(tok, "batch"))
			j->batch = v;
		else if (!strcmp(tok, "gap"))
			j->gap_us = v;
		else if (!strcmp(tok, "flags"))
			j->flags = v;
		else if (!strcmp(tok, "hold"))
			j->hold_ns = v;
		else if (!strcmp(tok, "group"))
			j->use_group = v;
		else
			return -EINVAL;
	}
	return 0;
}

/* A CPU other than cpu to drive it from, if there is one. */
static int other_cpu(int cpu)
{
	int c;

	for_each_online_cpu(c)
		if (c != cpu)
			return c;
	return cpu;
}

static int job_start(char *args)
{
	struct job tmp = { .cpu = -1, .batch = 1, .size = sizeof(struct mr_rec) };
	struct job *j;
	int err;

	err = job_parse(&tmp, args);
	if (err)
		return err;
	if (tmp.id >= MR_MAX_JOBS || tmp.size < sizeof(struct mr_rec) ||
	    tmp.size > U32_MAX || !tmp.batch)
		return -EINVAL;
	if (tmp.ctx != CTX_KTHREAD &&
	    (tmp.cpu < 0 || tmp.cpu >= nr_cpu_ids || !cpu_online(tmp.cpu)))
		return -EINVAL;
	if (tmp.ctx == CTX_KTHREAD && tmp.cpu >= 0 &&
	    (tmp.cpu >= nr_cpu_ids || !cpu_online(tmp.cpu)))
		return -EINVAL;
	if (tmp.use_group ? !group : !ring)
		return -ENOENT;
	if (tmp.use_group &&
	    (tmp.size < MR_TS_SZ + sizeof(struct mr_rec) ||
	     mapring_ring_group_nr_shards(group) > MR_MAX_SHARDS))
		return -EINVAL;
	j = &jobs[tmp.id];
	if (j->state == JOB_RUNNING)
		return -EBUSY;
	job_reap(j);

	tmp.buf = kmalloc(tmp.size, GFP_KERNEL);
	if (!tmp.buf)
		return -ENOMEM;
	if (tmp.use_group) {
		mapring_ring_group_get(group);
		tmp.group = group;
		tmp.group_ts = group_ts;
	} else {
		mapring_ring_get(ring);
		tmp.ring = ring;
	}
	tmp.state = JOB_RUNNING;
	/* nmi_pending is 0 in tmp: the NMI handler skips the slot */
	*j = tmp;
	init_completion(&j->done);

	switch (j->ctx) {
	case CTX_KTHREAD:
	case CTX_IRQ:
	case CTX_NMI:
		j->task = kthread_create(j->ctx == CTX_KTHREAD ? kthread_fn :
					 driver_fn, j, "mr_producer/%u", j->id);
		if (IS_ERR(j->task)) {
			err = PTR_ERR(j->task);
			j->task = NULL;
			job_finish(j, JOB_FAILED);
			return err;
		}
		get_task_struct(j->task);
		if (j->ctx != CTX_KTHREAD)
			kthread_bind(j->task, other_cpu(j->cpu));
		else if (j->cpu >= 0)
			kthread_bind(j->task, j->cpu);
		wake_up_process(j->task);
		break;
	case CTX_TIMER:
		hrtimer_init(&j->timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_SOFT);
		j->timer.function = timer_fn;
		err = smp_call_function_single(j->cpu, timer_start_fn, j, 1);
		if (err) {
			job_finish(j, JOB_FAILED);
			return err;
		}
		break;
	}
	return 0;
}

static int jobs_wait(void)
{
	int i, err;

	for (i = 0; i < MR_MAX_JOBS; i++) {
		if (jobs[i].state == JOB_IDLE)
			continue;
		err = wait_for_completion_interruptible(&jobs[i].done);
		if (err)
			return err;
	}
	return 0;
}

/* ---- control ------------------------------------------------------------ */

static int ring_hold(struct mapring_ring *r)
{
	if (IS_ERR(r))
		return PTR_ERR(r);
	mapring_ring_put(ring);
	ring = r;
	return 0;
}

static int cmd_create(char *args)
{
	struct mapring_ring_opts opts = {};
	char *name = strsep(&args, " "), *ow;
	u64 size;
	int n;

	if (!name || !args)
		return -EINVAL;
	ow = strstr(args, " overwrite");
	if (ow && !strcmp(ow, " overwrite")) {
		*ow = '\0';
		opts.flags |= MAPRING_RING_F_OVERWRITE;
	}
	n = sscanf(args, "%llu %llu %u", &size, &opts.wakeup_bytes,
		   &opts.wakeup_usecs);
	if (n != 1 && n != 3)
		return -EINVAL;
	if (n == 3)
		opts.flags |= MAPRING_RING_F_BATCH_WAKEUP;
	return ring_hold(mapring_ring_create(name, size, &opts));
}

static int group_hold(struct mapring_ring_group *g, bool ts)
{
	if (IS_ERR(g))
		return PTR_ERR(g);
	mapring_ring_group_put(group);
	group = g;
	group_ts = ts;
	return 0;
}

/* group NAME NR SIZE [ts] [overwrite] [numa] */
static int cmd_group(char *args)
{
	struct mapring_ring_group_opts opts = {};
	char *name = strsep(&args, " "), *tok;
	u32 nr;
	u64 size;

	tok = strsep(&args, " ");
	if (!name || !tok || kstrtou32(tok, 0, &nr))
		return -EINVAL;
	tok = strsep(&args, " ");
	if (!tok || kstrtou64(tok, 0, &size))
		return -EINVAL;
	while ((tok = strsep(&args, " "))) {
		if (!strcmp(tok, "ts"))
			opts.flags |= MAPRING_RING_F_TIMESTAMP;
		else if (!strcmp(tok, "overwrite"))
			opts.flags |= MAPRING_RING_F_OVERWRITE;
		else if (!strcmp(tok, "numa"))
			opts.assign = MAPRING_SHARD_ASSIGN_NUMA;
		else if (*tok)
			return -EINVAL;
	}
	return group_hold(mapring_ring_group_create(name, nr, size, &opts),
			  opts.flags & MAPRING_RING_F_TIMESTAMP);
}

/* gattach NAME [ts]: ts when the group stamps its records */
static int cmd_gattach(char *args)
{
	char *name = strsep(&args, " ");

	if (!name || !*name || (args && strcmp(args, "ts")))
		return -EINVAL;
	return group_hold(mapring_ring_group_get_by_name(name), !!args);
}

static ssize_t control_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char *buf, *args, *cmd;
	int err, i;

	if (len > 1024)
		return -E2BIG;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	args = strim(buf);
	cmd = strsep(&args, " ");

	mutex_lock(&ctl_lock);
	if (!strcmp(cmd, "create")) {
		err = cmd_create(args);
	} else if (!strcmp(cmd, "attach")) {
		err = args ? ring_hold(mapring_ring_get_by_name(args)) : -EINVAL;
	} else if (!strcmp(cmd, "group")) {
		err = cmd_group(args);
	} else if (!strcmp(cmd, "gattach")) {
		err = cmd_gattach(args);
	} else if (!strcmp(cmd, "gdetach")) {
		mapring_ring_group_put(group);
		group = NULL;
		err = 0;
	} else if (!strcmp(cmd, "detach")) {
		mapring_ring_put(ring);
		ring = NULL;
		err = 0;
	} else if (!strcmp(cmd, "start")) {
		err = job_start(args ?: "");
	} else if (!strcmp(cmd, "wait")) {
		err = jobs_wait();
	} else if (!strcmp(cmd, "stop") || !strcmp(cmd, "reset")) {
		for (i = 0; i < MR_MAX_JOBS; i++) {
			job_reap(&jobs[i]);
			if (!strcmp(cmd, "reset"))
				jobs[i].state = JOB_IDLE;
		}
		err = 0;
	} else {
		err = -EINVAL;
	}
	mutex_unlock(&ctl_lock);
	kfree(buf);
	return err ? err : len;
}

static int status_show(struct seq_file *m, void *v)
{
	struct job *j;
	u32 s;
	int i;

	mutex_lock(&ctl_lock);
	if (ring)
		seq_printf(m, "ring %s %u\n", mapring_ring_name(ring),
			   mapring_ring_id(ring));
	else
		seq_puts(m, "ring -\n");
	if (group)
		seq_printf(m, "group %u %u\n", mapring_ring_group_id(group),
			   mapring_ring_group_nr_shards(group));
	else
		seq_puts(m, "group -\n");
	for (i = 0; i < MR_MAX_JOBS; i++) {
		j = &jobs[i];
		if (j->state == JOB_IDLE)
			continue;
		seq_printf(m, "job %u %s %d %s %llu %llu %llu %llu %llu\n",
			   j->id, ctx_names[j->ctx], j->cpu,
			   state_names[READ_ONCE(j->state)],
			   READ_ONCE(j->attempts), READ_ONCE(j->committed),
			   READ_ONCE(j->discarded), READ_ONCE(j->dropped),
			   READ_ONCE(j->corrupt));
		for (s = 0; j->group && s < mapring_ring_group_nr_shards(j->group);
		     s++)
			seq_printf(m, "shard %u %u %llu %llu %llu\n", j->id, s,
				   READ_ONCE(j->by_shard[s][BY_COMMITTED]),
				   READ_ONCE(j->by_shard[s][BY_DISCARDED]),
				   READ_ONCE(j->by_shard[s][BY_DROPPED]));
	}
	mutex_unlock(&ctl_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(status);

static const struct file_operations control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = control_write,
	.llseek = default_llseek,
};

static int __init mr_test_producer_init(void)
{
	int err;

	if (ring_name) {
		err = ring_hold(mapring_ring_create(ring_name, ring_size, NULL));
		if (err)
			return err;
	}
	err = register_nmi_handler(NMI_LOCAL, nmi_fn, 0, "mr_test_producer");
	if (err)
		goto err_ring;
	dir = debugfs_create_dir("mr_test_producer", NULL);
	debugfs_create_file("control", 0200, dir, NULL, &control_fops);
	debugfs_create_file("status", 0444, dir, NULL, &status_fops);
	return 0;

err_ring:
	mapring_ring_put(ring);
	return err;
}

static void __exit mr_test_producer_exit(void)
{
	int i;

	debugfs_remove_recursive(dir);
	for (i = 0; i < MR_MAX_JOBS; i++)
		job_reap(&jobs[i]);
	unregister_nmi_handler(NMI_LOCAL, "mr_test_producer");
	mapring_ring_put(ring);
	mapring_ring_group_put(group);
}

module_init(mr_test_producer_init);
module_exit(mr_test_producer_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring test: produce records from chosen CPUs and contexts");
