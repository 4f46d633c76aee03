#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build every kernel module of the tree against one cached test kernel.
#
#   scripts/build-kmod.sh NAME [make args...]
#
# Kbuild writes objects next to the sources, so each kernel gets its own copy
# of the kernel-side tree in build/kmod/NAME; rsync keeps timestamps, so a
# rebuild with nothing changed takes a second. Extra arguments go to make
# (C=2 for sparse, for instance). Fails on any compiler warning.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:-6.1}; shift || true
env_file=$("$MAPRING_TOP/scripts/kernel.sh" "$name")
# shellcheck disable=SC1090
. "$env_file"

out=$MAPRING_BUILD/kmod/$name
mkdir -p "$out"
# Only the kernel-side sources; build products in $out survive the sync.
rsync -aR --delete --include='*/' --include='Kbuild' --include='*.[ch]' \
	--exclude='*' "$MAPRING_TOP/./Kbuild" "$MAPRING_TOP/./kmod" \
	"$MAPRING_TOP/./include" "$MAPRING_TOP/./selftests/modules" \
	"$MAPRING_TOP/./samples" "$out/"

log=$out/build.log
if ! make -C "$KDIR" M="$out" "$@" modules >"$log" 2>&1; then
	cat "$log" >&2
	# A half-built tree can confuse the next incremental build.
	rm -rf "$out"
	die "module build failed against $KREL"
fi
if grep -E 'warning:|error:' "$log" >&2; then
	die "module build against $KREL is not warning-free"
fi
echo "$out"
