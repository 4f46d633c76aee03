/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the files of mapring.ko; not an API. */
#ifndef _MAPRING_INTERNAL_H
#define _MAPRING_INTERNAL_H

#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/types.h>

/* dev.c: /dev/mapring */
extern const struct file_operations mapring_dev_fops;

/* uattr.c: extensible ioctl arguments, bpf_attr rules */
int mapring_uattr_in(void *karg, size_t ksize, size_t min_size,
		     const void __user *uarg, u32 *usize);
int mapring_uattr_out(void __user *uarg, void *karg, size_t ksize, u32 usize);

#endif /* _MAPRING_INTERNAL_H */
