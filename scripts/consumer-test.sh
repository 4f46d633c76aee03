#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An out-of-tree consumer of the installed library (make check):
#
#   scripts/consumer-test.sh build          `make install DESTDIR=...`, then
#                                           selftests/external/consumer.cpp
#                                           built twice against the staged
#                                           install only: pkg-config, CMake
#   scripts/consumer-test.sh vm [KERNEL]    both programs in the test VM,
#                                           with the installed mapring.ko
#
# The stage is build/consumer/stage (PREFIX /usr/local). The programs link
# libmapring.so.0 with a run path into the stage; the VM runner copies the
# libraries a program needs (ldd) to the same paths in the guest, so the
# guest runs the staged shared object. Prints TAP.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

work=$MAPRING_BUILD/consumer
stage=$work/stage
prefix=/usr/local
src=$MAPRING_TOP/selftests/external

# Every mapring header a compilation read (its depfile) is from the stage.
headers_from_stage() {
	local dep=$1 bad
	grep -q "$stage$prefix/include/mapring/mapring.hpp" "$dep" || return 1
	grep -q "$stage$prefix/include/linux/mapring.h" "$dep" || return 1
	bad=$(tr ' \\' '\n\n' <"$dep" | grep -E 'mapring(/|\.h)' |
		grep -v "^$stage/" || true)
	[ -z "$bad" ] || { echo "from outside the stage: $bad"; return 1; }
}

# The program needs libmapring.so.0 and finds it in the stage.
links_staged_so() {
	# no grep -q: with pipefail, the writer's SIGPIPE would fail the pipe
	readelf -d "$1" | grep 'NEEDED.*\[libmapring\.so\.0\]' >/dev/null || return 1
	ldd "$1" | grep "libmapring.so.0 => $stage$prefix/lib/libmapring.so.0 " >/dev/null
}

build_pkgconfig() {
	local out=$work/pkgconfig
	rm -rf "$out" && mkdir -p "$out"
	export PKG_CONFIG_PATH=$stage$prefix/lib/pkgconfig PKG_CONFIG_LIBDIR=
	export PKG_CONFIG_SYSROOT_DIR=$stage
	local cflags libs libdir
	cflags=$(pkg-config --cflags mapring)
	libs=$(pkg-config --libs mapring)
	libdir=$(pkg-config --libs-only-L mapring | sed 's/^-L//; s/ *$//')
	# shellcheck disable=SC2086
	g++ -std=c++20 -Wall -Wextra -Werror -MD -MF "$out/consumer.d" $cflags \
		"$src/consumer.cpp" -o "$out/consumer_pkgconfig" $libs \
		-Wl,-rpath,"$libdir"
}

build_cmake() {
	local out=$work/cmake
	rm -rf "$out"
	cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_PREFIX_PATH="$stage$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
	ninja -C "$out"
	cp "$out/consumer" "$out/consumer_cmake"
	grep -q "mapring_DIR:PATH=$stage$prefix/lib/cmake/mapring" "$out/CMakeCache.txt"
}

# The package version file answers as SameMajorVersion says (for 0.1.0).
version_file() {
	local v ok script=$work/version-check.cmake
	cat >"$script" <<CM
include("$stage$prefix/lib/cmake/mapring/mapringConfigVersion.cmake")
message("\${PACKAGE_VERSION_COMPATIBLE}")
CM
	for v in 0.1:TRUE 0.2:FALSE 1.0:FALSE; do
		ok=$(cmake -DPACKAGE_FIND_VERSION="${v%:*}" \
			-DPACKAGE_FIND_VERSION_MAJOR="${v%%.*}" -P "$script" 2>&1)
		[ "$ok" = "${v#*:}" ] || { echo "${v%:*}: $ok"; return 1; }
	done
}

case ${1:-} in
build)
	echo "TAP version 13"
	rm -rf "$stage"
	check "make install DESTDIR=stage" \
		make -C "$MAPRING_TOP" --no-print-directory install DESTDIR="$stage" PREFIX=$prefix
	check "the stage holds the module, libraries, headers, pc, CMake package, tool, udev rule" \
		test -f "$stage/lib/modules/$(ls "$stage/lib/modules")/extra/mapring.ko" \
		-a -f "$stage$prefix/lib/libmapring.a" \
		-a -L "$stage$prefix/lib/libmapring.so" \
		-a -f "$stage$prefix/include/linux/mapring.h" \
		-a -f "$stage$prefix/lib/pkgconfig/mapring.pc" \
		-a -f "$stage$prefix/lib/cmake/mapring/mapringConfigVersion.cmake" \
		-a -x "$stage$prefix/bin/mapringctl" \
		-a -f "$stage/etc/udev/rules.d/60-mapring.rules"
	check "soname libmapring.so.0" \
		sh -c "readelf -d '$stage$prefix/lib/libmapring.so' | grep 'SONAME.*\[libmapring\.so\.0\]' >/dev/null"
	check "pkg-config: consumer builds" build_pkgconfig
	check "pkg-config: only staged headers used" headers_from_stage "$work/pkgconfig/consumer.d"
	check "pkg-config: links the staged libmapring.so.0" \
		links_staged_so "$work/pkgconfig/consumer_pkgconfig"
	check "CMake find_package: consumer builds" build_cmake
	check "CMake: links the staged libmapring.so.0" \
		links_staged_so "$work/cmake/consumer_cmake"
	check "CMake: ninja lists the headers read" sh -c \
		"ninja -C '$work/cmake' -t deps > '$work/cmake/consumer.d'"
	check "CMake: only staged headers used" headers_from_stage "$work/cmake/consumer.d"
	check "CMake: version file takes 0.1, refuses 0.2 and 1.0" version_file
	mkdir -p "$work/bin"
	cp "$work/pkgconfig/consumer_pkgconfig" "$work/cmake/consumer_cmake" "$work/bin/" 2>/dev/null || true
	check "make uninstall empties the stage" sh -c "
		make -C '$MAPRING_TOP' --no-print-directory uninstall DESTDIR='$stage' PREFIX=$prefix >/dev/null 2>&1 &&
		test -z \"\$(find '$stage' -mindepth 1 2>/dev/null)\""
	# The VM phase runs the installed module and library: stage it again.
	check "make install again for the VM" \
		make -C "$MAPRING_TOP" --no-print-directory install DESTDIR="$stage" PREFIX=$prefix
	tap_end
	;;
vm)
	kernel=${2:-6.1}
	krel=$(ls "$stage/lib/modules" 2>/dev/null | head -n 1)
	[ -n "$krel" ] && [ -x "$work/bin/consumer_cmake" ] ||
		die "run '$0 build' first"
	env_file=$("$MAPRING_TOP/scripts/kernel.sh" "$kernel")
	# shellcheck disable=SC1090
	want=$(. "$env_file"; echo "$KREL")
	[ "$krel" = "$want" ] || die "the stage holds mapring.ko for $krel, not $want"
	exec python3 "$MAPRING_TOP/selftests/vm/run-vm.py" --kernel "$kernel" \
		--kmod "$stage/lib/modules/$krel/extra" --bin "$work/bin" \
		--out "$MAPRING_BUILD/vm/consumer-$kernel" \
		consumer_pkgconfig consumer_cmake
	;;
*) die "usage: $0 build | vm [KERNEL]" ;;
esac
