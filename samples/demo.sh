#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make demo` runs inside the test VM (the VM's init loaded mapring.ko).
set -e
echo "== uname -r"
uname -r
echo "== lsmod | grep mapring"
grep '^mapring ' /proc/modules
echo "== ls -l /dev/mapring"
ls -l /dev/mapring
echo "== mapringctl info"
mapringctl info
echo "== mapringctl --json info"
mapringctl --json info
echo "== kernel log"
dmesg | grep 'mapring:'
