#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make a test kernel ready in the cache and print the path of its env file.
#
#   scripts/kernel.sh NAME        NAME is 6.1 (default), 6.12 or 6.12-rt
#
# A kernel is Debian's image package plus its matching headers, fetched with
# `apt-get download` and unpacked with `dpkg -x` into
# $MAPRING_CACHE/kernels/<package>_<version>/, never installed into /boot.
# The env file gives KREL, KDIR (for `make KDIR=`), VMLINUX (decompressed for
# a fast PVH boot) and MODDIR. Kernels built from source (debug, kcsan) are
# made by scripts/debug-kernel.sh and answer through the same env file, plus
# BOOT_IMAGE: the bzImage QEMU boots instead of VMLINUX.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:-6.1}
case $name in
6.1)     meta=amd64 ;;
6.12)    meta=6.12-amd64 ;;
6.12-rt) meta=6.12-rt-amd64 ;;
debug|kcsan) exec "$MAPRING_TOP/scripts/debug-kernel.sh" "$name" ;;
*) die "unknown kernel '$name' (known: 6.1 6.12 6.12-rt debug kcsan)" ;;
esac

link=$MAPRING_CACHE/kernels/$name
image=$(apt_first_dep "linux-image-$meta" linux-image-)
if [ -z "$image" ] && [ ! -e "$link/kernel.env" ]; then
	apt_refresh # a fresh machine may have no package lists yet
	image=$(apt_first_dep "linux-image-$meta" linux-image-)
fi
version=$(apt-cache show --no-all-versions "$image" 2>/dev/null |
	awk '/^Version:/ { print $2; exit }')
if [ -z "$image" ] || [ -z "$version" ]; then
	# No archive to ask: a kernel fetched earlier is still good.
	[ -e "$link/kernel.env" ] || die "cannot resolve linux-image-$meta"
	echo "$link/kernel.env"
	exit 0
fi

dir=$MAPRING_CACHE/kernels/${image}_$version
if [ ! -e "$dir/kernel.env" ]; then
	headers=$(apt_first_dep "linux-headers-$meta" linux-headers-)
	common=$(apt-cache depends "$headers" |
		awk '$1 == "Depends:" && $2 ~ /^linux-headers-.*-common/ { print $2; exit }')
	kbuild=$(apt_first_dep "$headers" linux-kbuild-)
	[ -n "$headers" ] && [ -n "$common" ] && [ -n "$kbuild" ] ||
		die "cannot resolve the headers of $image"

	log "fetching $image $version with $headers"
	rm -rf "$dir.tmp"
	apt_download "$dir.tmp/debs" "$image" "$headers" "$common" "$kbuild"
	for deb in "$dir.tmp"/debs/*.deb; do
		dpkg -x "$deb" "$dir.tmp/root"
	done
	rm -rf "$dir.tmp/debs"

	root=$dir.tmp/root
	krel=$(basename "$(ls -d "$root"/lib/modules/*)")
	kdir=$root/usr/src/linux-headers-$krel
	[ -f "$kdir/Makefile" ] || die "no headers for $krel in the packages"
	# The arch headers include the common ones by absolute path.
	sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$kdir/Makefile"

	# Keep only the guest modules the test VM loads: pvpanic.
	find "$root/lib/modules/$krel/kernel" -name '*.ko*' \
		! -path '*/misc/pvpanic/*' -delete
	find "$root/lib/modules/$krel/kernel" -type d -empty -delete

	"$MAPRING_TOP/scripts/extract-vmlinux.py" \
		"$root/boot/vmlinuz-$krel" "$dir.tmp/vmlinux"

	cat > "$dir.tmp/kernel.env" <<ENV
KERNEL_NAME=$name
KERNEL_PACKAGE=$image
KERNEL_VERSION=$version
KREL=$krel
KDIR=$dir/root/usr/src/linux-headers-$krel
VMLINUX=$dir/vmlinux
MODDIR=$dir/root/lib/modules/$krel
ENV
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi
ln -sfn "$(basename "$dir")" "$link"
echo "$link/kernel.env"
