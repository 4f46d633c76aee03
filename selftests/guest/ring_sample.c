// SPDX-License-Identifier: GPL-2.0
/*
 * samples/ring_tail.cpp, the under-30-lines C++ consumer, opens a ring a
 * kernel module made (mr_test_producer with ring_name=) and prints its
 * records: byte for byte what the module wrote.
 */
#include <stdio.h>
#include <string.h>

#include "mr_harness.h"
#include "mr_ring.h"

TEST(ring_tail_prints_a_kernel_made_ring)
{
	char line[256], want[256];
	FILE *p;
	int n = 0;

	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(0, mr_prod_unload());
	ASSERT_EQ(0, mr_insmod("mr_test_producer", "ring_name=sample.tail"));
	ASSERT_EQ(0, mr_prod_cmd("start id=3 count=5 size=24"));
	ASSERT_EQ(0, mr_prod_cmd("wait"));
	p = popen("ring_tail sample.tail 5", "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		/* seq (8 bytes LE), producer 3, size 24, then the checksum */
		snprintf(want, sizeof(want),
			 "  24 bytes: %02x 00 00 00 00 00 00 00 03 00 00 00 18 00 00 00 ",
			 n);
		EXPECT_EQ(0, strncmp(line, want, strlen(want))) {
			TH_LOG("got:  %s", line);
			TH_LOG("want: %s", want);
		}
		n++;
	}
	EXPECT_EQ(0, pclose(p));
	EXPECT_EQ(5, n);
	EXPECT_EQ(0, mr_prod_unload());
}

TEST_HARNESS_MAIN
