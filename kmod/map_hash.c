// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU hash.
 *
 * Buckets are hlist_nulls lists, each with its own raw spinlock taken with
 * interrupts off: raw, because the kernel API may update from hard-IRQ
 * context, which on PREEMPT_RT must not take a sleeping lock. Everything
 * done under a bucket lock is bounded: a walk of one bucket (at most
 * max_entries elements), value copies, a freelist pop or push. Lookups
 * from the kernel API are lockless under RCU; lookups from user space copy
 * the values under the bucket lock, so they never mix two keys' values.
 *
 * Elements are preallocated by default: max_entries of them on a freelist,
 * so inserting never allocates and a full map answers -E2BIG. A deleted
 * element goes back on the freelist at once (as in bpf()) and may be
 * reused while a lockless reader still looks at it; the nulls value at the
 * end of each chain (its bucket index) tells a reader that it was moved to
 * another chain, and it restarts a bounded number of times. With
 * MAPRING_F_NO_PREALLOC, elements are allocated on insert, charged to the
 * map's memory cgroup, and freed after an RCU grace period.
 *
 * The bucket index, the order inside a bucket (new elements at the head)
 * and the hash (jhash, seed 0 with MAPRING_F_ZERO_SEED) are bpf()'s, so a
 * zero-seed map iterates and batches exactly as a BPF per-CPU hash does.
 *
 * NMI: inserting, deleting and user-space copies need a lock, so the
 * kernel API gets -EBUSY for them in NMI context; lookups and adds to
 * existing elements work.
 *
 * The LRU variant (MAPRING_OBJ_LRU_PERCPU_HASH) is preallocated; when the
 * freelist is empty an insert evicts the least recently used element
 * (second chance over elements used since the last scan). Its buckets and
 * recency list share one lock, see lock_of().
 */
#include <linux/capability.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/rculist_nulls.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "map.h"

/* Restarts of a lockless lookup moved to another chain before giving up. */
#define LOOKUP_RESTARTS	8
/* Empty buckets a batch walks before it offers to reschedule. */
#define BATCH_EMPTY_RESCHED	1024
/* Elements a batch buffers per bucket at first (bpf()'s guess). */
#define BATCH_FIRST_BUF	5

struct mr_bucket {
	struct hlist_nulls_head head;
	raw_spinlock_t lock;
};

struct mr_elem {
	struct hlist_nulls_node node;
	/* an LRU map is always preallocated: never both */
	union {
		struct list_head lru_node;	/* LRU: recency order */
		struct rcu_head rcu;		/* NO_PREALLOC free */
	};
	union {
		struct mr_elem *free_next;	/* on the freelist */
		struct mr_elem *batch_next;	/* deleted by a batch */
	};
	void __percpu *pptr;
	u32 hash;
	u8 ref;					/* LRU: used since last scan */
	char key[] __aligned(8);
};

struct mr_hash {
	struct mapring_map map;
	struct mr_bucket *buckets;
	u32 n_buckets;
	u32 seed;
	u32 elem_bytes;
	bool prealloc;
	atomic_t count;			/* elements in use (or reserved) */
	raw_spinlock_t free_lock;	/* prealloc: the freelist */
	struct mr_elem *free_list;
	void *elems;			/* prealloc: all elements */
	bool lru;
	raw_spinlock_t lru_lock;	/* LRU: every bucket and the list */
	struct list_head lru_list;	/* LRU: most recent first */
};

static struct mr_hash *to_hash(struct mapring_map *map)
{
	return container_of(map, struct mr_hash, map);
}

static __always_inline u32 key_hash(struct mr_hash *h, const void *key)
{
	u32 len = h->map.key_size;

	/* bpf()'s htab_map_hash(); jhash() equals jhash2() when len % 4 == 0 */
	if (len % 4 == 0 && IS_ALIGNED((unsigned long)key, 4))
		return jhash2(key, len / 4, h->seed);
	return jhash(key, len, h->seed);
}

static struct mr_bucket *bucket_of(struct mr_hash *h, u32 hash)
{
	return &h->buckets[hash & (h->n_buckets - 1)];
}

