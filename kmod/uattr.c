// SPDX-License-Identifier: GPL-2.0
/*
 * Extensible ioctl arguments.
 *
 * Every argument struct starts with "__u32 size", the size the caller
 * knows. Like bpf_attr: a caller's struct shorter than ours is zero-extended;
 * a longer one is accepted only when its unknown tail is zero (-E2BIG
 * otherwise); nothing larger than a page is read at all (-E2BIG); nothing
 * shorter than the first published version is accepted (-EINVAL).
 */
#include <linux/minmax.h>
#include <linux/uaccess.h>

#include "internal.h"

int mapring_uattr_in(void *karg, size_t ksize, size_t min_size,
		     const void __user *uarg, u32 *usize)
{
	u32 size;
	int err;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size < min_size)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;

	err = copy_struct_from_user(karg, ksize, uarg, size);
	if (err)
		return err;
	*usize = size;
	return 0;
}

/* Write back what both sides know and report how much that was. */
int mapring_uattr_out(void __user *uarg, void *karg, size_t ksize, u32 usize)
{
	u32 n = min_t(size_t, usize, ksize);

	*(u32 *)karg = n;
	if (copy_to_user(uarg, karg, n))
		return -EFAULT;
	return 0;
}
