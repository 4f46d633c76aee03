#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make fuzz`: the long forms of the reliability tests, one VM boot per
# kernel: the interface fuzzer (selftests/guest/fuzz.c) for TIME seconds or
# OPS operations, then the hostile-ring, hotplug and lifecycle tests with
# their loads scaled by SCALE. A make check runs the short forms.
#
#   scripts/fuzz.sh [KERNEL...]        default: 6.1; "debug" for KASAN etc.
#   SEED=N     the fuzzer's seed (default: random, printed; reproduces a run)
#   OPS=N      fuzzer operations (default 20000000)
#   TIME=S     fuzzer seconds (default 300)
#   THREADS=N  fuzzer threads (default 4)
#   SCALE=N    load multiplier of the other tests (default 10)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1)
seed=${SEED:-0}
ops=${OPS:-20000000}
time=${TIME:-300}
threads=${THREADS:-4}
scale=${SCALE:-10}
env="MR_FUZZ_SEED=$seed MR_FUZZ_OPS=$ops MR_FUZZ_SECS=$time"
env+=" MR_FUZZ_THREADS=$threads MR_SCALE=$scale"

"$MAPRING_TOP/scripts/deps.sh"
"$MAPRING_TOP/scripts/build-user.sh" host >/dev/null
rc=0
for k in "${kernels[@]}"; do
	"$MAPRING_TOP/scripts/kernel.sh" "$k" >/dev/null
	"$MAPRING_TOP/scripts/build-kmod.sh" "$k" >/dev/null
	log "kernel $k: fuzzing ${time}s or $ops operations, scale $scale"
	# the runner scales its own timeouts on debug kernels; the fuzzer's
	# time bound is its own, so give every test that much more room
	python3 "$MAPRING_TOP/selftests/vm/run-vm.py" --kernel "$k" \
		--bin "$MAPRING_BUILD/host/selftests/guest" \
		--test-timeout $((time * 2 + 600)) --timeout $((time * 2 + 3600)) \
		"fuzz=$env ./fuzz" \
		"ring_isolation=$env ./ring_isolation" \
		"ring_hotplug=$env ./ring_hotplug" \
		"lifecycle=$env ./lifecycle" || rc=1
done
exit $rc
