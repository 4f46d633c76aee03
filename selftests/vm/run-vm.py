#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run test programs inside a QEMU guest booting a cached test kernel.

    run-vm.py [options] TEST...

A TEST is the name of a program found in a --bin directory, or NAME=COMMAND
to run COMMAND under the guest's sh. The runner builds an initramfs
(busybox, selftests/vm/init.sh, the modules, the programs and their shared
libraries), boots the kernel with 4 possible CPUs of which 2 are online, and
prints TAP:
one line per test case the programs report (kselftest harness output is
flattened), one "not ok" line for every program that failed in a way its own
output does not show (exit status, timeout, no result, a kernel report in
its slice of the kernel log, a panic), then "N passed, N failed".

The verdict never rests on QEMU's exit status alone: QEMU exits 0 on a guest
panic. The guest reports on a second serial port and leaves through
isa-debug-exit (status 33); pvpanic turns a panic into status 1; a hang is
cut by the per-test timeout in the guest or by the whole-run timeout here.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]

# Kernel reports that fail the test during which they appear.
SPLAT = re.compile(
    r"BUG: |WARNING: |\bOops\b|general protection fault|kernel BUG at"
    r"|Kernel panic - not syncing|possible recursive locking"
    r"|possible circular locking|inconsistent lock state"
    r"|suspicious RCU usage|INFO: possible|KASAN|UBSAN|KCSAN"
    r"|sleeping function called from invalid context"
    r"|scheduling while atomic|blocked for more than \d+ seconds"
    r"|rcu: INFO: .*stall|self-detected stall|soft lockup|hard LOCKUP"
    r"|list_(add|del) corruption|refcount_t: |unreferenced object"
    r"|kmemleak: \d+ new suspected|Unable to handle kernel"
)
MARK = re.compile(r"mapring-vm: (begin|end) (\S+)")
STAMP = re.compile(r"^\[\s*\d+\.\d+\] ")
EXIT_DONE = 33      # isa-debug-exit, guest wrote 0x10
EXIT_PANIC = 1      # pvpanic, -action panic=exit-failure


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tests", nargs="+", metavar="TEST")
    ap.add_argument("--kernel", default="6.1", help="cached kernel name")
    ap.add_argument("--kmod", help="module build dir (build/kmod/KERNEL)")
    ap.add_argument("--bin", action="append", default=[],
                    help="directory of test programs (repeatable)")
    ap.add_argument("--tools", action="append", default=[],
                    help="program to install in the guest's /usr/bin")
    ap.add_argument("--timeout", type=int, default=900,
                    help="whole-run timeout, seconds")
    ap.add_argument("--test-timeout", type=int, default=120,
                    help="per-program timeout inside the guest, seconds")
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--possible-cpus", type=int, default=4)
    ap.add_argument("--memory", default="1G")
    ap.add_argument("--append", default="", help="extra kernel arguments")
    ap.add_argument("--no-mapring", action="store_true",
                    help="do not load mapring.ko before each test")
    ap.add_argument("--out", help="directory for logs (build/vm/KERNEL)")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="print every line the programs print")
    return ap.parse_args()


def kernel_env(name):
    path = subprocess.run([TOP / "scripts/kernel.sh", name], check=True,
                          capture_output=True, text=True).stdout.strip()
    env = {}
    for line in Path(path).read_text().splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    return env


