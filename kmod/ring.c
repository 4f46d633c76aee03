// SPDX-License-Identifier: GPL-2.0
/*
 * Rings: creation, memory, and the ring fd (ioctl, write, poll, fdinfo).
 * The mapping is in ring_mmap.c, reserve/commit and wake-ups in
 * ring_produce.c; docs/ringbuf.md describes the whole protocol.
 *
 * Memory: the consumer page, the producer page and the data pages are
 * separate order-0 pages charged to the creator's memory cgroup. pages[]
 * lists them as user space maps them, the data pages twice, and one vmap of
 * that array gives the kernel the same contiguous view.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mapring.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "ring.h"

/* The largest ring_max_bytes may be set to: 4 GiB of data. */
#define RING_MAX_BYTES_LIMIT	BIT_ULL(32)

static unsigned long long ring_max_bytes = 256ULL << 20;

static int ring_max_bytes_set(const char *val, const struct kernel_param *kp)
{
	unsigned long long v;
	int err;

	err = kstrtoull(val, 0, &v);
	if (err)
		return err;
	if (v < PAGE_SIZE || !is_power_of_2(v) || v > RING_MAX_BYTES_LIMIT)
		return -EINVAL;
	WRITE_ONCE(ring_max_bytes, v);
	return 0;
}

static const struct kernel_param_ops ring_max_bytes_ops = {
	.set = ring_max_bytes_set,
	.get = param_get_ullong,
};

module_param_cb(ring_max_bytes, &ring_max_bytes_ops, &ring_max_bytes, 0644);
MODULE_PARM_DESC(ring_max_bytes,
		 "Largest data size of a ring: a power of two from PAGE_SIZE to 4 GiB (default 256 MiB)");

/* The UAPI producer page and the kernel's view of it must agree. */
static_assert(offsetof(struct mapring_rb_kproducer, producer_pos) ==
	      offsetof(struct mapring_rb_producer, producer_pos));
static_assert(offsetof(struct mapring_rb_kproducer, pending_pos) ==
	      offsetof(struct mapring_rb_producer, pending_pos));
static_assert(offsetof(struct mapring_rb_kproducer, overwrite_pos) ==
	      offsetof(struct mapring_rb_producer, overwrite_pos));
static_assert(offsetof(struct mapring_rb_kproducer, overwritten) ==
	      offsetof(struct mapring_rb_producer, overwritten));
static_assert(offsetof(struct mapring_rb_kproducer, drops_full) ==
	      offsetof(struct mapring_rb_producer, drops_full));
static_assert(offsetof(struct mapring_rb_kproducer, drops_too_large) ==
	      offsetof(struct mapring_rb_producer, drops_too_large));
static_assert(offsetof(struct mapring_rb_kproducer, drops_busy) ==
	      offsetof(struct mapring_rb_producer, drops_busy));
static_assert(sizeof(struct mapring_rb_kproducer) ==
	      sizeof(struct mapring_rb_producer));

static void ring_free_area(struct mapring_ring *ring)
{
	unsigned long i;

	if (ring->area)
		vunmap(ring->area);
	if (ring->pages) {
		for (i = 0; i < ring->nr_pages && ring->pages[i]; i++)
			__free_page(ring->pages[i]);
		kvfree(ring->pages);
	}
}

/* Process context, after an RCU grace period: nobody can produce any more. */
static void ring_obj_free(struct mapring_obj *obj)
{
	struct mapring_ring *ring = to_ring(obj);

	mapring_ring_wake_fini(ring);
	ring_free_area(ring);
	kfree(ring);
}

