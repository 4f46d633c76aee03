#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make demo` runs inside the test VM, where init loaded mapring.ko:
# the sample producer, its live consumer during a shell loop, mapringctl.
set -e
say() { printf '\n== %s\n' "$*"; }

say "insmod sched_events.ko    # samples/sched_events.c"
insmod /lib/modules/mapring/sched_events.ko
/bin/dmesg | /bin/sed -n 's/^\[[ 0-9.]*\] //; /^sched_events:/p'

say "sched_snoop &    # samples/sched_snoop.cpp: the ring since insmod, then live"
# A background job of a script starts with SIGINT ignored until it sets
# its handler: start the loop once sched_snoop printed its header.
sched_snoop >/tmp/snoop.txt 2>&1 &
snoop=$!
until [ -s /tmp/snoop.txt ]; do /bin/sleep 0.1; done
say 'for i in 1 2 3; do /bin/ls / >/dev/null; /bin/sh -c "exit $i"; done; kill -INT %1'
for i in 1 2 3; do
	/bin/ls / >/dev/null
	/bin/sh -c "exit $i" || true
done
kill -INT $snoop
wait $snoop
cat /tmp/snoop.txt

say "mapringctl list"
mapringctl list

say "mapringctl dump sched_counts    # keys: 0 drops, 1 exec, 2 exit, 3 fork"
mapringctl dump sched_counts
