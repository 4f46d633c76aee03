// SPDX-License-Identifier: GPL-2.0
/*
 * A producer for the map tests and benchmarks: it increments a u64 field of
 * a map element through the mapring kernel API from every online CPU (or
 * one), in a chosen context, a known number of times, and reports exactly
 * how many increments it made.
 *
 * Control: write one command to /sys/kernel/debug/mr_test_counter/ctl,
 * read the result of the last one from .../last.
 *
 *   run map=NAME|fd=FD key=K count=N ctx=CTX [cpu=C] [off=BYTES] [delta=D]
 *       count increments of delta (default 1) on each target CPU (cpu=-1,
 *       the default: every online CPU) in context CTX: "task" (the writer,
 *       no CPU binding, cpu ignored), "kthread" (one bound kthread per CPU,
 *       running concurrently), "softirq" (a pinned timer per CPU, in
 *       chunks) or "hardirq" (smp_call_function_single, in chunks).
 *       The write returns when all are done.
 *   create map=NAME type=array|hash key_size=K value_size=V max=M [flags=F]
 *       a map made with mapring_map_create(), held until "drop" or unload.
 *   drop
 *   update map=NAME key=K value=X [flags=F]   mapring_map_update() of a
 *       value whose u64 words all hold X (flags as the kernel API's)
 *   delete map=NAME key=K                     mapring_map_delete()
 *   lookup map=NAME key=K [off=BYTES]         this CPU's u64 at off
 *
 * "last" reads "done=N errors=E err=ERRNO value=X cpu=C": increments made,
 * failed calls, the first error, and what lookup found on which CPU.
 * Keys are numbers written in the map's first key_size (<= 8) bytes. A
 * map is named by map=NAME, or by fd=FD, an fd of the writing process.
 */
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/mapring.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/parser.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/uaccess.h>

#define CHUNK	4096	/* increments per timer tick or IPI */

enum ctx { CTX_TASK, CTX_KTHREAD, CTX_SOFTIRQ, CTX_HARDIRQ };

struct run {
	struct mapring_map *map;
	u64 key;
	u32 off;
	u64 delta;
	u64 count;		/* per target CPU */
	atomic64_t done;
	atomic_t errors;
	atomic_t first_err;
};

/* One target CPU's share of a run. */
struct worker {
	struct run *run;
	int cpu;
	u64 left;
	struct timer_list timer;
	struct completion finished;
};

static DEFINE_MUTEX(ctl_lock);
static struct dentry *dir;
static struct mapring_map *held;
static char last[128] = "done=0 errors=0 err=0 value=0 cpu=-1\n";

static void count_one(struct run *run, u64 n, bool can_sleep)
{
	u64 i;
	int err;

	for (i = 0; i < n; i++) {
		if (can_sleep && i % CHUNK == CHUNK - 1)
			cond_resched();
		err = mapring_map_add(run->map, &run->key, run->off, run->delta);
		if (err) {
			atomic_inc(&run->errors);
			atomic_cmpxchg(&run->first_err, 0, err);
		} else {
			atomic64_inc(&run->done);
		}
	}
}

static int kthread_fn(void *arg)
{
	struct worker *w = arg;

	count_one(w->run, w->left, true);
	/* not complete() then return: the module could go in between */
	kthread_complete_and_exit(&w->finished, 0);
}

static void timer_fn(struct timer_list *t)
{
	struct worker *w = from_timer(w, t, timer);
	u64 n = min_t(u64, w->left, CHUNK);

	count_one(w->run, n, false);
	w->left -= n;
	if (!w->left) {
		complete(&w->finished);
		return;
	}
	/* the CPU we run on: after an offline, timers moved elsewhere */
	w->timer.expires = jiffies + 1;
	add_timer_on(&w->timer, smp_processor_id());
}

static void ipi_fn(void *arg)
{
	struct worker *w = arg;
	u64 n = min_t(u64, w->left, CHUNK);

	count_one(w->run, n, false);
	w->left -= n;
}

static void run_worker(struct worker *w, enum ctx ctx)
{
	struct task_struct *t;
	int err;

	switch (ctx) {
	case CTX_KTHREAD:
		t = kthread_create_on_cpu(kthread_fn, w, w->cpu, "mr_count/%u");
		if (IS_ERR(t)) {
			atomic_cmpxchg(&w->run->first_err, 0, PTR_ERR(t));
			complete(&w->finished);
			return;
		}
		wake_up_process(t);
		return;
	case CTX_SOFTIRQ:
		timer_setup(&w->timer, timer_fn, 0);
		w->timer.expires = jiffies + 1;
		add_timer_on(&w->timer, w->cpu);
		return;
	case CTX_HARDIRQ:
		while (w->left) {
			err = smp_call_function_single(w->cpu, ipi_fn, w, 1);
			if (err) {	/* went offline: those were not made */
				atomic_cmpxchg(&w->run->first_err, 0, err);
				break;
			}
			cond_resched();
		}
		complete(&w->finished);
		return;
	default:
		count_one(w->run, w->left, true);
		complete(&w->finished);
	}
}

