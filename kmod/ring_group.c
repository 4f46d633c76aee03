// SPDX-License-Identifier: GPL-2.0
/*
 * Ring groups (sharded rings): one object holding nr_shards ordinary rings
 * and a table from CPU to shard over every possible CPU, so producers on
 * different shards never share a reserve lock. The shards are published,
 * anonymous rings with the group's owner and access; the group holds one
 * reference to each, and a shard fd holds its shard only. The producer's
 * fast path is mapring_ring_group_shard(): two array loads, no lock.
 * CPU hotplug needs nothing: the table covers every possible CPU, and an
 * offline CPU just does not produce.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/mapring.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/uaccess.h>

#include "internal.h"
#include "ring.h"

struct mapring_ring_group {
	struct mapring_obj obj;
	u32 nr_shards;
	u32 assign;			/* enum mapring_shard_assign */
	u32 flags;			/* MAPRING_RING_F_* of every shard */
	u64 shard_size;
	u32 *cpu_shard;			/* nr_cpu_ids entries */
	struct mapring_ring **shards;	/* nr_shards references */
};

static struct mapring_ring_group *to_group(struct mapring_obj *obj)
{
	return container_of(obj, struct mapring_ring_group, obj);
}

/* Process context, after an RCU grace period. */
static void group_obj_free(struct mapring_obj *obj)
{
	struct mapring_ring_group *g = to_group(obj);
	u32 i;

	if (g->shards) {
		for (i = 0; i < g->nr_shards; i++)
			mapring_ring_put(g->shards[i]);
		kfree(g->shards);
	}
	kfree(g->cpu_shard);
	kfree(g);
}

/* The group's own memory; each shard reports its own as a ring. */
static u64 group_own_memory(struct mapring_ring_group *g)
{
	return mapring_alloc_bytes(g, sizeof(*g)) +
	       mapring_alloc_bytes(g->cpu_shard,
				   nr_cpu_ids * sizeof(*g->cpu_shard)) +
	       mapring_alloc_bytes(g->shards,
				   g->nr_shards * sizeof(*g->shards));
}

static u64 group_sum(struct mapring_ring_group *g, u64 what)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < g->nr_shards; i++)
		if (g->shards[i])
			sum += mapring_ring_query(g->shards[i], what);
	return sum;
}

static u64 group_memory(struct mapring_ring_group *g)
{
	struct mapring_obj_info info;
	u64 sum = group_own_memory(g);
	u32 i;

	for (i = 0; i < g->nr_shards; i++) {
		if (!g->shards[i])
			continue;
		memset(&info, 0, sizeof(info));
		g->shards[i]->obj.ops->fill_info(&g->shards[i]->obj, &info);
		sum += info.memory;
	}
	return sum;
}

/*
 * OBJ_INFO of a group: memory is the group's own (its shards are objects
 * of their own, counted and listed as rings), max_entries the number of
 * shards, data_size one shard's, drops and overwritten summed.
 */
static void group_fill_info(struct mapring_obj *obj,
			    struct mapring_obj_info *info)
{
	struct mapring_ring_group *g = to_group(obj);

	info->memory = group_own_memory(g);
	info->obj_flags = g->flags;
	info->max_entries = g->nr_shards;
	info->data_size = g->shard_size;
	if (!g->shards)
		return;
	info->drops = group_sum(g, MAPRING_RB_DROPS);
	info->overwritten = group_sum(g, MAPRING_RB_OVERWRITTEN);
}

static void group_show_fdinfo(struct mapring_obj *obj, struct seq_file *m)
{
	struct mapring_ring_group *g = to_group(obj);
	u32 i;

	seq_printf(m, "group_nr_shards:\t%u\n", g->nr_shards);
	seq_printf(m, "group_shard_size:\t%llu\n", g->shard_size);
	seq_printf(m, "group_flags:\t%#x\n", g->flags);
	seq_printf(m, "group_assign:\t%u\n", g->assign);
	seq_puts(m, "group_shard_ids:\t");
	for (i = 0; i < g->nr_shards; i++)
		seq_printf(m, "%s%u", i ? " " : "", g->shards[i]->obj.id);
	seq_putc(m, '\n');
}

static const struct file_operations group_fops;

