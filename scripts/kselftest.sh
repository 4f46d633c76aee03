#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Extract the kselftest harness and checkpatch from Debian's linux-source-6.1
# into the cache and print the directory holding them:
#   DIR/tools/testing/selftests/kselftest_harness.h, kselftest.h
#   DIR/scripts/checkpatch.pl (with spelling.txt, const_structs.checkpatch)
# They are GPL-2.0 kernel files: used at build time, never copied into the repo.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkg=linux-source-6.1
pkg_version() {
	apt-cache show --no-all-versions "$pkg" 2>/dev/null |
		awk '/^Version:/ { print $2; exit }'
}
version=$(pkg_version)
if [ -z "$version" ] && ! ls -d "$MAPRING_CACHE"/kselftest/*/ >/dev/null 2>&1; then
	apt_refresh # a fresh machine may have no package lists yet
	version=$(pkg_version)
fi
if [ -z "$version" ]; then
	last=$(ls -d "$MAPRING_CACHE"/kselftest/*/ 2>/dev/null | tail -n 1)
	[ -n "$last" ] || die "cannot resolve $pkg"
	echo "${last%/}"
	exit 0
fi

dir=$MAPRING_CACHE/kselftest/$version
files=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)
if [ ! -f "$dir/.complete" ]; then
	log "extracting the kselftest harness and checkpatch from $pkg $version"
	rm -rf "$dir.tmp"
	deb=$(linux_source_deb "$version")
	mkdir -p "$dir.tmp/out"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$pkg.tar.xz" | xz -dc |
		tar -x -C "$dir.tmp/out" --strip-components=1 \
			"${files[@]/#/$pkg/}"
	rm -rf "$dir"
	mv "$dir.tmp/out" "$dir"
	rmdir "$dir.tmp"
	touch "$dir/.complete"
fi
echo "$dir"