def needed_libs(binary):
    """Shared libraries (with the loader) an ELF program needs, per ldd."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True)
    libs = []
    for line in out.stdout.splitlines():
        m = re.search(r"(/\S+) \(0x", line)
        if m:
            libs.append(m.group(1))
    return libs


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def copy_module(src, dst):
    src = str(src)
    if src.endswith(".xz"):
        with open(dst, "wb") as out:
            subprocess.run(["xz", "-dc", src], stdout=out, check=True)
    elif src.endswith(".zst"):
        with open(dst, "wb") as out:
            subprocess.run(["zstd", "-dcq", src], stdout=out, check=True)
    else:
        shutil.copy(src, dst)


def build_initramfs(args, env, plan, work):
    root = work / "root"
    if root.exists():
        shutil.rmtree(root)
    for d in ("bin", "tests", "usr/bin", "etc/mapring", "lib/modules/vm",
              "lib/modules/mapring"):
        (root / d).mkdir(parents=True, exist_ok=True)
    shutil.copy("/bin/busybox", root / "bin/busybox")
    shutil.copy(TOP / "selftests/vm/init.sh", root / "init")

    moddir = Path(env["MODDIR"])
    for name in ("pvpanic", "pvpanic-mmio"):
        found = list(moddir.rglob(name + ".ko*"))
        if found:
            copy_module(found[0], root / "lib/modules/vm" / (name + ".ko"))
    kmod = Path(args.kmod or TOP / "build/kmod" / args.kernel)
    for ko in kmod.rglob("*.ko"):
        shutil.copy(ko, root / "lib/modules/mapring" / ko.name)

    elves = []
    for d in args.bin:
        for p in sorted(Path(d).iterdir()):
            if p.is_file() and os.access(p, os.X_OK):
                shutil.copy(p, root / "tests" / p.name)
                elves.append(p)
    for t in args.tools:
        shutil.copy(t, root / "usr/bin" / Path(t).name)
        elves.append(Path(t))
    libs = set()
    for p in elves:
        if is_elf(p):
            libs.update(needed_libs(p))
    for lib in libs:
        dst = root / lib.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(lib, dst)

    (root / "etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    (root / "etc/group").write_text("root:x:0:\nnogroup:x:65534:\n")
    (root / "etc/mapring/config").write_text(
        f"TEST_TIMEOUT={args.test_timeout}\n"
        f"LOAD_MAPRING={0 if args.no_mapring else 1}\n")
    (root / "etc/mapring/plan").write_text(
        "".join(f"{name}\t{cmd}\n" for name, cmd in plan))

    image = work / "initramfs.cpio"
    files = subprocess.run(["find", "."], cwd=root, check=True,
                           capture_output=True).stdout
    with open(image, "wb") as out:
        subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"],
                       cwd=root, input=files, stdout=out, check=True)
    return image


def qemu_command(args, env, initrd, work):
    cmdline = " ".join([
        "console=ttyS0,115200", "rdinit=/init",
        # Every possible CPU is present, only --cpus are brought up: the
        # rest are possible-but-offline (and can be onlined by a test).
        # possible_cpus= alone is ignored by 6.12's x86 topology code.
        f"maxcpus={args.cpus}",
        "panic=-1", "panic_on_warn=1", "oops=panic",
        "softlockup_panic=1", "hung_task_panic=1",
        "printk.devkmsg=on", "log_buf_len=4M", "mitigations=off",
        args.append,
    ])
    qboot = Path("/usr/share/qemu/qboot.rom")
    return [
        "qemu-system-x86_64", "-nodefaults", "-no-reboot", "-display", "none",
        *(["-bios", str(qboot)] if qboot.exists() else []),
        "-cpu", "max", "-smp", str(args.possible_cpus), "-m", args.memory,
        "-kernel", env["VMLINUX"], "-initrd", str(initrd),
        "-append", cmdline.strip(),
        "-serial", f"file:{work / 'console.log'}",
        "-serial", f"file:{work / 'channel.log'}",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-device", "pvpanic", "-action", "panic=exit-failure",
    ]


class Report:
    """Turns channel events into TAP lines and counts."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.n = 0
        self.passed = self.failed = self.skipped = 0

    def line(self, status, name, why="", diag=()):
        self.n += 1
        if status == "ok":
            self.passed += 1
            print(f"ok {self.n} {name}")
        elif status == "skip":
            self.skipped += 1
            print(f"ok {self.n} {name} # SKIP {why}".rstrip())
        else:
            self.failed += 1
            print(f"not ok {self.n} {name}" + (f": {why}" if why else ""))
            for d in diag:
                print(f"#   {d}")
        sys.stdout.flush()


HARNESS_RESULT = re.compile(r"^(not )?ok \d+ (.*)$")
HARNESS_RUN = re.compile(r"^#\s+RUN\s+(\S+)")
TAP_PLAN = re.compile(r"^1\.\.(\d+)$")


def judge_program(report, name, output, status, klog):
    """Report one program: its own results, then what they cannot show."""
    cases, current, failed_cases, since_run, planned = 0, None, 0, [], 0
    for text in output:
        m = TAP_PLAN.match(text)
        if m:
            planned = int(m.group(1))
        m = HARNESS_RUN.match(text)
        if m:
            current, since_run = m.group(1), []
        since_run.append(text)
        m = HARNESS_RESULT.match(text)
        if not m:
            continue
        rest = m.group(2)
        skip = re.search(r"#\s*SKIP\s*(.*)$", rest)
        case = rest.split(" #")[0].strip() or current or "?"
        cases += 1
        if m.group(1):
            failed_cases += 1
            report.line("fail", f"{name}: {case}", diag=since_run[-40:])
        elif skip:
            report.line("skip", f"{name}: {case}", skip.group(1))
        else:
            report.line("ok", f"{name}: {case}")

    splats = [l for l in klog if SPLAT.search(l)]
    if status is None:
        pass  # the caller reports how the VM died
    elif status == 137:
        report.line("fail", name, "timed out (killed)", output[-30:])
    elif cases == 0:
        if status == 0:
            report.line("ok", name)
        elif status == 4:
            report.line("skip", name, (output or ["skipped"])[-1])
        else:
            report.line("fail", name, f"no result, exit status {status}",
                        output[-30:])
    elif cases < planned:
        report.line("fail", name, f"{planned} results planned, {cases} "
                    f"reported (exit status {status})", output[-30:])
    elif status != 0 and failed_cases == 0:
        report.line("fail", name, f"exit status {status}", output[-30:])
    if splats:
        report.line("fail", name, f"kernel log: {splats[0].strip()}",
                    splats[:40])