static const struct mapring_obj_ops group_obj_ops = {
	.fops = &group_fops,
	.fd_name = "mapring-ring-group",
	.free = group_obj_free,
	.show_fdinfo = group_show_fdinfo,
	.fill_info = group_fill_info,
};

/* Fill cpu_shard[] for every possible CPU: 0 or -EINVAL. */
static int group_assign(struct mapring_ring_group *g, const u32 *table)
{
	unsigned int cpu, k = 0, n = num_possible_cpus();
	int node;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		g->cpu_shard[cpu] = MAPRING_SHARD_NONE;
	for_each_possible_cpu(cpu) {
		switch (g->assign) {
		case MAPRING_SHARD_ASSIGN_BLOCKS:
			g->cpu_shard[cpu] = (u64)k++ * g->nr_shards / n;
			break;
		case MAPRING_SHARD_ASSIGN_NUMA:
			node = cpu_to_node(cpu);
			g->cpu_shard[cpu] = node < 0 ? 0 : node % g->nr_shards;
			break;
		default:
			if (table[cpu] >= g->nr_shards)
				return -EINVAL;
			g->cpu_shard[cpu] = table[cpu];
		}
	}
	return 0;
}

static int group_check(u32 nr_shards, const struct mapring_ring_group_opts *o)
{
	if (!nr_shards || nr_shards > num_possible_cpus() ||
	    nr_shards > MAPRING_RING_GROUP_MAX_SHARDS)
		return -EINVAL;
	/* shards are for kernel producers: user rings have none */
	if (o->flags & MAPRING_RING_F_USER)
		return -EINVAL;
	if (o->assign > MAPRING_SHARD_ASSIGN_TABLE)
		return -EINVAL;
	if (o->assign == MAPRING_SHARD_ASSIGN_TABLE ? !o->cpu_table : !!o->cpu_table)
		return -EINVAL;
	return 0;
}

/* A new, published group with one reference, or ERR_PTR. */
static struct mapring_ring_group *
group_new(const char *name, u32 nr_shards, u64 shard_size,
	  const struct mapring_ring_group_opts *opts)
{
	struct mapring_ring_opts ropts = {
		.flags = opts->flags,
		.wakeup_usecs = opts->wakeup_usecs,
		.wakeup_bytes = opts->wakeup_bytes,
		.access = opts->access,
	};
	struct mapring_ring_group *g;
	struct mapring_ring *ring;
	int err;
	u32 i;

	err = group_check(nr_shards, opts);
	if (err)
		return ERR_PTR(err);
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return ERR_PTR(-ENOMEM);
	/* From here on, putting the object frees whatever was allocated. */
	mapring_obj_init(&g->obj, MAPRING_OBJ_RING_GROUP, &group_obj_ops);
	g->obj.access = opts->access;
	g->nr_shards = nr_shards;
	g->assign = opts->assign;
	g->flags = opts->flags;
	g->shard_size = shard_size;

	err = -ENOMEM;
	g->cpu_shard = kcalloc(nr_cpu_ids, sizeof(*g->cpu_shard),
			       GFP_KERNEL_ACCOUNT);
	g->shards = kcalloc(nr_shards, sizeof(*g->shards), GFP_KERNEL_ACCOUNT);
	if (!g->cpu_shard || !g->shards)
		goto fail;
	err = group_assign(g, opts->cpu_table);
	if (err)
		goto fail;
	for (i = 0; i < nr_shards; i++) {
		ring = mapring_ring_create(NULL, shard_size, &ropts);
		if (IS_ERR(ring)) {
			err = PTR_ERR(ring);
			goto fail;
		}
		g->shards[i] = ring;
	}
	err = mapring_obj_publish(&g->obj, name);
	if (err)
		goto fail;
	return g;
fail:
	/* the free puts the shards made so far (NULL for the others) */
	mapring_obj_put(&g->obj);
	return ERR_PTR(err);
}

