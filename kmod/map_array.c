// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU array: max_entries per-CPU areas allocated at creation, keyed
 * by a u32 index. Nothing is ever inserted or removed, so every command is
 * lock-free and works from any context, NMI included.
 */
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "map.h"

static struct mr_array *to_array(struct mapring_map *map)
{
	return container_of(map, struct mr_array, map);
}

static void __percpu *array_lookup(struct mapring_map *map, const void *key,
				   bool mark)
{
	return mapring_array_elem(map, *(const u32 *)key);
}

static int array_copy(struct mapring_map *map, const void *key, void *value,
		      u64 flags)
{
	void __percpu *pptr = array_lookup(map, key, false);

	if (!pptr)
		return -ENOENT;
	mapring_map_copy_out(map, pptr, value, flags);
	return 0;
}

static int array_update(struct mapring_map *map, const void *key,
			const void *value, u64 flags)
{
	void __percpu *pptr = array_lookup(map, key, false);

	if (!pptr)
		return -E2BIG;
	if (flags & MAPRING_NOEXIST)
		return -EEXIST;
	mapring_map_copy_in(map, pptr, value, flags);
	return 0;
}

static int array_delete(struct mapring_map *map, const void *key)
{
	return -EINVAL;
}

static int array_get_next_key(struct mapring_map *map, const void *key,
			      void *next_key)
{
	u32 idx = key ? *(const u32 *)key : U32_MAX;
	u32 *next = next_key;

	if (idx >= map->max_entries) {
		*next = 0;
		return 0;
	}
	if (idx == map->max_entries - 1)
		return -ENOENT;
	*next = idx + 1;
	return 0;
}

static void array_free(struct mapring_map *map)
{
	struct mr_array *array = to_array(map);
	u32 i;

	for (i = 0; i < map->max_entries; i++)
		free_percpu(array->pptrs[i]);
	kvfree(array->pptrs);
	kfree(array);
}

static u64 array_memory(struct mapring_map *map)
{
	struct mr_array *array = to_array(map);

	return mapring_alloc_bytes(array, sizeof(*array)) +
	       mapring_alloc_bytes(array->pptrs,
				   map->max_entries * sizeof(*array->pptrs)) +
	       (u64)map->max_entries * map->elem_size * num_possible_cpus();
}

/* every index exists, always */
static u32 array_entries(struct mapring_map *map)
{
	return map->max_entries;
}

static const struct mapring_map_ops array_ops = {
	.lookup = array_lookup,
	.copy = array_copy,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = array_get_next_key,
	.free = array_free,
	.memory = array_memory,
	.entries = array_entries,
};

#define ARRAY_FLAGS	(MAPRING_F_RDONLY | MAPRING_F_WRONLY | \
			 MAPRING_F_RDONLY_PROG | MAPRING_F_WRONLY_PROG)

struct mapring_map *mapring_array_alloc(const struct mapring_map_create *attr)
{
	struct mem_cgroup *old;
	struct mr_array *array;
	u32 i;

	/* bpf()'s array_map_alloc_check(), in its order */
	if (!attr->max_entries || attr->key_size != 4 || !attr->value_size ||
	    attr->map_flags & ~ARRAY_FLAGS)
		return ERR_PTR(-EINVAL);
	if (attr->value_size > INT_MAX ||
	    round_up(attr->value_size, 8) > PCPU_MIN_UNIT_SIZE)
		return ERR_PTR(-E2BIG);

	/* bpf()'s limit on the size of the pointer table */
	if ((u64)attr->max_entries * sizeof(void *) >= U32_MAX - PAGE_SIZE)
		return ERR_PTR(-ENOMEM);
	if (mapring_map_fits((u64)attr->max_entries *
			     (sizeof(void *) + round_up(attr->value_size, 8) *
			      num_possible_cpus())))
		return ERR_PTR(-ENOMEM);
	array = kzalloc(sizeof(*array), GFP_KERNEL_ACCOUNT);
	if (!array)
		return ERR_PTR(-ENOMEM);
	array->pptrs = kvcalloc(attr->max_entries, sizeof(*array->pptrs),
				MAPRING_GFP_TABLE);
	if (!array->pptrs) {
		kfree(array);
		return ERR_PTR(-ENOMEM);
	}
	mapring_obj_init(&array->map.obj, MAPRING_OBJ_PERCPU_ARRAY,
			 &mapring_map_obj_ops);
	array->map.ops = &array_ops;
	array->map.key_size = attr->key_size;
	array->map.value_size = attr->value_size;
	array->map.elem_size = round_up(attr->value_size, 8);
	array->map.max_entries = attr->max_entries;
	array->map.map_flags = attr->map_flags;

	old = mapring_obj_charge_begin(&array->map.obj);
	for (i = 0; i < attr->max_entries; i++) {
		array->pptrs[i] = __alloc_percpu_gfp(array->map.elem_size, 8,
						     GFP_KERNEL_ACCOUNT |
						     __GFP_NOWARN);
		if (!array->pptrs[i])
			break;
		cond_resched();
	}
	mapring_obj_charge_end(old);
	if (i < attr->max_entries) {
		/* the object was never published: free it directly */
		array->map.max_entries = i;
		mem_cgroup_put(array->map.obj.memcg);
		array_free(&array->map);
		return ERR_PTR(-ENOMEM);
	}
	return &array->map;
}