/* Allocate and map the pages; ring_free_area() undoes any part of it. */
static int ring_alloc_area(struct mapring_ring *ring, u64 data_size)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL |
			  __GFP_NOWARN | __GFP_ZERO;
	unsigned long nr_data = data_size >> PAGE_SHIFT;
	unsigned long i;
	struct page *page;

	ring->nr_pages = MAPRING_RB_DATA_PGOFF + nr_data;
	ring->nr_map_pages = MAPRING_RB_DATA_PGOFF + 2 * nr_data;
	ring->pages = kvcalloc(ring->nr_map_pages, sizeof(*ring->pages),
			       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!ring->pages)
		return -ENOMEM;
	for (i = 0; i < ring->nr_pages; i++) {
		page = alloc_page(gfp);
		if (!page)
			return -ENOMEM;
		ring->pages[i] = page;
		if (i >= MAPRING_RB_DATA_PGOFF)
			ring->pages[nr_data + i] = page;
	}
	ring->area = vmap(ring->pages, ring->nr_map_pages, VM_MAP, PAGE_KERNEL);
	if (!ring->area)
		return -ENOMEM;

	ring->consumer_pos = ring->area;
	ring->prod = ring->area + MAPRING_RB_PRODUCER_PGOFF * PAGE_SIZE;
	ring->data = ring->area + MAPRING_RB_DATA_PGOFF * PAGE_SIZE;
	ring->mask = data_size - 1;
	return 0;
}

static int ring_check_opts(u64 data_size, const struct mapring_ring_opts *o)
{
	if (!data_size || !is_power_of_2(data_size) || data_size < PAGE_SIZE)
		return -EINVAL;
	if (data_size > READ_ONCE(ring_max_bytes))
		return -E2BIG;
	if (o->flags & ~(MAPRING_RING_F_BATCH_WAKEUP | MAPRING_RING_F_OVERWRITE |
			 MAPRING_RING_F_USER | MAPRING_RING_F_TIMESTAMP))
		return -EINVAL;
	/* a user ring has no kernel producer to batch, overwrite or stamp for */
	if ((o->flags & MAPRING_RING_F_USER) && o->flags != MAPRING_RING_F_USER)
		return -EINVAL;
	if (o->access & ~MAPRING_ACCESS_ALL)
		return -EINVAL;
	if (!(o->flags & MAPRING_RING_F_BATCH_WAKEUP))
		return o->wakeup_bytes || o->wakeup_usecs ? -EINVAL : 0;
	if (!o->wakeup_usecs || o->wakeup_usecs > MAPRING_RING_MAX_WAKEUP_USECS)
		return -EINVAL;
	return o->wakeup_bytes > data_size ? -EINVAL : 0;
}

/*
 * pending_pos and producer_pos as a consistent pair: both only grow and
 * pending_pos never passes producer_pos, so pending_pos read first never
 * passes the producer_pos read after it.
 */
static void ring_load_positions(struct mapring_ring *ring, u64 *pending,
				u64 *prod)
{
	*pending = mapring_ring_query(ring, MAPRING_RB_PENDING_POS);
	smp_rmb(); /* the load above before the one below */
	*prod = mapring_ring_query(ring, MAPRING_RB_PROD_POS);
}

