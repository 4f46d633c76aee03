// SPDX-License-Identifier: GPL-2.0
/*
 * User rings (MAPRING_RING_F_USER): user space produces, kernel code
 * drains, as BPF's BPF_MAP_TYPE_USER_RINGBUF. User space reserves by
 * writing a header with the BUSY bit and moving producer_pos (release),
 * and commits by clearing BUSY (release); the drainer here loads
 * producer_pos and each header with acquire.
 *
 * Everything in the producer and data pages is user input, and may change
 * under us at any time: producer_pos and each header are loaded exactly
 * once and checked before use, every position is computed from the
 * kernel's own copy of consumer_pos (ring->user_cons, never read back from
 * the mapped page), and no length read from the ring is ever used before
 * it is bounded by producer_pos - consumer_pos, itself bounded by the data
 * size. The records handed to the callback lie inside the double-mapped
 * data area whatever user space wrote.
 *
 * One drainer at a time: bit 0 of ring->drain_busy, in kernel memory, is
 * taken with test_and_set_bit_lock(); a second drainer gets -EBUSY instead
 * of waiting, so draining works in any context.
 */
#include <linux/bitops.h>
#include <linux/export.h>
#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/mapring.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "internal.h"
#include "ring.h"

#define DRAIN_BUSY	0
#define DRAIN_FLAGS	(MAPRING_RB_NO_WAKEUP | MAPRING_RB_FORCE_WAKEUP)

void mapring_ring_user_init(struct mapring_ring *ring)
{
	spin_lock_init(&ring->kick_lock);
	INIT_LIST_HEAD(&ring->kick_node);
}

/*
 * poll() of a user ring: EPOLLOUT while there is any room, as BPF. A
 * producer_pos user space set beyond the ring reads as no room.
 */
bool mapring_ring_user_writable(struct mapring_ring *ring)
{
	u64 cons = READ_ONCE(ring->user_cons);
	u64 prod = READ_ONCE(ring->prod->producer_pos);

	return prod - cons < ring_data_size(ring);
}

/* Wake producers waiting for room, from any context. */
static void drain_wake(struct mapring_ring *ring)
{
	/*
	 * A full barrier: the consumer_pos stored before it is visible to a
	 * poller that queued itself after our test of the waitqueue.
	 */
	if (!wq_has_sleeper(&ring->waitq))
		return;
	atomic64_inc(&ring->wakeups);
	if (preemptible())
		wake_up_all(&ring->waitq);
	else
		irq_work_queue(&ring->wake_work);
}

long mapring_ring_drain(struct mapring_ring *ring, mapring_drain_fn cb,
			void *ctx, u32 max_records, u64 flags)
{
	u64 size = ring_data_size(ring), cons, prod, rec;
	u32 len, seen = 0, drained = 0;
	struct mapring_rb_hdr *hdr;
	long ret = 0;
	int r = 0;

	if (!(ring->flags & MAPRING_RING_F_USER) || !cb ||
	    (flags & ~DRAIN_FLAGS))
		return -EINVAL;
	if (!max_records || max_records > MAPRING_RING_DRAIN_MAX)
		max_records = MAPRING_RING_DRAIN_MAX;
	if (test_and_set_bit_lock(DRAIN_BUSY, &ring->drain_busy))
		return -EBUSY;

	cons = ring->user_cons;
	/* pairs with the producer's release store: the headers it covers */
	prod = smp_load_acquire(&ring->prod->producer_pos);
	/* unaligned, behind consumer_pos (wraps) or beyond the ring */
	if ((prod & 7) || prod - cons > size) {
		ret = -EBADMSG;
		goto out;
	}

	while (seen < max_records && cons != prod) {
		hdr = ring->data + (cons & ring->mask);
		/* pairs with the producer's release store: the sample first */
		len = smp_load_acquire(&hdr->len);
		if (len & MAPRING_RB_BUSY_BIT)
			break;
		rec = round_up((u64)(len & ~MAPRING_RB_DISCARD_BIT) +
			       MAPRING_RB_HDR_SZ, 8);
		if (rec > prod - cons) {
			ret = -EBADMSG;
			break;
		}
		seen++;
		if (!(len & MAPRING_RB_DISCARD_BIT)) {
			drained++;
			r = cb(ctx, hdr + 1, len);
		}
		cons += rec;
		WRITE_ONCE(ring->user_cons, cons);
		/* the record is read before user space may reuse its space */
		smp_store_release(ring->consumer_pos, cons);
		if (r) {
			if (r < 0)
				ret = r;
			break;
		}
	}

out:
	WRITE_ONCE(ring->user_drained, ring->user_drained + drained);
	WRITE_ONCE(ring->user_discarded,
		   ring->user_discarded + seen - drained);
	if (ret == -EBADMSG)
		WRITE_ONCE(ring->user_bad, ring->user_bad + 1);
	if ((flags & MAPRING_RB_FORCE_WAKEUP) ||
	    (seen && !(flags & MAPRING_RB_NO_WAKEUP)))
		drain_wake(ring);
	clear_bit_unlock(DRAIN_BUSY, &ring->drain_busy);
	return ret ? ret : drained;
}
EXPORT_SYMBOL_GPL(mapring_ring_drain);

