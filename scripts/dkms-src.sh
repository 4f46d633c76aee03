#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make the DKMS source tree of mapring.ko in DIR (what `dkms add DIR` takes
# and the mapring-dkms package installs as /usr/src/mapring-<version>):
# dkms.conf, kmod/ and the headers it includes, nothing else.
#
#   scripts/dkms-src.sh DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=${1:?usage: $0 DIR}
rm -rf "$dir"
mkdir -p "$dir"
rsync -aR --include='*/' --include='Kbuild' --include='*.[ch]' --exclude='*' \
	"$MAPRING_TOP/./kmod" "$MAPRING_TOP/./include/linux" \
	"$MAPRING_TOP/./include/uapi" "$dir/"
install -m 0644 "$MAPRING_TOP/dkms.conf" "$dir/dkms.conf"
