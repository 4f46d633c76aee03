// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a use-after-free on load. KASAN (the debug kernel)
 * reports it and, with panic_on_warn=1, panics. Without KASAN the stale
 * read goes unnoticed: load it only where KASAN is.
 */
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/slab.h>

static int __init mr_test_uaf_init(void)
{
	u32 *p = kmalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	*p = 1;
	kfree(p);
	/* The compiler must not see that p was freed. */
	OPTIMIZER_HIDE_VAR(p);
	pr_info("mr_test_uaf: read %u after free\n", READ_ONCE(*p));
	return 0;
}

static void __exit mr_test_uaf_exit(void)
{
}

module_init(mr_test_uaf_init);
module_exit(mr_test_uaf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring runner self-test: use-after-free on load");
