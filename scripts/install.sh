#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make install` and `make uninstall`.
#
#   scripts/install.sh install | uninstall
#
# Environment (the Makefile passes its variables):
#   DESTDIR  staging root, empty for the real system
#   PREFIX   where the library, headers and mapringctl go (/usr/local)
#   KDIR     kernel build tree to build mapring.ko against; without it the
#            cached test kernel KERNEL (default 6.1, scripts/kernel.sh)
#   UDEVRULESDIR  where 60-mapring.rules goes: /usr/lib/udev/rules.d for
#            PREFIX=/usr, else /etc/udev/rules.d (udev reads no other place)
#
# What goes where:
#   /lib/modules/<release>/extra/mapring.ko   then depmod (-b DESTDIR)
#   PREFIX/lib*/libmapring.so.N.M.P, .so.N, .so, libmapring.a
#   PREFIX/lib*/pkgconfig/mapring.pc, PREFIX/lib*/cmake/mapring/
#   PREFIX/include/mapring/, PREFIX/include/linux/mapring.h (the ABI)
#   PREFIX/bin/mapringctl, UDEVRULESDIR/60-mapring.rules
# Every file and directory install creates is listed, without DESTDIR, in
# PREFIX/share/mapring/install-manifest.txt (itself included): uninstall
# (same DESTDIR and PREFIX) removes exactly those, directories only when
# empty, then runs depmod again. Installing over an earlier install
# uninstalls it first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

action=${1:-}
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
KERNEL=${KERNEL:-6.1}
if [ -z "${UDEVRULESDIR:-}" ]; then
	case $PREFIX in
	/usr) UDEVRULESDIR=/usr/lib/udev/rules.d ;;
	*) UDEVRULESDIR=/etc/udev/rules.d ;;
	esac
fi
[ -z "$DESTDIR" ] || DESTDIR=$(realpath -m "$DESTDIR")
manifest=$DESTDIR$PREFIX/share/mapring/install-manifest.txt

# The kernel release a build tree builds for: its UTS_RELEASE (Debian's
# headers answer `make kernelrelease` with the upstream version instead).
kernel_release() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$1/include/generated/utsrelease.h"
}

# depmod for the release, inside DESTDIR when there is one. Skipped when
# the tree has no such kernel (a module staged for another machine).
run_depmod() {
	local krel=$1
	command -v depmod >/dev/null || PATH=$PATH:/sbin:/usr/sbin
	if [ -n "$DESTDIR" ]; then
		depmod -b "$DESTDIR" "$krel" 2>/dev/null
	elif [ -d "/lib/modules/$krel/kernel" ]; then
		depmod "$krel"
	else
		log "no /lib/modules/$krel/kernel here: depmod skipped"
	fi
}

# mapring.ko for KDIR, or for the cached kernel KERNEL. Prints "KREL KO".
build_module() {
	if [ -n "${KDIR:-}" ]; then
		local out=$MAPRING_BUILD/kmod/install
		mkdir -p "$out"
		rsync -aR --delete --include='*/' --include='Kbuild' \
			--include='*.[ch]' --exclude='*' "$MAPRING_TOP/./kmod" \
			"$MAPRING_TOP/./include" "$out/"
		make -C "$KDIR" M="$out/kmod" modules >"$out/build.log" 2>&1 || {
			cat "$out/build.log" >&2
			die "building mapring.ko against $KDIR failed"
		}
		echo "$(kernel_release "$KDIR") $out/kmod/mapring.ko"
	else
		local env_file kdir out
		env_file=$("$MAPRING_TOP/scripts/kernel.sh" "$KERNEL")
		out=$("$MAPRING_TOP/scripts/build-kmod.sh" "$KERNEL")
		# shellcheck disable=SC1090
		kdir=$(. "$env_file"; echo "$KDIR")
		echo "$(kernel_release "$kdir") $out/kmod/mapring.ko"
	fi
}

