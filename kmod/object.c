// SPDX-License-Identifier: GPL-2.0
/*
 * The object registry: ids, names, references and deferred freeing.
 *
 * Objects sit in one IDR under a spinlock, taken only in task and softirq
 * context. Dropping the last reference takes no lock at all, so a kernel
 * producer may do it from any context but NMI, hard IRQ included, also on
 * PREEMPT_RT where spinlock_t sleeps: the object leaves the IDR in its
 * free work. Until then it stays there with a count of zero, which every
 * lookup skips. The registry hands out references only while the count is
 * above zero; freeing waits for an RCU grace period and then runs on our
 * own workqueue, which module exit drains.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "object.h"

static DEFINE_IDR(mapring_idr);
static DEFINE_SPINLOCK(mapring_idr_lock);
static struct workqueue_struct *mapring_wq;

void mapring_obj_init(struct mapring_obj *obj, u32 type,
		      const struct mapring_obj_ops *ops)
{
	refcount_set(&obj->refcnt, 1);
	obj->id = 0;
	obj->type = type;
	obj->name[0] = '\0';
	obj->ops = ops;
	obj->memcg = get_mem_cgroup_from_mm(current->mm);
	obj->uid = current_euid();
	obj->gid = current_egid();
	obj->access = 0;
	obj->user = NULL;
	obj->user_bytes = 0;
}

int mapring_obj_name_check(const char name[MAPRING_NAME_LEN])
{
	int i;

	/* isalnum() alone would take Latin-1 letters */
	for (i = 0; i < MAPRING_NAME_LEN && name[i]; i++)
		if (!isascii(name[i]) ||
		    (!isalnum(name[i]) && name[i] != '_' && name[i] != '.'))
			return -EINVAL;
	return i < MAPRING_NAME_LEN ? 0 : -EINVAL;
}

/* Called with mapring_idr_lock held. Dying objects (count 0) are skipped. */
static struct mapring_obj *find_by_name(const char *name)
{
	struct mapring_obj *obj;
	int id;

	idr_for_each_entry(&mapring_idr, obj, id)
		if (refcount_read(&obj->refcnt) &&
		    !strncmp(obj->name, name, MAPRING_NAME_LEN))
			return obj;
	return NULL;
}

int mapring_obj_publish(struct mapring_obj *obj, const char *name)
{
	struct mapring_obj_info info = {};
	unsigned long flags;
	int id;

	/* Counted before anyone can see it; the last put uncounts it. */
	if (obj->ops->fill_info)
		obj->ops->fill_info(obj, &info);
	id = mapring_user_charge(obj, info.memory);
	if (id)
		return id;

	strscpy(obj->name, name, sizeof(obj->name));

	idr_preload(GFP_KERNEL);
	spin_lock_irqsave(&mapring_idr_lock, flags);
	if (obj->name[0] && find_by_name(obj->name))
		id = -EEXIST;
	else
		id = idr_alloc_cyclic(&mapring_idr, obj, 1, INT_MAX, GFP_ATOMIC);
	spin_unlock_irqrestore(&mapring_idr_lock, flags);
	idr_preload_end();

	if (id < 0) {
		obj->name[0] = '\0';
		return id == -ENOSPC ? -ENOMEM : id;
	}
	obj->id = id;
	return 0;
}

void mapring_obj_get(struct mapring_obj *obj)
{
	refcount_inc(&obj->refcnt);
}

static void mapring_obj_free_work(struct work_struct *work)
{
	struct mapring_obj *obj =
		container_of(to_rcu_work(work), struct mapring_obj, free_work);
	unsigned long flags;

	if (obj->id) {
		spin_lock_irqsave(&mapring_idr_lock, flags);
		idr_remove(&mapring_idr, obj->id);
		spin_unlock_irqrestore(&mapring_idr_lock, flags);
	}
	mapring_user_release(obj);
	mem_cgroup_put(obj->memcg);
	obj->ops->free(obj);
}

void mapring_obj_put(struct mapring_obj *obj)
{
	if (!refcount_dec_and_test(&obj->refcnt))
		return;
	/* Its owner may create another one right away. */
	mapring_user_uncharge(obj);
	/* Producers may still be inside an RCU read section with a pointer. */
	INIT_RCU_WORK(&obj->free_work, mapring_obj_free_work);
	queue_rcu_work(mapring_wq, &obj->free_work);
}

