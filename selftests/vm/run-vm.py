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

Debug kernels (scripts/debug-kernel.sh) are recognised by their config:
timeouts scale with the sanitizers' slowdown; with kmemleak, the run ends
by unloading our modules and scanning for leaks, one more TAP line; with
KCSAN, only races in our modules count (see KCSAN_TITLE).
"""
import argparse
import fcntl
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
    r"|suspicious RCU usage|INFO: possible|BUG: KASAN|UBSAN: |BUG: KCSAN"
    r"|sleeping function called from invalid context"
    r"|scheduling while atomic|blocked for more than \d+ seconds"
    r"|rcu: INFO: .*stall|self-detected stall|soft lockup|hard LOCKUP"
    r"|list_(add|del) corruption|refcount_t: |unreferenced object"
    r"|kmemleak: \d+ new suspected|Unable to handle kernel"
)
MARK = re.compile(r"mapring-vm: (begin|end) (\S+)")
# A KCSAN report names the two racing functions, "f [module] / g". A race
# between two core kernel functions is not ours to fix, and KCSAN finds
# them at random: only a race with one side in our modules fails a test;
# the others are listed as comments.
KCSAN_TITLE = re.compile(r"BUG: KCSAN: \S+ in (.*)$")
KMEMLEAK_SLICE = "vm:kmemleak"        # init.sh's kmemleak step, in the log
KMEMLEAK_NOTE = re.compile(r"kmemleak: \d+ new suspected memory leaks")
# x86-64 modules (and BPF JIT images) live from MODULES_VADDR to MODULES_END
# (0xffffffffa0000000 without KASLR); a frame there that no longer resolves
# to a symbol belonged to a module since unloaded.
MODULE_SPACE = range(0xffffffffa0000000, 0xffffffffff000000)
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
    ap.add_argument("--timeout", type=int,
                    help="whole-run timeout, seconds (default 900, times "
                    "the kernel's slowdown)")
    ap.add_argument("--test-timeout", type=int,
                    help="per-program timeout inside the guest, seconds "
                    "(default 120, times the kernel's slowdown)")
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--possible-cpus", type=int, default=4)
    ap.add_argument("--memory", default="1G")
    ap.add_argument("--tcg-threads", choices=("single", "multi"),
                    default="single",
                    help="one host thread for all vCPUs (default: tests), or "
                    "one per vCPU (benchmarks); see docs/testing.md")
    ap.add_argument("--no-pvpanic", action="store_true",
                    help="no pvpanic device: a panic flushes the console and "
                    "reboots (slower to notice, but every message is kept)")
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


def kernel_config(env):
    """The kernel's CONFIG_ options that are set, {name: value}."""
    config = {}
    path = Path(env["KDIR"]) / ".config"
    if path.exists():
        for line in path.read_text().splitlines():
            key, eq, value = line.partition("=")
            if eq and key.startswith("CONFIG_"):
                config[key] = value
    return config


# The detectors a kernel may carry, and about how much each slows the guest
# down under TCG (measured: KASAN+lockdep 3-4x, KCSAN+lockdep 1.2x).
DETECTORS = [
    ("CONFIG_KASAN", "KASAN", 4),
    ("CONFIG_KCSAN", "KCSAN", 2),
    ("CONFIG_UBSAN", "UBSAN", 1),
    ("CONFIG_PROVE_LOCKING", "lockdep", 1),
    ("CONFIG_DEBUG_KMEMLEAK", "kmemleak", 1),
]


def detectors(config):
    """Names of the detectors in the kernel, and the slowdown factor."""
    found = [(name, slow) for opt, name, slow in DETECTORS
             if config.get(opt) == "y"]
    return [n for n, _ in found], max([s for _, s in found], default=1)


