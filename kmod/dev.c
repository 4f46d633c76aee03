// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mapring: the control device. Each ioctl creates or opens an object
 * and returns its fd, or answers a question about the module itself.
 */
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/module.h>

#include <uapi/linux/mapring.h>

#include "internal.h"
#include "map.h"
#include "object.h"
#include "ring.h"

static int mapring_ioc_info(void __user *uarg)
{
	struct mapring_info info;
	u32 usize;
	int err;

	err = mapring_uattr_in(&info, sizeof(info), MAPRING_INFO_SIZE_VER0,
			       uarg, &usize);
	if (err)
		return err;

	info = (struct mapring_info) {
		.abi_version = MAPRING_ABI_VERSION,
		.features = MAPRING_FEATURES_ALL,
		.page_size = PAGE_SIZE,
		.nr_possible_cpus = num_possible_cpus(),
		.nr_cpu_ids = nr_cpu_ids,
	};
	return mapring_uattr_out(uarg, &info, sizeof(info), usize);
}

static long mapring_dev_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MAPRING_IOC_INFO:
		return mapring_ioc_info(uarg);
	case MAPRING_IOC_OBJ_OPEN:
		return mapring_ioc_obj_open(uarg);
	case MAPRING_IOC_OBJ_GET_NEXT_ID:
		return mapring_ioc_obj_get_next_id(uarg);
	case MAPRING_IOC_OBJ_INFO:
		return mapring_ioc_obj_info(uarg);
	case MAPRING_IOC_MAP_CREATE:
		return mapring_ioc_map_create(uarg);
	case MAPRING_IOC_RING_CREATE:
		return mapring_ioc_ring_create(uarg);
	case MAPRING_IOC_RING_GROUP_CREATE:
		return mapring_ioc_ring_group_create(uarg);
	default:
		return -ENOTTY;
	}
}

/*
 * .owner pins the module while the device is open: rmmod fails with
 * EWOULDBLOCK until the last fd is closed.
 */
const struct file_operations mapring_dev_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = mapring_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