static bool type_matches(struct mapring_obj *obj, u32 type)
{
	return type == MAPRING_OBJ_UNSPEC || obj->type == type;
}

/* Reference obj unless it is already on its way out. Lock held. */
static struct mapring_obj *get_live(struct mapring_obj *obj)
{
	return obj && refcount_inc_not_zero(&obj->refcnt) ? obj : NULL;
}

struct mapring_obj *mapring_obj_get_by_id(u32 id, u32 type)
{
	struct mapring_obj *obj;
	unsigned long flags;

	if (!id || id > INT_MAX)
		return ERR_PTR(-ENOENT);
	spin_lock_irqsave(&mapring_idr_lock, flags);
	obj = get_live(idr_find(&mapring_idr, id));
	spin_unlock_irqrestore(&mapring_idr_lock, flags);
	if (!obj)
		return ERR_PTR(-ENOENT);
	if (!type_matches(obj, type)) {
		mapring_obj_put(obj);
		return ERR_PTR(-EINVAL);
	}
	return obj;
}

struct mapring_obj *mapring_obj_get_by_name(const char *name, u32 type)
{
	struct mapring_obj *obj;
	unsigned long flags;

	if (!name[0])
		return ERR_PTR(-EINVAL);
	spin_lock_irqsave(&mapring_idr_lock, flags);
	obj = get_live(find_by_name(name));
	spin_unlock_irqrestore(&mapring_idr_lock, flags);
	if (!obj)
		return ERR_PTR(-ENOENT);
	if (!type_matches(obj, type)) {
		mapring_obj_put(obj);
		return ERR_PTR(-EINVAL);
	}
	return obj;
}

int mapring_obj_new_fd(struct mapring_obj *obj)
{
	return anon_inode_getfd(obj->ops->fd_name, obj->ops->fops, obj,
				O_RDWR | O_CLOEXEC);
}

int mapring_obj_release(struct inode *inode, struct file *file)
{
	mapring_obj_put(file->private_data);
	return 0;
}

struct mapring_obj *mapring_obj_get_by_fd(int fd, u32 type)
{
	struct file *file = fget(fd);
	struct mapring_obj *obj;

	if (!file)
		return ERR_PTR(-EBADF);
	/* Every object fd, whatever its type, releases through us. */
	if (file->f_op->release != mapring_obj_release) {
		obj = ERR_PTR(-EINVAL);
	} else {
		obj = file->private_data;
		if (type_matches(obj, type))
			mapring_obj_get(obj);
		else
			obj = ERR_PTR(-EINVAL);
	}
	fput(file);
	return obj;
}

struct mem_cgroup *mapring_obj_charge_begin(struct mapring_obj *obj)
{
	return set_active_memcg(obj->memcg);
}

void mapring_obj_charge_end(struct mem_cgroup *old)
{
	set_active_memcg(old);
}

static const char *const type_names[] = {
	[MAPRING_OBJ_RINGBUF] = "ringbuf",
	[MAPRING_OBJ_PERCPU_ARRAY] = "percpu_array",
	[MAPRING_OBJ_PERCPU_HASH] = "percpu_hash",
	[MAPRING_OBJ_LRU_PERCPU_HASH] = "lru_percpu_hash",
	[MAPRING_OBJ_RING_GROUP] = "ring_group",
};

void mapring_obj_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct mapring_obj *obj = file->private_data;

	seq_printf(m, "mapring_type:\t%s\n",
		   obj->type < ARRAY_SIZE(type_names) && type_names[obj->type] ?
		   type_names[obj->type] : "unknown");
	seq_printf(m, "mapring_id:\t%u\n", obj->id);
	seq_printf(m, "mapring_name:\t%s\n", obj->name);
	if (obj->ops->fill_info) {
		struct mapring_obj_info info = {};

		obj->ops->fill_info(obj, &info);
		seq_printf(m, "mapring_memory:\t%llu\n", info.memory);
		seq_printf(m, "mapring_drops:\t%llu\n", info.drops);
	}
	if (obj->ops->show_fdinfo)
		obj->ops->show_fdinfo(obj, m);
}