# Where the guest's loader looks without an ld.so.cache.
SYSTEM_LIB_DIRS = ("/lib", "/lib64", "/usr/lib", "/lib/x86_64-linux-gnu",
                   "/usr/lib/x86_64-linux-gnu")


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
        # At its own path, where a run path finds it, and when that is not
        # a system directory in /usr/lib as well: the guest mounts a tmpfs
        # on /tmp, which hides a library staged under a clone in /tmp.
        dsts = [lib]
        if os.path.dirname(lib) not in SYSTEM_LIB_DIRS:
            dsts.append("/usr/lib/" + os.path.basename(lib))
        for d in dsts:
            dst = root / d.lstrip("/")
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(lib, dst)

    (root / "etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    (root / "etc/group").write_text("root:x:0:\nnogroup:x:65534:\n")
    (root / "etc/mapring/config").write_text(
        f"TEST_TIMEOUT={args.test_timeout}\n"
        f"SLOWDOWN={args.slowdown}\n"
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


def qemu_command(args, env, config, initrd, work):
    # A KCSAN report panics with panic_on_warn, and 6.1's core kernel has
    # races of its own: on KCSAN kernels a WARN fails its test from the log.
    kcsan = config.get("CONFIG_KCSAN") == "y"
    cmdline = " ".join([
        "console=ttyS0,115200", "rdinit=/init",
        # Every possible CPU is present, only --cpus are brought up: the
        # rest are possible-but-offline (and can be onlined by a test).
        # possible_cpus= alone is ignored by 6.12's x86 topology code.
        f"maxcpus={args.cpus}",
        "panic=-1", "panic_on_warn=1", "oops=panic",
        "softlockup_panic=1", "hung_task_panic=1",
        "printk.devkmsg=on", "log_buf_len=4M", "mitigations=off",
        *(["panic_on_warn=0"] if kcsan else []),
        args.append,
    ])
    qboot = Path("/usr/share/qemu/qboot.rom")
    return [
        "qemu-system-x86_64", "-nodefaults", "-no-reboot", "-display", "none",
        # Multi-threaded TCG (QEMU 7.2) corrupts EFLAGS when an interrupt
        # lands right after a cmpxchg16b, and vCPUs can run stale code
        # while the kernel patches itself (text_poke_bp): rare spurious
        # oopses. One thread for all vCPUs has neither.
        "-accel", f"tcg,thread={args.tcg_threads}",
        *(["-bios", str(qboot)] if qboot.exists() else []),
        "-cpu", "max", "-smp", str(args.possible_cpus), "-m", args.memory,
        # Debug kernels boot their bzImage (BOOT_IMAGE), not PVH.
        "-kernel", env.get("BOOT_IMAGE") or env["VMLINUX"],
        "-initrd", str(initrd),
        "-append", cmdline.strip(),
        "-serial", f"file:{work / 'console.log'}",
        "-serial", f"file:{work / 'channel.log'}",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        *([] if args.no_pvpanic else
          ["-device", "pvpanic", "-action", "panic=exit-failure"]),
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


class Splats:
    """Finds the kernel reports that fail a test, in lines of the log.

    KCSAN reports that name none of our modules are set aside in .foreign.
    """

    def __init__(self, modules):
        self.modules = modules
        self.foreign = []

    def ours(self, text):
        return any(f"[{m}]" in text or f"[{m} " in text for m in self.modules)

    def __call__(self, lines):
        found = []
        for line in lines:
            if not SPLAT.search(line):
                continue
            m = KCSAN_TITLE.search(line)
            if m and not self.ours(m.group(1)):
                if line.strip() not in self.foreign:
                    self.foreign.append(line.strip())
                continue
            found.append(line)
        return found

    def diag(self, lines, limit=40):
        """The first failing report with the lines that follow it (its
        stack traces), then the first lines of the others."""
        found = self(lines)
        if not found:
            return []
        first = lines.index(found[0])
        block = [found[0]]
        for line in lines[first + 1:first + 30]:
            if (SPLAT.search(line) or line.startswith("=====")
                    or "---[ end trace" in line):
                break
            block.append(line)
        return (block + found[1:])[:limit]


def judge_program(report, name, output, status, klog, splats_in):
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

    splats = splats_in(klog)
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
                    splats_in.diag(klog))


def kmemleak_leaks(lines):
    """Split /sys/kernel/debug/kmemleak into one list of lines per object."""
    leaks = []
    for line in lines:
        if line.startswith("unreferenced object"):
            leaks.append([])
        if leaks:
            leaks[-1].append(line)
    return leaks


def leak_frames(leak, modules, unloaded):
    """The backtrace lines of a leak that are in our modules, annotated,
    or [] when the leak is not ours. A frame is ours when it resolves to
    one of our modules, or does not resolve but lies in module space: our
    modules unloaded before the scan (unloaded: [(name, start, end)]) or,
    failing a match, one unloaded during the suite."""
    frames = []
    for line in leak:
        m = re.search(r"\] (\S+ \[(\w+)[\] ].*)$", line)
        if m and m.group(2) in modules:
            frames.append(line.strip())
            continue
        m = re.search(r"\] 0x([0-9a-f]+)$", line)
        if m and int(m.group(1), 16) in MODULE_SPACE:
            addr = int(m.group(1), 16)
            who = next((f"{n}+{addr - a:#x}, unloaded"
                        for n, a, e in unloaded if a <= addr < e),
                       "a module since unloaded")
            frames.append(f"{line.strip()} ({who})")
    return frames


def judge_kmemleak(report, state, klog, splats_in):
    """One TAP line for the kmemleak step: our modules leaked nothing."""
    name = "vm: kmemleak"
    status = state["kmemleak"]
    if status is None:
        report.line("fail", name, "the guest did not scan (is "
                    "/sys/kernel/debug/kmemleak there?)")
        return
    ours, others = [], 0
    for leak in kmemleak_leaks(state["leaks"]):
        frames = leak_frames(leak, splats_in.modules, state["unloaded"])
        if frames:
            ours.append(leak[:2] + frames)
        else:
            others += 1
    # The scan's own "N new suspected memory leaks" is judged above.
    klog = [l for l in klog if not KMEMLEAK_NOTE.search(l)]
    splats = splats_in(klog)
    if others:
        print(f"# kmemleak: {others} suspected leaks outside our modules "
              "(not counted)")
    why, diag = [], []
    if ours:
        why.append(f"{len(ours)} leak{'s' if len(ours) > 1 else ''} from "
                   "our modules")
        diag = [l for leak in ours for l in leak]
    if status != "0":
        why.append(status)
    if not why and splats:
        why, diag = [f"kernel log: {splats[0].strip()}"], splats_in.diag(klog)
    if why:
        report.line("fail", name, "; ".join(why), diag[:40])
    else:
        report.line("ok", name)


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


def claim_work_dir(work):
    """work, locked for this run; if another run holds it, work.2, work.3...

    Two runs on one kernel at once (a long `make fuzz` and a `make check`)
    must not truncate each other's console log: each run scans its own log
    for kernel reports. The lock lives as long as this process.
    """
    for n in range(1, 100):
        d = work if n == 1 else work.with_name(f"{work.name}.{n}")
        d.mkdir(parents=True, exist_ok=True)
        fd = os.open(d / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        claim_work_dir.held = fd    # kept open: the lock is ours until exit
        return d
    sys.exit(f"run-vm: {work} and 98 others are in use")


def main():
    args = parse_args()
    env = kernel_env(args.kernel)
    config = kernel_config(env)
    found, slowdown = detectors(config)
    args.timeout = args.timeout or 900 * slowdown
    args.test_timeout = args.test_timeout or 120 * slowdown
    args.slowdown = slowdown
    work = claim_work_dir(Path(args.out or TOP / "build/vm" / args.kernel))
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
    cmd = qemu_command(args, env, config, initrd, work)
    kmod = Path(args.kmod or TOP / "build/kmod" / args.kernel)
    splats_in = Splats({ko.stem for ko in kmod.rglob("*.ko")})
    (work / "qemu.cmd").write_text(" ".join(map(str, cmd)) + "\n")

    print("TAP version 13")
    print(f"# kernel {args.kernel} ({env['KREL']}), {args.cpus} of "
          f"{args.possible_cpus} possible CPUs online")
    if found:
        print(f"# detectors: {' '.join(found)}; timeouts {args.test_timeout}s"
              f" per test, {args.timeout}s in all")
    sys.stdout.flush()

    state = {"running": None, "output": {}, "status": {}, "done": False,
             "hello": None, "unloaded": [], "leaks": [], "kmemleak": None}

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
        elif kind == "M":
            mod, size, addr = rest.split()
            start = int(addr, 16)
            state["unloaded"].append((mod, start, start + int(size)))
        elif kind == "K":
            state["leaks"].append(rest)
        elif kind == "k":
            state["kmemleak"] = rest.strip()
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
                          state["status"][name], slices.get(name, []),
                          splats_in)
        elif output is not None:
            # It began and never ended: this test took the VM down.
            judge_program(report, name, output, None, [], splats_in)
            report.line("fail", name, death or "no result",
                        splats_in.diag(slices.get(name, [])) or output[-30:]
                        or console[-30:])
        else:
            report.line("fail", name, f"not run ({death or 'no result'})")

    if config.get("CONFIG_DEBUG_KMEMLEAK") == "y" and state["done"]:
        judge_kmemleak(report, state, slices.get(KMEMLEAK_SLICE, []),
                       splats_in)
    outside = splats_in(slices.get(None, []))
    if outside:
        report.line("fail", "vm: kernel log outside any test",
                    outside[0].strip(), splats_in.diag(slices[None]))
    if death and all(n in state["status"] for n in names):
        report.line("fail", "vm", death, console[-30:])

    for line in splats_in.foreign:
        print(f"# KCSAN, not in our modules (not counted): {line}")
    print(f"1..{report.n}")
    print(f"# {args.kernel}: {elapsed:.1f}s, logs in {work}")
    summary = f"{report.passed} passed, {report.failed} failed"
    if report.skipped:
        summary += f", {report.skipped} skipped"
    print(summary)
    return 1 if report.failed or report.n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
