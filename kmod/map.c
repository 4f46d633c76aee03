// SPDX-License-Identifier: GPL-2.0
/*
 * Maps: creation, the map fd and its commands, with the bpf() syscall's
 * semantics and errno values (docs/maps.md), plus aggregation and
 * read-and-reset. The types live in map_array.c and map_hash.c.
 *
 * User buffers are never touched under a lock or RCU: keys and values go
 * through kernel bounce buffers, as bpf() does.
 */
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"
#include "map.h"

/* ---- value copies ------------------------------------------------------- */

static void words_out(void *dst, const void *src, u32 len)
{
	const u64 *s = src;
	u64 *d = dst;
	u32 i, n = len / 8;

	for (i = 0; i < n; i++)
		d[i] = READ_ONCE(s[i]);
	if (len % 8)
		memcpy(d + n, s + n, len % 8);
}

/* src NULL: zeroes */
static void words_in(void *dst, const void *src, u32 len)
{
	const u64 *s = src;
	u64 *d = dst;
	u32 i, n = len / 8;

	for (i = 0; i < n; i++)
		WRITE_ONCE(d[i], s ? s[i] : 0);
	if (len % 8) {
		if (s)
			memcpy(d + n, s + n, len % 8);
		else
			memset(d + n, 0, len % 8);
	}
}

static u32 flags_cpu(u64 flags)
{
	return flags >> MAPRING_F_CPU_SHIFT;
}

void mapring_map_copy_out(struct mapring_map *map, void __percpu *pptr,
			  void *value, u64 flags)
{
	u32 off = 0;
	int cpu;

	if (flags & MAPRING_F_CPU) {
		words_out(value, per_cpu_ptr(pptr, flags_cpu(flags)),
			  map->value_size);
		return;
	}
	/* packed by possible-CPU ordinal, whatever holes the mask has */
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		/* the mask tested inline: for_each_possible_cpu() calls per CPU */
		if (!cpu_possible(cpu))
			continue;
		words_out(value + off, per_cpu_ptr(pptr, cpu), map->elem_size);
		off += map->elem_size;
	}
}

void mapring_map_copy_in(struct mapring_map *map, void __percpu *pptr,
			 const void *value, u64 flags)
{
	u32 off = 0;
	int cpu;

	if (flags & MAPRING_F_CPU) {
		words_in(per_cpu_ptr(pptr, flags_cpu(flags)), value,
			 map->value_size);
		return;
	}
	for_each_possible_cpu(cpu) {
		if (flags & MAPRING_F_ALL_CPUS) {
			words_in(per_cpu_ptr(pptr, cpu), value, map->value_size);
		} else {
			words_in(per_cpu_ptr(pptr, cpu), value ? value + off : NULL,
				 map->elem_size);
			off += map->elem_size;
		}
	}
}

void mapring_map_zero(struct mapring_map *map, void __percpu *pptr)
{
	int cpu;

	for_each_possible_cpu(cpu)
		words_in(per_cpu_ptr(pptr, cpu), NULL, map->elem_size);
}

int mapring_map_check_flags(u64 flags, u64 allowed)
{
	u32 cpu;

	if ((u32)flags & ~allowed)
		return -EINVAL;
	/* no map value here has a spin lock, so bpf() refuses it */
	if (flags & MAPRING_F_LOCK)
		return -EINVAL;
	if (!(flags & MAPRING_F_CPU) && flags_cpu(flags))
		return -EINVAL;
	if ((flags & MAPRING_F_CPU) && (flags & MAPRING_F_ALL_CPUS))
		return -EINVAL;
	if ((flags & (MAPRING_NOEXIST | MAPRING_EXIST)) ==
	    (MAPRING_NOEXIST | MAPRING_EXIST))
		return -EINVAL;
	if (flags & MAPRING_F_CPU) {
		/* cpu_possible(), not a count: the mask may have holes */
		cpu = flags_cpu(flags);
		if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
			return -ERANGE;
	}
	return 0;
}

#define LOOKUP_FLAGS	(MAPRING_F_LOCK | MAPRING_F_CPU)
/* Keys and values a lookup copies through its stack frame, in bytes. */
#define LOOKUP_STACK_KEY	64
#define LOOKUP_STACK_VALUE	256
#define UPDATE_FLAGS	(MAPRING_NOEXIST | MAPRING_EXIST | MAPRING_F_LOCK | \
			 MAPRING_F_CPU | MAPRING_F_ALL_CPUS)
