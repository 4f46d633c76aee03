/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmapring C API: maps. Included by <mapring/mapring.h>; see there for
 * the conventions. The calls mirror libbpf's bpf_map_* calls one for one:
 * same arguments, same errno values, and a per-CPU value buffer holds
 * mapring_num_possible_cpus() values of round_up(value_size, 8) bytes
 * (one value_size value with MAPRING_F_CPU or MAPRING_F_ALL_CPUS).
 */
#ifndef MAPRING_MAP_H
#define MAPRING_MAP_H

#include <mapring/mapring.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Options of mapring_map__create(); NULL for the defaults. */
struct mapring_map_create_opts {
	size_t sz;		/* sizeof(struct mapring_map_create_opts) */
	__u32 map_flags;	/* MAPRING_F_NO_PREALLOC, MAPRING_F_ZERO_SEED... */
	__u32 access;		/* MAPRING_ACCESS_*: who else may open it */
};

/*
 * Create a map; type is MAPRING_OBJ_PERCPU_ARRAY or MAPRING_OBJ_PERCPU_HASH,
 * name NULL or "" for an anonymous map, opts may be NULL. Returns a new
 * O_CLOEXEC fd or -errno (see docs/maps.md).
 */
MAPRING_API int mapring_map__create(enum mapring_obj_type type,
				    const char *name, __u32 key_size,
				    __u32 value_size, __u32 max_entries,
				    const struct mapring_map_create_opts *opts);
/* Open an existing map by name: fd or -errno. */
MAPRING_API int mapring_map__open(const char *name);
/* Fill *info (its size is set by the library): 0 or -errno. */
MAPRING_API int mapring_map__info(int fd, struct mapring_map_info *info);

/*
 * Copy every possible CPU's value of key into value (see the top of this
 * file for the layout), as bpf_map_lookup_elem(): 0, or -ENOENT for an
 * absent key or an array index out of range.
 */
MAPRING_API int mapring_map_lookup_elem(int fd, const void *key, void *value);
/*
 * The same with flags: MAPRING_F_CPU with the CPU id in bits 32-63 copies
 * that CPU's value_size bytes only. Other flags: -EINVAL.
 */
MAPRING_API int mapring_map_lookup_elem_flags(int fd, const void *key,
					      void *value, __u64 flags);
/*
 * Create or update key, as bpf_map_update_elem(). flags: MAPRING_ANY,
 * MAPRING_NOEXIST (-EEXIST if present), MAPRING_EXIST (-ENOENT if absent),
 * optionally with MAPRING_F_CPU (value is one CPU's, for the CPU in bits
 * 32-63) or MAPRING_F_ALL_CPUS (one value for every CPU). -E2BIG: an array
 * index out of range or a full hash (an LRU hash evicts instead); -ENOMEM
 * for MAPRING_F_NO_PREALLOC hashes.
 */
MAPRING_API int mapring_map_update_elem(int fd, const void *key,
					const void *value, __u64 flags);
/* Remove key from a hash: 0 or -ENOENT; arrays: -EINVAL (as bpf()). */
MAPRING_API int mapring_map_delete_elem(int fd, const void *key);
/* key NULL: the first key. -ENOENT after the last. */
MAPRING_API int mapring_map_get_next_key(int fd, const void *key,
					 void *next_key);
/*
 * Copy key's values, as mapring_map_lookup_elem(), and remove it from the
 * hash: 0 or -ENOENT; arrays: -ENOTSUPP (524, as bpf()).
 */
MAPRING_API int mapring_map_lookup_and_delete_elem(int fd, const void *key,
						   void *value);
/* The same with flags; none is defined: any is -EINVAL, as bpf(). */
MAPRING_API int mapring_map_lookup_and_delete_elem_flags(int fd,
							 const void *key,
							 void *value,
							 __u64 flags);
/* No flag is defined for delete: any is -EINVAL, as bpf(). */
MAPRING_API int mapring_map_delete_elem_flags(int fd, const void *key,
					      __u64 flags);