def kernel_log_slices(console):
    """Split the console log by test markers: {name: [lines]}, plus None
    for lines outside any test (boot, between tests, shutdown). Lines lose
    their timestamps."""
    slices, current = {None: []}, None
    for line in console:
        m = MARK.search(line)
        if m:
            current = m.group(2) if m.group(1) == "begin" else None
            slices.setdefault(current, [])
            continue
        slices[current].append(line)
    return slices


def stream_channel(path, proc, on_line):
    """Follow the channel file while QEMU runs, handing over whole lines."""
    buf = b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read()
            if chunk:
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for raw in lines:
                    on_line(raw.decode(errors="replace").rstrip("\r"))
            elif proc.poll() is not None:
                break
            else:
                time.sleep(0.05)
    if buf:
        on_line(buf.decode(errors="replace").rstrip("\r"))


def main():
    args = parse_args()
    env = kernel_env(args.kernel)
    work = Path(args.out or TOP / "build/vm" / args.kernel)
    work.mkdir(parents=True, exist_ok=True)
    for f in ("console.log", "channel.log"):
        (work / f).write_bytes(b"")

    plan = []
    for t in args.tests:
        name, eq, cmd = t.partition("=")
        plan.append((name, cmd if eq else f"./{name}"))
    names = [n for n, _ in plan]
    if len(set(names)) != len(names):
        sys.exit("run-vm: test names must be unique")

    initrd = build_initramfs(args, env, plan, work)
    cmd = qemu_command(args, env, initrd, work)
    (work / "qemu.cmd").write_text(" ".join(map(str, cmd)) + "\n")

    print("TAP version 13")
    print(f"# kernel {args.kernel} ({env['KREL']}), {args.cpus} of "
          f"{args.possible_cpus} possible CPUs online")
    sys.stdout.flush()

    state = {"running": None, "output": {}, "status": {}, "done": False,
             "hello": None}

    def on_line(line):
        kind, _, rest = line.partition(" ")
        if kind == "H":
            state["hello"] = rest
            print(f"# guest up: {rest}")
        elif kind == "B":
            state["running"] = rest
            state["output"][rest] = []
        elif kind == "O":
            who = state["running"] or "vm"
            state["output"].setdefault(who, []).append(rest)
            if args.verbose:
                print(f"# {who}: {rest}" if who == "vm" else rest)
        elif kind == "E":
            name, _, status = rest.rpartition(" ")
            state["status"][name] = int(status)
            state["running"] = None
        elif kind == "D":
            state["done"] = True
        sys.stdout.flush()

    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=open(work / "qemu.log", "wb"),
                            stderr=subprocess.STDOUT)
    timed_out = threading.Event()

    def kill_after():
        try:
            proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            timed_out.set()
            proc.send_signal(signal.SIGKILL)

    killer = threading.Thread(target=kill_after, daemon=True)
    killer.start()
    stream_channel(work / "channel.log", proc, on_line)
    rc = proc.wait()
    elapsed = time.monotonic() - start

    console = [STAMP.sub("", l).rstrip() for l in
               (work / "console.log").read_text(errors="replace").splitlines()]
    slices = kernel_log_slices(console)
    report = Report(args.verbose)

    # How the VM ended, as one line of explanation for whatever is missing.
    panic = next((l.strip() for l in console if "Kernel panic" in l), None)
    if timed_out.is_set():
        death = f"VM timed out after {args.timeout}s"
    elif rc == EXIT_PANIC or panic:
        death = "kernel panic" + (f": {panic}" if panic else "")
    elif rc != EXIT_DONE or not state["done"]:
        death = f"VM exited with status {rc} before the suite finished"
    else:
        death = None

    for name in names:
        output = state["output"].get(name)
        if name in state["status"]:
            judge_program(report, name, output or [],
                          state["status"][name], slices.get(name, []))
        elif output is not None:
            # It began and never ended: this test took the VM down.
            judge_program(report, name, output, None, [])
            splats = [l for l in slices.get(name, []) if SPLAT.search(l)]
            report.line("fail", name, death or "no result",
                        splats[:40] or output[-30:] or console[-30:])
        else:
            report.line("fail", name, f"not run ({death or 'no result'})")

    outside = [l for l in slices.get(None, []) if SPLAT.search(l)]
    if outside:
        report.line("fail", "vm: kernel log outside any test",
                    outside[0].strip(), outside[:40])
    if death and all(n in state["status"] for n in names):
        report.line("fail", "vm", death, console[-30:])

    print(f"1..{report.n}")
    print(f"# {args.kernel}: {elapsed:.1f}s, logs in {work}")
    summary = f"{report.passed} passed, {report.failed} failed"
    if report.skipped:
        summary += f", {report.skipped} skipped"
    print(summary)
    return 1 if report.failed or report.n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
