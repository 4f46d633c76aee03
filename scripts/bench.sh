#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: mapring against its BPF peers (the BPF ring buffer with
# libbpf's consumer and a hand-written one, the BPF perf buffer, BPF per-CPU
# maps), side by side in the same VM boot, then the report.
#
#   scripts/bench.sh [KERNEL]          default: 6.1
#
# Boots the test VM three times, with 4, 16 and 64 possible CPUs (2 online):
# everything runs in the first boot, the map cases that depend on the number
# of possible CPUs in all three. The guest prints its results as MRBENCH
# lines; bench/report.py turns them into build/bench/results.json,
# report.md, the charts, and docs/performance.md. Timing happens in the
# guest (CLOCK_MONOTONIC): the VM is emulated (TCG), so ratios between
# peers of the same run are the results, not absolute rates.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:-6.1}
out=$MAPRING_BUILD/bench
start=$SECONDS
# Debian's interpreter: python3-matplotlib (scripts/deps.sh) is installed
# for it, whatever other python3 comes first in PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

"$MAPRING_TOP/scripts/deps.sh"
"$MAPRING_TOP/scripts/kernel.sh" "$kernel" >/dev/null
"$MAPRING_TOP/scripts/build-user.sh" host >/dev/null
"$MAPRING_TOP/scripts/build-kmod.sh" "$kernel" >/dev/null
mkdir -p "$out"
rm -f "$out"/vm-*.log

# The machine, before the runs (the host is shared: its load matters).
python3 - "$out/machine.json" "$kernel" <<'EOF'
import json, os, platform, subprocess, sys, time
def cmd(*a):
    try:
        return subprocess.run(a, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
            if l.startswith("model name")), platform.processor())
mem = next((int(l.split()[1]) // 1024 for l in open("/proc/meminfo")
            if l.startswith("MemTotal")), 0)
json.dump({
    "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    "host_cpu": cpu, "host_cores": os.cpu_count(), "host_mem_mib": mem,
    "host_os": cmd("sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"),
    "host_kernel": platform.release(),
    "qemu": cmd("qemu-system-x86_64", "--version").splitlines()[0],
    "libbpf": cmd("dpkg-query", "-W", "-f=${Version}", "libbpf-dev"),
    "clang": cmd("clang", "--version").splitlines()[0],
    "kernel": sys.argv[2],
    "commit": cmd("git", "-C", os.environ.get("MAPRING_TOP", "."),
                  "describe", "--always", "--dirty"),
    "load_before": os.getloadavg()[0],
}, open(sys.argv[1], "w"), indent=1)
EOF

# boot POSSIBLE_CPUS TEST...: one VM boot, its MRBENCH lines in vm-N.log.
# A run whose results did not all arrive is tried once more.
boot() {
	local n=$1; shift
	local log=$out/vm-$n.log try
	for try in 1 2; do
		log "VM with $n possible CPUs: $*"
		if python3 "$MAPRING_TOP/selftests/vm/run-vm.py" --kernel "$kernel" \
			--possible-cpus "$n" --cpus 2 --memory 2G --tcg-threads multi \
			--append tsc=reliable --timeout 900 --test-timeout 400 \
			--out "$out/vm-$n" --tools "$MAPRING_BUILD/host/bench/mrbench" \
			--verbose "$@" >"$log" 2>&1 &&
			[ "$(grep -c '"group": "case_time"' "$log")" -ge $# ]; then
			return 0
		fi
		tail -n 20 "$log" >&2
	done
	die "the benchmark VM with $n possible CPUs failed (log: $log)"
}

# tsc=reliable: TCG's TSC is one clock for every vCPU, but the guest cannot
# tell and falls back to HPET, where every clock_gettime() is a system call.
# The memory case comes first in each boot: it needs allocators that have
# not yet cached freed memory. The cases with two busy vCPUs, most exposed
# to the host's load, take the median of 5 repetitions instead of 3.
boot 4 'memory=mrbench map-memory' \
	'maps=mrbench map-lookup map-aggregate map-increments' \
	'drain=mrbench drain' 'latency=mrbench latency' 'user=mrbench user' \
	'overwrite=mrbench --reps 5 overwrite' 'sharded=mrbench --reps 5 sharded' \
	'cost=mrbench --reps 5 producer-cost' \
	'throughput=mrbench --reps 5 ring-throughput'
for n in 16 64; do
	boot "$n" 'memory=mrbench map-memory' 'maps=mrbench map-lookup map-aggregate'
done

"$py" "$MAPRING_TOP/bench/report.py" --out "$out" \
	--docs "$MAPRING_TOP/docs/performance.md" \
	--seconds $((SECONDS - start)) "$out"/vm-*.log
