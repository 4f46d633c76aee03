#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make deb`: Debian packages of this tree in build/deb, with dpkg-deb:
#
#   mapring-dkms    (all)    /usr/src/mapring-<version> for DKMS, which
#                            builds mapring.ko for the installed kernels
#                            when the package is configured; the udev rule
#                            and the group "mapring" it names
#   libmapring0     (amd64)  libmapring.so.0 (symbols versioned
#                            LIBMAPRING_0; shlibs, ldconfig trigger)
#   libmapring-dev  (amd64)  headers, libmapring.so, libmapring.a,
#                            mapring.pc, the CMake package
#   mapring-tools   (amd64)  mapringctl (libmapring linked in statically)
#
# The user space is the release build (scripts/build-user.sh release) for
# /usr, split by CMake install component (lib, dev, tools). Dependencies on shared
# libraries come from dpkg-shlibdeps. scripts/deb-check.sh tests the
# packages. Prints the paths of the packages.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

work=$MAPRING_BUILD/deb
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$MAPRING_TOP/dkms.conf")
arch=$(dpkg --print-architecture)
# Debian's convention: DEBFULLNAME and DEBEMAIL, else git's identity.
maintainer="${DEBFULLNAME:-$(git -C "$MAPRING_TOP" config user.name || echo mapring)}"
maintainer+=" <${DEBEMAIL:-$(git -C "$MAPRING_TOP" config user.email || echo mapring@invalid)}>"
rm -rf "$work/root" "$work"/*.deb
mkdir -p "$work/root"

# The release build of `make install`, configured for /usr: a prefix
# changes no object, so both share one build.
PREFIX=/usr "$MAPRING_TOP/scripts/build-user.sh" release >/dev/null
build=$MAPRING_BUILD/release

# The documentation every package carries: copyright and a changelog.
add_doc() {
	local root=$1 pkg=$2 doc=$1/usr/share/doc/$2
	mkdir -p "$doc"
	install -m 0644 "$MAPRING_TOP/packaging/deb/copyright" "$doc/copyright"
	printf '%s (%s) unstable; urgency=medium\n\n  * Built from %s.\n\n -- %s  %s\n' \
		"$pkg" "$version" \
		"$(git -C "$MAPRING_TOP" describe --always --dirty 2>/dev/null || echo source)" \
		"$maintainer" "$(date -R -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")" |
		gzip -9n > "$doc/changelog.gz"
}

# dpkg-shlibdeps' Depends for the ELF files of a staged package.
shlib_depends() {
	local root=$1 elves
	mapfile -t elves < <(find "$root" -type f \( -name '*.so*' -o -perm -0100 \) \
		-exec sh -c 'head -c 4 "$1" | grep -q ELF' _ {} \; -print)
	[ ${#elves[@]} -gt 0 ] || return 0
	local d=$work/shlibdeps
	mkdir -p "$d/debian"
	printf 'Source: mapring\n\nPackage: x\nArchitecture: any\n' > "$d/debian/control"
	(cd "$d" && dpkg-shlibdeps -O -l"$work/root/libmapring0/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)" \
		"${elves[@]}" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

# control PKG ARCH DEPENDS SECTION SUMMARY DESCRIPTION: DEBIAN/control.
control() {
	local pkg=$1 root=$work/root/$1
	mkdir -p "$root/DEBIAN"
	local size
	size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
	{
		echo "Package: $pkg"
		echo "Source: mapring"
		echo "Version: $version"
		echo "Architecture: $2"
		echo "Maintainer: $maintainer"
		echo "Installed-Size: $size"
		[ -z "$3" ] || echo "Depends: $3"
		echo "Section: $4"
		echo "Priority: optional"
		[ "$2" = all ] || [ "$pkg" = mapring-tools ] || echo "Multi-Arch: same"
		echo "Description: $5"
		printf '%s\n' "$6" | fold -s -w 72 | sed 's/ *$//; s/^/ /'
	} > "$root/DEBIAN/control"
}

# The user-space packages, from the CMake install components.
for c in lib:libmapring0 dev:libmapring-dev tools:mapring-tools; do
	root=$work/root/${c#*:}
	DESTDIR=$root cmake --install "$build" --component "${c%%:*}" >/dev/null
	find "$root" -type f -name '*.so.*' -exec strip --strip-unneeded {} +
	find "$root" -type f -name '*.a' -exec strip --strip-debug {} +
	find "$root" -type f -path '*/bin/*' -exec strip --strip-unneeded {} +
	# Debian's manual pages are compressed, reproducibly
	find "$root" -type f -path '*/share/man/*' -exec gzip -9n {} +
	add_doc "$root" "${c#*:}"
done

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
root=$work/root/libmapring0
echo "libmapring 0 libmapring0 (>= $version)" > "$work/shlibs"
control libmapring0 "$arch" "$(shlib_depends "$root")" libs \
	"BPF-style per-CPU maps and ring buffers: the library" \
	"libmapring consumes the per-CPU maps and BPF-style ring buffers of mapring.ko (the mapring-dkms package) as libbpf consumes BPF's: a C API in libbpf's style and a C++ API."
install -m 0644 "$work/shlibs" "$root/DEBIAN/shlibs"
echo "activate-noawait ldconfig" > "$root/DEBIAN/triggers"
chmod 0644 "$root/DEBIAN/triggers"

control libmapring-dev "$arch" "libmapring0 (= $version), linux-libc-dev" libdevel \
	"BPF-style per-CPU maps and ring buffers: development files" \
	"Headers (C, C++20, and the ABI header <linux/mapring.h>), the static library, mapring.pc for pkg-config and the CMake package (find_package(mapring), target mapring::mapring)."

root=$work/root/mapring-tools
control mapring-tools "$arch" "$(shlib_depends "$root")" admin \
	"BPF-style per-CPU maps and ring buffers: mapringctl" \
	"mapringctl lists, shows, dumps and tails the rings and maps of mapring.ko, as bpftool does for BPF maps."

# The DKMS package: the module's source, the udev rule, the scripts.
root=$work/root/mapring-dkms
"$MAPRING_TOP/scripts/dkms-src.sh" "$root/usr/src/mapring-$version"
install -D -m 0644 "$MAPRING_TOP/udev/60-mapring.rules" \
	"$root/lib/udev/rules.d/60-mapring.rules"
add_doc "$root" mapring-dkms
control mapring-dkms all "dkms (>= 2.1.0.0), adduser" kernel \
	"BPF-style per-CPU maps and ring buffers: kernel module (DKMS)" \
	"mapring.ko gives ordinary kernel code BPF's per-CPU maps and ring buffer, through /dev/mapring and an exported kernel API. DKMS builds it for every installed kernel with headers. /dev/mapring belongs to the group mapring, mode 0660."
for s in postinst prerm; do
	sed "s/@VERSION@/$version/g" "$MAPRING_TOP/packaging/deb/mapring-dkms.$s" \
		> "$root/DEBIAN/$s"
	chmod 0755 "$root/DEBIAN/$s"
done

for pkg in mapring-dkms libmapring0 libmapring-dev mapring-tools; do
	a=$arch
	[ "$pkg" != mapring-dkms ] || a=all
	deb=$work/${pkg}_${version}_$a.deb
	find "$work/root/$pkg" -type d -exec chmod 0755 {} +
	dpkg-deb --root-owner-group -Zxz --build "$work/root/$pkg" "$deb" >/dev/null
	echo "$deb"
done
