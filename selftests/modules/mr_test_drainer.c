// SPDX-License-Identifier: GPL-2.0
/*
 * mr_test_drainer: the kernel side of user rings (MAPRING_RING_F_USER) for
 * tests and benchmarks: drains a ring user space produces into, on command
 * or from a kthread woken by MAPRING_IOC_RING_KICK, and sums up what it saw.
 * Controlled through debugfs, MR_DRAINER_DIR (mr_test_drainer.h):
 *
 *   control   write one command per write():
 *     create NAME SIZE      create a user ring with the kernel API, hold it
 *     attach NAME           hold an existing ring (by name)
 *     detach                stop the thread, drop the ring
 *     drain KEY=VALUE...    one mapring_ring_drain() now, in this write():
 *         max=N (max_records)  flags=N (drain flags)
 *         stop=N (the callback returns ret= on its N-th record, 1-based)
 *         ret=N (default 1)    irq=1 (drain with interrupts off)
 *       the write fails with the drain's error; "last" shows the result
 *     block                 a kthread drains with a callback that waits on
 *                           its first record until "unblock" (the drain
 *                           stays busy meanwhile)
 *     unblock               let it finish, and reap its kthread
 *     thread start [max=N]  a kthread drains on every kick of the ring
 *     thread stop           stop it (it unregisters from kicks)
 *     kick leak             set a kick that only counts, and never remove
 *                           it: unloading the module must not leave it
 *     reset                 zero the counters
 *   status    read: "ring NAME ID" or "ring -", then one line
 *             "drains D records R bytes B csum C bad E busy Y last L
 *             kicks K blocked X thread T" (T 1 while the kthread runs).
 *
 * csum is the sum over the records drained of mr_fnv(MR_FNV_BASIS, data,
 * size), an order-independent value user space computes the same way.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/irqflags.h>
#include <linux/kthread.h>
#include <linux/mapring.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mr_test_drainer.h"

static struct dentry *dir;
static DEFINE_MUTEX(ctl_lock);		/* control commands, ring, threads */
static struct mapring_ring *ring;

/* Written by drain callbacks (one drain at a time), read by status. */
static u64 records, bytes, csum;
/* The rest of the counters. */
static atomic64_t drains, bad, busy, kicks;
static atomic64_t last;

/* A callback's orders for one drain. */
struct drain_ctx {
	u64 n;			/* records seen in this drain */
	u64 stop;		/* return ret on the stop-th record (0: never) */
	int ret;
	bool block;		/* wait for "unblock" on the first record */
};

static DECLARE_COMPLETION(unblock_done);
static atomic_t blocked;
static struct task_struct *block_task, *thread_task;
static u32 thread_max;
static atomic_t kicked;

static int drain_cb(void *arg, const void *data, u32 size)
{
	struct drain_ctx *c = arg;

	c->n++;
	WRITE_ONCE(records, records + 1);
	WRITE_ONCE(bytes, bytes + size);
	/*
	 * data is user memory: a test rewrites it while we read, on purpose.
	 * The race is by design (the sum is then simply wrong): tell KCSAN.
	 */
	WRITE_ONCE(csum, csum + data_race(mr_fnv(MR_FNV_BASIS, data, size)));
	if (c->block && c->n == 1) {
		atomic_set(&blocked, 1);
		wait_for_completion(&unblock_done);
		atomic_set(&blocked, 0);
	}
	return c->stop && c->n == c->stop ? c->ret : 0;
}

static long drain_once(struct mapring_ring *r, struct drain_ctx *c, u32 max,
		       u64 flags, bool irqs_off)
{
	unsigned long irqflags;
	long ret;

	if (irqs_off)
		local_irq_save(irqflags);
	ret = mapring_ring_drain(r, drain_cb, c, max, flags);
	if (irqs_off)
		local_irq_restore(irqflags);
	atomic64_inc(&drains);
	if (ret == -EBADMSG)
		atomic64_inc(&bad);
	else if (ret == -EBUSY)
		atomic64_inc(&busy);
	atomic64_set(&last, ret);
	return ret;
}