static void ring_show_fdinfo(struct mapring_obj *obj, struct seq_file *m)
{
	struct mapring_ring *ring = to_ring(obj);
	u64 pending, prod;

	ring_load_positions(ring, &pending, &prod);

	seq_printf(m, "ring_data_size:\t%llu\n", ring_data_size(ring));
	seq_printf(m, "ring_flags:\t%#x\n", ring->flags);
	seq_printf(m, "ring_consumer_pos:\t%llu\n",
		   mapring_ring_query(ring, MAPRING_RB_CONS_POS));
	seq_printf(m, "ring_producer_pos:\t%llu\n", prod);
	seq_printf(m, "ring_pending_pos:\t%llu\n", pending);
	seq_printf(m, "ring_overwrite_pos:\t%llu\n",
		   mapring_ring_query(ring, MAPRING_RB_OVERWRITE_POS));
	seq_printf(m, "ring_overwritten:\t%llu\n",
		   mapring_ring_query(ring, MAPRING_RB_OVERWRITTEN));
	seq_printf(m, "ring_drops_full:\t%llu\n",
		   mapring_ring_query(ring, MAPRING_RB_DROPS_FULL));
	seq_printf(m, "ring_drops_too_large:\t%llu\n",
		   mapring_ring_query(ring, MAPRING_RB_DROPS_TOO_LARGE));
	seq_printf(m, "ring_drops_busy:\t%llu\n",
		   mapring_ring_query(ring, MAPRING_RB_DROPS_BUSY));
	seq_printf(m, "ring_wakeups:\t%llu\n",
		   mapring_ring_query(ring, MAPRING_RB_WAKEUPS));
	if (!(ring->flags & MAPRING_RING_F_USER))
		return;
	seq_printf(m, "ring_user_drained:\t%llu\n",
		   mapring_ring_query(ring, MAPRING_RB_USER_DRAINED));
	seq_printf(m, "ring_user_discarded:\t%llu\n",
		   mapring_ring_query(ring, MAPRING_RB_USER_DISCARDED));
	seq_printf(m, "ring_user_bad:\t%llu\n",
		   mapring_ring_query(ring, MAPRING_RB_USER_BAD));
}

/*
 * The memory a ring holds: the object, the page array (data pages listed
 * twice) and the pages. Not counted: the page tables of the kernel's vmap,
 * as BPF's ring buffer does not count them either.
 */
static u64 ring_memory(struct mapring_ring *ring)
{
	return mapring_alloc_bytes(ring, sizeof(*ring)) +
	       mapring_alloc_bytes(ring->pages,
				   ring->nr_map_pages * sizeof(*ring->pages)) +
	       (u64)ring->nr_pages * PAGE_SIZE;
}

static void ring_fill_info(struct mapring_obj *obj,
			   struct mapring_obj_info *info)
{
	struct mapring_ring *ring = to_ring(obj);

	info->memory = ring_memory(ring);
	info->drops = mapring_ring_query(ring, MAPRING_RB_DROPS);
	info->obj_flags = ring->flags;
	info->data_size = ring_data_size(ring);
	info->consumer_pos = mapring_ring_query(ring, MAPRING_RB_CONS_POS);
	ring_load_positions(ring, &info->pending_pos, &info->producer_pos);
	info->overwrite_pos = mapring_ring_query(ring, MAPRING_RB_OVERWRITE_POS);
	info->overwritten = mapring_ring_query(ring, MAPRING_RB_OVERWRITTEN);
}

static const struct file_operations ring_fops;

static const struct mapring_obj_ops ring_obj_ops = {
	.fops = &ring_fops,
	.fd_name = "mapring-ring",
	.free = ring_obj_free,
	.show_fdinfo = ring_show_fdinfo,
	.fill_info = ring_fill_info,
};

/* A new, published ring with one reference, or ERR_PTR. */
static struct mapring_ring *ring_new(const char *name, u64 data_size,
				     const struct mapring_ring_opts *opts)
{
	struct mapring_ring *ring;
	struct mem_cgroup *old;
	int err;

	err = ring_check_opts(data_size, opts);
	if (err)
		return ERR_PTR(err);
	ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);
	if (!ring)
		return ERR_PTR(-ENOMEM);

	/* From here on, putting the object frees whatever was allocated. */
	mapring_obj_init(&ring->obj, MAPRING_OBJ_RINGBUF, &ring_obj_ops);
	raw_spin_lock_init(&ring->lock);
	ring->flags = opts->flags;
	ring->obj.access = opts->access;
	ring->wakeup_bytes = opts->wakeup_bytes;
	ring->wakeup_usecs = opts->wakeup_usecs;
	mapring_ring_wake_init(ring);
	mapring_ring_user_init(ring);

	old = mapring_obj_charge_begin(&ring->obj);
	err = ring_alloc_area(ring, data_size);
	mapring_obj_charge_end(old);
	if (!err)
		err = mapring_obj_publish(&ring->obj, name);
	if (err) {
		mapring_obj_put(&ring->obj);
		return ERR_PTR(err);
	}
	return ring;
}