/* Options of the batch calls, as libbpf's bpf_map_batch_opts. */
struct mapring_map_batch_opts {
	size_t sz;		/* sizeof(struct mapring_map_batch_opts) */
	__u64 elem_flags;
	__u64 flags;
};

/*
 * Batches, as libbpf's: *count is the number of slots in keys/values on
 * entry and the number of elements processed on return, even on error
 * (except -EFAULT, after which it cannot be trusted). -ENOENT from a
 * lookup batch means the end of the map, with *count and out_batch valid.
 * in_batch NULL starts at the beginning; cursors are 4 bytes.
 */
/*
 * Copy up to *count keys and their values from in_batch on: keys and
 * values are arrays of *count slots; the cursor to continue from goes to
 * out_batch. opts->elem_flags may be MAPRING_F_CPU (one CPU's values).
 */
MAPRING_API int mapring_map_lookup_batch(int fd, void *in_batch,
					 void *out_batch, void *keys,
					 void *values, __u32 *count,
					 const struct mapring_map_batch_opts *opts);
/*
 * As mapring_map_lookup_batch(), removing what it returns from the hash;
 * arrays: -ENOTSUPP (524).
 */
MAPRING_API int mapring_map_lookup_and_delete_batch(int fd, void *in_batch,
						    void *out_batch, void *keys,
						    void *values, __u32 *count,
						    const struct mapring_map_batch_opts *opts);
/*
 * Update *count keys with their values, each as mapring_map_update_elem()
 * with opts->elem_flags (MAPRING_F_CPU, MAPRING_F_ALL_CPUS; not
 * MAPRING_NOEXIST or MAPRING_EXIST, as bpf()); stops at the first error.
 */
MAPRING_API int mapring_map_update_batch(int fd, const void *keys,
					 const void *values, __u32 *count,
					 const struct mapring_map_batch_opts *opts);
/*
 * Remove *count keys from the hash; stops at the first error (-ENOENT).
 * Arrays: -ENOTSUPP (524).
 */
MAPRING_API int mapring_map_delete_batch(int fd, const void *keys,
					 __u32 *count,
					 const struct mapring_map_batch_opts *opts);

/* Options of mapring_map_aggregate() and mapring_map_read_and_reset(). */
struct mapring_map_aggregate_opts {
	size_t sz;		/* sizeof(struct mapring_map_aggregate_opts) */
	const __u32 *offsets;	/* byte offsets of 8-byte fields, or NULL */
	__u32 nr_fields;	/* 0: the whole value as __u64 words */
	__u32 __pad0;		/* zero */
	__u64 flags;		/* MAPRING_AGG_F_SIGNED */
};

/*
 * Reduce (sum, min or max over all possible CPUs) the fields of each of
 * *count keys into results: *count * fields __u64s, fields being
 * opts->nr_fields or round_up(value_size, 8) / 8. *count returns the keys
 * done, also on error (-ENOENT: a key is absent).
 */
MAPRING_API int mapring_map_aggregate(int fd, enum mapring_agg_op op,
				      const void *keys, __u32 *count,
				      __u64 *results,
				      const struct mapring_map_aggregate_opts *opts);
/* The same with the sum of what was exchanged with 0 on every CPU. */
MAPRING_API int mapring_map_read_and_reset(int fd, const void *keys,
					   __u32 *count, __u64 *results,
					   const struct mapring_map_aggregate_opts *opts);

/*
 * The number of possible CPUs, from /sys/devices/system/cpu/possible
 * (never the online count): the number of values per element. Cached.
 * Returns it or -errno.
 */
MAPRING_API int mapring_num_possible_cpus(void);
/*
 * The ids of the possible CPUs in ascending order, the order of values in
 * a per-CPU buffer; at most max of them go to ids. Returns their count.
 */
MAPRING_API int mapring_possible_cpu_ids(int *ids, int max);

#ifdef __cplusplus
}
#endif

#endif /* MAPRING_MAP_H */