/* ---- kthreads -------------------------------------------------------- */

static int block_fn(void *arg)
{
	struct drain_ctx c = { .block = true };

	drain_once(arg, &c, 0, 0, false);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void count_kick(struct mapring_ring *r, void *ctx)
{
	atomic64_inc(&kicks);
}

static void kick_fn(struct mapring_ring *r, void *ctx)
{
	atomic64_inc(&kicks);
	atomic_set(&kicked, 1);
	wake_up_process(ctx);
}

static int thread_fn(void *arg)
{
	struct mapring_ring *r = arg;
	struct drain_ctx c = {};
	long ret;

	while (!kthread_should_stop()) {
		/* pairs with kick_fn(): kicked set before the wake-up */
		set_current_state(TASK_INTERRUPTIBLE);
		if (!atomic_read(&kicked) && !kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
		atomic_set(&kicked, 0);
		/* until empty (or stuck on a busy or bad record) */
		do {
			ret = drain_once(r, &c, thread_max, 0, false);
			cond_resched();
		} while (ret > 0 && !kthread_should_stop());
	}
	return 0;
}

/* Let the blocked callback return and reap its thread. */
static void block_stop(void)
{
	if (!block_task)
		return;
	complete_all(&unblock_done);
	kthread_stop(block_task);
	put_task_struct(block_task);
	block_task = NULL;
	reinit_completion(&unblock_done);
}

static void threads_stop(void)
{
	block_stop();
	if (thread_task) {
		mapring_ring_set_kick(ring, NULL, NULL);
		kthread_stop(thread_task);
		put_task_struct(thread_task);
		thread_task = NULL;
	}
}

static struct task_struct *thread_run(int (*fn)(void *), const char *name)
{
	struct task_struct *t = kthread_run(fn, ring, "%s", name);

	if (!IS_ERR(t))
		get_task_struct(t);
	return t;
}

/* ---- control ------------------------------------------------------------ */

static int ring_hold(struct mapring_ring *r)
{
	if (IS_ERR(r))
		return PTR_ERR(r);
	threads_stop();
	mapring_ring_put(ring);
	ring = r;
	return 0;
}

static int cmd_create(char *args)
{
	struct mapring_ring_opts opts = { .flags = MAPRING_RING_F_USER };
	char name[MAPRING_NAME_LEN];
	u64 size;

	if (!args || sscanf(args, "%31s %llu", name, &size) != 2)
		return -EINVAL;
	return ring_hold(mapring_ring_create(name, size, &opts));
}

static int cmd_drain(char *args)
{
	struct drain_ctx c = { .ret = 1 };
	bool irqs_off = false;
	u64 flags = 0, v;
	u32 max = 0;
	char *tok, *val;
	long ret;

	if (!ring)
		return -ENOENT;
	while ((tok = strsep(&args, " \t\n"))) {
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(tok, "ret")) {
			if (kstrtoint(val, 0, &c.ret))
				return -EINVAL;
			continue;
		}
		if (kstrtou64(val, 0, &v))
			return -EINVAL;
		if (!strcmp(tok, "max"))
			max = v;
		else if (!strcmp(tok, "flags"))
			flags = v;
		else if (!strcmp(tok, "stop"))
			c.stop = v;
		else if (!strcmp(tok, "irq"))
			irqs_off = v;
		else
			return -EINVAL;
	}
	ret = drain_once(ring, &c, max, flags, irqs_off);
	return ret < 0 ? ret : 0;
}

static int cmd_thread(char *args)
{
	struct task_struct *t;
	int err;

	if (!args)
		return -EINVAL;
	if (!strcmp(args, "stop")) {
		if (thread_task) {
			mapring_ring_set_kick(ring, NULL, NULL);
			kthread_stop(thread_task);
			put_task_struct(thread_task);
			thread_task = NULL;
		}
		return 0;
	}
	if (!ring)
		return -ENOENT;
	if (thread_task)
		return -EBUSY;
	thread_max = 0;
	if (strcmp(args, "start") && sscanf(args, "start max=%u", &thread_max) != 1)
		return -EINVAL;
	atomic_set(&kicked, 1);		/* drain what is there already */
	t = thread_run(thread_fn, "mr_drainer");
	if (IS_ERR(t))
		return PTR_ERR(t);
	thread_task = t;
	err = mapring_ring_set_kick(ring, kick_fn, thread_task);
	if (err) {
		kthread_stop(thread_task);
		put_task_struct(thread_task);
		thread_task = NULL;
	}
	return err;
}

static ssize_t control_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	struct task_struct *t;
	char *buf, *args, *cmd;
	int err = 0;

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
	} else if (!strcmp(cmd, "detach")) {
		threads_stop();
		mapring_ring_put(ring);
		ring = NULL;
	} else if (!strcmp(cmd, "drain")) {
		err = cmd_drain(args ?: "");
	} else if (!strcmp(cmd, "block")) {
		if (!ring || block_task) {
			err = ring ? -EBUSY : -ENOENT;
		} else {
			t = thread_run(block_fn, "mr_drain_block");
			if (IS_ERR(t))
				err = PTR_ERR(t);
			else
				block_task = t;
		}
	} else if (!strcmp(cmd, "unblock")) {
		block_stop();
	} else if (!strcmp(cmd, "thread")) {
		err = cmd_thread(args);
	} else if (!strcmp(cmd, "kick") && args && !strcmp(args, "leak")) {
		/* a careless module: mapring removes it when we are unloaded */
		err = ring ? mapring_ring_set_kick(ring, count_kick, NULL) :
			     -ENOENT;
	} else if (!strcmp(cmd, "reset")) {
		WRITE_ONCE(records, 0);
		WRITE_ONCE(bytes, 0);
		WRITE_ONCE(csum, 0);
		atomic64_set(&drains, 0);
		atomic64_set(&bad, 0);
		atomic64_set(&busy, 0);
		atomic64_set(&kicks, 0);
		atomic64_set(&last, 0);
	} else {
		err = -EINVAL;
	}
	mutex_unlock(&ctl_lock);
	kfree(buf);
	return err ? err : len;
}

