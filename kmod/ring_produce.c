// SPDX-License-Identifier: GPL-2.0
/*
 * Producing into a ring: reserve, commit, wake-ups, drop accounting.
 *
 * Reserve runs under ring->lock, a raw spinlock taken with interrupts off,
 * because producers run in hardirq and NMI context, where a PREEMPT_RT
 * sleeping spinlock_t cannot be taken; the section is short and bounded
 * (see ring_advance_pending()). In NMI the lock is only tried: an NMI that
 * interrupted the lock holder on its own CPU would otherwise deadlock, so
 * a reservation from NMI can fail while the ring has room (drops_busy).
 *
 * User space writes consumer_pos whenever it likes, to any value. It is
 * read once per reservation and only ever compared; every reservation is
 * also bounded by pending_pos, the oldest record not yet committed, so no
 * value of consumer_pos lets a reservation overlap a record a producer
 * still writes (CVE-2024-41009). Nothing is ever read back from the ring
 * to find kernel memory: submit and discard take the ring.
 *
 * Memory-ordering pairs (docs/ringbuf.md has the full table):
 *  - reserve's smp_store_release(producer_pos) / the consumer's acquire
 *    load: the BUSY header is visible before the position that covers it;
 *  - commit's xchg(hdr->len) (a full barrier) / the consumer's acquire load
 *    of the header: the sample is visible before the header says so;
 *  - the consumer's release store of consumer_pos / reserve's acquire load:
 *    the consumer is done reading a record before its space is reused;
 *  - commit's xchg then load of consumer_pos, against the consumer's store
 *    of consumer_pos, full fence, load of the header: one of the two sees
 *    the other, so a caught-up consumer is never left asleep.
 *
 * Overwrite rings (MAPRING_RING_F_OVERWRITE) add one pair, a seqlock in
 * which overwrite_pos is the sequence: reserve stores the new
 * overwrite_pos, smp_wmb(), then overwrites (the new header here, the
 * sample in its producer after reserve returns); a reader copies a record
 * that starts at p, then smp_rmb() (an acquire fence), then loads
 * overwrite_pos: if its copy saw any byte written over the record, it sees
 * overwrite_pos > p and drops the copy as torn (see ring_overwrite()).
 */
#include <linux/export.h>
#include <linux/hardirq.h>
#include <linux/mapring.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ring.h"

/* The sample size must fit in the header's len beside the two flag bits. */
#define RING_MAX_RECORD		(MAPRING_RB_DISCARD_BIT - 1)
#define RING_COMMIT_FLAGS	(MAPRING_RB_NO_WAKEUP | MAPRING_RB_FORCE_WAKEUP)

/* One load of what user space writes at will: only ever compared. */
static inline u64 ring_load_cons(struct mapring_ring *ring)
{
	/* pairs with the consumer's release store: it is done reading */
	return smp_load_acquire(ring->consumer_pos);
}

/* Written under the lock; a reader outside it gets a momentary value. */
static inline u64 ring_load_over(struct mapring_ring *ring)
{
	return READ_ONCE(ring->prod->overwrite_pos);
}

static inline u64 ring_load_prod(struct mapring_ring *ring)
{
	/* pairs with reserve's release store of producer_pos */
	return smp_load_acquire(&ring->prod->producer_pos);
}

/* Bytes a record of size sample bytes takes in the ring. */
static inline u64 ring_rec_len(u64 size)
{
	return round_up(size + MAPRING_RB_HDR_SZ, 8);
}

static inline struct mapring_rb_hdr *ring_hdr_at(struct mapring_ring *ring,
						 u64 pos)
{
	return ring->data + (pos & ring->mask);
}

/* A record that can never fit is counted, once, as too large. */
static bool ring_too_large(struct mapring_ring *ring, u64 size)
{
	if (likely(size <= RING_MAX_RECORD &&
		   ring_rec_len(size) <= ring->mask))
		return false;
	atomic64_inc(&ring->prod->drops_too_large);
	return true;
}

/*
 * Move pending_pos past the records committed since the last reservation.
 * Each record is passed once, so the cost is amortised O(1) per record;
 * a single call walks at most data_size / 8 headers. Only the kernel
 * writes headers and user space cannot map data pages writable, so a
 * header here is one we wrote; the length check only keeps a corrupted one
 * (a producer writing past its sample) from moving pending_pos past
 * producer_pos.
 */
