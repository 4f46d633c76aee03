/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness with per-test timeouts scaled to the kernel: a test
 * given 30 s on a production kernel gets 120 s on the KASAN kernel, which
 * runs 3-4x slower under TCG. The VM runner exports the factor as
 * MAPRING_SLOWDOWN (selftests/vm/init.sh). Include this instead of
 * kselftest_harness.h.
 */
#ifndef MR_HARNESS_H
#define MR_HARNESS_H

#include <stdlib.h>

#include "kselftest_harness.h"

static inline void mr_scale_timeouts(void)
{
	const char *s = getenv("MAPRING_SLOWDOWN");
	int k = s ? atoi(s) : 1;
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	if (k <= 1 || k > 100)
		return;
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= k;
}

#undef TEST_HARNESS_MAIN
#define TEST_HARNESS_MAIN \
	static void __attribute__((constructor)) \
	__constructor_order_last(void) \
	{ \
		if (!__constructor_order) \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	} \
	int main(int argc, char **argv) \
	{ \
		mr_scale_timeouts(); \
		exit(test_harness_run(argc, argv)); \
	}

#endif /* MR_HARNESS_H */