/*
 * The lock of a bucket. An LRU map evicts an element of any bucket while
 * it inserts into another, so one lock covers all its buckets and its
 * recency list: no lock order to get wrong, at the price of contention
 * between inserts (updates in place and lookups take no lock).
 */
static raw_spinlock_t *lock_of(struct mr_hash *h, struct mr_bucket *b)
{
	return h->lru ? &h->lru_lock : &b->lock;
}

/* Most keys are 4 or 8 bytes: compare those without a call to memcmp(). */
static inline bool key_equal(const void *a, const void *b, u32 size)
{
	switch (size) {
	case 4: {
		u32 x, y;

		memcpy(&x, a, 4);	/* one load each: the key may be unaligned */
		memcpy(&y, b, 4);
		return x == y;
	}
	case 8: {
		u64 x, y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	default:
		return !memcmp(a, b, size);
	}
}

/*
 * Walk one bucket; lock held, or RCU with the restart check of the caller.
 * Inlined, as key_hash(): a lookup is the hot path of every counter.
 */
static __always_inline struct mr_elem *
find_in(struct mr_hash *h, struct hlist_nulls_head *head, u32 hash,
	const void *key, struct hlist_nulls_node **end)
{
	struct hlist_nulls_node *n;
	struct mr_elem *l;

	hlist_nulls_for_each_entry_rcu(l, n, head, node)
		if (l->hash == hash && key_equal(l->key, key, h->map.key_size))
			return l;
	*end = n;
	return NULL;
}

static void __percpu *hash_lookup(struct mapring_map *map, const void *key,
				  bool mark)
{
	struct mr_hash *h = to_hash(map);
	u32 hash = key_hash(h, key);
	struct mr_bucket *b = bucket_of(h, hash);
	struct hlist_nulls_node *end;
	unsigned long irqf;
	struct mr_elem *l;
	int i;

	for (i = 0; i < LOOKUP_RESTARTS; i++) {
		l = find_in(h, &b->head, hash, key, &end);
		if (l)
			goto found;
		if (get_nulls_value(end) == (hash & (h->n_buckets - 1)))
			return NULL;
	}
	/* heavy churn kept moving us: ask under the lock, where possible */
	if (in_nmi())
		return NULL;
	raw_spin_lock_irqsave(lock_of(h, b), irqf);
	l = find_in(h, &b->head, hash, key, &end);
	raw_spin_unlock_irqrestore(lock_of(h, b), irqf);
	if (!l)
		return NULL;
found:
	/* a use by the kernel API: spare it at the next eviction scan */
	if (mark && h->lru && !READ_ONCE(l->ref))
		WRITE_ONCE(l->ref, 1);
	return l->pptr;
}

static int hash_copy(struct mapring_map *map, const void *key, void *value,
		     u64 flags)
{
	struct mr_hash *h = to_hash(map);
	u32 hash = key_hash(h, key);
	struct mr_bucket *b = bucket_of(h, hash);
	struct hlist_nulls_node *end;
	unsigned long irqf;
	struct mr_elem *l;

	raw_spin_lock_irqsave(lock_of(h, b), irqf);
	l = find_in(h, &b->head, hash, key, &end);
	if (l)
		mapring_map_copy_out(map, l->pptr, value, flags);
	raw_spin_unlock_irqrestore(lock_of(h, b), irqf);
	return l ? 0 : -ENOENT;
}

/* ---- element allocation ------------------------------------------------- */

static struct mr_elem *freelist_pop(struct mr_hash *h)
{
	struct mr_elem *l;
	unsigned long irqf;

	raw_spin_lock_irqsave(&h->free_lock, irqf);
	l = h->free_list;
	if (l) {
		h->free_list = l->free_next;
		atomic_inc(&h->count);
	}
	raw_spin_unlock_irqrestore(&h->free_lock, irqf);
	return l;
}

static void freelist_push(struct mr_hash *h, struct mr_elem *l)
{
	unsigned long irqf;

	raw_spin_lock_irqsave(&h->free_lock, irqf);
	l->free_next = h->free_list;
	h->free_list = l;
	atomic_dec(&h->count);
	raw_spin_unlock_irqrestore(&h->free_lock, irqf);
}

static void elem_free_rcu(struct rcu_head *rcu)
{
	struct mr_elem *l = container_of(rcu, struct mr_elem, rcu);

	free_percpu(l->pptr);
	kfree(l);
}

/* Allocation flags for this context; 0 when it must not allocate at all. */
static gfp_t elem_gfp(void)
{
	if (in_nmi())
		return 0;
	/*
	 * preemptible() is true inside rcu_read_lock() with PREEMPT_RCU, and
	 * on PREEMPT_RT in every softirq (local_bh_disable() takes the RCU
	 * read lock there): no sleeping in a read-side section.
	 */
	if (preemptible() && !rcu_preempt_depth())
		return GFP_KERNEL_ACCOUNT | __GFP_NOWARN;
	/* PREEMPT_RT: the allocators take sleeping locks */
	if (IS_ENABLED(CONFIG_PREEMPT_RT) && (in_hardirq() || irqs_disabled()))
		return 0;
	return GFP_NOWAIT | __GFP_ACCOUNT | __GFP_NOWARN;
}

/* NO_PREALLOC: a new element, counted; ERR_PTR(-E2BIG, -ENOMEM, -EBUSY). */
static struct mr_elem *elem_alloc(struct mr_hash *h)
{
	struct mem_cgroup *old;
	struct mr_elem *l;
	gfp_t gfp = elem_gfp();

	if (!gfp)
		return ERR_PTR(-EBUSY);
	if (atomic_inc_return(&h->count) > h->map.max_entries) {
		atomic_dec(&h->count);
		return ERR_PTR(-E2BIG);
	}
	old = mapring_obj_charge_begin(&h->map.obj);
	l = kmalloc(h->elem_bytes, gfp);
	if (l) {
		l->pptr = __alloc_percpu_gfp(h->map.elem_size, 8, gfp);
		if (!l->pptr) {
			kfree(l);
			l = NULL;
		}
	}
	mapring_obj_charge_end(old);
	if (!l) {
		atomic_dec(&h->count);
		return ERR_PTR(-ENOMEM);
	}
	return l;
}

/* An element that left its bucket (lock dropped): recycle or free it. */
static void elem_release(struct mr_hash *h, struct mr_elem *l)
{
	if (h->prealloc) {
		freelist_push(h, l);
	} else {
		atomic_dec(&h->count);
		call_rcu(&l->rcu, elem_free_rcu);
	}
}

/*
 * LRU, lock held: take the least recently used element out of the map for
 * reuse. Second chance: an element used since the last scan goes back to
 * the front once, so two passes always find one.
 */
static struct mr_elem *lru_evict(struct mr_hash *h)
{
	struct mr_elem *l;
	u64 i;

	for (i = 0; i < 2ULL * h->map.max_entries + 1; i++) {
		if (list_empty(&h->lru_list))
			return NULL;
		l = list_last_entry(&h->lru_list, struct mr_elem, lru_node);
		if (READ_ONCE(l->ref)) {
			WRITE_ONCE(l->ref, 0);
			list_move(&l->lru_node, &h->lru_list);
			continue;
		}
		list_del(&l->lru_node);
		hlist_nulls_del_rcu(&l->node);
		return l;
	}
	return NULL;
}

/* ---- updates ------------------------------------------------------------ */

static int hash_update(struct mapring_map *map, const void *key,
		       const void *value, u64 flags)
{
	struct mr_hash *h = to_hash(map);
	u32 hash = key_hash(h, key);
	struct mr_bucket *b = bucket_of(h, hash);
	struct mr_elem *l, *spare = NULL;
	struct hlist_nulls_node *end;
	unsigned long irqf;
	int err = 0;

	if (in_nmi())
		return -EBUSY;
again:
	raw_spin_lock_irqsave(lock_of(h, b), irqf);
	l = find_in(h, &b->head, hash, key, &end);
	if (l && (flags & MAPRING_NOEXIST)) {
		err = -EEXIST;
	} else if (!l && (flags & MAPRING_EXIST)) {
		err = -ENOENT;
	} else if (l) {
		/* in place, like bpf(): no new element, no reordering */
		mapring_map_copy_in(map, l->pptr, value, flags);
		if (h->lru)
			WRITE_ONCE(l->ref, 1);
	} else {
		if (h->prealloc && !spare) {
			spare = freelist_pop(h);
			/* a full LRU map makes room; others are full */
			if (!spare && h->lru)
				spare = lru_evict(h);
			if (!spare)
				err = h->lru ? -ENOMEM : -E2BIG;
		} else if (!spare) {
			/* allocate with no lock held, then look again */
			raw_spin_unlock_irqrestore(lock_of(h, b), irqf);
			spare = elem_alloc(h);
			if (IS_ERR(spare))
				return PTR_ERR(spare);
			goto again;
		}
		if (spare) {
			memcpy(spare->key, key, map->key_size);
			spare->hash = hash;
			/* a partial write leaves nothing of an old life */
			if (!value || (flags & (MAPRING_F_CPU | MAPRING_F_ALL_CPUS)))
				mapring_map_zero(map, spare->pptr);
			mapring_map_copy_in(map, spare->pptr, value, flags);
			hlist_nulls_add_head_rcu(&spare->node, &b->head);
			if (h->lru) {
				spare->ref = 0;
				list_add(&spare->lru_node, &h->lru_list);
			}
			spare = NULL;
		}
	}
	raw_spin_unlock_irqrestore(lock_of(h, b), irqf);
	if (spare)
		elem_release(h, spare);
	return err;
}

static struct mr_elem *unlink_locked(struct mr_hash *h, struct mr_bucket *b,
				     u32 hash, const void *key, void *value)
{
	struct hlist_nulls_node *end;
	struct mr_elem *l;

	l = find_in(h, &b->head, hash, key, &end);
	if (l) {
		if (value)
			mapring_map_copy_out(&h->map, l->pptr, value, 0);
		hlist_nulls_del_rcu(&l->node);
		if (h->lru)
			list_del(&l->lru_node);
	}
	return l;
}

static int hash_delete_value(struct mapring_map *map, const void *key,
			     void *value)
{
	struct mr_hash *h = to_hash(map);
	u32 hash = key_hash(h, key);
	struct mr_bucket *b = bucket_of(h, hash);
	unsigned long irqf;
	struct mr_elem *l;

	if (in_nmi())
		return -EBUSY;
	raw_spin_lock_irqsave(lock_of(h, b), irqf);
	l = unlink_locked(h, b, hash, key, value);
	raw_spin_unlock_irqrestore(lock_of(h, b), irqf);
	if (!l)
		return -ENOENT;
	elem_release(h, l);
	return 0;
}

static int hash_delete(struct mapring_map *map, const void *key)
{
	return hash_delete_value(map, key, NULL);
}

static int hash_get_next_key(struct mapring_map *map, const void *key,
			     void *next_key)
{
	struct mr_hash *h = to_hash(map);
	struct hlist_nulls_node *end, *n;
	struct mr_elem *l = NULL, *next;
	u32 hash = 0, i = 0;
	int err = -ENOENT;

	rcu_read_lock();
	if (key) {
		hash = key_hash(h, key);
		l = find_in(h, &bucket_of(h, hash)->head, hash, key, &end);
	}
	if (l) {
		/* the next element of the same bucket, else the next bucket */
		n = rcu_dereference_raw(hlist_nulls_next_rcu(&l->node));
		next = hlist_nulls_entry_safe(n, struct mr_elem, node);
		if (next) {
			memcpy(next_key, next->key, map->key_size);
			err = 0;
			goto out;
		}
		i = (hash & (h->n_buckets - 1)) + 1;
	}
	/* an unknown or no key starts over at the first bucket, as bpf() */
	for (; i < h->n_buckets; i++) {
		hlist_nulls_for_each_entry_rcu(next, n, &h->buckets[i].head,
					       node) {
			memcpy(next_key, next->key, map->key_size);
			err = 0;
			goto out;
		}
	}
out:
	rcu_read_unlock();
	return err;
}

/* ---- batches ------------------------------------------------------------ */

/*
 * bpf()'s hash batch: the cursor is a u32 bucket index; whole buckets are
 * copied (under their lock) or none; a bucket that does not fit in what
 * is left of count ends the batch, with -ENOSPC if nothing was copied; the
 * end of the table is -ENOENT with count and out_batch valid.
 */
static int hash_lookup_batch(struct mapring_map *map,
			     const struct mapring_map_batch *attr,
			     struct mapring_map_batch __user *uattr,
			     bool do_delete)
{
	void __user *ukeys = u64_to_user_ptr(attr->keys);
	void __user *uvalues = u64_to_user_ptr(attr->values);
	void __user *uin = u64_to_user_ptr(attr->in_batch);
	struct mr_hash *h = to_hash(map);
	u32 max_count, total = 0, batch = 0, cap = BATCH_FIRST_BUF;
	u32 empty = 0, vsize, cnt, ksize = map->key_size;
	struct mr_elem *l, *freed;
	struct hlist_nulls_node *n;
	void *keys = NULL, *values = NULL;
	struct mr_bucket *b;
	unsigned long irqf;
	u64 vflags = attr->elem_flags;
	int ret;

	ret = mapring_map_check_flags(vflags, do_delete ? MAPRING_F_LOCK :
				      MAPRING_F_LOCK | MAPRING_F_CPU);
	if (ret)
		return ret;
	if (attr->flags)
		return -EINVAL;
	max_count = attr->count;
	if (!max_count)
		return 0;
	if (put_user(0, &uattr->count))
		return -EFAULT;
	if (uin && copy_from_user(&batch, uin, sizeof(batch)))
		return -EFAULT;
	if (batch >= h->n_buckets)
		return -ENOENT;
	vsize = mapring_map_value_bytes(map, vflags);

alloc:
	kvfree(keys);
	kvfree(values);
	keys = kvmalloc_array(cap, ksize, GFP_USER | __GFP_NOWARN);
	values = kvmalloc_array(cap, vsize, GFP_USER | __GFP_NOWARN);
	if (!keys || !values) {
		/* bpf() reports the cursor and count on this error too */
		ret = -ENOMEM;
		goto out_cursor;
	}

	for (;;) {
		b = &h->buckets[batch];
		/* empty buckets need no lock: skip them cheaply */
		if (hlist_nulls_empty(&b->head)) {
			cnt = 0;
			goto next;
		}
		raw_spin_lock_irqsave(lock_of(h, b), irqf);
		cnt = 0;
		hlist_nulls_for_each_entry(l, n, &b->head, node)
			cnt++;
		if (cnt > max_count - total) {
			raw_spin_unlock_irqrestore(lock_of(h, b), irqf);
			if (!total)
				ret = -ENOSPC;
			goto out_cursor;
		}
		if (cnt > cap) {
			raw_spin_unlock_irqrestore(lock_of(h, b), irqf);
			cap = cnt;
			goto alloc;
		}
		cnt = 0;
		freed = NULL;
		hlist_nulls_for_each_entry(l, n, &b->head, node) {
			memcpy(keys + cnt * ksize, l->key, ksize);
			mapring_map_copy_out(map, l->pptr, values + cnt * vsize,
					     vflags);
			cnt++;
		}
		if (do_delete) {
			while (!hlist_nulls_empty(&b->head)) {
				l = hlist_nulls_entry(b->head.first,
						      struct mr_elem, node);
				hlist_nulls_del_rcu(&l->node);
				if (h->lru)
					list_del(&l->lru_node);
				l->batch_next = freed;
				freed = l;
			}
		}
		raw_spin_unlock_irqrestore(lock_of(h, b), irqf);
		while (freed) {
			l = freed;
			freed = l->batch_next;
			elem_release(h, l);
		}
		if (copy_to_user(ukeys + (size_t)total * ksize, keys,
				 (size_t)cnt * ksize) ||
		    copy_to_user(uvalues + (size_t)total * vsize, values,
				 (size_t)cnt * vsize)) {
			ret = -EFAULT;
			goto out;
		}
		total += cnt;
next:
		batch++;
		if (batch >= h->n_buckets) {
			ret = -ENOENT;
			goto out_cursor;
		}
		if (cnt || ++empty >= BATCH_EMPTY_RESCHED) {
			empty = 0;
			cond_resched();
		}
	}

out_cursor:
	if (copy_to_user(u64_to_user_ptr(attr->out_batch), &batch,
			 sizeof(batch)) ||
	    put_user(total, &uattr->count))
		ret = -EFAULT;
out:
	kvfree(keys);
	kvfree(values);
	return ret;
}

/* ---- lifetime ----------------------------------------------------------- */

static void hash_free(struct mapring_map *map)
{
	struct mr_hash *h = to_hash(map);
	struct mr_elem *l;
	u32 i;

	if (h->prealloc && h->elems) {
		for (i = 0; i < map->max_entries; i++) {
			l = h->elems + (size_t)i * h->elem_bytes;
			free_percpu(l->pptr);
		}
		kvfree(h->elems);
	} else if (h->buckets) {
		/* no reader is left: an RCU grace period passed */
		for (i = 0; i < h->n_buckets; i++) {
			while (!hlist_nulls_empty(&h->buckets[i].head)) {
				l = hlist_nulls_entry(h->buckets[i].head.first,
						      struct mr_elem, node);
				hlist_nulls_del(&l->node);
				free_percpu(l->pptr);
				kfree(l);
			}
			cond_resched();
		}
	}
	kvfree(h->buckets);
	kfree(h);
}

static void hash_show_fdinfo(struct mapring_map *map, struct seq_file *m)
{
	struct mr_hash *h = to_hash(map);

	seq_printf(m, "n_buckets:\t%u\n", h->n_buckets);
	seq_printf(m, "prealloc:\t%u\n", h->prealloc);
	seq_printf(m, "lru:\t%u\n", h->lru);
}

/* Per element: the node (a slab object) and its per-CPU value area. */
static u64 hash_memory(struct mapring_map *map)
{
	struct mr_hash *h = to_hash(map);
	u64 pcpu = (u64)map->elem_size * num_possible_cpus();
	u64 bytes = mapring_alloc_bytes(h, sizeof(*h)) +
		    mapring_alloc_bytes(h->buckets,
					h->n_buckets * sizeof(*h->buckets));
	size_t all;

	if (h->prealloc) {
		all = (size_t)map->max_entries * h->elem_bytes;
		return bytes + mapring_alloc_bytes(h->elems, all) +
		       map->max_entries * pcpu;
	}
	return bytes + (u64)atomic_read(&h->count) *
		       (kmalloc_size_roundup(h->elem_bytes) + pcpu);
}

static u32 hash_entries(struct mapring_map *map)
{
	return atomic_read(&to_hash(map)->count);
}

static const struct mapring_map_ops hash_ops = {
	.lookup = hash_lookup,
	.copy = hash_copy,
	.update = hash_update,
	.delete = hash_delete,
	.get_next_key = hash_get_next_key,
	.lookup_and_delete = hash_delete_value,
	.lookup_batch = hash_lookup_batch,
	.has_delete_batch = true,
	.free = hash_free,
	.show_fdinfo = hash_show_fdinfo,
	.memory = hash_memory,
	.entries = hash_entries,
};

#define HASH_FLAGS	(MAPRING_F_NO_PREALLOC | MAPRING_F_NO_COMMON_LRU | \
			 MAPRING_F_ZERO_SEED | \
			 MAPRING_F_RDONLY | MAPRING_F_WRONLY | \
			 MAPRING_F_RDONLY_PROG | MAPRING_F_WRONLY_PROG)

