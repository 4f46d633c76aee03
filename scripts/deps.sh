#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the host packages the project needs, from Debian's archive.
# Idempotent: when everything is present it only asks dpkg and returns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS=(
	# toolchains and build systems
	build-essential gcc-12 g++ clang llvm cmake ninja-build pkg-config make
	# kernel module builds against Debian's headers
	bc flex bison libelf-dev libssl-dev kmod sparse dwarves
	# the test VM: emulator, userland, archive tools
	qemu-system-x86 busybox-static cpio rsync xz-utils zstd lz4 python3
	# static checks and tests
	clang-format perl libgtest-dev googletest codespell
	# the BPF peer used by tests and benchmarks
	libbpf-dev bpftool
	# the ring protocol's model check (selftests/host/ring_model_relacy.cpp)
	relacy-dev
	# make bench: the report's charts (bench/report.py)
	python3-matplotlib
	# packaging: DKMS builds, make deb's checks, make docs
	dkms lintian doxygen
)

missing=()
for p in "${PKGS[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_refresh
as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
