#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# DKMS against the cached test kernels' headers: `dkms add`, `build` and
# `install` of the tree scripts/dkms-src.sh makes, for each KERNEL.
#
#   scripts/dkms-check.sh [KERNEL...]      default: 6.1 6.12 6.12-rt
#
# Nothing touches the machine's own DKMS state or kernels: the source,
# DKMS and install trees are private (--sourcetree, --dkmstree,
# --installtree under build/dkms), the headers are passed with
# --kernelsourcedir, and install runs with --no-depmod. DKMS signs modules
# only where it finds the kernel's sign-file (Debian's linux-kbuild); the
# cached kernels have none, so the modules stay unsigned. Prints TAP.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12 6.12-rt)
command -v dkms >/dev/null || die "no dkms (scripts/deps.sh installs it)"

work=$MAPRING_BUILD/dkms
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$MAPRING_TOP/dkms.conf")
cmake_version=$(sed -n 's/^project(mapring VERSION \([0-9.]*\) .*/\1/p' \
	"$MAPRING_TOP/CMakeLists.txt")
trees=(--sourcetree "$work/src" --dkmstree "$work/tree")


# The module DKMS built for KREL: warning-free, for that release.
built_right() {
	local krel=$1 base=$work/tree/mapring/$version/$1/x86_64
	local ko=$base/module/mapring.ko
	[ -f "$ko" ] || { echo "no $ko"; return 1; }
	if grep -E 'warning:|error:' "$base/log/make.log"; then return 1; fi
	local magic
	magic=$(modinfo -F vermagic "$ko")
	[ "${magic%% *}" = "$krel" ] || { echo "vermagic $magic"; return 1; }
}

echo "TAP version 13"
rm -rf "$work"
mkdir -p "$work/src" "$work/tree"
check "dkms.conf's version is the project's ($cmake_version)" \
	test "$version" = "$cmake_version"
"$MAPRING_TOP/scripts/dkms-src.sh" "$work/src/mapring-$version"
check "dkms add" dkms add -m mapring -v "$version" "${trees[@]}"
for k in "${kernels[@]}"; do
	env_file=$("$MAPRING_TOP/scripts/kernel.sh" "$k")
	# shellcheck disable=SC1090
	krel=$(. "$env_file"; echo "$KREL")
	# shellcheck disable=SC1090
	kdir=$(. "$env_file"; echo "$KDIR")
	t0=$SECONDS
	check "$k: dkms build for $krel" dkms build -m mapring -v "$version" \
		-k "$krel" --kernelsourcedir "$kdir" "${trees[@]}"
	check "$k: mapring.ko warning-free, vermagic $krel ($((SECONDS - t0))s)" \
		built_right "$krel"
	inst=$work/install
	mkdir -p "$inst/$krel"
	check "$k: dkms install into a private tree" dkms install -m mapring \
		-v "$version" -k "$krel" --kernelsourcedir "$kdir" "${trees[@]}" \
		--installtree "$inst" --no-depmod
	check "$k: installed as updates/dkms/mapring.ko" \
		test -f "$inst/$krel/updates/dkms/mapring.ko"
done
check "dkms remove --all" dkms remove -m mapring -v "$version" --all "${trees[@]}" \
	--installtree "$work/install" --no-depmod
check "nothing left in the DKMS and install trees" test -z \
	"$(ls -A "$work/tree/mapring" 2>/dev/null; find "$work/install" -name '*.ko*')"
tap_end