# Records path (absolute, with DESTDIR) and the directories above it that
# do not exist yet, so uninstall leaves the tree as it found it.
new_dirs=()
make_dirs() {
	local d=$1 missing=()
	while [ ! -d "$d" ]; do
		missing+=("$d")
		d=$(dirname "$d")
	done
	mkdir -p "$1"
	local i
	for ((i = ${#missing[@]} - 1; i >= 0; i--)); do
		new_dirs+=("${missing[i]}/")
	done
}

install_files() {
	[ ! -s "$manifest" ] || uninstall_files
	local files=() krel ko
	read -r krel ko < <(build_module)
	[ -n "$krel" ] && [ -f "$ko" ] || die "no mapring.ko"
	PREFIX=$PREFIX "$MAPRING_TOP/scripts/build-user.sh" release >/dev/null

	local moddir=$DESTDIR/lib/modules/$krel
	local before
	before=$(ls "$moddir" 2>/dev/null || true)
	make_dirs "$moddir/extra"
	install -m 0644 "$ko" "$moddir/extra/mapring.ko"
	files+=("$moddir/extra/mapring.ko")
	run_depmod "$krel"
	# The index files depmod made for a staging tree are ours too.
	local f
	for f in "$moddir"/modules.*; do
		[ -e "$f" ] || continue
		grep -qxF "${f##*/}" <<<"$before" || files+=("$f")
	done

	# The library, headers, pkg-config and CMake files, mapringctl: CMake
	# lists what it installed, directories not included.
	local cm=$MAPRING_BUILD/release/install_manifest.txt
	local top
	top=$DESTDIR$PREFIX
	# Directories CMake will create: every parent of its files that is new.
	make_dirs "$top"
	local dirs_before
	dirs_before=$(find "$top" -type d 2>/dev/null | sort || true)
	DESTDIR=$DESTDIR cmake --install "$MAPRING_BUILD/release" >/dev/null
	mapfile -t -O ${#files[@]} files < "$cm"
	while IFS= read -r d; do
		new_dirs+=("$d/")
	done < <(comm -13 <(echo "$dirs_before") \
		<(find "$top" -type d | sort))

	make_dirs "$DESTDIR$UDEVRULESDIR"
	install -m 0644 "$MAPRING_TOP/udev/60-mapring.rules" \
		"$DESTDIR$UDEVRULESDIR/60-mapring.rules"
	files+=("$DESTDIR$UDEVRULESDIR/60-mapring.rules")

	make_dirs "$(dirname "$manifest")"
	files+=("$manifest")
	# Deepest directories last: uninstall removes them in reverse.
	printf '%s\n' "${files[@]#"$DESTDIR"}" "${new_dirs[@]#"$DESTDIR"}" > "$manifest"
	log "installed mapring.ko for $krel and $((${#files[@]} - 1)) more files" \
		"under ${DESTDIR:-/} (manifest: $manifest)"
}

uninstall_files() {
	[ -s "$manifest" ] || die "no $manifest: nothing installed from here"
	local p krels=() list
	list=$(cat "$manifest")
	# Files first, then directories deepest first, each only if empty.
	while IFS= read -r p; do
		case $p in
		*/) continue ;;
		*/extra/mapring.ko) krels+=("$(basename "$(dirname "$(dirname "$p")")")") ;;
		esac
		rm -f "$DESTDIR$p"
	done <<<"$list"
	while IFS= read -r p; do
		rmdir "$DESTDIR$p" 2>/dev/null || true
	done < <(grep '/$' <<<"$list" | awk '{ print length, $0 }' |
		sort -rn | cut -d' ' -f2-)
	local k
	for k in "${krels[@]}"; do
		if [ -z "$DESTDIR" ] || [ -d "$DESTDIR/lib/modules/$k" ]; then
			run_depmod "$k" || true
		fi
	done
	log "uninstalled what $manifest listed"
}

case $action in
install) install_files ;;
uninstall) uninstall_files ;;
*) die "usage: $0 install|uninstall" ;;
esac