long mapring_ioc_ring_create(void __user *uarg)
{
	struct mapring_ring_create attr;
	struct mapring_ring_opts opts;
	struct mapring_ring *ring;
	u32 usize;
	int err, fd;

	err = mapring_uattr_in(&attr, sizeof(attr),
			       MAPRING_RING_CREATE_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if (attr.__pad0 || attr.__pad1)
		return -EINVAL;
	err = mapring_obj_name_check(attr.name);
	if (err)
		return err;
	err = mapring_may_create();
	if (err)
		return err;

	opts = (struct mapring_ring_opts) {
		.flags = attr.flags,
		.wakeup_bytes = attr.wakeup_bytes,
		.wakeup_usecs = attr.wakeup_usecs,
		.access = attr.access,
	};
	ring = ring_new(attr.name, attr.data_size, &opts);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	fd = mapring_obj_new_fd(&ring->obj);
	if (fd < 0)
		mapring_obj_put(&ring->obj);
	return fd;
}

static long ring_ioc_query(struct mapring_ring *ring, void __user *uarg)
{
	struct mapring_ring_query q;
	u64 over, pending, prod;
	u32 usize;
	int err;

	err = mapring_uattr_in(&q, sizeof(q), MAPRING_RING_QUERY_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;
	if (q.flags)
		return -EINVAL;

	/* before producer_pos: it never passes a producer_pos read later */
	over = mapring_ring_query(ring, MAPRING_RB_OVERWRITE_POS);
	ring_load_positions(ring, &pending, &prod);

	q = (struct mapring_ring_query) {
		.id = ring->obj.id,
		.ring_flags = ring->flags,
		.data_size = ring_data_size(ring),
		.consumer_pos = mapring_ring_query(ring, MAPRING_RB_CONS_POS),
		.producer_pos = prod,
		.pending_pos = pending,
		.drops_full = mapring_ring_query(ring, MAPRING_RB_DROPS_FULL),
		.drops_too_large =
			mapring_ring_query(ring, MAPRING_RB_DROPS_TOO_LARGE),
		.drops_busy = mapring_ring_query(ring, MAPRING_RB_DROPS_BUSY),
		.wakeups = mapring_ring_query(ring, MAPRING_RB_WAKEUPS),
		.wakeup_bytes = ring->wakeup_bytes,
		.wakeup_usecs = ring->wakeup_usecs,
		.overwrite_pos = over,
		.overwritten = mapring_ring_query(ring, MAPRING_RB_OVERWRITTEN),
		.user_drained = mapring_ring_query(ring, MAPRING_RB_USER_DRAINED),
		.user_discarded =
			mapring_ring_query(ring, MAPRING_RB_USER_DISCARDED),
		.user_bad = mapring_ring_query(ring, MAPRING_RB_USER_BAD),
	};
	/* one snapshot of the positions, as BPF's avail */
	q.avail = q.producer_pos -
		  mapring_ring_read_start(ring, q.consumer_pos,
					  q.overwrite_pos);
	return mapring_uattr_out(uarg, &q, sizeof(q), usize);
}

static long ring_ioc_output(struct mapring_ring *ring, void __user *uarg)
{
	struct mapring_ring_output o;
	u32 usize;
	int err;

	err = mapring_uattr_in(&o, sizeof(o), MAPRING_RING_OUTPUT_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;
	if (o.__pad0)
		return -EINVAL;
	return mapring_ring_output_user(ring, u64_to_user_ptr(o.data),
					o.data_size, o.flags);
}

static long ring_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mapring_ring *ring = to_ring(file->private_data);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MAPRING_IOC_RING_QUERY:
		return ring_ioc_query(ring, uarg);
	case MAPRING_IOC_RING_OUTPUT:
		return ring_ioc_output(ring, uarg);
	case MAPRING_IOC_RING_KICK:
		return mapring_ioc_ring_kick(ring, uarg);
	default:
		return -ENOTTY;
	}
}

/* One write() is one record, committed with default wake-up flags. */
static ssize_t ring_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	struct mapring_ring *ring = to_ring(file->private_data);
	int err;

	err = mapring_ring_output_user(ring, buf, count, 0);
	return err ? err : count;
}

