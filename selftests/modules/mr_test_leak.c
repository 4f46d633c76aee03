// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a memory leak on load. One kmalloc'd object that
 * nothing points to; kmemleak (the debug kernel) finds it when the runner
 * scans after the suite. The allocation is outside the init section, so
 * the backtrace names this module for as long as it stays loaded.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#define MR_TEST_LEAK_SIZE 64

static noinline void *mr_test_leak_alloc(void)
{
	char *p = kmalloc(MR_TEST_LEAK_SIZE, GFP_KERNEL);

	if (p)
		strscpy(p, "mr_test_leak: leaked on purpose", MR_TEST_LEAK_SIZE);
	return p;
}

static int __init mr_test_leak_init(void)
{
	/* Forget the pointer: no reference to the object survives. */
	return mr_test_leak_alloc() ? 0 : -ENOMEM;
}

static void __exit mr_test_leak_exit(void)
{
}

module_init(mr_test_leak_init);
module_exit(mr_test_leak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring runner self-test: memory leak on load");