static int status_show(struct seq_file *m, void *v)
{
	mutex_lock(&ctl_lock);
	if (ring)
		seq_printf(m, "ring %s %u\n", mapring_ring_name(ring),
			   mapring_ring_id(ring));
	else
		seq_puts(m, "ring -\n");
	seq_printf(m, "drains %lld records %llu bytes %llu csum %llu bad %lld busy %lld last %lld kicks %lld blocked %d thread %d\n",
		   atomic64_read(&drains), READ_ONCE(records), READ_ONCE(bytes),
		   READ_ONCE(csum), atomic64_read(&bad), atomic64_read(&busy),
		   atomic64_read(&last), atomic64_read(&kicks),
		   atomic_read(&blocked), thread_task ? 1 : 0);
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

static int __init mr_test_drainer_init(void)
{
	dir = debugfs_create_dir("mr_test_drainer", NULL);
	debugfs_create_file("control", 0200, dir, NULL, &control_fops);
	debugfs_create_file("status", 0444, dir, NULL, &status_fops);
	return 0;
}

static void __exit mr_test_drainer_exit(void)
{
	debugfs_remove_recursive(dir);
	mutex_lock(&ctl_lock);
	threads_stop();
	mapring_ring_put(ring);
	ring = NULL;
	mutex_unlock(&ctl_lock);
}

module_init(mr_test_drainer_init);
module_exit(mr_test_drainer_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring test: drain user rings on command or on kicks");
