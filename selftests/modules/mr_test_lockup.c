// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a kernel hang. Spins forever with preemption off, which
 * no signal can interrupt; the soft-lockup detector (softlockup_panic=1)
 * or, failing that, the runner's whole-run timeout must end the run.
 */
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/processor.h>

static int __init mr_test_lockup_init(void)
{
	preempt_disable();
	for (;;)
		cpu_relax();
	return 0;
}

module_init(mr_test_lockup_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring runner self-test: hang on load");
