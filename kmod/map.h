/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps: what the per-CPU array and the per-CPU hash share. map.c holds the
 * fd commands and everything type-independent; map_array.c and map_hash.c
 * implement struct mapring_map_ops.
 */
#ifndef _MAPRING_MAP_H
#define _MAPRING_MAP_H

#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include "object.h"

struct mapring_map;
struct mapring_map_batch;

/* bpf() answers 524 (the kernel-internal "not supported") for commands a
 * map type lacks; user space sees it as errno 524 and so do we.
 */
#define MAPRING_ENOTSUPP	524

/*
 * A map's tables (buckets, preallocated elements, an array's pointers)
 * are sized by user space and can exceed memory: fail them with -ENOMEM
 * rather than wake the OOM killer, as bpf_map_area_alloc() does.
 */
#define MAPRING_GFP_TABLE	(GFP_KERNEL_ACCOUNT | __GFP_NOWARN | \
				 __GFP_RETRY_MAYFAIL)

/*
 * The flags above are not enough near the size of memory: vmalloc() maps
 * a table with page tables taken by GFP_KERNEL, and the per-CPU allocator
 * grows its chunks the same way, whatever the caller asked for; either can
 * wake the OOM killer (seen on the KASAN kernel). So a map whose tables
 * and values would take most of the memory available now is refused with
 * -ENOMEM before anything is allocated: 0 or -ENOMEM.
 */
int mapring_map_fits(u64 bytes);

/*
 * One map type. Element functions run with rcu_read_lock() held, from any
 * context the kernel API allows unless noted; "value" buffers are packed by
 * possible-CPU ordinal unless flags carry MAPRING_F_CPU/_ALL_CPUS.
 */
struct mapring_map_ops {
	/*
	 * The per-CPU area of key, or NULL; RCU read side. mark: a use by
	 * the kernel API, which an LRU map counts as recent (user-space
	 * reads do not, as in bpf()).
	 */
	void __percpu *(*lookup)(struct mapring_map *map, const void *key,
				 bool mark);
	/* copy all CPUs (or one) of key into value; process context */
	int (*copy)(struct mapring_map *map, const void *key, void *value,
		    u64 flags);
	/* value NULL: zeroes; flags already checked */
	int (*update)(struct mapring_map *map, const void *key,
		      const void *value, u64 flags);
	int (*delete)(struct mapring_map *map, const void *key);
	/* process context */
	int (*get_next_key)(struct mapring_map *map, const void *key,
			    void *next_key);
	/* NULL: -MAPRING_ENOTSUPP */
	int (*lookup_and_delete)(struct mapring_map *map, const void *key,
				 void *value);
	/* NULL: the generic batches in map.c; process context */
	int (*lookup_batch)(struct mapring_map *map,
			    const struct mapring_map_batch *attr,
			    struct mapring_map_batch __user *uattr,
			    bool do_delete);
	/* NULL: -MAPRING_ENOTSUPP */
	bool has_delete_batch;
	void (*free)(struct mapring_map *map);
	void (*show_fdinfo)(struct mapring_map *map, struct seq_file *m);
	/* bytes held: the map, its tables, elements and per-CPU areas */
	u64 (*memory)(struct mapring_map *map);
	/* elements present now; any context but NMI */
	u32 (*entries)(struct mapring_map *map);
};

struct mapring_map {
	struct mapring_obj obj;
	const struct mapring_map_ops *ops;
	u32 key_size;
	u32 value_size;
	u32 elem_size;		/* round_up(value_size, 8): one CPU's stride */
	u32 max_entries;
	u32 map_flags;
	/* kernel-API adds and updates lost for lack of room or context */
	atomic64_t drops;
};

static inline struct mapring_map *to_map(struct mapring_obj *obj)
{
	return container_of(obj, struct mapring_map, obj);
}

/*
 * The per-CPU array (map_array.c), here so that the kernel API's add can
 * index it without a call: it is the hot path of every counter.
 */
struct mr_array {
	struct mapring_map map;
	void __percpu **pptrs;		/* max_entries per-CPU areas */
};

/* The per-CPU area of index idx, or NULL; no RCU: it lives with the map. */
static inline void __percpu *mapring_array_elem(struct mapring_map *map,
						u32 idx)
{
	if (idx >= map->max_entries)
		return NULL;
	/* the index comes from user space or a caller: no speculation past */
	return container_of(map, struct mr_array, map)->pptrs
		[array_index_nospec(idx, map->max_entries)];
}

/* Bytes of a value as user space passes it, for these element flags. */
static inline u32 mapring_map_value_bytes(const struct mapring_map *map,
					  u64 flags)
{
	if (flags & (MAPRING_F_CPU | MAPRING_F_ALL_CPUS))
		return map->value_size;
	return map->elem_size * num_possible_cpus();
}

/*
 * Value copies. Every per-CPU word is read with READ_ONCE and written with
 * WRITE_ONCE of a u64, so an aligned 8-byte counter is never torn; a tail
 * shorter than 8 bytes (MAPRING_F_CPU with an odd value_size) is copied
 * bytewise.
 */
void mapring_map_copy_out(struct mapring_map *map, void __percpu *pptr,
			  void *value, u64 flags);
void mapring_map_copy_in(struct mapring_map *map, void __percpu *pptr,
			 const void *value, u64 flags);
/* Zero every CPU's value. */
void mapring_map_zero(struct mapring_map *map, void __percpu *pptr);

/*
 * Check element flags against the allowed set, in bpf()'s order: unknown
 * bits, MAPRING_F_LOCK, CPU bits without MAPRING_F_CPU, both CPU flags,
 * NOEXIST|EXIST: -EINVAL; a CPU that is not possible: -ERANGE.
 */
int mapring_map_check_flags(u64 flags, u64 allowed);

/* map_array.c, map_hash.c */
struct mapring_map *mapring_array_alloc(const struct mapring_map_create *attr);
struct mapring_map *mapring_hash_alloc(const struct mapring_map_create *attr);

/* map.c */
struct mapring_map *mapring_map_new(const struct mapring_map_create *attr);
extern const struct mapring_obj_ops mapring_map_obj_ops;
long mapring_ioc_map_create(void __user *uarg);
/* Reduce (or read and reset) one element's fields into res (nr u64s). */
void mapring_map_reduce(void __percpu *pptr, const u32 *offs, u32 nr,
			u32 op, bool sign, bool reset, u64 *res);

#endif /* _MAPRING_MAP_H */
