// SPDX-License-Identifier: GPL-2.0
/*
 * A module that uses the mapring kernel API. While it is loaded, mapring.ko
 * must refuse to unload (the module loader counts the symbol reference).
 */
#include <linux/mapring.h>
#include <linux/module.h>

static int __init mr_test_kapi_init(void)
{
	u32 v = mapring_abi_version();

	if (v != MAPRING_KAPI_VERSION) {
		pr_err("mr_test_kapi: ABI %u, built for %u\n", v,
		       MAPRING_KAPI_VERSION);
		return -EINVAL;
	}
	return 0;
}

static void __exit mr_test_kapi_exit(void)
{
}

module_init(mr_test_kapi_init);
module_exit(mr_test_kapi_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring test: a user of the kernel API");
