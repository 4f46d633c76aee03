#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boot the test VM, load mapring.ko and show it alive.
#   scripts/demo.sh [KERNEL]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:-6.1}
exec python3 "$MAPRING_TOP/selftests/vm/run-vm.py" --kernel "$kernel" \
	--out "$MAPRING_BUILD/vm/demo" --verbose \
	--tools "$MAPRING_BUILD/host/tools/mapringctl" \
	--tools "$MAPRING_TOP/samples/demo.sh" \
	demo=demo.sh