static int do_run(struct run *run, enum ctx ctx, int cpu)
{
	struct worker *w;
	int n = 0, i, c;

	w = kcalloc(nr_cpu_ids, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	if (ctx == CTX_TASK) {
		w[n++].cpu = -1;
	} else {
		/* the online CPUs now; hotplug may change them while we run */
		cpus_read_lock();
		for_each_online_cpu(c)
			if (cpu < 0 || c == cpu)
				w[n++].cpu = c;
		cpus_read_unlock();
	}
	for (i = 0; i < n; i++) {
		w[i].run = run;
		w[i].left = run->count;
		init_completion(&w[i].finished);
	}
	for (i = 0; i < n; i++)
		run_worker(&w[i], ctx);
	for (i = 0; i < n; i++) {
		wait_for_completion(&w[i].finished);
		if (ctx == CTX_SOFTIRQ)
			del_timer_sync(&w[i].timer);
	}
	kfree(w);
	return n ? 0 : -ENODEV;
}

enum {
	OPT_MAP, OPT_KEY, OPT_COUNT, OPT_CTX, OPT_CPU, OPT_OFF, OPT_DELTA,
	OPT_TYPE, OPT_KSIZE, OPT_VSIZE, OPT_MAX, OPT_FLAGS, OPT_VALUE, OPT_FD,
	OPT_ERR,
};

static const match_table_t opts = {
	{ OPT_MAP, "map=%s" }, { OPT_KEY, "key=%s" },
	{ OPT_COUNT, "count=%s" }, { OPT_CTX, "ctx=%s" },
	{ OPT_CPU, "cpu=%d" }, { OPT_OFF, "off=%u" },
	{ OPT_DELTA, "delta=%s" }, { OPT_TYPE, "type=%s" },
	{ OPT_KSIZE, "key_size=%u" }, { OPT_VSIZE, "value_size=%u" },
	{ OPT_MAX, "max=%u" }, { OPT_FLAGS, "flags=%s" },
	{ OPT_VALUE, "value=%s" }, { OPT_FD, "fd=%d" }, { OPT_ERR, NULL },
};

struct args {
	char map[MAPRING_NAME_LEN];
	u64 key, count, delta, flags, value;
	int cpu, fd;
	u32 off, key_size, value_size, max;
	enum ctx ctx;
	u32 type;
};

static int parse_u64(substring_t *s, u64 *v)
{
	char buf[24];

	if (s->to - s->from >= sizeof(buf))
		return -EINVAL;
	match_strlcpy(buf, s, sizeof(buf));
	return kstrtou64(buf, 0, v);
}

static int parse_cmd(char *line, struct args *a)
{
	substring_t args[MAX_OPT_ARGS];
	char *p, word[16];
	int tok, v, err = 0;

	*a = (struct args){ .cpu = -1, .fd = -1, .delta = 1 };
	while (!err && (p = strsep(&line, " \t\n")) != NULL) {
		if (!*p)
			continue;
		tok = match_token(p, opts, args);
		switch (tok) {
		case OPT_MAP:
			if (args[0].to - args[0].from >= MAPRING_NAME_LEN)
				return -EINVAL;
			match_strlcpy(a->map, &args[0], sizeof(a->map));
			break;
		case OPT_KEY:
			err = parse_u64(&args[0], &a->key);
			break;
		case OPT_COUNT:
			err = parse_u64(&args[0], &a->count);
			break;
		case OPT_DELTA:
			err = parse_u64(&args[0], &a->delta);
			break;
		case OPT_FLAGS:
			err = parse_u64(&args[0], &a->flags);
			break;
		case OPT_VALUE:
			err = parse_u64(&args[0], &a->value);
			break;
		case OPT_CTX:
		case OPT_TYPE:
			match_strlcpy(word, &args[0], sizeof(word));
			if (!strcmp(word, "task"))
				a->ctx = CTX_TASK;
			else if (!strcmp(word, "kthread"))
				a->ctx = CTX_KTHREAD;
			else if (!strcmp(word, "softirq"))
				a->ctx = CTX_SOFTIRQ;
			else if (!strcmp(word, "hardirq"))
				a->ctx = CTX_HARDIRQ;
			else if (!strcmp(word, "array"))
				a->type = MAPRING_OBJ_PERCPU_ARRAY;
			else if (!strcmp(word, "hash"))
				a->type = MAPRING_OBJ_PERCPU_HASH;
			else
				err = -EINVAL;
			break;
		case OPT_CPU:
			err = match_int(&args[0], &a->cpu);
			break;
		case OPT_FD:
			err = match_int(&args[0], &a->fd);
			break;
		case OPT_OFF:
		case OPT_KSIZE:
		case OPT_VSIZE:
		case OPT_MAX:
			err = match_int(&args[0], &v);
			if (!err && v < 0)
				err = -EINVAL;
			if (tok == OPT_OFF)
				a->off = v;
			else if (tok == OPT_KSIZE)
				a->key_size = v;
			else if (tok == OPT_VSIZE)
				a->value_size = v;
			else
				a->max = v;
			break;
		default:
			err = -EINVAL;
		}
	}
	return err;
}

static void report(u64 done, int errors, int err, u64 value, int cpu)
{
	snprintf(last, sizeof(last),
		 "done=%llu errors=%d err=%d value=%llu cpu=%d\n",
		 done, errors, err, value, cpu);
}

static int cmd_run(struct args *a, struct mapring_map *map)
{
	struct run run = {
		.map = map, .key = a->key, .off = a->off, .delta = a->delta,
		.count = a->count,
	};
	int err;

	atomic64_set(&run.done, 0);
	atomic_set(&run.errors, 0);
	atomic_set(&run.first_err, 0);
	err = do_run(&run, a->ctx, a->cpu);
	report(atomic64_read(&run.done), atomic_read(&run.errors),
	       atomic_read(&run.first_err), 0, -1);
	return err;
}

static int cmd_elem(const char *cmd, struct args *a, struct mapring_map *map)
{
	u32 vsize = mapring_map_value_size(map);
	u64 *value, v = 0;
	int err, cpu = -1;
	u32 i;

	if (!strcmp(cmd, "delete")) {
		err = mapring_map_delete(map, &a->key);
		report(0, 0, err, 0, -1);
		return 0;
	}
	if (!strcmp(cmd, "lookup")) {
		rcu_read_lock();
		cpu = get_cpu();
		value = mapring_map_lookup_this_cpu(map, &a->key);
		if (value && a->off + 8 <= round_up(vsize, 8))
			v = READ_ONCE(value[a->off / 8]);
		put_cpu();
		rcu_read_unlock();
		report(0, 0, value ? 0 : -ENOENT, v, cpu);
		return 0;
	}
	/* update: a value of vsize bytes, every u64 word holding a->value */
	value = kzalloc(round_up(vsize, 8), GFP_KERNEL);
	if (!value)
		return -ENOMEM;
	for (i = 0; i < round_up(vsize, 8) / 8; i++)
		value[i] = a->value;
	cpu = get_cpu();
	err = mapring_map_update(map, &a->key, value, a->flags);
	put_cpu();
	kfree(value);
	report(0, 0, err, 0, cpu);
	return 0;
}

static ssize_t ctl_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	struct mapring_map *map;
	struct args a;
	char *buf, *line, *cmd;
	int err;

	if (len > 512)
		return -E2BIG;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	line = buf;
	cmd = strsep(&line, " \t\n");
	err = parse_cmd(line, &a);
	if (err)
		goto out;

	mutex_lock(&ctl_lock);
	if (!strcmp(cmd, "create")) {
		err = -EBUSY;
		if (!held) {
			map = mapring_map_create(a.type, a.map, a.key_size,
						 a.value_size, a.max, a.flags);
			err = PTR_ERR_OR_ZERO(map);
			if (!err)
				held = map;
		}
	} else if (!strcmp(cmd, "drop")) {
		err = held ? 0 : -ENOENT;
		if (held)
			mapring_map_put(held);
		held = NULL;
	} else if (!strcmp(cmd, "run") || !strcmp(cmd, "update") ||
		   !strcmp(cmd, "delete") || !strcmp(cmd, "lookup")) {
		map = a.fd >= 0 ? mapring_map_get_by_fd(a.fd) :
				  mapring_map_get_by_name(a.map);
		err = PTR_ERR_OR_ZERO(map);
		if (!err && mapring_map_key_size(map) > sizeof(a.key))
			err = -EINVAL;
		if (!err) {
			/* keys are numbers; the map reads key_size bytes */
			err = !strcmp(cmd, "run") ? cmd_run(&a, map) :
						    cmd_elem(cmd, &a, map);
		}
		if (!IS_ERR(map))
			mapring_map_put(map);
	} else {
		err = -EINVAL;
	}
	mutex_unlock(&ctl_lock);
out:
	kfree(buf);
	return err ? err : len;
}

static ssize_t last_read(struct file *file, char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	char copy[sizeof(last)];
	int n;

	mutex_lock(&ctl_lock);
	n = scnprintf(copy, sizeof(copy), "%s", last);
	mutex_unlock(&ctl_lock);
	return simple_read_from_buffer(ubuf, len, ppos, copy, n);
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.write = ctl_write,
};

static const struct file_operations last_fops = {
	.owner = THIS_MODULE,
	.read = last_read,
};

static int __init mr_test_counter_init(void)
{
	dir = debugfs_create_dir("mr_test_counter", NULL);
	debugfs_create_file("ctl", 0200, dir, NULL, &ctl_fops);
	debugfs_create_file("last", 0400, dir, NULL, &last_fops);
	return 0;
}

static void __exit mr_test_counter_exit(void)
{
	debugfs_remove_recursive(dir);
	if (held)
		mapring_map_put(held);
}

module_init(mr_test_counter_init);
module_exit(mr_test_counter_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring test: counts into a map from every CPU and context");
