#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make demo` runs inside the test VM, where init loaded mapring.ko:
# the sample producer, its live consumer during a shell loop, mapringctl.
set -e
say() { printf '\n== %s\n' "$*"; }

say "insmod sched_events.ko    # samples/sched_events.c"
insmod /lib/modules/mapring/sched_events.ko
/bin/dmesg | /bin/sed -n 's/^\[[ 0-9.]*\] //; /^sched_events:/p'

say "sched_snoop &    # samples/sched_snoop.cpp, during: for i in 1 2 3; do /bin/ls; /bin/sh -c 'exit \$i'; done"
sched_snoop &
snoop=$!
for i in 1 2 3; do
	/bin/ls / >/dev/null
	/bin/sh -c "exit $i" || true
done
kill -INT $snoop
wait $snoop

say "mapringctl list"
mapringctl list

say "mapringctl dump sched_counts    # keys: 0 drops, 1 exec, 2 exit, 3 fork"
mapringctl dump sched_counts
