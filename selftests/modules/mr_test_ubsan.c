// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: undefined behaviour on load, a shift by the width of
 * the type. UBSAN (the debug kernel) reports it and, with panic_on_warn=1,
 * panics. Elsewhere the result is merely unspecified.
 */
#include <linux/compiler.h>
#include <linux/module.h>

static int __init mr_test_ubsan_init(void)
{
	unsigned int shift = 32;

	/* A constant would be diagnosed at compile time. */
	OPTIMIZER_HIDE_VAR(shift);
	pr_info("mr_test_ubsan: 1 << 32 = %u\n", 1U << shift);
	return 0;
}

static void __exit mr_test_ubsan_exit(void)
{
}

module_init(mr_test_ubsan_init);
module_exit(mr_test_ubsan_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring runner self-test: undefined shift on load");
