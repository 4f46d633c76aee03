// SPDX-License-Identifier: GPL-2.0
/* Runner self-test: a kernel panic on load. */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/panic.h>

static int __init mr_test_panic_init(void)
{
	panic("mr_test_panic: deliberate panic\n");
	return 0;
}

module_init(mr_test_panic_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring runner self-test: panic on load");
