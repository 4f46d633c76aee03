/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rings inside mapring.ko: the object, shared by ring.c (creation, fds),
 * ring_mmap.c (the mapping) and ring_produce.c (reserve, commit, wake-ups).
 */
#ifndef _MAPRING_RING_H
#define _MAPRING_RING_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/mm_types.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <linux/mapring.h>

#include "object.h"

/*
 * The producer page as the kernel sees it: the UAPI layout, with atomics
 * for the counters bumped outside the lock (ring.c checks the offsets).
 */
struct mapring_rb_kproducer {
	u64 producer_pos;
	u64 pending_pos;
	u64 overwrite_pos;
	u64 overwritten;
	u64 __reserved[4];
	atomic64_t drops_full;
	atomic64_t drops_too_large;
	atomic64_t drops_busy;
};

/* batch_state bits */
#define MAPRING_RB_TIMER_ARMED	0

struct mapring_ring {
	struct mapring_obj obj;

	/* Reservation: pending_pos and producer_pos change only under it. */
	raw_spinlock_t lock ____cacheline_aligned_in_smp;
	u64 mask;				/* data_size - 1 */
	u64 *consumer_pos;			/* the consumer page: user-writable */
	struct mapring_rb_kproducer *prod;	/* the producer page */
	void *data;				/* data pages, mapped twice */
	u64 next_seq;				/* overwrite rings: records reserved */
	u64 ts_floor;				/* timestamp rings: the last stamp */

	/* Wake-ups. */
	wait_queue_head_t waitq ____cacheline_aligned_in_smp;
	struct irq_work wake_work;	/* wake readers from any context */
	struct irq_work arm_work;	/* start batch_timer from any context */
	struct hrtimer batch_timer;	/* the time bound of batched wake-ups */
	unsigned long batch_state;
	atomic64_t wakeups;
	u64 wakeup_bytes;
	u32 wakeup_usecs;
	u32 flags;			/* MAPRING_RING_F_* */

	/* Memory: pages[] holds the 2 + nr_data pages, then the data again. */
	void *area;			/* vmap of all of pages[] */
	struct page **pages;
	unsigned long nr_pages;		/* distinct pages: 2 + nr_data */
	unsigned long nr_map_pages;	/* entries of pages[]: 2 + 2 * nr_data */

	/*
	 * User rings (MAPRING_RING_F_USER, ring_drain.c). The drainer owns
	 * user_cons and the counters while it holds bit 0 of drain_busy;
	 * everything lives here, not in pages user space can map.
	 */
	unsigned long drain_busy;
	u64 user_cons;			/* consumer_pos, the kernel's copy */
	u64 user_drained;		/* records passed to a drain callback */
	u64 user_discarded;		/* discarded records skipped */
	u64 user_bad;			/* drains stopped by invalid input */
	spinlock_t kick_lock;		/* kick_fn and kick_ctx */
	mapring_kick_fn kick_fn;
	void *kick_ctx;
	struct module *kick_owner;	/* who set kick_fn */
	struct list_head kick_node;	/* on kick_rings while it is set */
};

static inline struct mapring_ring *to_ring(struct mapring_obj *obj)
{
	return container_of(obj, struct mapring_ring, obj);
}

static inline u64 ring_data_size(const struct mapring_ring *ring)
{
	return ring->mask + 1;
}

/*
 * Where readable data starts: consumer_pos, or in an overwrite ring the
 * later of consumer_pos and overwrite_pos (whatever user space wrote to
 * consumer_pos, this only selects one of the two values).
 */
static inline u64 mapring_ring_read_start(const struct mapring_ring *ring,
					  u64 cons, u64 over)
{
	if ((ring->flags & MAPRING_RING_F_OVERWRITE) && (s64)(over - cons) > 0)
		return over;
	return cons;
}

/* ring.c */
long mapring_ioc_ring_create(void __user *uarg);

/* ring_mmap.c */
int mapring_ring_mmap(struct file *file, struct vm_area_struct *vma);

/* ring_produce.c */
void mapring_ring_wake_init(struct mapring_ring *ring);
void mapring_ring_wake_fini(struct mapring_ring *ring);
bool mapring_ring_readable(struct mapring_ring *ring);
int mapring_ring_output_user(struct mapring_ring *ring,
			     const void __user *data, u64 size, u64 flags);
u64 mapring_ring_stamp_sync(struct mapring_ring *ring);

/* ring_group.c */
long mapring_ioc_ring_group_create(void __user *uarg);

/* ring_drain.c */
void mapring_ring_user_init(struct mapring_ring *ring);
bool mapring_ring_user_writable(struct mapring_ring *ring);
long mapring_ioc_ring_kick(struct mapring_ring *ring, void __user *uarg);
/* forget the kicks of modules unloaded without removing them */
int mapring_kicks_init(void);
void mapring_kicks_exit(void);

#endif /* _MAPRING_RING_H */