/* The object user space means: by id when non-zero, else by name. */
static struct mapring_obj *obj_choose(u32 id, const char name[MAPRING_NAME_LEN],
				      u32 type)
{
	struct mapring_obj *obj;
	int err;

	if (type >= ARRAY_SIZE(type_names))
		return ERR_PTR(-EINVAL);
	if (id) {
		obj = mapring_obj_get_by_id(id, type);
	} else {
		err = mapring_obj_name_check(name);
		if (err)
			return ERR_PTR(err);
		obj = mapring_obj_get_by_name(name, type);
	}
	if (IS_ERR(obj))
		return obj;
	err = mapring_obj_check_open(obj);
	if (err) {
		mapring_obj_put(obj);
		return ERR_PTR(err);
	}
	return obj;
}

long mapring_ioc_obj_open(void __user *uarg)
{
	struct mapring_obj_open attr;
	struct mapring_obj *obj;
	u32 usize;
	int err, fd;

	err = mapring_uattr_in(&attr, sizeof(attr), MAPRING_OBJ_OPEN_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;
	if (attr.flags)
		return -EINVAL;
	obj = obj_choose(attr.id, attr.name, attr.type);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	fd = mapring_obj_new_fd(obj);
	if (fd < 0)
		mapring_obj_put(obj);
	return fd;
}

long mapring_ioc_obj_get_next_id(void __user *uarg)
{
	struct mapring_obj_get_next_id attr;
	struct mapring_obj *obj;
	unsigned long flags;
	bool admin;
	u32 usize;
	int err, id;

	err = mapring_uattr_in(&attr, sizeof(attr),
			       MAPRING_OBJ_GET_NEXT_ID_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if (attr.type >= ARRAY_SIZE(type_names))
		return -EINVAL;
	if (attr.start_id >= INT_MAX)
		return -ENOENT;

	/* a filter, not a refusal: nothing to audit */
	admin = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
	id = attr.start_id + 1;
	spin_lock_irqsave(&mapring_idr_lock, flags);
	/*
	 * Skip objects of other types, those already on their way out and
	 * those the caller may not open: one lists what one may open.
	 */
	while ((obj = idr_get_next(&mapring_idr, &id)) &&
	       (!type_matches(obj, attr.type) || !refcount_read(&obj->refcnt) ||
		!mapring_obj_may_open(obj, admin)))
		id++;
	spin_unlock_irqrestore(&mapring_idr_lock, flags);
	if (!obj)
		return -ENOENT;

	attr.next_id = id;
	return mapring_uattr_out(uarg, &attr, sizeof(attr), usize);
}

long mapring_ioc_obj_info(void __user *uarg)
{
	struct mapring_obj_info info;
	struct mapring_obj *obj;
	u32 usize;
	int err;

	err = mapring_uattr_in(&info, sizeof(info), MAPRING_OBJ_INFO_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;
	if (info.flags)
		return -EINVAL;
	obj = obj_choose(info.id, info.name, info.type);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	memset(&info, 0, sizeof(info));
	info.id = obj->id;
	info.type = obj->type;
	memcpy(info.name, obj->name, sizeof(info.name));
	info.owner_uid = from_kuid_munged(current_user_ns(), obj->uid);
	info.owner_gid = from_kgid_munged(current_user_ns(), obj->gid);
	info.access = obj->access;
	if (obj->ops->fill_info)
		obj->ops->fill_info(obj, &info);
	mapring_obj_put(obj);
	return mapring_uattr_out(uarg, &info, sizeof(info), usize);
}

size_t mapring_alloc_bytes(const void *p, size_t size)
{
	if (!p)
		return 0;
	/* kvmalloc() falls back to vmalloc(), which hands out whole pages */
	if (is_vmalloc_addr(p))
		return PAGE_ALIGN(size);
	return kmalloc_size_roundup(size);
}

int mapring_objects_init(void)
{
	mapring_wq = alloc_workqueue("mapring", WQ_UNBOUND, 0);
	return mapring_wq ? 0 : -ENOMEM;
}

void mapring_objects_exit(void)
{
	/* Let every queued free run before the code it calls goes away. */
	rcu_barrier();
	/*
	 * A free may put the last reference of another object (a ring group
	 * its shards), queueing one more RCU-deferred free: one more round.
	 */
	flush_workqueue(mapring_wq);
	rcu_barrier();
	destroy_workqueue(mapring_wq);
	WARN_ON(!idr_is_empty(&mapring_idr));
	idr_destroy(&mapring_idr);
}
