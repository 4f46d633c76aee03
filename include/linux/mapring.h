/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mapring kernel API, for modules that produce into rings and update maps.
 *
 * Every function here is exported with EXPORT_SYMBOL_GPL by mapring.ko, and
 * a module that calls any of them holds a module reference on mapring.ko
 * for as long as it is loaded. docs/ARCHITECTURE.md shows the data flow.
 */
#ifndef _LINUX_MAPRING_H
#define _LINUX_MAPRING_H

#include <uapi/linux/mapring.h>

/* The ABI version of the mapring.ko this module was built against. */
#define MAPRING_KAPI_VERSION	MAPRING_ABI_VERSION

u32 mapring_abi_version(void);

/* ---- Rings ------------------------------------------------------------- */

/* ---- Maps -------------------------------------------------------------- */

/*
 * Per-CPU maps (docs/maps.md). A map is referenced by a struct mapring_map
 * pointer from mapring_map_create() or mapring_map_get_*(); drop it with
 * mapring_map_put(). Keys are key_size bytes; a value here is ONE CPU's
 * value (value_size bytes) unless stated otherwise.
 *
 * Contexts: every function but create and get_by_* works from process,
 * softirq and hard-IRQ context, also on PREEMPT_RT (bucket locks are raw
 * spinlocks). In NMI context lookups and adds to existing elements work;
 * anything that must take a lock (inserting or deleting a hash element)
 * returns -EBUSY. A map created with MAPRING_F_NO_PREALLOC allocates when
 * a new key is inserted: from hard-IRQ context or with interrupts off on
 * PREEMPT_RT that is impossible and returns -EBUSY too; preallocated maps
 * (the default) never allocate after creation.
 */
struct mapring_map;

/* A new map, as MAPRING_IOC_MAP_CREATE makes it; ERR_PTR on failure. */
struct mapring_map *mapring_map_create(u32 map_type, const char *name,
				       u32 key_size, u32 value_size,
				       u32 max_entries, u32 map_flags);
/* A reference to an existing map; ERR_PTR(-ENOENT, -EINVAL, -EBADF). */
struct mapring_map *mapring_map_get_by_name(const char *name);
struct mapring_map *mapring_map_get_by_fd(int fd);
void mapring_map_put(struct mapring_map *map);

/*
 * The current CPU's value of key, or NULL when absent. Rules: the caller
 * holds rcu_read_lock() (an element may be deleted and reused as soon as
 * it is released) and has preemption disabled (get_cpu(), a spinlock, IRQ
 * context) for as long as it uses the pointer, or it may be writing
 * another CPU's value. Plain stores through it are not atomic against
 * read-and-reset; use mapring_map_add() for counters.
 */
void *mapring_map_lookup_this_cpu(struct mapring_map *map, const void *key);

/*
 * Add delta to the u64 at byte offset off (a multiple of 8) of key's value
 * on the current CPU, with an atomic add on that CPU's copy: safe in any
 * context without disabling anything, and counted exactly once by
 * MAPRING_IOC_MAP_READ_AND_RESET. A missing hash key is inserted with
 * zeroes first (a full LRU map evicts to make room; a kernel-API lookup,
 * add or update of an LRU element counts as a use). 0, -EINVAL (offset),
 * -E2BIG (array index, full hash),
 * -EPERM (MAPRING_F_RDONLY_PROG), -EBUSY, -ENOMEM.
 */
int mapring_map_add(struct mapring_map *map, const void *key, u32 off,
		    u64 delta);

/*
 * Write value as the current CPU's value of key (a new hash element has
 * every other CPU zeroed, as a BPF program's update), or with flags
 * MAPRING_F_CPU | (u64)cpu << MAPRING_F_CPU_SHIFT another CPU's, or with
 * MAPRING_F_ALL_CPUS every CPU's. flags also take MAPRING_ANY, _NOEXIST,
 * _EXIST. Errors as MAPRING_IOC_MAP_UPDATE_ELEM, plus -EBUSY and -EPERM.
 */
int mapring_map_update(struct mapring_map *map, const void *key,
		       const void *value, u64 flags);
/* Remove key: 0, -ENOENT, -EINVAL (array), -EBUSY (NMI), -EPERM. */
int mapring_map_delete(struct mapring_map *map, const void *key);

/* Geometry: the sizes it was created with. */
u32 mapring_map_key_size(const struct mapring_map *map);
u32 mapring_map_value_size(const struct mapring_map *map);
u32 mapring_map_max_entries(const struct mapring_map *map);

#endif /* _LINUX_MAPRING_H */
