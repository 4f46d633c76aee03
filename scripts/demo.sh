#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boot the test VM, load mapring.ko and the sample producer,
# watch a shell loop through its live consumer, then list and dump with
# mapringctl (samples/demo.sh is what runs in the guest).
#   scripts/demo.sh [KERNEL]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:-6.1}
bin=$MAPRING_BUILD/host
cd "$MAPRING_TOP"
# The runner's TAP plan and boot line say nothing to a reader: leave them out.
python3 selftests/vm/run-vm.py --kernel "$kernel" \
	--out "$(realpath --relative-to=. "$MAPRING_BUILD/vm/demo")" --verbose \
	--tools "$bin/tools/mapringctl" \
	--tools "$bin/samples/sched_snoop" \
	--tools "$MAPRING_TOP/samples/demo.sh" \
	demo=demo.sh |
	grep --line-buffered -vE '^(TAP version 13|1\.\.[0-9]+|# guest up: .*)$'
