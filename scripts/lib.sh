# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the project's shell scripts. Source it; do not run it.

MAPRING_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads and unpacked kernels live outside the clone so clones share them.
MAPRING_CACHE=${MAPRING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mapring}
MAPRING_BUILD=${MAPRING_BUILD:-$MAPRING_TOP/build}

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# Run a command as root, through sudo when we are not root already.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Refresh apt's package lists, at most once per run of a script.
apt_refresh() {
	[ -n "${MAPRING_APT_REFRESHED:-}" ] && return 0
	log "apt-get update"
	as_root apt-get update -qq >/dev/null
	export MAPRING_APT_REFRESHED=1
}

# apt-get download into a directory. Lists older than the archive name
# versions it no longer has: refresh them and try once more.
apt_download() {
	local dir=$1; shift
	mkdir -p "$dir"
	(cd "$dir" && apt-get download "$@" >/dev/null 2>&1) && return 0
	apt_refresh
	(cd "$dir" && apt-get download "$@" >/dev/null)
}

# The package name that a meta package (or virtual name) depends on first,
# restricted to names matching a prefix.
apt_first_dep() {
	apt-cache depends "$1" 2>/dev/null |
		awk -v p="$2" '$1 ~ /Depends:$/ && index($2, p) == 1 { print $2; exit }'
}

# Debian's linux-source-6.1 .deb of VERSION, downloaded once into the cache
# and kept: scripts/kselftest.sh takes a few files from it, and
# scripts/debug-kernel.sh the whole tree. Prints its path.
linux_source_deb() {
	local version=$1 dir=$MAPRING_CACHE/linux-source
	local deb=$dir/linux-source-6.1_${version}_all.deb
	if [ ! -f "$deb" ]; then
		rm -rf "$deb.tmp.$$"
		apt_download "$deb.tmp.$$" "linux-source-6.1=$version"
		mv "$deb.tmp.$$"/*.deb "$deb"
		rmdir "$deb.tmp.$$"
	fi
	echo "$deb"
}

# TAP for shell tests. check NAME COMMAND...: runs the command and prints
# "ok N NAME", or the last 30 lines of its output and "not ok N NAME";
# tap_end: the plan and "N passed, N failed", false if any failed.
tap_n=0 tap_failed=0
check() {
	local name=$1 out rc=0; shift
	out=$("$@" 2>&1) || rc=$?
	tap_n=$((tap_n + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $tap_n $name"
	else
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'
		echo "not ok $tap_n $name"
		tap_failed=$((tap_failed + 1))
	fi
}
tap_end() {
	echo "1..$tap_n"
	echo "$((tap_n - tap_failed)) passed, $tap_failed failed"
	[ "$tap_failed" = 0 ]
}
