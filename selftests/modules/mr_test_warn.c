// SPDX-License-Identifier: GPL-2.0
/* Runner self-test: a kernel WARN on load. With panic_on_warn=1 it panics. */
#include <linux/bug.h>
#include <linux/module.h>

static int __init mr_test_warn_init(void)
{
	WARN(1, "mr_test_warn: deliberate warning\n");
	return 0;
}

static void __exit mr_test_warn_exit(void)
{
}

module_init(mr_test_warn_init);
module_exit(mr_test_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring runner self-test: WARN on load");
