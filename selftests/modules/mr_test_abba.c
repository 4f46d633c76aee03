// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a lock-order inversion on load. A then B, later B then
 * A, one after the other in one thread, so nothing deadlocks; lockdep
 * (debug and kcsan kernels) still reports the possible circular locking.
 */
#include <linux/module.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(mr_test_abba_a);
static DEFINE_MUTEX(mr_test_abba_b);

static int __init mr_test_abba_init(void)
{
	mutex_lock(&mr_test_abba_a);
	mutex_lock(&mr_test_abba_b);
	mutex_unlock(&mr_test_abba_b);
	mutex_unlock(&mr_test_abba_a);

	mutex_lock(&mr_test_abba_b);
	mutex_lock(&mr_test_abba_a);
	mutex_unlock(&mr_test_abba_a);
	mutex_unlock(&mr_test_abba_b);
	return 0;
}

static void __exit mr_test_abba_exit(void)
{
}

module_init(mr_test_abba_init);
module_exit(mr_test_abba_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring runner self-test: lock-order inversion on load");
