#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM. Runs the programs of /etc/mapring/plan one by one
# and reports on the second serial port (/dev/ttyS1), one line per event:
#
#   H <release> <online cpus> <possible mask>   booted
#   B <name>                                    test begins
#   O <text>                                    a line the test printed
#   E <name> <status>                           test ended (137: timed out)
#   M <module> <size> <address>                 our module loaded after the
#                                               suite (kmemleak kernels)
#   K <text>                                    kmemleak report line
#   k <status>                                  kmemleak step done: 0, or
#                                               what went wrong
#   D                                           every test ran
#
# The host (run-vm.py) turns this into TAP and judges each test, also from
# the kernel log: "mapring-vm: begin/end <name>" markers in /dev/kmsg let it
# attribute every kernel report to the test that was running. On a kernel
# with kmemleak the suite ends by unloading our modules and scanning for
# leaks (the host decides which are ours). After D the guest leaves through
# isa-debug-exit; a panic leaves through pvpanic.

/bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/tests:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/shm /dev/pts && mount -t tmpfs tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
mkdir -p /root

TEST_TIMEOUT=120
LOAD_MAPRING=1
SLOWDOWN=1
. /etc/mapring/config
# how much slower this kernel is (KASAN: 4); the harness scales its timeouts
export MAPRING_SLOWDOWN=$SLOWDOWN

stty -F /dev/ttyS1 raw -echo
exec 3>/dev/ttyS1
chan() { echo "$*" >&3; }
kmsg() { echo "<5>mapring-vm: $*" > /dev/kmsg; }

# pvpanic turns a guest panic into QEMU exit status 1 (built into the
# debug kernels: then there is no module to load).
for m in pvpanic pvpanic-mmio; do
	[ -e "/lib/modules/vm/$m.ko" ] || continue
	insmod "/lib/modules/vm/$m.ko" || chan "O vm: cannot load $m.ko"
done

# The baseline every test starts from: mapring.ko loaded with defaults.
baseline() {
	[ "$LOAD_MAPRING" = 1 ] || return 0
	grep -q '^mapring ' /proc/modules ||
		insmod /lib/modules/mapring/mapring.ko ||
		chan "O vm: cannot load mapring.ko"
}

chan "H $(uname -r) $(grep -c ^processor /proc/cpuinfo) $(cat /sys/devices/system/cpu/possible)"

tab=$(printf '\t')
while IFS="$tab" read -r name cmd; do
	baseline
	chan "B $name"
	kmsg "begin $name"
	{
		cd /tests && timeout -s KILL "$TEST_TIMEOUT" sh -c "$cmd" </dev/null 2>&1
		echo $? > /tmp/status
	} | awk '{ print "O " $0; fflush() }' >&3
	kmsg "end $name"
	chan "E $name $(cat /tmp/status)"
done < /etc/mapring/plan

# kmemleak: unload our modules (newest first, so users go before mapring):
# what they did not free at exit is a leak too. Then wait and scan twice:
# kmemleak skips objects younger than 5 s, and reports a new object only
# from the second scan that finds nothing pointing to it.
kmemleak() {
	leaks=/sys/kernel/debug/kmemleak problems=
	kmsg "begin vm:kmemleak"
	for m in $(cut -d' ' -f1 /proc/modules); do
		[ -e "/lib/modules/mapring/$m.ko" ] || continue
		chan "M $(grep "^$m " /proc/modules | cut -d' ' -f1,6,2)"
		rmmod "$m" || problems="$problems cannot unload $m;"
	done
	sleep 5
	if echo scan > $leaks && echo scan > $leaks; then
		sed 's/^/K /' $leaks >&3
	else
		problems="$problems scan failed;"
	fi
	kmsg "end vm:kmemleak"
	chan "k ${problems:-0}"
}
[ -e /sys/kernel/debug/kmemleak ] && kmemleak

kmsg "suite done"
chan "D"
# Closing the port waits until the UART has sent every byte: without it the
# guest can leave through isa-debug-exit with the last lines still queued.
exec 3>&-
# isa-debug-exit: QEMU exits with status (0x10 << 1) | 1 = 33.
printf '\020' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
poweroff -f