static __poll_t ring_poll(struct file *file, struct poll_table_struct *pts)
{
	struct mapring_ring *ring = to_ring(file->private_data);

	poll_wait(file, &ring->waitq, pts);
	/* user space produces into a user ring: it waits for room */
	if (ring->flags & MAPRING_RING_F_USER)
		return mapring_ring_user_writable(ring) ? EPOLLOUT | EPOLLWRNORM : 0;
	return mapring_ring_readable(ring) ? EPOLLIN | EPOLLRDNORM : 0;
}

/* .owner pins mapring.ko while any ring fd or mapping exists. */
static const struct file_operations ring_fops = {
	.owner = THIS_MODULE,
	.release = mapring_obj_release,
	.unlocked_ioctl = ring_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mapring_ring_mmap,
	.poll = ring_poll,
	.write = ring_write,
	.show_fdinfo = mapring_obj_show_fdinfo,
};

/* ---- the kernel API ---------------------------------------------------- */

struct mapring_ring *mapring_ring_create(const char *name, u64 data_size,
					 const struct mapring_ring_opts *opts)
{
	static const struct mapring_ring_opts none;
	char buf[MAPRING_NAME_LEN] = "";

	if (name && strscpy(buf, name, sizeof(buf)) < 0)
		return ERR_PTR(-EINVAL);
	if (mapring_obj_name_check(buf))
		return ERR_PTR(-EINVAL);
	return ring_new(buf, data_size, opts ?: &none);
}
EXPORT_SYMBOL_GPL(mapring_ring_create);

static struct mapring_ring *obj_to_ring(struct mapring_obj *obj)
{
	return IS_ERR(obj) ? ERR_CAST(obj) : to_ring(obj);
}

struct mapring_ring *mapring_ring_get_by_name(const char *name)
{
	char buf[MAPRING_NAME_LEN];

	if (!name || strscpy(buf, name, sizeof(buf)) < 0 ||
	    mapring_obj_name_check(buf))
		return ERR_PTR(-EINVAL);
	return obj_to_ring(mapring_obj_get_by_name(buf, MAPRING_OBJ_RINGBUF));
}
EXPORT_SYMBOL_GPL(mapring_ring_get_by_name);

struct mapring_ring *mapring_ring_get_by_id(u32 id)
{
	return obj_to_ring(mapring_obj_get_by_id(id, MAPRING_OBJ_RINGBUF));
}
EXPORT_SYMBOL_GPL(mapring_ring_get_by_id);

struct mapring_ring *mapring_ring_get_by_fd(int fd)
{
	return obj_to_ring(mapring_obj_get_by_fd(fd, MAPRING_OBJ_RINGBUF));
}
EXPORT_SYMBOL_GPL(mapring_ring_get_by_fd);

void mapring_ring_get(struct mapring_ring *ring)
{
	mapring_obj_get(&ring->obj);
}
EXPORT_SYMBOL_GPL(mapring_ring_get);

void mapring_ring_put(struct mapring_ring *ring)
{
	if (ring)
		mapring_obj_put(&ring->obj);
}
EXPORT_SYMBOL_GPL(mapring_ring_put);

u32 mapring_ring_id(struct mapring_ring *ring)
{
	return ring->obj.id;
}
EXPORT_SYMBOL_GPL(mapring_ring_id);

const char *mapring_ring_name(struct mapring_ring *ring)
{
	return ring->obj.name;
}
EXPORT_SYMBOL_GPL(mapring_ring_name);
