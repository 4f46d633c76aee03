// SPDX-License-Identifier: GPL-2.0
/*
 * mapring: BPF-style per-CPU maps and ring buffers for any kernel code.
 *
 * Module entry points, the device node and its parameters. The device's
 * commands live in dev.c, the ABI in include/uapi/linux/mapring.h, the
 * kernel API in include/linux/mapring.h.
 *
 * /dev/mapring is a character device of its own class ("mapring") rather
 * than a misc device: only a device_type's devnode() can give devtmpfs a
 * group for the node, and the misc layer does not let us set one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/uidgid.h>

#include <uapi/linux/mapring.h>

#include "internal.h"
#include "object.h"
#include "ring.h"

static ushort mode = 0600;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "Permission bits of /dev/mapring (default 0600)");

static uint gid;
module_param(gid, uint, 0444);
MODULE_PARM_DESC(gid, "Group (numeric gid) of /dev/mapring (default 0)");

static dev_t mapring_devt;
static struct cdev mapring_cdev;
static struct device *mapring_device;

static struct class mapring_class = {
	.name = MAPRING_DEVICE_NAME,
};

/* const since 6.2: Kbuild finds out what the kernel's headers say */
static char *mapring_devnode(MAPRING_DEVNODE_CONST struct device *dev,
			     umode_t *m, kuid_t *u, kgid_t *g)
{
	if (m)
		*m = mode;
	if (g)
		*g = make_kgid(&init_user_ns, gid);
	return NULL;
}

static const struct device_type mapring_device_type = {
	.name = MAPRING_DEVICE_NAME,
	.devnode = mapring_devnode,
};

static void mapring_device_release(struct device *dev)
{
	kfree(dev);
}

/* The node appears in devtmpfs with mode and gid, then the uevent goes out. */
static int mapring_node_add(void)
{
	struct device *dev;
	int err;

	err = alloc_chrdev_region(&mapring_devt, 0, 1, MAPRING_DEVICE_NAME);
	if (err)
		return err;
	err = class_register(&mapring_class);
	if (err)
		goto err_region;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		err = -ENOMEM;
		goto err_class;
	}
	device_initialize(dev);
	dev->devt = mapring_devt;
	dev->class = &mapring_class;
	dev->type = &mapring_device_type;
	dev->release = mapring_device_release;
	err = dev_set_name(dev, MAPRING_DEVICE_NAME);
	if (err)
		goto err_dev;

	/* .owner pins the module while the device is open */
	cdev_init(&mapring_cdev, &mapring_dev_fops);
	mapring_cdev.owner = THIS_MODULE;
	err = cdev_device_add(&mapring_cdev, dev);
	if (err)
		goto err_dev;
	mapring_device = dev;
	return 0;

err_dev:
	put_device(dev);
err_class:
	class_unregister(&mapring_class);
err_region:
	unregister_chrdev_region(mapring_devt, 1);
	return err;
}

static void mapring_node_del(void)
{
	cdev_device_del(&mapring_cdev, mapring_device);
	put_device(mapring_device);
	class_unregister(&mapring_class);
	unregister_chrdev_region(mapring_devt, 1);
}

static int __init mapring_init(void)
{
	int err;

	if (mode & ~0777) {
		pr_err("mode=%#o has bits outside 0777\n", mode);
		return -EINVAL;
	}
	if (!gid_valid(make_kgid(&init_user_ns, gid))) {
		pr_err("gid=%u is not a valid group id\n", gid);
		return -EINVAL;
	}

	err = mapring_objects_init();
	if (err)
		return err;
	err = mapring_kicks_init();
	if (err)
		goto objects;
	err = mapring_node_add();
	if (err)
		goto kicks;
	pr_info("ABI %u, /dev/%s mode %#o gid %u\n", MAPRING_ABI_VERSION,
		MAPRING_DEVICE_NAME, mode, gid);
	return 0;

kicks:
	mapring_kicks_exit();
objects:
	mapring_objects_exit();
	return err;
}

static void __exit mapring_exit(void)
{
	mapring_node_del();
	mapring_kicks_exit();
	mapring_objects_exit();
}

module_init(mapring_init);
module_exit(mapring_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The mapring developers");
MODULE_DESCRIPTION("BPF-style per-CPU maps and ring buffers without BPF");
