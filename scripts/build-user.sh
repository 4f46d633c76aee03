#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configure and build the user-space tree (CMake + Ninja) in build/VARIANT.
#
#   scripts/build-user.sh host     the library, tools, samples, host and
#                                  guest tests (-Wall -Wextra -Werror)
#   scripts/build-user.sh asan     the same with ASan+UBSan, host tests only
#   scripts/build-user.sh tsan     the same with TSan, host tests only
#   scripts/build-user.sh release  the library and mapringctl only, for
#                                  `make install` into $PREFIX (default
#                                  /usr/local) and the packages
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-host}
args=(-G Ninja -S "$MAPRING_TOP" -B "$MAPRING_BUILD/$variant")
case $variant in
host) args+=(-DKSELFTEST_DIR="$("$MAPRING_TOP/scripts/kselftest.sh")") ;;
asan) args+=(-DMAPRING_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug) ;;
tsan) args+=(-DMAPRING_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
release) args+=(-DMAPRING_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	-DCMAKE_INSTALL_PREFIX="${PREFIX:-/usr/local}") ;;
*) die "unknown variant '$variant' (host, asan, tsan, release)" ;;
esac
cmake "${args[@]}" >/dev/null
ninja -C "$MAPRING_BUILD/$variant"
