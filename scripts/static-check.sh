#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Static checks, one per call:
#   scripts/static-check.sh checkpatch        kernel-style C, --strict
#   scripts/static-check.sh sparse [KERNEL]   make C=2 against a test kernel
#   scripts/static-check.sh clang-format      C++ formatting
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$MAPRING_TOP"

# Tracked files (or, outside git, files on disk) matching the patterns.
sources() {
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard -- "$@"
	else
		local p
		for p in "$@"; do compgen -G "$p" || true; done
	fi
}

case ${1:-} in
checkpatch)
	checkpatch=$("$MAPRING_TOP/scripts/kselftest.sh")/scripts/checkpatch.pl
	mapfile -t files < <(sources 'kmod/*.[ch]' 'include/linux/*.h' \
		'include/uapi/linux/*.h' 'include/mapring/*.h' \
		'selftests/modules/*.[ch]' 'selftests/guest/*.[ch]' 'samples/*.[ch]' \
		'bench/bpf/*.[ch]')
	out=$(perl "$checkpatch" --no-tree --strict --terse --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f "${files[@]}" |
		grep -v '^total: 0 errors, 0 warnings, 0 checks' || true)
	if [ -n "$out" ]; then
		echo "$out"
		die "checkpatch found problems"
	fi
	# guest tests take the harness through mr_harness.h (scaled timeouts)
	direct=$(cd "$MAPRING_TOP" && grep -l '"kselftest_harness.h"' \
		selftests/guest/*.c || true)
	[ -z "$direct" ] || die "include mr_harness.h, not kselftest_harness.h:" $direct
	echo "checkpatch: ${#files[@]} files clean"
	;;
sparse)
	"$MAPRING_TOP/scripts/build-kmod.sh" "${2:-6.1}" C=2 CHECK="sparse -Wsparse-all" >/dev/null
	echo "sparse: clean"
	;;
clang-format)
	mapfile -t files < <(sources '*.cpp' '*.hpp')
	clang-format --dry-run --Werror "${files[@]}"
	echo "clang-format: ${#files[@]} files clean"
	;;
*)
	die "usage: $0 checkpatch | sparse [KERNEL] | clang-format"
	;;
esac