static u64 ring_advance_pending(struct mapring_ring *ring, u64 pend, u64 pos)
{
	u32 len;
	u64 step;

	while (pend != pos) {
		/* pairs with commit's xchg: the record is complete */
		len = smp_load_acquire(&ring_hdr_at(ring, pend)->len);
		if (len & MAPRING_RB_BUSY_BIT)
			break;
		step = ring_rec_len(len & ~MAPRING_RB_DISCARD_BIT);
		if (step > pos - pend)
			break;
		pend += step;
	}
	return pend;
}

/*
 * Overwrite mode, under the lock: move overwrite_pos past the oldest
 * records until a record ending at new_pos fits, and count them. The caller
 * checked new_pos - pend <= mask with pend just advanced, so every record
 * passed lies before pending_pos: committed, its header written by us
 * (user space cannot write data pages), and overwrite_pos, which only stops
 * on record boundaries, never passes pending_pos. A committed record is
 * overwritten; a busy one never is (the caller fails instead).
 */
static void ring_overwrite(struct mapring_ring *ring, u64 pend, u64 new_pos)
{
	struct mapring_rb_kproducer *prod = ring->prod;
	u64 over = prod->overwrite_pos, n = 0, step;
	u32 len;

	while (new_pos - over > ring->mask) {
		len = READ_ONCE(ring_hdr_at(ring, over)->len);
		step = ring_rec_len(len & ~MAPRING_RB_DISCARD_BIT);
		n++;
		/* only a producer writing past its sample gets here */
		if (unlikely(step > pend - over)) {
			over = pend;
			break;
		}
		over += step;
	}
	if (!n)
		return;
	WRITE_ONCE(prod->overwritten, prod->overwritten + n);
	WRITE_ONCE(prod->overwrite_pos, over);
	/*
	 * The new overwrite_pos before anything that overwrites the records
	 * it passed: the header below, the sample its producer writes after
	 * we return (the same task; a migration in between is a full
	 * barrier). Pairs with the reader's acquire fence between its copy of
	 * a record and its load of overwrite_pos: a copy that saw one byte of
	 * ours sees overwrite_pos past the record it copied.
	 */
	smp_wmb();
}

/*
 * Timestamp rings, under the lock: the clock, but never less than the last
 * stamp (the NMI-safe fast clock may step back a little during an update),
 * so records are in non-decreasing stamp order and mapring_ring_stamp_sync()
 * bounds every later stamp from below.
 */
static u64 ring_stamp(struct mapring_ring *ring)
{
	u64 now = ktime_get_mono_fast_ns();

	if (now > ring->ts_floor)
		ring->ts_floor = now;
	return ring->ts_floor;
}

/* The sample, or ERR_PTR(-E2BIG, -EAGAIN: full, -EBUSY: NMI and locked). */
static void *ring_reserve(struct mapring_ring *ring, u64 size)
{
	struct mapring_rb_kproducer *prod = ring->prod;
	bool overwrite = ring->flags & MAPRING_RING_F_OVERWRITE;
	u64 cons = 0, pos, old_pend, pend, new_pos, len;
	struct mapring_rb_hdr *hdr;
	unsigned long irqflags;

	/* user space produces into a user ring, the kernel only drains it */
	if (unlikely(ring->flags & MAPRING_RING_F_USER))
		return ERR_PTR(-EOPNOTSUPP);
	if (ring_too_large(ring, size))
		return ERR_PTR(-E2BIG);
	if (unlikely((ring->flags & MAPRING_RING_F_TIMESTAMP) && size < 8))
		return ERR_PTR(-EINVAL);
	len = ring_rec_len(size);

	/*
	 * Outside the lock, as BPF: the cache miss is not spent holding it.
	 * An overwrite ring does not look at consumer_pos at all.
	 *
	 * A ring the consumer has not freed room in fails here, without the
	 * lock: producer_pos only grows, so a stale value can only let this
	 * test pass, and the test under the lock uses the same cons. Producers
	 * of a full ring do not queue on its lock (BPF's do), and a reserve
	 * from NMI finding it full is counted as full, not busy.
	 */
	if (!overwrite) {
		cons = ring_load_cons(ring);
		if (unlikely(READ_ONCE(prod->producer_pos) + len - cons >
			     ring->mask)) {
			atomic64_inc(&prod->drops_full);
			return ERR_PTR(-EAGAIN);
		}
	}

	if (in_nmi()) {
		if (!raw_spin_trylock_irqsave(&ring->lock, irqflags)) {
			atomic64_inc(&prod->drops_busy);
			return ERR_PTR(-EBUSY);
		}
	} else {
		raw_spin_lock_irqsave(&ring->lock, irqflags);
	}

	pos = prod->producer_pos;
	old_pend = prod->pending_pos;
	pend = ring_advance_pending(ring, old_pend, pos);
	/* user space reads the producer page: write its line only to change it */
	if (pend != old_pend)
		WRITE_ONCE(prod->pending_pos, pend);
	new_pos = pos + len;

	/*
	 * Room means: no further than data_size - 1 ahead of the oldest
	 * uncommitted record and, unless overwriting, of the consumer. A
	 * consumer_pos ahead of producer_pos wraps to a huge difference and
	 * fails the test.
	 */
	if (unlikely(new_pos - pend > ring->mask ||
		     (!overwrite && new_pos - cons > ring->mask))) {
		raw_spin_unlock_irqrestore(&ring->lock, irqflags);
		atomic64_inc(&prod->drops_full);
		return ERR_PTR(-EAGAIN);
	}

	hdr = ring_hdr_at(ring, pos);
	if (overwrite)
		ring_overwrite(ring, pend, new_pos);
	WRITE_ONCE(hdr->len, (u32)size | MAPRING_RB_BUSY_BIT);
	/* overwrite rings number their records; the others keep BPF's 0 */
	WRITE_ONCE(hdr->seq, overwrite ? (u32)ring->next_seq++ : 0);
	if (ring->flags & MAPRING_RING_F_TIMESTAMP)
		*(u64 *)(hdr + 1) = ring_stamp(ring);
	/* pairs with the consumer's acquire load of producer_pos */
	smp_store_release(&prod->producer_pos, new_pos);

	raw_spin_unlock_irqrestore(&ring->lock, irqflags);
	return hdr + 1;
}

