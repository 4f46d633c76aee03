// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a data race on load. Two kernel threads, bound to two
 * online CPUs, increment one plain counter for a second; KCSAN (the kcsan
 * kernel) reports the race. Elsewhere the count merely comes out short.
 */
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

static unsigned long mr_test_race_counter;

static int mr_test_race_fn(void *arg)
{
	while (!kthread_should_stop()) {
		mr_test_race_counter++; /* the race */
		cond_resched();
	}
	return 0;
}

static int __init mr_test_race_init(void)
{
	struct task_struct *t[2];
	unsigned int cpu = cpumask_first(cpu_online_mask);
	int i, err = 0;

	if (num_online_cpus() < 2)
		return -ENODEV;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		t[i] = kthread_create(mr_test_race_fn, NULL, "mr_test_race/%u",
				      cpu);
		if (IS_ERR(t[i])) {
			err = PTR_ERR(t[i]);
			break;
		}
		kthread_bind(t[i], cpu);
		wake_up_process(t[i]);
		cpu = cpumask_next(cpu, cpu_online_mask);
	}
	if (!err)
		msleep(1000);
	while (i--)
		kthread_stop(t[i]);
	pr_info("mr_test_race: counted %lu\n", mr_test_race_counter);
	return err;
}

static void __exit mr_test_race_exit(void)
{
}

module_init(mr_test_race_init);
module_exit(mr_test_race_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mapring runner self-test: data race on load");
