#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build a debug test kernel from Debian's linux-source-6.1 and print the
# path of its env file (the format of scripts/kernel.sh, which calls this).
#
#   scripts/debug-kernel.sh debug    KASAN, UBSAN, kmemleak, lockdep, ...
#   scripts/debug-kernel.sh kcsan    KCSAN and lockdep
#
# The config is `make tinyconfig` plus selftests/vm/kconfig/base.config and
# NAME.config, completed by olddefconfig; every option the fragments ask
# for must have survived, or the build stops. Cache (never in the clone):
#   linux-source/<version>/linux-source-6.1/   the whole tree, extracted once
#                                              and shared by both kernels
#   debug-kernels/<version>-NAME-<hash>/build  the O= build tree: KDIR, bzImage
#   kernels/NAME -> ../debug-kernels/...       what kernel.sh and run-vm.py use
# <hash> covers the fragments, the compiler and the build recipe below, so a
# changed fragment builds a new kernel and a second run only checks a stamp.
# The build tree names the source by absolute path: the source stays put.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bump when the way a kernel is built changes without the fragments changing.
RECIPE=1

name=${1:-}
case $name in
debug|kcsan) ;;
*) die "usage: $0 debug|kcsan" ;;
esac

frags=("$MAPRING_TOP/selftests/vm/kconfig/base.config"
	"$MAPRING_TOP/selftests/vm/kconfig/$name.config")
pkg=linux-source-6.1
link=$MAPRING_CACHE/kernels/$name

pkg_version() {
	apt-cache show --no-all-versions "$pkg" 2>/dev/null |
		awk '/^Version:/ { print $2; exit }'
}
# The newest source tree already extracted, for a machine without lists.
cached_version() {
	local d
	d=$(ls -d "$MAPRING_CACHE"/linux-source/*/.complete 2>/dev/null |
		sort -V | tail -n 1)
	[ -z "$d" ] || basename "$(dirname "$d")"
}

version=$(pkg_version)
[ -n "$version" ] || version=$(cached_version)
if [ -z "$version" ]; then
	apt_refresh # a fresh machine may have no package lists yet
	version=$(pkg_version)
fi
[ -n "$version" ] || die "cannot resolve $pkg"

hash=$({
	echo "recipe $RECIPE"
	gcc --version | head -n 1
	cat "${frags[@]}"
} | sha256sum | cut -c1-12)
dir=$MAPRING_CACHE/debug-kernels/$version-$name-$hash

publish() {
	mkdir -p "$MAPRING_CACHE/kernels"
	ln -sfn "../debug-kernels/$(basename "$dir")" "$link"
	echo "$link/kernel.env"
}
if [ -f "$dir/kernel.env" ]; then
	publish
	exit 0
fi

# One build at a time per cache: the other would only slow both down.
mkdir -p "$MAPRING_CACHE/debug-kernels"
exec 9>"$MAPRING_CACHE/debug-kernels/.lock"
flock 9
if [ -f "$dir/kernel.env" ]; then
	publish
	exit 0
fi
# The kernel's make must not inherit the variables of a calling make.
unset MAKEFLAGS MFLAGS MAKELEVEL

src_root=$MAPRING_CACHE/linux-source/$version
src=$src_root/$pkg
if [ ! -f "$src_root/.complete" ]; then
	log "extracting $pkg $version (1.5 GB)"
	deb=$(linux_source_deb "$version")
	rm -rf "$src_root.tmp"
	mkdir -p "$src_root.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		xz -dc -T0 | tar -x -C "$src_root.tmp"
	[ -f "$src_root.tmp/$pkg/Makefile" ] || die "no kernel tree in $deb"
	rm -rf "$src_root"
	mv "$src_root.tmp" "$src_root"
	touch "$src_root/.complete"
fi

b=$dir/build
mkdir -p "$b"
log "configuring $name: tinyconfig + ${frags[*]##*/}"
cat "${frags[@]}" > "$dir/fragments.config"
{
	make -C "$src" O="$b" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" \
		"$dir/fragments.config"
	make -C "$src" O="$b" olddefconfig
} > "$dir/config.log" 2>&1 || {
	tail -n 30 "$dir/config.log" >&2
	die "configuring the $name kernel failed (log: $dir/config.log)"
}

# Every option the fragments set must be in the final config: a missing
# dependency silently drops an option (KASAN without SLUB, for one).
# Prints "CONFIG_X: want W, got G" for each one that did not stick.
missing=$(awk '
	FNR == NR {
		if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) {
			k = substr($0, 1, RLENGTH - 1)
			want[k] = substr($0, RLENGTH + 1)
		} else if (match($0, /^# CONFIG_[A-Za-z0-9_]+ is not set/)) {
			want[$2] = "n"
		}
		next
	}
	match($0, /^CONFIG_[A-Za-z0-9_]+=/) {
		got[substr($0, 1, RLENGTH - 1)] = substr($0, RLENGTH + 1)
	}
	END {
		for (k in want) {
			g = (k in got) ? got[k] : "n"
			if (g != want[k])
				printf "  %s: want %s, got %s\n", k, want[k], g
		}
	}' "$dir/fragments.config" "$b/.config" | sort)
if [ -n "$missing" ]; then
	printf '%s\n' "$missing" >&2
	die "the $name config lost options (see above; deps in $b/.config)"
fi

# QEMU boots the bzImage (see base.config); Module.symvers comes from
# `modules`: out-of-tree builds need it.
log "building the $name kernel, about 10 minutes on 2 cores (log: $dir/build.log)"
t0=$SECONDS
if ! make -C "$src" O="$b" -j"$(nproc)" bzImage modules \
	> "$dir/build.log" 2>&1; then
	grep -E 'error|Error' "$dir/build.log" | head -n 20 >&2 || true
	tail -n 20 "$dir/build.log" >&2
	die "building the $name kernel failed (log: $dir/build.log)"
fi
[ -s "$b/Module.symvers" ] || die "no Module.symvers in $b"
rm -rf "$dir/root"
make -C "$src" O="$b" INSTALL_MOD_PATH="$dir/root" modules_install \
	>> "$dir/build.log" 2>&1 || die "modules_install failed (log: $dir/build.log)"
krel=$(make -s -C "$src" O="$b" kernelrelease)
mkdir -p "$dir/root/lib/modules/$krel"
log "built $name ($krel) in $(((SECONDS - t0) / 60))m$(printf %02d $(((SECONDS - t0) % 60)))s"

cat > "$dir/kernel.env.tmp" <<ENV
KERNEL_NAME=$name
KERNEL_PACKAGE=$pkg
KERNEL_VERSION=$version
KREL=$krel
KDIR=$b
VMLINUX=$b/vmlinux
BOOT_IMAGE=$b/arch/x86/boot/bzImage
MODDIR=$dir/root/lib/modules/$krel
ENV
mv "$dir/kernel.env.tmp" "$dir/kernel.env"
publish
