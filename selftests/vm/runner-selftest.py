#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The VM runner's own tests: every way a guest test can fail must fail the
run, with a message that says what happened.

Each scenario boots the VM with purpose-built failing tests (shell commands
and the selftests/modules/mr_test_{warn,panic,lockup}.ko modules) and checks
run-vm.py's exit status and the exact lines it prints. Prints TAP and
"N passed, N failed".

    runner-selftest.py [KERNEL]     default 6.1

On a debug kernel (one with KASAN, KCSAN, lockdep, UBSAN or kmemleak) the
scenarios are instead one per detector the kernel has, each loading a
module with a deliberate bug (mr_test_{uaf,ubsan,abba,leak,race}.ko) and
checking that the run fails and says why.
"""
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
KO = "/lib/modules/mapring"

# name, run-vm.py options, tests, expected exit status, lines that must
# appear (regular expressions matched against whole lines)
SCENARIOS = [
    ("passing tests pass", [], ["one=true", "two=echo fine"], 0,
     [r"ok 1 one", r"ok 2 two", r"2 passed, 0 failed"]),
    ("failing programs fail, the run goes on", ["--test-timeout", "5"], [
        "exit1=echo something broke; exit 1",
        "segv=kill -SEGV $$",
        "case=printf 'TAP version 13\\n1..2\\nok 1 t.a\\nnot ok 2 t.b\\n'; exit 1",
        "short=printf 'TAP version 13\\n1..3\\nok 1 t.a\\n'",
        "hang=sleep 1000",
        "after=true",
    ], 1, [
        r"not ok 1 exit1: no result, exit status 1",
        r"#   something broke",
        r"not ok 2 segv: no result, exit status 139",
        r"ok 3 case: t\.a",
        r"not ok 4 case: t\.b",
        r"ok 5 short: t\.a",
        r"not ok 6 short: 3 results planned, 1 reported \(exit status 0\)",
        r"not ok 7 hang: timed out \(killed\)",
        r"ok 8 after",
        r"3 passed, 5 failed",
    ]),
    ("a kernel WARN fails the test that caused it (panic_on_warn)", [], [
        f"warn=insmod {KO}/mr_test_warn.ko", "next=true",
    ], 1, [
        r"not ok 1 warn: kernel panic: Kernel panic - not syncing: "
        r"kernel: panic_on_warn set \.\.\.",
        r"#   WARNING: CPU: \d+ PID: \d+ at .*mr_test_warn.*",
        r"not ok 2 next: not run \(kernel panic: .*\)",
        r"0 passed, 2 failed",
    ]),
    ("a kernel report without a panic still fails its test", [
        "--append", "panic_on_warn=0",
    ], [
        "before=true", f"warn=insmod {KO}/mr_test_warn.ko", "next=true",
    ], 1, [
        r"ok 1 before",
        r"ok 2 warn",
        r"not ok 3 warn: kernel log: WARNING: CPU: \d+ PID: \d+ at "
        r".*mr_test_warn.*",
        r"ok 4 next",
        r"3 passed, 1 failed",
    ]),
    ("a kernel panic fails the run", [], [
        f"panic=insmod {KO}/mr_test_panic.ko",
    ], 1, [
        r"not ok 1 panic: kernel panic: Kernel panic - not syncing: "
        r"mr_test_panic: deliberate panic",
        r"0 passed, 1 failed",
    ]),
    ("without pvpanic a panic still fails the run, with its text", [
        "--no-pvpanic",
    ], [
        f"panic=insmod {KO}/mr_test_panic.ko",
    ], 1, [
        r"not ok 1 panic: kernel panic: Kernel panic - not syncing: "
        r"mr_test_panic: deliberate panic",
        r"0 passed, 1 failed",
    ]),
    ("a kernel hang is caught by the lockup detector", [
        "--append", "watchdog_thresh=3",
    ], [
        f"lockup=insmod {KO}/mr_test_lockup.ko",
    ], 1, [
        r"not ok 1 lockup: kernel panic: Kernel panic - not syncing: "
        r"softlockup: hung tasks",
        r"#   watchdog: BUG: soft lockup - CPU#\d+ stuck for \d+s! "
        r"\[insmod:\d+\]",
        r"0 passed, 1 failed",
    ]),
    ("a VM that never finishes is cut by the whole-run timeout", [
        "--timeout", "15", "--test-timeout", "100",
    ], ["stuck=sleep 100", "later=true"], 1, [
        r"not ok 1 stuck: VM timed out after 15s",
        r"not ok 2 later: not run \(VM timed out after 15s\)",
        r"0 passed, 2 failed",
    ]),
]


# Debug kernels: the config option the scenario needs, then as above.
DETECTOR_SCENARIOS = [
    ("KASAN: a use-after-free panics the VM", "CONFIG_KASAN", [], [
        f"uaf=insmod {KO}/mr_test_uaf.ko", "next=true",
    ], 1, [
        r"not ok 1 uaf: kernel panic: Kernel panic - not syncing: "
        r"KASAN: panic_on_warn set \.\.\.",
        r"#   BUG: KASAN: use-after-free in "
        r"mr_test_uaf_init\+0x[0-9a-f]+/0x[0-9a-f]+ \[mr_test_uaf\]",
        r"not ok 2 next: not run \(kernel panic: .*\)",
        r"0 passed, 2 failed",
    ]),
    ("UBSAN: an undefined shift panics the VM", "CONFIG_UBSAN", [], [
        f"ubsan=insmod {KO}/mr_test_ubsan.ko", "next=true",
    ], 1, [
        r"not ok 1 ubsan: kernel panic: Kernel panic - not syncing: "
        r"UBSAN: panic_on_warn set \.\.\.",
        r"#   UBSAN: shift-out-of-bounds in \S*mr_test_ubsan\.c:\d+:\d+",
        r"not ok 2 next: not run \(kernel panic: .*\)",
        r"0 passed, 2 failed",
    ]),
    ("lockdep: a lock-order inversion fails its test", "CONFIG_PROVE_LOCKING",
     [], [
        "before=true", f"abba=insmod {KO}/mr_test_abba.ko", "next=true",
    ], 1, [
        r"ok 1 before",
        r"ok 2 abba",
        r"not ok 3 abba: kernel log: WARNING: possible circular locking "
        r"dependency detected",
        r"ok 4 next",
        # plus "ok 5 vm: kmemleak" on a kernel with kmemleak
        r"[34] passed, 1 failed",
    ]),
    ("kmemleak: a leak from our module fails the run",
     "CONFIG_DEBUG_KMEMLEAK", [], [
        f"leak=insmod {KO}/mr_test_leak.ko",
    ], 1, [
        r"ok 1 leak",
        r"not ok 2 vm: kmemleak: 1 leak from our modules",
        r"#   unreferenced object 0x[0-9a-f]+ \(size 64\):",
        r"#   \[<[^>]+>\] 0x[0-9a-f]+ "
        r"\(mr_test_leak\+0x[0-9a-f]+, unloaded\)",
        r"1 passed, 1 failed",
    ]),
    ("KCSAN: a data race in our module fails its test", "CONFIG_KCSAN", [], [
        f"race=insmod {KO}/mr_test_race.ko", "next=true",
    ], 1, [
        r"ok 1 race",
        r"not ok 2 race: kernel log: BUG: KCSAN: data-race in "
        r"mr_test_race_fn \[mr_test_race\] / "
        r"mr_test_race_fn \[mr_test_race\]",
        r"ok 3 next",
        r"2 passed, 1 failed",
    ]),
]


def load_run_vm():
    """run-vm.py as a module, for its view of a kernel's config."""
    path = TOP / "selftests/vm/run-vm.py"
    spec = importlib.util.spec_from_file_location("run_vm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scenarios_for(kernel):
    run_vm = load_run_vm()
    config = run_vm.kernel_config(run_vm.kernel_env(kernel))
    found, _ = run_vm.detectors(config)
    if not found:
        return SCENARIOS
    return [(title, opts, tests, rc, want)
            for title, need, opts, tests, rc, want in DETECTOR_SCENARIOS
            if config.get(need) == "y"]


def main():
    kernel = sys.argv[1] if len(sys.argv) > 1 else "6.1"
    scenarios = scenarios_for(kernel)
    print("TAP version 13")
    print(f"1..{len(scenarios)}")
    passed = failed = 0
    for i, (title, opts, tests, want_rc, want) in enumerate(scenarios, 1):
        out_dir = TOP / "build/vm/runner-selftest" / kernel / str(i)
        proc = subprocess.run(
            [sys.executable, TOP / "selftests/vm/run-vm.py",
             "--kernel", kernel, "--out", str(out_dir), *opts, *tests],
            capture_output=True, text=True)
        lines = proc.stdout.splitlines()
        problems = []
        if proc.returncode != want_rc:
            problems.append(f"exit status {proc.returncode}, want {want_rc}")
        for pattern in want:
            if not any(re.fullmatch(pattern, l) for l in lines):
                problems.append(f"no line matches: {pattern}")
        if problems:
            failed += 1
            print(f"not ok {i} {title}")
            for p in problems:
                print(f"#   {p}")
            print("#   --- run-vm.py printed:")
            for l in lines + proc.stderr.splitlines():
                print(f"#   {l}")
        else:
            passed += 1
            print(f"ok {i} {title}")
        sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
