// SPDX-License-Identifier: GPL-2.0
/* The maps part of the exported kernel API (include/linux/mapring.h). */
#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/mapring.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/smp.h>

#include "map.h"

struct mapring_map *mapring_map_create_opts(u32 map_type, const char *name,
					    u32 key_size, u32 value_size,
					    u32 max_entries,
					    const struct mapring_map_opts *opts)
{
	struct mapring_map_create attr = {
		.size = sizeof(attr),
		.map_type = map_type,
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
		.map_flags = opts ? opts->map_flags : 0,
		.access = opts ? opts->access : 0,
	};
	struct mapring_map *map;
	int err;

	if (name && strscpy(attr.name, name, sizeof(attr.name)) < 0)
		return ERR_PTR(-EINVAL);
	map = mapring_map_new(&attr);
	if (IS_ERR(map))
		return map;
	err = mapring_obj_publish(&map->obj, attr.name);
	if (err) {
		mapring_obj_put(&map->obj);
		return ERR_PTR(err);
	}
	return map;
}
EXPORT_SYMBOL_GPL(mapring_map_create_opts);

struct mapring_map *mapring_map_create(u32 map_type, const char *name,
				       u32 key_size, u32 value_size,
				       u32 max_entries, u32 map_flags)
{
	struct mapring_map_opts opts = { .map_flags = map_flags };

	return mapring_map_create_opts(map_type, name, key_size, value_size,
				       max_entries, &opts);
}
EXPORT_SYMBOL_GPL(mapring_map_create);

static bool is_map(u32 type)
{
	return type == MAPRING_OBJ_PERCPU_ARRAY ||
	       type == MAPRING_OBJ_PERCPU_HASH ||
	       type == MAPRING_OBJ_LRU_PERCPU_HASH;
}

static struct mapring_map *obj_to_map(struct mapring_obj *obj)
{
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	if (!is_map(obj->type)) {
		mapring_obj_put(obj);
		return ERR_PTR(-EINVAL);
	}
	return to_map(obj);
}

struct mapring_map *mapring_map_get_by_name(const char *name)
{
	char buf[MAPRING_NAME_LEN] = {};

	if (!name || strscpy(buf, name, sizeof(buf)) < 0 ||
	    mapring_obj_name_check(buf))
		return ERR_PTR(-EINVAL);
	return obj_to_map(mapring_obj_get_by_name(buf, MAPRING_OBJ_UNSPEC));
}
EXPORT_SYMBOL_GPL(mapring_map_get_by_name);

struct mapring_map *mapring_map_get_by_fd(int fd)
{
	return obj_to_map(mapring_obj_get_by_fd(fd, MAPRING_OBJ_UNSPEC));
}
EXPORT_SYMBOL_GPL(mapring_map_get_by_fd);

void mapring_map_put(struct mapring_map *map)
{
	mapring_obj_put(&map->obj);
}
EXPORT_SYMBOL_GPL(mapring_map_put);

void *mapring_map_lookup_this_cpu(struct mapring_map *map, const void *key)
{
	void __percpu *pptr;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "mapring: lookup without RCU");
	if (map->map_flags & MAPRING_F_WRONLY_PROG)
		return NULL;
	pptr = map->ops->lookup(map, key, true);
	/* this_cpu_ptr() checks the preemption rule under DEBUG_PREEMPT */
	return pptr ? this_cpu_ptr(pptr) : NULL;
}
EXPORT_SYMBOL_GPL(mapring_map_lookup_this_cpu);

/*
 * A failed add or update is a drop when the map had no room (a full hash;
 * for an array -E2BIG is a bad index, the caller's bug) or the context
 * could not insert (-EBUSY, -ENOMEM). Bad offsets and flags are not.
 */
static int count_drop(struct mapring_map *map, int err)
{
	if (err == -ENOMEM || err == -EBUSY ||
	    (err == -E2BIG && map->obj.type != MAPRING_OBJ_PERCPU_ARRAY))
		atomic64_inc(&map->drops);
	return err;
}

/* Bounded: a key deleted between our insert and our add is retried once. */
#define ADD_ATTEMPTS	2

/* Out of line, so that the array path below needs no stack frame. */
static noinline int map_add_hash(struct mapring_map *map, const void *key,
				 u32 off, u64 delta)
{
	void __percpu *pptr;
	int i, err;

	for (i = 0; i < ADD_ATTEMPTS; i++) {
		/*
		 * Preemption off is an RCU read side (one RCU since 4.20)
		 * without rcu_read_lock()'s two calls under PREEMPT_RCU.
		 */
		rcu_read_lock_sched();
		pptr = map->ops->lookup(map, key, true);
		/*
		 * raw_cpu_ptr: the add is atomic, so even a migration would
		 * leave it exactly one count (on the CPU we left).
		 */
		if (pptr)
			atomic64_add(delta, raw_cpu_ptr(pptr) + off);
		rcu_read_unlock_sched();
		if (pptr)
			return 0;
		err = map->ops->update(map, key, NULL, MAPRING_NOEXIST);
		if (err && err != -EEXIST)
			return count_drop(map, err);
	}
	return count_drop(map, -EBUSY);
}

int mapring_map_add(struct mapring_map *map, const void *key, u32 off,
		    u64 delta)
{
	void __percpu *pptr;

	if (off % 8 || off > map->elem_size - 8)
		return -EINVAL;
	if (map->map_flags & MAPRING_F_RDONLY_PROG)
		return -EPERM;
	if (map->obj.type != MAPRING_OBJ_PERCPU_ARRAY)
		return map_add_hash(map, key, off, delta);

	/* arrays: no call, no RCU (elements live with the map), no insert */
	pptr = mapring_array_elem(map, *(const u32 *)key);
	if (!pptr)
		return -E2BIG;
	atomic64_add(delta, raw_cpu_ptr(pptr) + off);
	return 0;
}
EXPORT_SYMBOL_GPL(mapring_map_add);

int mapring_map_update(struct mapring_map *map, const void *key,
		       const void *value, u64 flags)
{
	int err;

	if (map->map_flags & MAPRING_F_RDONLY_PROG)
		return -EPERM;
	if (!(flags & (MAPRING_F_CPU | MAPRING_F_ALL_CPUS)))
		flags |= MAPRING_F_CPU |
			 (u64)raw_smp_processor_id() << MAPRING_F_CPU_SHIFT;
	err = mapring_map_check_flags(flags, MAPRING_NOEXIST | MAPRING_EXIST |
				      MAPRING_F_CPU | MAPRING_F_ALL_CPUS);
	if (err)
		return err;
	return count_drop(map, map->ops->update(map, key, value, flags));
}
EXPORT_SYMBOL_GPL(mapring_map_update);

int mapring_map_delete(struct mapring_map *map, const void *key)
{
	if (map->map_flags & MAPRING_F_RDONLY_PROG)
		return -EPERM;
	return map->ops->delete(map, key);
}
EXPORT_SYMBOL_GPL(mapring_map_delete);

u32 mapring_map_key_size(const struct mapring_map *map)
{
	return map->key_size;
}
EXPORT_SYMBOL_GPL(mapring_map_key_size);

u32 mapring_map_value_size(const struct mapring_map *map)
{
	return map->value_size;
}
EXPORT_SYMBOL_GPL(mapring_map_value_size);

u32 mapring_map_max_entries(const struct mapring_map *map)
{
	return map->max_entries;
}
EXPORT_SYMBOL_GPL(mapring_map_max_entries);
