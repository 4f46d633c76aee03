/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What mr_test_drainer.ko and the user-ring tests share: where its debugfs
 * files are and the checksum it sums over the records it drains.
 */
#ifndef MR_TEST_DRAINER_H
#define MR_TEST_DRAINER_H

#include "mr_test_producer.h"

#define MR_DRAINER_DIR	"/sys/kernel/debug/mr_test_drainer"
#define MR_FNV_BASIS	0xcbf29ce484222325ULL

#endif /* MR_TEST_DRAINER_H */