/* Buckets, and preallocated elements with their per-CPU values. */
static u64 hash_table_bytes(const struct mapring_map_create *attr,
			    u32 max_entries)
{
	u64 bytes = (u64)roundup_pow_of_two(max_entries) *
		    sizeof(struct mr_bucket);

	if (!(attr->map_flags & MAPRING_F_NO_PREALLOC))
		bytes += (u64)max_entries *
			 (offsetof(struct mr_elem, key) +
			  round_up(attr->key_size, 8) +
			  (u64)round_up(attr->value_size, 8) *
			  num_possible_cpus());
	return bytes;
}

static int hash_prealloc(struct mr_hash *h)
{
	struct mr_elem *l;
	u32 i;

	h->elems = kvzalloc(array_size(h->map.max_entries, h->elem_bytes),
			    MAPRING_GFP_TABLE);
	if (!h->elems)
		return -ENOMEM;
	/* pushed in reverse, so the first insert takes element 0 */
	for (i = h->map.max_entries; i-- > 0;) {
		l = h->elems + (size_t)i * h->elem_bytes;
		l->pptr = __alloc_percpu_gfp(h->map.elem_size, 8,
					     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!l->pptr)
			return -ENOMEM;
		l->free_next = h->free_list;
		h->free_list = l;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

struct mapring_map *mapring_hash_alloc(const struct mapring_map_create *attr)
{
	bool lru = attr->map_type == MAPRING_OBJ_LRU_PERCPU_HASH;
	u32 i, max_entries = attr->max_entries;
	struct mem_cgroup *old;
	struct mr_hash *h;
	int err;

	/* bpf()'s htab_map_alloc_check() and htab_map_alloc(), in order */
	if ((attr->map_flags & MAPRING_F_ZERO_SEED) && !capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EPERM);
	if (attr->map_flags & ~HASH_FLAGS)
		return ERR_PTR(-EINVAL);
	if (!lru && (attr->map_flags & MAPRING_F_NO_COMMON_LRU))
		return ERR_PTR(-EINVAL);
	if (lru && (attr->map_flags & MAPRING_F_NO_PREALLOC))
		return ERR_PTR(-MAPRING_ENOTSUPP);
	if (!attr->max_entries || !attr->key_size || !attr->value_size)
		return ERR_PTR(-EINVAL);
	if ((u64)attr->key_size + attr->value_size >=
	    KMALLOC_MAX_SIZE - offsetof(struct mr_elem, key))
		return ERR_PTR(-E2BIG);
	if (round_up(attr->value_size, 8) > PCPU_MIN_UNIT_SIZE)
		return ERR_PTR(-E2BIG);
	/* roundup_pow_of_two() must not overflow, nor the bucket table u32 */
	if (attr->max_entries > 1U << 31 ||
	    roundup_pow_of_two(attr->max_entries) >
	    U32_MAX / sizeof(struct mr_bucket))
		return ERR_PTR(-E2BIG);

	/*
	 * bpf() sizes a per-CPU-LRU map in whole per-CPU shares; we keep one
	 * list, but the size user space sees is bpf()'s.
	 */
	if (attr->map_flags & MAPRING_F_NO_COMMON_LRU) {
		max_entries = roundup(attr->max_entries, num_possible_cpus());
		if (max_entries < attr->max_entries)
			max_entries = rounddown(attr->max_entries,
						num_possible_cpus());
	}

	if (mapring_map_fits(hash_table_bytes(attr, max_entries)))
		return ERR_PTR(-ENOMEM);
	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return ERR_PTR(-ENOMEM);
	mapring_obj_init(&h->map.obj, attr->map_type, &mapring_map_obj_ops);
	h->map.ops = &hash_ops;
	h->map.key_size = attr->key_size;
	h->map.value_size = attr->value_size;
	h->map.elem_size = round_up(attr->value_size, 8);
	h->map.max_entries = max_entries;
	h->map.map_flags = attr->map_flags;
	h->n_buckets = roundup_pow_of_two(max_entries);
	h->seed = attr->map_flags & MAPRING_F_ZERO_SEED ? 0 : get_random_u32();
	h->elem_bytes = offsetof(struct mr_elem, key) + round_up(attr->key_size, 8);
	h->prealloc = !(attr->map_flags & MAPRING_F_NO_PREALLOC);
	atomic_set(&h->count, 0);
	raw_spin_lock_init(&h->free_lock);
	h->lru = lru;
	raw_spin_lock_init(&h->lru_lock);
	INIT_LIST_HEAD(&h->lru_list);

	old = mapring_obj_charge_begin(&h->map.obj);
	h->buckets = kvmalloc_array(h->n_buckets, sizeof(*h->buckets),
				    MAPRING_GFP_TABLE);
	err = -ENOMEM;
	if (h->buckets) {
		for (i = 0; i < h->n_buckets; i++) {
			INIT_HLIST_NULLS_HEAD(&h->buckets[i].head, i);
			raw_spin_lock_init(&h->buckets[i].lock);
		}
		err = h->prealloc ? hash_prealloc(h) : 0;
	}
	mapring_obj_charge_end(old);
	if (err) {
		mem_cgroup_put(h->map.obj.memcg);
		hash_free(&h->map);
		return ERR_PTR(err);
	}
	return &h->map;
}
