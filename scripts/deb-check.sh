#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The packages of `make deb` (scripts/deb.sh, run first): their contents,
# lintian, and a real dpkg install into a throwaway root (dpkg --root):
# libmapring0, libmapring-dev and mapring-tools installed and configured,
# the out-of-tree consumer built against that root with pkg-config,
# mapringctl run from it, and everything purged again. mapring-dkms is only
# unpacked there: configuring it would have DKMS build for the machine's
# kernels (its scripts run outside the root with dpkg --root); the DKMS
# build itself is tested by scripts/dkms-check.sh. Prints TAP.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mapfile -t debs < <("$MAPRING_TOP/scripts/deb.sh")
work=$MAPRING_BUILD/deb
root=$work/dpkg-root
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$MAPRING_TOP/dkms.conf")

deb_of() { printf '%s\n' "${debs[@]}" | grep "/$1_"; }

# has PKG PATH...: the package holds exactly these files (and directories).
has() {
	local pkg=$1 list; shift
	list=$(dpkg-deb -c "$(deb_of "$pkg")" | awk '{ print $6 }' |
		grep -v '/$' | sed 's|^\./|/|' | sort)
	local want
	want=$(printf '%s\n' "$@" "/usr/share/doc/$pkg/copyright" \
		"/usr/share/doc/$pkg/changelog.gz" | sort)
	[ "$list" = "$want" ] || { diff <(echo "$want") <(echo "$list"); return 1; }
}

dpkg_root() { dpkg --root="$root" --log=/dev/null --force-not-root "$@"; }
status_of() { dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' "$1"; }

consumer_builds() {
	PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$root/usr/lib/$multiarch/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$root sh -c '
		g++ -std=c++20 -Wall -Wextra -Werror $(pkg-config --cflags mapring) \
			"$1" -o "$2" $(pkg-config --libs mapring) &&
		LD_LIBRARY_PATH=$3 ldd "$2" | grep -q "libmapring.so.0 => $3/libmapring.so.0"' \
		_ "$MAPRING_TOP/selftests/external/consumer.cpp" "$work/consumer" \
		"$root/usr/lib/$multiarch"
}

echo "TAP version 13"
check "make deb: four packages" test ${#debs[@]} = 4
lib=/usr/lib/$multiarch
check "libmapring0: the shared object" has libmapring0 \
	"$lib/libmapring.so.0" "$lib/libmapring.so.0.1.0"
check "libmapring0: shlibs and the ldconfig trigger" sh -c "
	dpkg-deb -I '$(deb_of libmapring0)' shlibs | grep -qx 'libmapring 0 libmapring0 (>= $version)' &&
	dpkg-deb -I '$(deb_of libmapring0)' triggers | grep -qx 'activate-noawait ldconfig'"
check "libmapring-dev: headers, .so, .a, pc, CMake package" has libmapring-dev \
	/usr/include/linux/mapring.h /usr/include/mapring/detail/ringbuf_consumer.hpp \
	/usr/include/mapring/map.h /usr/include/mapring/map.hpp \
	/usr/include/mapring/mapring.h /usr/include/mapring/mapring.hpp \
	/usr/include/mapring/ringbuf.h /usr/include/mapring/ringbuf.hpp \
	/usr/include/mapring/user_ringbuf.h /usr/include/mapring/user_ringbuf.hpp \
	/usr/include/mapring/detail/user_ring_producer.hpp \
	/usr/include/mapring/ring_group.h /usr/include/mapring/ring_group.hpp \
	"$lib/libmapring.so" "$lib/libmapring.a" "$lib/pkgconfig/mapring.pc" \
	"$lib/cmake/mapring/mapringConfig.cmake" \
	"$lib/cmake/mapring/mapringConfigVersion.cmake" \
	"$lib/cmake/mapring/mapringTargets.cmake" \
	"$lib/cmake/mapring/mapringTargets-relwithdebinfo.cmake"
check "mapring-tools: mapringctl and its manual page" has mapring-tools \
	/usr/bin/mapringctl /usr/share/man/man1/mapringctl.1.gz
mapfile -t src < <(cd "$MAPRING_TOP" && git ls-files kmod include/linux include/uapi 2>/dev/null |
	grep -E '(Kbuild|\.[ch])$' | sed "s|^|/usr/src/mapring-$version/|")
check "mapring-dkms: dkms.conf, the module's source, the udev rule" has mapring-dkms \
	"/usr/src/mapring-$version/dkms.conf" "${src[@]}" /lib/udev/rules.d/60-mapring.rules
# lintian's exit status: 0 unless it found an error (or could not run).
check "lintian: no errors (maintainer address aside)" lintian \
	--suppress-tags bogus-mail-host,bogus-mail-host-in-debian-changelog "${debs[@]}"

rm -rf "$root"
mkdir -p "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/info"
touch "$root/var/lib/dpkg/status"
# The root has no libc6 or dkms registered: dependencies on the machine's
# packages cannot be met there, and are the only thing forced.
check "dpkg --root -i libmapring0 libmapring-dev mapring-tools" dpkg_root \
	--force-depends -i "$(deb_of libmapring0)" "$(deb_of libmapring-dev)" \
	"$(deb_of mapring-tools)"
check "dpkg --root --unpack mapring-dkms" dpkg_root --force-depends \
	--unpack "$(deb_of mapring-dkms)"
check "installed: three configured, mapring-dkms unpacked" sh -c "
	[ \"\$(dpkg-query --admindir='$root/var/lib/dpkg' -W -f='\${Package}:\${Status}\n' | sort)\" = \
'libmapring-dev:install ok installed
libmapring0:install ok installed
mapring-dkms:install ok unpacked
mapring-tools:install ok installed' ]"
check "the consumer builds against the installed packages" consumer_builds
check "mapringctl from the root runs" sh -c "
	'$root/usr/bin/mapringctl' --help | grep -q mapringctl"
check "dpkg --root --purge removes every file" sh -c "
	dpkg --root='$root' --log=/dev/null --force-not-root --force-depends --force-remove-reinstreq \
		--purge mapring-tools libmapring-dev libmapring0 mapring-dkms >/dev/null 2>&1 || true
	test -z \"\$(find '$root' -mindepth 1 -not -path '$root/var/lib/dpkg*' -type f)\""
tap_end