static void ring_wake(struct mapring_ring *ring)
{
	atomic64_inc(&ring->wakeups);
	/*
	 * A committer that could sleep holds nothing wake_up_all() needs:
	 * wake directly, without irq_work's self-interrupt. Anywhere else
	 * (hardirq, NMI, interrupts or preemption off, inside the scheduler,
	 * under a lock, or PREEMPT_RT where the waitqueue lock sleeps) defer
	 * to irq_work, as BPF always does.
	 */
	if (preemptible())
		wake_up_all(&ring->waitq);
	else
		irq_work_queue(&ring->wake_work);
}

static void ring_arm_timer(struct mapring_ring *ring)
{
	hrtimer_start(&ring->batch_timer,
		      ns_to_ktime((u64)ring->wakeup_usecs * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_SOFT);
}

/*
 * Batched wake-ups: wake when this commit brings the bytes from
 * consumer_pos to the end of the record to wakeup_bytes or more (it is the
 * record that crosses the mark), else make sure the timer runs: every
 * commit is followed by a wake-up within wakeup_usecs, whatever the
 * consumer does, so no record is stranded below the mark.
 */
static void ring_notify_batched(struct mapring_ring *ring, u64 start, u64 end)
{
	u64 over = ring_load_over(ring);
	u64 cons = mapring_ring_read_start(ring, ring_load_cons(ring), over);
	s64 mark = ring->wakeup_bytes;

	if (mark && (s64)(end - cons) >= mark && (s64)(start - cons) < mark) {
		ring_wake(ring);
		return;
	}
	/*
	 * Commit's xchg and the timer's test_and_clear_bit() are full
	 * barriers, and the timer reads producer_pos after clearing: either
	 * this load sees the bit clear, or the timer sees this record. So a
	 * plain load first (most commits find the timer armed), and an atomic
	 * only to claim the arming.
	 */
	if (test_bit(MAPRING_RB_TIMER_ARMED, &ring->batch_state) ||
	    test_and_set_bit(MAPRING_RB_TIMER_ARMED, &ring->batch_state))
		return;
	/*
	 * With interrupts on we hold no lock hrtimer_start() could need (its
	 * base lock, the runqueue's: all are taken with interrupts off), so
	 * start the timer here, without the self-interrupt irq_work costs.
	 * Interrupts off (hardirq, NMI, inside such locks): through irq_work.
	 */
	if (!irqs_disabled())
		ring_arm_timer(ring);
	else
		irq_work_queue(&ring->arm_work);
}

static void ring_commit(struct mapring_ring *ring, void *sample, u64 flags,
			bool discard)
{
	struct mapring_rb_hdr *hdr = sample - MAPRING_RB_HDR_SZ;
	u64 off = (unsigned long)hdr - (unsigned long)ring->data;
	u64 prod_pos = 0, start, cons;
	u32 len, new_len;

	/* only a sample of this ring, still busy: a caller's bug otherwise */
	if (WARN_ON_ONCE(off > ring->mask || (off & 7)))
		return;
	len = READ_ONCE(hdr->len);
	if (WARN_ON_ONCE(!(len & MAPRING_RB_BUSY_BIT)))
		return;

	/* while we are busy, producer_pos is less than a ring ahead of us */
	if (ring->flags & MAPRING_RING_F_BATCH_WAKEUP)
		prod_pos = ring_load_prod(ring);

	new_len = len & ~MAPRING_RB_BUSY_BIT;
	if (discard)
		new_len |= MAPRING_RB_DISCARD_BIT;
	/* a full barrier: the sample before the header, the header before
	 * the consumer_pos load below
	 */
	xchg(&hdr->len, new_len);

	if (flags & MAPRING_RB_FORCE_WAKEUP) {
		ring_wake(ring);
	} else if (flags & MAPRING_RB_NO_WAKEUP) {
		return;
	} else if (ring->flags & MAPRING_RING_F_BATCH_WAKEUP) {
		start = prod_pos - ((prod_pos - off) & ring->mask);
		ring_notify_batched(ring, start,
				    start + ring_rec_len(len & ~MAPRING_RB_BUSY_BIT));
	} else {
		/* adaptive: wake only a consumer waiting for this record */
		cons = ring_load_cons(ring);
		if ((cons & ring->mask) == off)
			ring_wake(ring);
	}
}

/* ---- wake-up machinery ------------------------------------------------- */

static void ring_wake_fn(struct irq_work *work)
{
	struct mapring_ring *ring = container_of(work, struct mapring_ring,
						 wake_work);

	wake_up_all(&ring->waitq);
}

static void ring_arm_fn(struct irq_work *work)
{
	ring_arm_timer(container_of(work, struct mapring_ring, arm_work));
}

/* Softirq context. Commits after the clear arm the timer again. */
static enum hrtimer_restart ring_timer_fn(struct hrtimer *timer)
{
	struct mapring_ring *ring = container_of(timer, struct mapring_ring,
						 batch_timer);

	test_and_clear_bit(MAPRING_RB_TIMER_ARMED, &ring->batch_state);
	if (ring_load_prod(ring) != ring_load_cons(ring)) {
		atomic64_inc(&ring->wakeups);
		wake_up_all(&ring->waitq);
	}
	return HRTIMER_NORESTART;
}

void mapring_ring_wake_init(struct mapring_ring *ring)
{
	init_waitqueue_head(&ring->waitq);
	init_irq_work(&ring->wake_work, ring_wake_fn);
	init_irq_work(&ring->arm_work, ring_arm_fn);
	hrtimer_init(&ring->batch_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	ring->batch_timer.function = ring_timer_fn;
}

/* Nobody commits any more: stop what earlier commits set in motion. */
void mapring_ring_wake_fini(struct mapring_ring *ring)
{
	irq_work_sync(&ring->arm_work);
	hrtimer_cancel(&ring->batch_timer);
	irq_work_sync(&ring->wake_work);
}

/*
 * poll(): readable when the record at consumer_pos is committed (or
 * discarded: it still has to be consumed). Unlike BPF, a busy record at
 * the head does not make the ring readable, so a level-triggered consumer
 * sleeps instead of spinning; that record's commit finds consumer_pos at
 * it and wakes the consumer. The header read stays inside the mapping
 * whatever consumer_pos holds.
 */
bool mapring_ring_readable(struct mapring_ring *ring)
{
	/* overwrite_pos first: it is never past a producer_pos read later */
	u64 over = ring_load_over(ring);
	u64 cons = mapring_ring_read_start(ring, ring_load_cons(ring), over);
	u64 prod = ring_load_prod(ring);
	u32 len;

	if (cons == prod)
		return false;
	/* pairs with commit's xchg */
	len = smp_load_acquire(&ring_hdr_at(ring, cons & ~7ULL)->len);
	return !(len & MAPRING_RB_BUSY_BIT);
}

/* ---- user-space producers ---------------------------------------------- */

static int ring_output(struct mapring_ring *ring, const void *data, u64 size,
		       u64 flags)
{
	void *sample = ring_reserve(ring, size);

	if (IS_ERR(sample))
		return PTR_ERR(sample);
	/* a timestamp ring's first 8 bytes are the kernel's stamp */
	if (ring->flags & MAPRING_RING_F_TIMESTAMP)
		memcpy(sample + 8, data + 8, size - 8);
	else
		memcpy(sample, data, size);
	ring_commit(ring, sample, flags, false);
	return 0;
}

/*
 * write() and MAPRING_IOC_RING_OUTPUT. The data is copied in before the
 * reservation: a page fault (or a userfaultfd that never resolves) must not
 * hold a busy record at the head of the ring.
 */
int mapring_ring_output_user(struct mapring_ring *ring,
			     const void __user *data, u64 size, u64 flags)
{
	u8 small[128];
	void *buf = small;
	int err;

	if (flags & ~RING_COMMIT_FLAGS)
		return -EINVAL;
	if (ring->flags & MAPRING_RING_F_USER)
		return -EOPNOTSUPP;
	if (ring_too_large(ring, size))
		return -E2BIG;
	if (size > sizeof(small)) {
		buf = kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!buf)
			return -ENOMEM;
	}
	if (copy_from_user(buf, data, size))
		err = -EFAULT;
	else
		err = ring_output(ring, buf, size, flags);
	if (buf != small)
		kvfree(buf);
	return err;
}

/*
 * A timestamp ring's lower bound on later stamps, for the group's merge
 * watermark: taken under the lock, so every record stamped below it is
 * already reserved, and every later one is stamped at least this.
 * Process context.
 */
u64 mapring_ring_stamp_sync(struct mapring_ring *ring)
{
	unsigned long irqflags;
	u64 t;

	raw_spin_lock_irqsave(&ring->lock, irqflags);
	t = ring_stamp(ring);
	raw_spin_unlock_irqrestore(&ring->lock, irqflags);
	return t;
}

/* ---- the kernel API ---------------------------------------------------- */

void *mapring_ring_reserve(struct mapring_ring *ring, u64 size, u64 flags)
{
	void *sample;

	if (unlikely(flags))
		return NULL;
	sample = ring_reserve(ring, size);
	return IS_ERR(sample) ? NULL : sample;
}
EXPORT_SYMBOL_GPL(mapring_ring_reserve);

void mapring_ring_submit(struct mapring_ring *ring, void *sample, u64 flags)
{
	ring_commit(ring, sample, flags, false);
}
EXPORT_SYMBOL_GPL(mapring_ring_submit);

void mapring_ring_discard(struct mapring_ring *ring, void *sample, u64 flags)
{
	ring_commit(ring, sample, flags, true);
}
EXPORT_SYMBOL_GPL(mapring_ring_discard);

int mapring_ring_output(struct mapring_ring *ring, const void *data, u64 size,
			u64 flags)
{
	if (unlikely(flags & ~RING_COMMIT_FLAGS))
		return -EINVAL;
	return ring_output(ring, data, size, flags);
}
EXPORT_SYMBOL_GPL(mapring_ring_output);

u64 mapring_ring_query(struct mapring_ring *ring, u64 what)
{
	struct mapring_rb_kproducer *prod = ring->prod;

	u64 over;

	switch (what) {
	case MAPRING_RB_AVAIL_DATA:
		over = ring_load_over(ring);
		over = mapring_ring_read_start(ring, ring_load_cons(ring), over);
		return ring_load_prod(ring) - over;
	case MAPRING_RB_RING_SIZE:
		return ring_data_size(ring);
	case MAPRING_RB_CONS_POS:
		return ring_load_cons(ring);
	case MAPRING_RB_PROD_POS:
		return ring_load_prod(ring);
	case MAPRING_RB_PENDING_POS:
		return READ_ONCE(prod->pending_pos);
	case MAPRING_RB_OVERWRITE_POS:
		return ring_load_over(ring);
	case MAPRING_RB_OVERWRITTEN:
		return READ_ONCE(prod->overwritten);
	case MAPRING_RB_DROPS:
		return atomic64_read(&prod->drops_full) +
		       atomic64_read(&prod->drops_too_large) +
		       atomic64_read(&prod->drops_busy);
	case MAPRING_RB_DROPS_FULL:
		return atomic64_read(&prod->drops_full);
	case MAPRING_RB_DROPS_TOO_LARGE:
		return atomic64_read(&prod->drops_too_large);
	case MAPRING_RB_DROPS_BUSY:
		return atomic64_read(&prod->drops_busy);
	case MAPRING_RB_WAKEUPS:
		return atomic64_read(&ring->wakeups);
	case MAPRING_RB_USER_DRAINED:
		return READ_ONCE(ring->user_drained);
	case MAPRING_RB_USER_DISCARDED:
		return READ_ONCE(ring->user_discarded);
	case MAPRING_RB_USER_BAD:
		return READ_ONCE(ring->user_bad);
	default:
		return 0;
	}
}
EXPORT_SYMBOL_GPL(mapring_ring_query);
