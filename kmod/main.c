// SPDX-License-Identifier: GPL-2.0
/*
 * mapring: BPF-style per-CPU maps and ring buffers for any kernel code.
 *
 * Module entry points and parameters. The device lives in dev.c, the ABI
 * in include/uapi/linux/mapring.h, the kernel API in include/linux/mapring.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/stat.h>

#include <uapi/linux/mapring.h>

#include "internal.h"
#include "object.h"

static ushort mode = 0600;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "Permission bits of /dev/mapring (default 0600)");

static struct miscdevice mapring_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = MAPRING_DEVICE_NAME,
	.fops = &mapring_dev_fops,
};

static int __init mapring_init(void)
{
	int err;

	if (mode & ~0777) {
		pr_err("mode=%#o has bits outside 0777\n", mode);
		return -EINVAL;
	}
	mapring_miscdev.mode = mode;

	err = mapring_objects_init();
	if (err)
		return err;
	err = misc_register(&mapring_miscdev);
	if (err) {
		mapring_objects_exit();
		return err;
	}
	pr_info("ABI %u, /dev/%s mode %#o\n", MAPRING_ABI_VERSION,
		MAPRING_DEVICE_NAME, mode);
	return 0;
}

static void __exit mapring_exit(void)
{
	misc_deregister(&mapring_miscdev);
	mapring_objects_exit();
}

module_init(mapring_init);
module_exit(mapring_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The mapring developers");
MODULE_DESCRIPTION("BPF-style per-CPU maps and ring buffers without BPF");
