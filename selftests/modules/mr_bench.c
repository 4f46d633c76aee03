// SPDX-License-Identifier: GPL-2.0
/*
 * mr_bench: the mapring peer of the BPF programs in bench/bpf/. Each ioctl
 * on MR_BENCH_CTL does one batch through the kernel API in the caller's
 * context, as one BPF_PROG_TEST_RUN runs one batch of the BPF program, and
 * does the same work per record (mr_bench.h). No timing here: the
 * benchmark driver times the ioctl from user space, as it times test runs.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mapring.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "mr_bench.h"

static struct dentry *dir;

static u32 commit_flags(u32 every, u32 *left)
{
	if (!every)
		return 0;
	if (--*left)
		return MAPRING_RB_NO_WAKEUP;
	*left = every;
	return MAPRING_RB_FORCE_WAKEUP;
}

static long bench_produce(struct mr_bench_produce __user *uarg)
{
	struct mr_bench_produce a;
	struct mapring_ring *ring;
	u32 i, left, committed = 0;
	u64 *rec;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.rec_size < sizeof(u64) || a.__pad)
		return -EINVAL;
	ring = mapring_ring_get_by_fd(a.ring_fd);
	if (IS_ERR(ring))
		return PTR_ERR(ring);

	/* records until the next forced wake-up, as the BPF program counts */
	left = a.sample_every ? a.sample_every - a.seq % a.sample_every : 0;
	for (i = 0; i < a.count; i++) {
		rec = mapring_ring_reserve(ring, a.rec_size, 0);
		if (!rec)
			continue;
		*rec = a.stamp ? ktime_get_ns() : a.seq + i;
		mapring_ring_submit(ring, rec, commit_flags(a.sample_every,
							    &left));
		committed++;
	}
	mapring_ring_put(ring);
	return committed;
}

static long bench_map_add(struct mr_bench_add __user *uarg)
{
	struct mr_bench_add a;
	struct mapring_map *map;
	u32 i, done = 0;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.__pad)
		return -EINVAL;
	map = mapring_map_get_by_fd(a.map_fd);
	if (IS_ERR(map))
		return PTR_ERR(map);
	for (i = 0; i < a.count; i++)
		done += !mapring_map_add(map, &a.key, 0, 1);
	mapring_map_put(map);
	return done;
}

static int bench_drain_cb(void *ctx, const void *data, u32 size)
{
	u64 v = 0;

	memcpy(&v, data, min_t(u32, size, sizeof(v)));
	*(u64 *)ctx += v;
	return 0;
}

static long bench_user_drain(struct mr_bench_drain __user *uarg)
{
	struct mr_bench_drain a;
	struct mapring_ring *ring;
	long n, total = 0;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.__pad)
		return -EINVAL;
	ring = mapring_ring_get_by_fd(a.ring_fd);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	a.sum = 0;
	do {
		n = mapring_ring_drain(ring, bench_drain_cb, &a.sum, 0, 0);
		if (n > 0)
			total += n;
	} while (n > 0);
	mapring_ring_put(ring);
	if (n < 0)
		return n;
	return copy_to_user(uarg, &a, sizeof(a)) ? -EFAULT : total;
}

static long ctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MR_BENCH_RING_PRODUCE:
		return bench_produce(uarg);
	case MR_BENCH_MAP_ADD:
		return bench_map_add(uarg);
	case MR_BENCH_USER_DRAIN:
		return bench_user_drain(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.unlocked_ioctl = ctl_ioctl,
	.llseek = noop_llseek,
};

static int __init mr_bench_init(void)
{
	dir = debugfs_create_dir("mr_bench", NULL);
	debugfs_create_file("ctl", 0600, dir, NULL, &ctl_fops);
	return 0;
}

static void __exit mr_bench_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(mr_bench_init);
module_exit(mr_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring benchmarks: batches through the kernel API, one per ioctl");