#define BATCH_UPDATE_FLAGS (MAPRING_F_LOCK | MAPRING_F_CPU | MAPRING_F_ALL_CPUS)

/* ---- aggregation -------------------------------------------------------- */

void mapring_map_reduce(void __percpu *pptr, const u32 *offs, u32 nr,
			u32 op, bool sign, bool reset, u64 *res)
{
	u32 f, off;
	u64 acc, v;
	int cpu;

	for (f = 0; f < nr; f++) {
		off = offs ? offs[f] : f * 8;
		if (op == MAPRING_AGG_MIN)
			acc = sign ? (u64)S64_MAX : U64_MAX;
		else if (op == MAPRING_AGG_MAX)
			acc = sign ? (u64)S64_MIN : 0;
		else
			acc = 0;
		for_each_possible_cpu(cpu) {
			void *p = per_cpu_ptr(pptr, cpu) + off;

			/*
			 * An exchange, not a read then a store: an increment
			 * that lands between them would be lost. Increments
			 * through the kernel API are atomic adds, so each one
			 * is in exactly one reset's sum.
			 */
			if (reset)
				v = atomic64_xchg((atomic64_t *)p, 0);
			else
				v = READ_ONCE(*(u64 *)p);
			if (op == MAPRING_AGG_SUM)
				acc += v;
			else if (op == MAPRING_AGG_MIN)
				acc = sign ? (u64)min_t(s64, acc, v) : min(acc, v);
			else
				acc = sign ? (u64)max_t(s64, acc, v) : max(acc, v);
		}
		res[f] = acc;
	}
}

/* ---- creation ----------------------------------------------------------- */

int mapring_map_fits(u64 bytes)
{
	u64 avail = (u64)si_mem_available() << PAGE_SHIFT;

	/* an eighth of it stays for page tables and everybody else */
	return bytes > avail - avail / 8 ? -ENOMEM : 0;
}

struct mapring_map *mapring_map_new(const struct mapring_map_create *attr)
{
	struct mapring_map *map;

	if (mapring_obj_name_check(attr->name) ||
	    (attr->access & ~MAPRING_ACCESS_ALL))
		return ERR_PTR(-EINVAL);
	/* bpf_get_file_flag(): not both read-only and write-only */
	if ((attr->map_flags & MAPRING_F_RDONLY) &&
	    (attr->map_flags & MAPRING_F_WRONLY))
		return ERR_PTR(-EINVAL);
	if ((attr->map_flags & MAPRING_F_RDONLY_PROG) &&
	    (attr->map_flags & MAPRING_F_WRONLY_PROG))
		return ERR_PTR(-EINVAL);

	switch (attr->map_type) {
	case MAPRING_OBJ_PERCPU_ARRAY:
		map = mapring_array_alloc(attr);
		break;
	case MAPRING_OBJ_PERCPU_HASH:
	case MAPRING_OBJ_LRU_PERCPU_HASH:
		map = mapring_hash_alloc(attr);
		break;
	default:
		return ERR_PTR(-EINVAL);
	}
	if (!IS_ERR(map))
		map->obj.access = attr->access;
	return map;
}

static void map_obj_free(struct mapring_obj *obj)
{
	struct mapring_map *map = to_map(obj);

	map->ops->free(map);
}

static void map_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct mapring_map *map = to_map(file->private_data);

	mapring_obj_show_fdinfo(m, file);
	seq_printf(m, "key_size:\t%u\n", map->key_size);
	seq_printf(m, "value_size:\t%u\n", map->value_size);
	seq_printf(m, "max_entries:\t%u\n", map->max_entries);
	seq_printf(m, "map_flags:\t%#x\n", map->map_flags);
	seq_printf(m, "entries:\t%u\n", map->ops->entries(map));
	if (map->ops->show_fdinfo)
		map->ops->show_fdinfo(map, m);
}

static long map_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

static const struct file_operations map_fops = {
	.owner = THIS_MODULE,
	.release = mapring_obj_release,
	.unlocked_ioctl = map_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.show_fdinfo = map_show_fdinfo,
	.llseek = noop_llseek,
};

