#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The VM runner's own tests: every way a guest test can fail must fail the
run, with a message that says what happened.

Each scenario boots the VM with purpose-built failing tests (shell commands
and the selftests/modules/mr_test_{warn,panic,lockup}.ko modules) and checks
run-vm.py's exit status and the exact lines it prints. Prints TAP and
"N passed, N failed".
"""
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


def main():
    kernel = sys.argv[1] if len(sys.argv) > 1 else "6.1"
    print("TAP version 13")
    print(f"1..{len(SCENARIOS)}")
    passed = failed = 0
    for i, (title, opts, tests, want_rc, want) in enumerate(SCENARIOS, 1):
        out_dir = TOP / "build/vm/runner-selftest" / str(i)
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
