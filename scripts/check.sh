#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: static checks, host tests, the VM runner's own tests and the
# guest tests on every kernel named, then one closing line for everything:
# "N passed, N failed".
#
#   scripts/check.sh [KERNEL...]        default: 6.1
#
# Each phase prints its own TAP or ctest output; its counts are read from
# its closing line. A phase that prints no counts counts as one test.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1)
default_kernel=${kernels[0]}

total_pass=0 total_fail=0 total_skip=0
failed_phases=()
start=$SECONDS

# phase TITLE COMMAND...: run it, show its output, add up its counts.
phase() {
	local title=$1; shift
	local log t0=$SECONDS
	log=$(mktemp)
	printf '\n=== %s\n' "$title"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local p f s line
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*\b([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.*\b([0-9]+) failed.*/\1/' <<<"$line")
		s=$(sed -nE 's/.*\b([0-9]+) skipped.*/\1/p' <<<"$line")
	elif line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1); then
		local n
		n=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
		f=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$line")
		p=$((n - f))
		s=$(grep -cE '\*\*\*Skipped|Not Run|Disabled' "$log")
		p=$((p - s))
	else
		p=$((rc == 0)) f=$((rc != 0))
	fi
	s=${s:-0}
	# A phase that failed but counted no failure still failed.
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	[ "$f" -eq 0 ] || failed_phases+=("$title")
	printf '=== %s: %d passed, %d failed, %d skipped (%ds)\n' \
		"$title" "$p" "$f" "$s" $((SECONDS - t0))
	rm -f "$log"
}

"$MAPRING_TOP/scripts/deps.sh" || die "installing dependencies failed"
kselftest_dir=$("$MAPRING_TOP/scripts/kselftest.sh") || die "no kselftest harness"
for k in "${kernels[@]}"; do
	"$MAPRING_TOP/scripts/kernel.sh" "$k" >/dev/null || die "kernel $k unavailable"
done

phase "build: user space" "$MAPRING_TOP/scripts/build-user.sh" host
for k in "${kernels[@]}"; do
	phase "build: modules for $k (warning-free)" "$MAPRING_TOP/scripts/build-kmod.sh" "$k"
done
phase "static: checkpatch --strict" "$MAPRING_TOP/scripts/static-check.sh" checkpatch
phase "static: sparse (C=2) on $default_kernel" "$MAPRING_TOP/scripts/static-check.sh" sparse "$default_kernel"
phase "static: clang-format" "$MAPRING_TOP/scripts/static-check.sh" clang-format

phase "host tests" ctest --test-dir "$MAPRING_BUILD/host" --output-on-failure
# Packaging (scripts/consumer-test.sh, dkms-check.sh, deb-check.sh). DKMS
# builds for each Debian kernel named (the debug kernels are the 6.1
# source again), about 25 s each.
dkms_kernels=()
for k in "${kernels[@]}"; do
	case $k in debug|kcsan) ;; *) dkms_kernels+=("$k") ;; esac
done
phase "packaging: make install, out-of-tree consumer (pkg-config, CMake)" \
	"$MAPRING_TOP/scripts/consumer-test.sh" build
if [ ${#dkms_kernels[@]} -gt 0 ]; then
	phase "packaging: DKMS on ${dkms_kernels[*]}" \
		"$MAPRING_TOP/scripts/dkms-check.sh" "${dkms_kernels[@]}"
fi
phase "packaging: make deb, lintian, dpkg --root" "$MAPRING_TOP/scripts/deb-check.sh"
phase "docs: API reference (Doxygen)" "$MAPRING_TOP/scripts/docs.sh"
phase "build: user space with ASan+UBSan" "$MAPRING_TOP/scripts/build-user.sh" asan
phase "host tests under ASan+UBSan" ctest --test-dir "$MAPRING_BUILD/asan" --output-on-failure
phase "build: user space with TSan" "$MAPRING_TOP/scripts/build-user.sh" tsan
phase "host tests under TSan" ctest --test-dir "$MAPRING_BUILD/tsan" --output-on-failure

# On the debug kernels the runner self-test proves each detector bites.
selftest_kernels=("$default_kernel")
for k in "${kernels[@]}"; do
	case $k in
	debug|kcsan) [[ " ${selftest_kernels[*]} " == *" $k "* ]] ||
		selftest_kernels+=("$k") ;;
	esac
done
for k in "${selftest_kernels[@]}"; do
	phase "VM runner self-test on $k" \
		python3 "$MAPRING_TOP/selftests/vm/runner-selftest.py" "$k"
done
for k in "${kernels[@]}"; do
	phase "guest tests on $k" "$MAPRING_TOP/scripts/guest-tests.sh" "$k"
done

phase "out-of-tree consumer on $default_kernel" \
	"$MAPRING_TOP/scripts/consumer-test.sh" vm "$default_kernel"

printf '\n=== make check: %s, %dm%02ds\n' "${kernels[*]}" \
	$(((SECONDS - start) / 60)) $(((SECONDS - start) % 60))
for t in "${failed_phases[@]}"; do
	printf '=== FAILED: %s\n' "$t"
done
summary="$total_pass passed, $total_fail failed"
[ "$total_skip" -eq 0 ] || summary+=", $total_skip skipped"
echo "$summary"
[ "$total_fail" -eq 0 ]