static void map_fill_info(struct mapring_obj *obj,
			  struct mapring_obj_info *info)
{
	struct mapring_map *map = to_map(obj);

	info->memory = map->ops->memory(map);
	info->drops = atomic64_read(&map->drops);
	info->obj_flags = map->map_flags;
	info->key_size = map->key_size;
	info->value_size = map->value_size;
	info->max_entries = map->max_entries;
	info->entries = map->ops->entries(map);
	info->nr_possible_cpus = num_possible_cpus();
}

const struct mapring_obj_ops mapring_map_obj_ops = {
	.fops = &map_fops,
	.fd_name = "mapring-map",
	.free = map_obj_free,
	.fill_info = map_fill_info,
};

long mapring_ioc_map_create(void __user *uarg)
{
	struct mapring_map_create attr;
	struct mapring_map *map;
	u32 usize;
	int err, fd;

	err = mapring_uattr_in(&attr, sizeof(attr),
			       MAPRING_MAP_CREATE_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if ((attr.access & ~MAPRING_ACCESS_ALL) || attr.__pad0)
		return -EINVAL;
	err = mapring_may_create();
	if (err)
		return err;
	map = mapring_map_new(&attr);
	if (IS_ERR(map))
		return PTR_ERR(map);
	err = mapring_obj_publish(&map->obj, attr.name);
	if (err) {
		mapring_obj_put(&map->obj);
		return err;
	}
	fd = mapring_obj_new_fd(&map->obj);
	if (fd < 0)
		mapring_obj_put(&map->obj);
	return fd;
}

/* ---- single elements ---------------------------------------------------- */

static bool may_read(struct mapring_map *map)
{
	return !(map->map_flags & MAPRING_F_WRONLY);
}

static bool may_write(struct mapring_map *map)
{
	return !(map->map_flags & MAPRING_F_RDONLY);
}

static void *copy_key(struct mapring_map *map, u64 ukey)
{
	return vmemdup_user(u64_to_user_ptr(ukey), map->key_size);
}

static int map_info(struct mapring_map *map, void __user *uarg)
{
	struct mapring_map_info info;
	u32 usize;
	int err;

	err = mapring_uattr_in(&info, sizeof(info), MAPRING_MAP_INFO_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;
	memset(&info, 0, sizeof(info));
	info.map_type = map->obj.type;
	info.id = map->obj.id;
	info.key_size = map->key_size;
	info.value_size = map->value_size;
	info.max_entries = map->max_entries;
	info.map_flags = map->map_flags;
	info.nr_possible_cpus = num_possible_cpus();
	memcpy(info.name, map->obj.name, sizeof(info.name));
	return mapring_uattr_out(uarg, &info, sizeof(info), usize);
}

static int map_lookup(struct mapring_map *map, struct mapring_map_elem *attr,
		      bool delete)
{
	u64 allowed = delete ? MAPRING_F_LOCK : LOOKUP_FLAGS;
	/* small keys and values (most) go through the stack, not kvmalloc */
	u64 key_buf[LOOKUP_STACK_KEY / 8], value_buf[LOOKUP_STACK_VALUE / 8];
	void *key, *value;
	u32 vsize;
	int err;

	/* bpf() refuses unknown flags before anything else */
	if (((u32)attr->flags & ~allowed) ||
	    (!(attr->flags & MAPRING_F_CPU) && flags_cpu(attr->flags)))
		return -EINVAL;
	if (!may_read(map) || (delete && !may_write(map)))
		return -EPERM;
	err = mapring_map_check_flags(attr->flags, allowed);
	if (err)
		return err;

	if (map->key_size <= sizeof(key_buf)) {
		key = key_buf;
		if (copy_from_user(key, u64_to_user_ptr(attr->key),
				   map->key_size))
			return -EFAULT;
	} else {
		key = copy_key(map, attr->key);
		if (IS_ERR(key))
			return PTR_ERR(key);
	}
	vsize = mapring_map_value_bytes(map, attr->flags);
	value = vsize <= sizeof(value_buf) ? value_buf :
		kvmalloc(vsize, GFP_USER | __GFP_NOWARN);
	err = -ENOMEM;
	if (!value)
		goto out_key;

	if (!delete)
		err = map->ops->copy(map, key, value, attr->flags);
	else if (map->ops->lookup_and_delete)
		err = map->ops->lookup_and_delete(map, key, value);
	else
		err = -MAPRING_ENOTSUPP;
	if (!err && copy_to_user(u64_to_user_ptr(attr->value), value, vsize))
		err = -EFAULT;
	if (value != value_buf)
		kvfree(value);
out_key:
	if (key != key_buf)
		kvfree(key);
	return err;
}

static int map_update(struct mapring_map *map, struct mapring_map_elem *attr)
{
	void *key, *value;
	int err;

	if (!may_write(map))
		return -EPERM;
	/*
	 * bpf()'s order: F_LOCK and the CPU flags (which size the value) are
	 * checked before the key and value are copied, the rest after.
	 */
	if (attr->flags & MAPRING_F_LOCK)
		return -EINVAL;
	if (attr->flags & (MAPRING_F_CPU | MAPRING_F_ALL_CPUS)) {
		err = mapring_map_check_flags(attr->flags, UPDATE_FLAGS);
		if (err)
			return err;
	}
	key = copy_key(map, attr->key);
	if (IS_ERR(key))
		return PTR_ERR(key);
	value = vmemdup_user(u64_to_user_ptr(attr->value),
			     mapring_map_value_bytes(map, attr->flags));
	if (IS_ERR(value)) {
		err = PTR_ERR(value);
		goto out_key;
	}
	err = mapring_map_check_flags(attr->flags, UPDATE_FLAGS);
	if (!err)
		err = map->ops->update(map, key, value, attr->flags);
	kvfree(value);
out_key:
	kvfree(key);
	return err;
}

static int map_delete(struct mapring_map *map, struct mapring_map_elem *attr)
{
	void *key;
	int err;

	/* no flag is defined for delete: bpf() refuses any (and F_LOCK) */
	if (attr->flags)
		return -EINVAL;
	if (!may_write(map))
		return -EPERM;
	key = copy_key(map, attr->key);
	if (IS_ERR(key))
		return PTR_ERR(key);
	err = map->ops->delete(map, key);
	kvfree(key);
	return err;
}

static int map_get_next_key(struct mapring_map *map,
			    struct mapring_map_elem *attr)
{
	void *key = NULL, *next;
	int err;

	if (attr->flags)
		return -EINVAL;
	if (!may_read(map))
		return -EPERM;
	if (attr->key) {
		key = copy_key(map, attr->key);
		if (IS_ERR(key))
			return PTR_ERR(key);
	}
	next = kvmalloc(map->key_size, GFP_USER);
	err = -ENOMEM;
	if (!next)
		goto out_key;
	err = map->ops->get_next_key(map, key, next);
	if (!err && copy_to_user(u64_to_user_ptr(attr->next_key), next,
				 map->key_size))
		err = -EFAULT;
	kvfree(next);
out_key:
	kvfree(key);
	return err;
}

static long map_elem_cmd(struct mapring_map *map, unsigned int cmd,
			 void __user *uarg)
{
	struct mapring_map_elem attr;
	u32 usize;
	int err;

	err = mapring_uattr_in(&attr, sizeof(attr), MAPRING_MAP_ELEM_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;
	if (attr.__pad0)
		return -EINVAL;

	switch (cmd) {
	case MAPRING_IOC_MAP_LOOKUP_ELEM:
		return map_lookup(map, &attr, false);
	case MAPRING_IOC_MAP_LOOKUP_AND_DELETE_ELEM:
		return map_lookup(map, &attr, true);
	case MAPRING_IOC_MAP_UPDATE_ELEM:
		return map_update(map, &attr);
	case MAPRING_IOC_MAP_DELETE_ELEM:
		return map_delete(map, &attr);
	default:
		return map_get_next_key(map, &attr);
	}
}

/* ---- batches ------------------------------------------------------------ */

/* bpf()'s generic lookup batch: a walk of get_next_key, cursor = a key. */
static int generic_lookup_batch(struct mapring_map *map,
				const struct mapring_map_batch *attr,
				struct mapring_map_batch __user *uattr)
{
	void __user *ukeys = u64_to_user_ptr(attr->keys);
	void __user *uvalues = u64_to_user_ptr(attr->values);
	void __user *uin = u64_to_user_ptr(attr->in_batch);
	void *buf, *prev_buf, *prev = NULL, *key, *value;
	u32 vsize, cp, max_count;
	int err;

	err = mapring_map_check_flags(attr->elem_flags, LOOKUP_FLAGS);
	if (err)
		return err;
	vsize = mapring_map_value_bytes(map, attr->elem_flags);
	max_count = attr->count;
	if (!max_count)
		return 0;
	if (put_user(0, &uattr->count))
		return -EFAULT;

	prev_buf = kvmalloc(map->key_size, GFP_USER | __GFP_NOWARN);
	buf = kvmalloc(map->key_size + vsize, GFP_USER | __GFP_NOWARN);
	err = -ENOMEM;
	if (!prev_buf || !buf)
		goto out;
	err = -EFAULT;
	if (uin) {
		if (copy_from_user(prev_buf, uin, map->key_size))
			goto out;
		prev = prev_buf;
	}
	key = buf;
	value = buf + map->key_size;

	for (cp = 0; cp < max_count;) {
		err = map->ops->get_next_key(map, prev, key);
		if (err)
			break;
		err = map->ops->copy(map, key, value, attr->elem_flags);
		if (!err) {
			if (copy_to_user(ukeys + (size_t)cp * map->key_size, key,
					 map->key_size) ||
			    copy_to_user(uvalues + (size_t)cp * vsize, value, vsize)) {
				err = -EFAULT;
				goto out;
			}
			cp++;
		} else if (err != -ENOENT) {
			goto out;
		}
		/* the key just handled becomes the cursor */
		if (!prev)
			prev = prev_buf;
		swap(prev, key);
		cond_resched();
	}

	if (put_user(cp, &uattr->count) ||
	    (cp && copy_to_user(u64_to_user_ptr(attr->out_batch), prev,
				map->key_size)))
		err = -EFAULT;
out:
	/* key and value share buf; prev may point at either buffer */
	kvfree(prev_buf);
	kvfree(buf);
	return err;
}

/* bpf()'s generic update and delete batches: stop at the first error. */
static int generic_write_batch(struct mapring_map *map,
			       const struct mapring_map_batch *attr,
			       struct mapring_map_batch __user *uattr,
			       bool update)
{
	void __user *ukeys = u64_to_user_ptr(attr->keys);
	void __user *uvalues = u64_to_user_ptr(attr->values);
	void *key, *value = NULL;
	u32 vsize = 0, cp, max_count;
	int err;

	err = mapring_map_check_flags(attr->elem_flags, update ?
				      BATCH_UPDATE_FLAGS : MAPRING_F_LOCK);
	if (err)
		return err;
	max_count = attr->count;
	if (!max_count)
		return 0;
	if (put_user(0, &uattr->count))
		return -EFAULT;

	key = kvmalloc(map->key_size, GFP_USER | __GFP_NOWARN);
	if (!key)
		return -ENOMEM;
	if (update) {
		vsize = mapring_map_value_bytes(map, attr->elem_flags);
		value = kvmalloc(vsize, GFP_USER | __GFP_NOWARN);
		if (!value) {
			kvfree(key);
			return -ENOMEM;
		}
	}

	for (cp = 0; cp < max_count; cp++) {
		err = -EFAULT;
		if (copy_from_user(key, ukeys + (size_t)cp * map->key_size,
				   map->key_size))
			break;
		if (update) {
			if (copy_from_user(value, uvalues + (size_t)cp * vsize, vsize))
				break;
			err = map->ops->update(map, key, value,
					       attr->elem_flags);
		} else {
			err = map->ops->delete(map, key);
		}
		if (err)
			break;
		cond_resched();
	}
	if (put_user(cp, &uattr->count))
		err = -EFAULT;
	kvfree(value);
	kvfree(key);
	return err;
}

static long map_batch_cmd(struct mapring_map *map, unsigned int cmd,
			  void __user *uarg)
{
	struct mapring_map_batch __user *uattr = uarg;
	struct mapring_map_batch attr;
	bool has_read = cmd == MAPRING_IOC_MAP_LOOKUP_BATCH ||
			cmd == MAPRING_IOC_MAP_LOOKUP_AND_DELETE_BATCH;
	bool has_write = cmd != MAPRING_IOC_MAP_LOOKUP_BATCH;
	u32 usize;
	int err;

	err = mapring_uattr_in(&attr, sizeof(attr), MAPRING_MAP_BATCH_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;
	if ((has_read && !may_read(map)) || (has_write && !may_write(map)))
		return -EPERM;

	switch (cmd) {
	case MAPRING_IOC_MAP_LOOKUP_BATCH:
		if (map->ops->lookup_batch)
			return map->ops->lookup_batch(map, &attr, uattr, false);
		return generic_lookup_batch(map, &attr, uattr);
	case MAPRING_IOC_MAP_LOOKUP_AND_DELETE_BATCH:
		if (map->ops->lookup_batch)
			return map->ops->lookup_batch(map, &attr, uattr, true);
		return -MAPRING_ENOTSUPP;
	case MAPRING_IOC_MAP_UPDATE_BATCH:
		return generic_write_batch(map, &attr, uattr, true);
	default:
		if (!map->ops->has_delete_batch)
			return -MAPRING_ENOTSUPP;
		return generic_write_batch(map, &attr, uattr, false);
	}
}

/* ---- aggregate, read and reset ------------------------------------------ */

/* Keys a reduce command copies in, and results it copies out, at a time. */
#define AGG_CHUNK	256

/*
 * Sum nr fields of n elements CPU by CPU: each CPU's values of the
 * elements sit together in that CPU's per-CPU unit, so this visits each
 * unit once per chunk, where element by element it would visit every unit
 * for every element (every value on another page, for every key).
 */
static void agg_sum_by_cpu(void __percpu **pptrs, u32 n, const u32 *offs,
			   u32 nr, u64 *res)
{
	u32 i, f;
	void *p;
	int cpu;

	memset(res, 0, (size_t)n * nr * sizeof(*res));
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_possible(cpu))
			continue;
		for (i = 0; i < n; i++) {
			p = per_cpu_ptr(pptrs[i], cpu);
			for (f = 0; f < nr; f++)
				res[(size_t)i * nr + f] +=
					READ_ONCE(*(u64 *)(p + (offs ? offs[f] :
								f * 8)));
		}
	}
}

/*
 * Reduce n keys at kbuf into res, nr results a key (pptrs: room for n
 * element pointers). Returns the keys done: all, or those before the first
 * absent one (*err = -ENOENT).
 */
static u32 agg_reduce_chunk(struct mapring_map *map, const void *kbuf, u32 n,
			    const struct mapring_map_aggregate *attr,
			    const u32 *offs, u32 nr, bool reset,
			    void __percpu **pptrs, u64 *res, int *err)
{
	u32 i;

	rcu_read_lock();
	for (i = 0; i < n; i++) {
		pptrs[i] = map->ops->lookup(map, kbuf + (size_t)i * map->key_size,
					    false);
		if (!pptrs[i]) {
			*err = -ENOENT;
			break;
		}
	}
	if (attr->op == MAPRING_AGG_SUM && !reset) {
		agg_sum_by_cpu(pptrs, i, offs, nr, res);
	} else {
		for (n = 0; n < i; n++)
			mapring_map_reduce(pptrs[n], offs, nr, attr->op,
					   attr->flags & MAPRING_AGG_F_SIGNED,
					   reset, res + (size_t)n * nr);
	}
	rcu_read_unlock();
	return i;
}

static long map_aggregate(struct mapring_map *map, void __user *uarg,
			  bool reset)
{
	struct mapring_map_aggregate __user *uattr = uarg;
	struct mapring_map_aggregate attr;
	void __user *ukeys, *ures, *uout;
	u32 words = map->elem_size / 8;
	u32 usize, nr, i, n, chunk, done = 0, *offs = NULL;
	size_t rbytes, left;
	void __percpu **pptrs = NULL;
	void *kbuf = NULL;
	u64 *res = NULL;
	int err;

	err = mapring_uattr_in(&attr, sizeof(attr),
			       MAPRING_MAP_AGGREGATE_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if (!may_read(map) || (reset && !may_write(map)))
		return -EPERM;
	if (attr.op > MAPRING_AGG_MAX || (reset && attr.op != MAPRING_AGG_SUM))
		return -EINVAL;
	if (attr.flags & ~MAPRING_AGG_F_SIGNED)
		return -EINVAL;

	nr = attr.nr_fields;
	if (!nr) {
		if (attr.offsets)
			return -EINVAL;
		nr = words;
	} else {
		if (nr > words)
			return -EINVAL;
		offs = memdup_user(u64_to_user_ptr(attr.offsets),
				   nr * sizeof(*offs));
		if (IS_ERR(offs))
			return PTR_ERR(offs);
		for (i = 0; i < nr; i++) {
			if (offs[i] % 8 || offs[i] > map->elem_size - 8) {
				err = -EINVAL;
				goto out;
			}
		}
	}
	if (!attr.count)
		goto out;
	err = -EFAULT;
	if (put_user(0, &uattr->count))
		goto out;

	err = -ENOMEM;
	chunk = min_t(u32, attr.count, AGG_CHUNK);
	kbuf = kvmalloc_array(chunk, map->key_size, GFP_USER | __GFP_NOWARN);
	pptrs = kvmalloc_array(chunk, sizeof(*pptrs), GFP_USER | __GFP_NOWARN);
	res = kvmalloc_array((size_t)chunk * nr, sizeof(*res),
			     GFP_USER | __GFP_NOWARN);
	if (!kbuf || !pptrs || !res)
		goto out;

	/*
	 * A chunk of keys in, a chunk of results out: two user copies per
	 * chunk, not per key. Keys are still done in order and a fault stops
	 * at the key it hits, so count means what it did key by key.
	 */
	err = 0;
	rbytes = nr * sizeof(*res);
	ukeys = u64_to_user_ptr(attr.keys);
	ures = u64_to_user_ptr(attr.results);
	while (done < attr.count) {
		n = min(attr.count - done, chunk);
		left = copy_from_user(kbuf, ukeys + (size_t)done * map->key_size,
				      (size_t)n * map->key_size);
		if (left) {
			n -= DIV_ROUND_UP(left, map->key_size);
			err = -EFAULT;
		}
		uout = ures + (size_t)done * rbytes;
		/* reset clears what it could not report: find out first */
		if (reset && n) {
			memset(res, 0, (size_t)n * rbytes);
			left = copy_to_user(uout, res, (size_t)n * rbytes);
			if (left) {
				n -= DIV_ROUND_UP(left, rbytes);
				err = -EFAULT;
			}
		}
		/* an absent key comes before any fault after it */
		i = agg_reduce_chunk(map, kbuf, n, &attr, offs, nr, reset,
				     pptrs, res, &err);
		left = copy_to_user(uout, res, (size_t)i * rbytes);
		if (left) {
			i -= DIV_ROUND_UP(left, rbytes);
			err = -EFAULT;
		}
		done += i;
		if (err)
			break;
		cond_resched();
	}
	if (put_user(done, &uattr->count))
		err = -EFAULT;
out:
	kvfree(res);
	kvfree(pptrs);
	kvfree(kbuf);
	kfree(offs);
	return err;
}

static long map_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mapring_map *map = to_map(file->private_data);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MAPRING_IOC_MAP_INFO:
		return map_info(map, uarg);
	case MAPRING_IOC_MAP_LOOKUP_ELEM:
	case MAPRING_IOC_MAP_UPDATE_ELEM:
	case MAPRING_IOC_MAP_DELETE_ELEM:
	case MAPRING_IOC_MAP_GET_NEXT_KEY:
	case MAPRING_IOC_MAP_LOOKUP_AND_DELETE_ELEM:
		return map_elem_cmd(map, cmd, uarg);
	case MAPRING_IOC_MAP_LOOKUP_BATCH:
	case MAPRING_IOC_MAP_LOOKUP_AND_DELETE_BATCH:
	case MAPRING_IOC_MAP_UPDATE_BATCH:
	case MAPRING_IOC_MAP_DELETE_BATCH:
		return map_batch_cmd(map, cmd, uarg);
	case MAPRING_IOC_MAP_AGGREGATE:
		return map_aggregate(map, uarg, false);
	case MAPRING_IOC_MAP_READ_AND_RESET:
		return map_aggregate(map, uarg, true);
	default:
		return -ENOTTY;
	}
}
