// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of a ring fd, BPF's layout: page offset 0 the consumer page, 1 the
 * producer page, 2 onwards the data pages, twice in a row.
 *
 * Only the consumer page may be mapped writable, and only on its own
 * (-EPERM otherwise, as BPF). A user ring (MAPRING_RING_F_USER) turns that
 * around, as BPF's user ring buffer: the producer page and the data pages
 * may be mapped writable, the consumer page never. Every other mapping is
 * read-only for good:
 * VM_MAYWRITE and VM_MAYEXEC are cleared so mprotect() cannot add write or
 * exec, VM_DONTEXPAND stops mremap() from growing it. Pages are handed out
 * by the fault handler from the ring's page array, bounds-checked, so a
 * mapping zapped by madvise(MADV_DONTNEED) simply faults them back in.
 */
#include <linux/mm.h>

#include "ring.h"

static vm_fault_t ring_vm_fault(struct vm_fault *vmf)
{
	struct mapring_ring *ring = vmf->vma->vm_private_data;

	if (vmf->pgoff >= ring->nr_map_pages)
		return VM_FAULT_SIGBUS;
	vmf->page = ring->pages[vmf->pgoff];
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct ring_vm_ops = {
	.fault = ring_vm_fault,
};

/*
 * vm_flags became read-only behind vm_flags_*() in 6.3, in the series that
 * also replaced VM_LOCKED_CLEAR_MASK by VM_LOCKED_MASK: test for that.
 */
static void ring_vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set,
			      vm_flags_t clear)
{
#ifdef VM_LOCKED_MASK
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

int mapring_ring_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mapring_ring *ring = to_ring(file->private_data);
	unsigned long npages = vma_pages(vma);
	vm_flags_t clear = VM_MAYEXEC;

	/* a private copy of the consumer page would never reach the kernel */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	if (vma->vm_flags & VM_WRITE) {
		if (ring->flags & MAPRING_RING_F_USER) {
			if (vma->vm_pgoff < MAPRING_RB_PRODUCER_PGOFF)
				return -EPERM;
		} else if (vma->vm_pgoff != MAPRING_RB_CONSUMER_PGOFF ||
			   npages != 1) {
			return -EPERM;
		}
	} else {
		clear |= VM_MAYWRITE;
	}
	if (vma->vm_pgoff >= ring->nr_map_pages ||
	    npages > ring->nr_map_pages - vma->vm_pgoff)
		return -EINVAL;

	ring_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, clear);
	vma->vm_ops = &ring_vm_ops;
	/* the mapping holds the file, the file holds the ring */
	vma->vm_private_data = ring;
	return 0;
}