long mapring_ioc_ring_group_create(void __user *uarg)
{
	struct mapring_ring_group_create attr;
	struct mapring_ring_group_opts opts;
	struct mapring_ring_group *g;
	u32 *table = NULL;
	u32 usize;
	int err, fd;

	err = mapring_uattr_in(&attr, sizeof(attr),
			       MAPRING_RING_GROUP_CREATE_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if (attr.__pad0)
		return -EINVAL;
	err = mapring_obj_name_check(attr.name);
	if (err)
		return err;
	if (attr.assign == MAPRING_SHARD_ASSIGN_TABLE) {
		if (attr.nr_cpu_table != nr_cpu_ids || !attr.cpu_table)
			return -EINVAL;
		table = memdup_user(u64_to_user_ptr(attr.cpu_table),
				    nr_cpu_ids * sizeof(*table));
		if (IS_ERR(table))
			return PTR_ERR(table);
	} else if (attr.cpu_table || attr.nr_cpu_table) {
		return -EINVAL;
	}
	err = mapring_may_create();
	if (err)
		goto out;

	opts = (struct mapring_ring_group_opts) {
		.flags = attr.flags,
		.wakeup_bytes = attr.wakeup_bytes,
		.wakeup_usecs = attr.wakeup_usecs,
		.access = attr.access,
		.assign = attr.assign,
		.cpu_table = table,
	};
	g = group_new(attr.name, attr.nr_shards, attr.shard_size, &opts);
	if (IS_ERR(g)) {
		err = PTR_ERR(g);
		goto out;
	}
	fd = mapring_obj_new_fd(&g->obj);
	if (fd < 0)
		mapring_obj_put(&g->obj);
	err = fd;
out:
	kfree(table);
	return err;
}

static long group_ioc_info(struct mapring_ring_group *g, void __user *uarg)
{
	struct mapring_ring_group_info q;
	u32 usize, n;
	u64 table;
	int err;

	err = mapring_uattr_in(&q, sizeof(q), MAPRING_RING_GROUP_INFO_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;
	if (q.flags || q.__pad0)
		return -EINVAL;
	table = q.cpu_table;
	n = min_t(u32, q.nr_cpu_table, nr_cpu_ids);
	if (table && copy_to_user(u64_to_user_ptr(table), g->cpu_shard,
				  n * sizeof(*g->cpu_shard)))
		return -EFAULT;

	q = (struct mapring_ring_group_info) {
		.id = g->obj.id,
		.nr_shards = g->nr_shards,
		.ring_flags = g->flags,
		.assign = g->assign,
		.shard_size = g->shard_size,
		.cpu_table = table,
		.nr_cpu_table = nr_cpu_ids,
		.avail = group_sum(g, MAPRING_RB_AVAIL_DATA),
		.drops_full = group_sum(g, MAPRING_RB_DROPS_FULL),
		.drops_too_large = group_sum(g, MAPRING_RB_DROPS_TOO_LARGE),
		.drops_busy = group_sum(g, MAPRING_RB_DROPS_BUSY),
		.wakeups = group_sum(g, MAPRING_RB_WAKEUPS),
		.overwritten = group_sum(g, MAPRING_RB_OVERWRITTEN),
		.memory = group_memory(g),
	};
	return mapring_uattr_out(uarg, &q, sizeof(q), usize);
}

static long group_ioc_shard_fd(struct mapring_ring_group *g, void __user *uarg)
{
	struct mapring_ring_group_shard_fd a;
	struct mapring_ring *ring;
	u32 usize;
	int err, fd;

	err = mapring_uattr_in(&a, sizeof(a),
			       MAPRING_RING_GROUP_SHARD_FD_SIZE_VER0, uarg,
			       &usize);
	if (err)
		return err;
	if (a.flags || a.__pad0)
		return -EINVAL;
	if (a.index >= g->nr_shards)
		return -ENOENT;
	/* whoever holds the group fd may consume its shards, as its owner */
	ring = g->shards[a.index];
	mapring_ring_get(ring);
	fd = mapring_obj_new_fd(&ring->obj);
	if (fd < 0)
		mapring_ring_put(ring);
	return fd;
}

static long group_ioc_sync(struct mapring_ring_group *g, void __user *uarg)
{
	struct mapring_ring_group_sync a;
	u64 w = U64_MAX, t;
	u32 usize, i;
	int err;

	err = mapring_uattr_in(&a, sizeof(a), MAPRING_RING_GROUP_SYNC_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;
	if (a.flags)
		return -EINVAL;
	if (!(g->flags & MAPRING_RING_F_TIMESTAMP))
		return -EINVAL;
	for (i = 0; i < g->nr_shards; i++) {
		t = mapring_ring_stamp_sync(g->shards[i]);
		w = min(w, t);
	}
	a.watermark = w;
	return mapring_uattr_out(uarg, &a, sizeof(a), usize);
}

static long group_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	struct mapring_ring_group *g = to_group(file->private_data);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MAPRING_IOC_RING_GROUP_INFO:
		return group_ioc_info(g, uarg);
	case MAPRING_IOC_RING_GROUP_SHARD_FD:
		return group_ioc_shard_fd(g, uarg);
	case MAPRING_IOC_RING_GROUP_SYNC:
		return group_ioc_sync(g, uarg);
	default:
		return -ENOTTY;
	}
}

/* .owner pins mapring.ko while any group fd exists. */
static const struct file_operations group_fops = {
	.owner = THIS_MODULE,
	.release = mapring_obj_release,
	.unlocked_ioctl = group_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.show_fdinfo = mapring_obj_show_fdinfo,
};

/* ---- the kernel API ---------------------------------------------------- */

struct mapring_ring_group *
mapring_ring_group_create(const char *name, u32 nr_shards, u64 shard_size,
			  const struct mapring_ring_group_opts *opts)
{
	static const struct mapring_ring_group_opts none;
	char buf[MAPRING_NAME_LEN] = "";

	if (name && strscpy(buf, name, sizeof(buf)) < 0)
		return ERR_PTR(-EINVAL);
	if (mapring_obj_name_check(buf))
		return ERR_PTR(-EINVAL);
	return group_new(buf, nr_shards, shard_size, opts ?: &none);
}
EXPORT_SYMBOL_GPL(mapring_ring_group_create);

struct mapring_ring_group *mapring_ring_group_get_by_name(const char *name)
{
	char buf[MAPRING_NAME_LEN];
	struct mapring_obj *obj;

	if (!name || strscpy(buf, name, sizeof(buf)) < 0 ||
	    mapring_obj_name_check(buf))
		return ERR_PTR(-EINVAL);
	obj = mapring_obj_get_by_name(buf, MAPRING_OBJ_RING_GROUP);
	return IS_ERR(obj) ? ERR_CAST(obj) : to_group(obj);
}
EXPORT_SYMBOL_GPL(mapring_ring_group_get_by_name);

void mapring_ring_group_get(struct mapring_ring_group *group)
{
	mapring_obj_get(&group->obj);
}
EXPORT_SYMBOL_GPL(mapring_ring_group_get);

void mapring_ring_group_put(struct mapring_ring_group *group)
{
	if (group)
		mapring_obj_put(&group->obj);
}
EXPORT_SYMBOL_GPL(mapring_ring_group_put);

struct mapring_ring *mapring_ring_group_shard(struct mapring_ring_group *group)
{
	/* a hint for locality: any shard takes any producer */
	return group->shards[group->cpu_shard[raw_smp_processor_id()]];
}
EXPORT_SYMBOL_GPL(mapring_ring_group_shard);

struct mapring_ring *mapring_ring_group_shard_at(struct mapring_ring_group *group,
						 u32 index)
{
	return index < group->nr_shards ? group->shards[index] : NULL;
}
EXPORT_SYMBOL_GPL(mapring_ring_group_shard_at);

u32 mapring_ring_group_cpu_shard(struct mapring_ring_group *group,
				 unsigned int cpu)
{
	return cpu < nr_cpu_ids ? group->cpu_shard[cpu] : MAPRING_SHARD_NONE;
}
EXPORT_SYMBOL_GPL(mapring_ring_group_cpu_shard);

u32 mapring_ring_group_nr_shards(struct mapring_ring_group *group)
{
	return group->nr_shards;
}
EXPORT_SYMBOL_GPL(mapring_ring_group_nr_shards);

int mapring_ring_group_output(struct mapring_ring_group *group,
			      const void *data, u64 size, u64 flags)
{
	return mapring_ring_output(mapring_ring_group_shard(group), data, size,
				   flags);
}
EXPORT_SYMBOL_GPL(mapring_ring_group_output);

u64 mapring_ring_group_query(struct mapring_ring_group *group, u64 what)
{
	return group_sum(group, what);
}
EXPORT_SYMBOL_GPL(mapring_ring_group_query);

u32 mapring_ring_group_id(struct mapring_ring_group *group)
{
	return group->obj.id;
}
EXPORT_SYMBOL_GPL(mapring_ring_group_id);