/*
 * Every ring with a kick set, so that the kick of a module unloaded
 * without removing it (fn and ctx would point into freed memory) can be
 * forgotten at MODULE_STATE_GOING. A registration holds a reference on its
 * ring: the ring outlives it. Writers of kick_fn hold kick_rings_lock.
 */
static LIST_HEAD(kick_rings);
static DEFINE_MUTEX(kick_rings_lock);

/* Under kick_rings_lock: no kick runs or starts once this returns. */
static void kick_clear(struct mapring_ring *ring)
{
	spin_lock(&ring->kick_lock);
	ring->kick_fn = NULL;
	ring->kick_ctx = NULL;
	spin_unlock(&ring->kick_lock);
	ring->kick_owner = NULL;
	list_del_init(&ring->kick_node);
}

int mapring_ring_set_kick_owner(struct mapring_ring *ring,
				mapring_kick_fn fn, void *ctx,
				struct module *owner)
{
	bool put = false;
	int err = 0;

	if (!(ring->flags & MAPRING_RING_F_USER))
		return -EINVAL;
	mutex_lock(&kick_rings_lock);
	if (fn && ring->kick_fn) {
		err = -EBUSY;
	} else if (fn) {
		mapring_obj_get(&ring->obj);
		ring->kick_owner = owner;
		list_add(&ring->kick_node, &kick_rings);
		spin_lock(&ring->kick_lock);
		ring->kick_fn = fn;
		ring->kick_ctx = ctx;
		spin_unlock(&ring->kick_lock);
	} else if (ring->kick_fn) {
		kick_clear(ring);
		put = true;
	}
	mutex_unlock(&kick_rings_lock);
	if (put)
		mapring_obj_put(&ring->obj);
	return err;
}
EXPORT_SYMBOL_GPL(mapring_ring_set_kick_owner);

static int kick_module_going(struct notifier_block *nb, unsigned long state,
			     void *data)
{
	struct mapring_ring *ring, *next;
	struct module *mod = data;
	LIST_HEAD(gone);

	if (state != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&kick_rings_lock);
	list_for_each_entry_safe(ring, next, &kick_rings, kick_node) {
		if (ring->kick_owner != mod)
			continue;
		pr_notice("%s left its kick on ring %u: removed\n", mod->name,
			  ring->obj.id);
		kick_clear(ring);
		list_add(&ring->kick_node, &gone);
	}
	mutex_unlock(&kick_rings_lock);
	list_for_each_entry_safe(ring, next, &gone, kick_node) {
		list_del_init(&ring->kick_node);
		mapring_obj_put(&ring->obj);
	}
	return NOTIFY_OK;
}

static struct notifier_block kick_module_nb = {
	.notifier_call = kick_module_going,
};

int mapring_kicks_init(void)
{
	return register_module_notifier(&kick_module_nb);
}

void mapring_kicks_exit(void)
{
	unregister_module_notifier(&kick_module_nb);
}

long mapring_ioc_ring_kick(struct mapring_ring *ring, void __user *uarg)
{
	struct mapring_ring_kick k;
	long ret = 0;
	u32 usize;
	int err;

	err = mapring_uattr_in(&k, sizeof(k), MAPRING_RING_KICK_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;
	if (k.flags || !(ring->flags & MAPRING_RING_F_USER))
		return -EINVAL;
	spin_lock(&ring->kick_lock);
	if (ring->kick_fn) {
		ring->kick_fn(ring, ring->kick_ctx);
		ret = 1;
	}
	spin_unlock(&ring->kick_lock);
	return ret;
}
