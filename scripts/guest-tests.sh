#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every guest test (selftests/guest/TESTS) in one VM boot of KERNEL.
#   scripts/guest-tests.sh [KERNEL] [run-vm.py options]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:-6.1}; shift || true
mapfile -t tests < <(grep -E '^[a-z]' "$MAPRING_TOP/selftests/guest/TESTS")
exec python3 "$MAPRING_TOP/selftests/vm/run-vm.py" --kernel "$kernel" \
	--bin "$MAPRING_BUILD/host/selftests/guest" \
	--tools "$MAPRING_BUILD/host/tools/mapringctl" \
	--tools "$MAPRING_BUILD/host/samples/ring_tail" \
	--tools "$MAPRING_BUILD/host/samples/sched_snoop" \
	--tools "$MAPRING_BUILD/host/samples/sched_tail" \
	--tools "$MAPRING_BUILD/host/bench/mrbench" \
	"$@" "${tests[@]}" 'bench_smoke=mrbench --quick all >/dev/null'
