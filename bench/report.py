#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn mrbench's MRBENCH lines into the benchmark report.

    report.py --out DIR [--docs FILE] [--seconds N] LOG...

Each LOG is the output of one VM boot (scripts/bench.sh). Writes
DIR/results.json (every raw result, with the machine), DIR/report.md and
the charts DIR/*.png, prints the table of ratios, and, with --docs, copies
the report to FILE and the charts next to it (FILE's stem as a directory).

Every ratio is "x better" for mapring: a rate is mapring / peer, a cost
(time, memory) is peer / mapring. Above 1 mapring wins.
"""
import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import charts

SIZES = [8, 64, 256, 1024]
CPUS = [4, 16, 64]
TOPOLOGIES = {"1p": "one producer", "2p": "two producers",
              "b2b": "back to back, one CPU"}


def load(logs):
    """Every MRBENCH record, tagged with its boot's possible CPUs."""
    records = []
    for log in logs:
        boot = None
        for line in Path(log).read_text(errors="replace").splitlines():
            if not line.startswith("MRBENCH "):
                continue
            r = json.loads(line[len("MRBENCH "):])
            if r["group"] == "env":
                boot = r["possible_cpus"]
            r["boot"] = boot
            records.append(r)
    return records


def pick(records, group, **match):
    """The one record of group matching every key=value, or None."""
    for r in records:
        if r["group"] == group and all(r.get(k) == v for k, v in match.items()):
            return r
    return None


class Table:
    """The ratio table: one row per comparison, targets checked."""

    def __init__(self):
        self.rows = []

    def add(self, case, config, ours, peer, theirs, unit, better="higher",
            target=None, target_op=">="):
        if ours is None or theirs is None or not ours or not theirs:
            return
        ratio = ours / theirs if better == "higher" else theirs / ours
        met = None
        if target is not None:
            met = ratio >= target if target_op == ">=" else ratio <= target
        self.rows.append(dict(case=case, config=config, mapring=ours,
                              peer=peer, peer_value=theirs, unit=unit,
                              ratio=ratio, target=target,
                              target_op=target_op, met=met))


def fmt(v, unit):
    if unit == "M/s":
        return f"{v / 1e6:.2f} M/s"
    if unit == "ns":
        return f"{v:,.0f} ns" if v >= 100 else f"{v:.1f} ns"
    if unit == "us":
        return f"{v:,.0f} us" if v >= 100 else f"{v:.1f} us"
    if unit == "B":
        return f"{v:.0f} B"
    if unit == "x":
        return f"{v:.2f}x"
    return f"{v:.3g}"


def build_table(R):
    t = Table()
    # Ring throughput: mapring against libbpf in the same wake-up mode, and
    # mapring's batched mode against libbpf's better mode.
    for topo, target in (("1p", 1.3), ("2p", 1.2), ("b2b", None)):
        for size in SIZES:
            def rate(peer, mode):
                r = pick(R, "ring_throughput", topology=topo, size=size,
                         peer=peer, mode=mode)
                return r and r["rate"]
            case = f"Ring throughput, {TOPOLOGIES[topo]}"
            for mode in ("adaptive", "sampled"):
                t.add(case, f"{size} B, {mode}", rate("mapring", mode),
                      f"bpf-libbpf {mode}", rate("bpf-libbpf", mode), "M/s",
                      target=target)
            best = max(filter(None, [rate("bpf-libbpf", "adaptive"),
                                     rate("bpf-libbpf", "sampled")]),
                       default=None)
            t.add(case, f"{size} B, batched", rate("mapring", "batched"),
                  "bpf-libbpf, better mode", best, "M/s")
    for size in SIZES:
        m = pick(R, "drain", peer="mapring", size=size)
        b = pick(R, "drain", peer="bpf-libbpf", size=size)
        t.add("Consumer drain rate, pre-filled ring", f"{size} B",
              m and m["rate"], "libbpf", b and b["rate"], "M/s", target=1.3)
    for size in SIZES:
        m = pick(R, "user", peer="mapring", size=size)
        b = pick(R, "user", peer="bpf-libbpf", size=size)
        for key, what in (("drain_rate", "kernel drain"),
                          ("fill_rate", "user-space fill")):
            t.add(f"User ring, {what} rate", f"{size} B", m and m[key],
                  "libbpf user_ring_buffer + BPF drain", b and b[key], "M/s")
    for peer, mode in (("mapring", "batched"), ("mapring", "adaptive"),
                       ("mapring", "sampled"), ("bpf-libbpf", "adaptive"),
                       ("bpf-libbpf", "sampled"), ("perf-libbpf", "adaptive"),
                       ("perf-libbpf", "sampled")):
        live = pick(R, "producer_cost", peer=peer, mode=mode, consumer="live")
        none = pick(R, "producer_cost", peer=peer, mode=mode, consumer="none")
        if live and none and none["ns_per_record"] > 0:
            # a cost ratio of the same peer: live / none, lower is better
            t.rows.append(dict(
                case="Producer cost, caught-up consumer / no consumer",
                config=f"{peer} {mode}", mapring=live["ns_per_record"],
                peer="no consumer", peer_value=none["ns_per_record"],
                unit="ns", ratio=live["ns_per_record"] / none["ns_per_record"],
                target=2.0 if (peer, mode) == ("mapring", "batched") else None,
                target_op="<=", met=None, self_ratio=True))
            row = t.rows[-1]
            if row["target"] is not None:
                row["met"] = row["ratio"] <= row["target"]
    bl = pick(R, "producer_cost", peer="bpf-libbpf", mode="adaptive",
              consumer="live")
    for mode in ("batched", "adaptive"):
        m = pick(R, "producer_cost", peer="mapring", mode=mode, consumer="live")
        t.add("Producer cost, caught-up consumer", f"mapring {mode}",
              m and m["ns_per_record"], "bpf-libbpf adaptive",
              bl and bl["ns_per_record"], "ns", better="lower")
    for mode in ("adaptive", "sampled", "batched"):
        m = pick(R, "latency", peer="mapring", mode=mode)
        peer_mode = "sampled" if mode == "batched" else mode
        b = pick(R, "latency", peer="bpf-libbpf", mode=peer_mode)
        for p in ("p50", "p99"):
            t.add("Wake-up latency, commit to callback", f"{mode}, {p}",
                  m and m[f"{p}_us"], f"bpf-libbpf {peer_mode}",
                  b and b[f"{p}_us"], "us", better="lower")
    for cpus in CPUS:
        for typ in ("array", "hash"):
            m = pick(R, "map_lookup", peer="mapring", type=typ, boot=cpus)
            b = pick(R, "map_lookup", peer="bpf", type=typ, boot=cpus)
            t.add("Map lookup of one key, user space",
                  f"{typ}, {cpus} possible CPUs", m and m["ns_per_op"],
                  "bpf()", b and b["ns_per_op"], "ns", better="lower",
                  target=1.0)
    for cpus in CPUS:
        for typ in ("array", "hash"):
            m = pick(R, "map_aggregate", peer="mapring", type=typ, boot=cpus)
            b = pick(R, "map_aggregate", peer="bpf", type=typ, boot=cpus)
            t.add("1,000 keys: in-kernel sum vs batch lookup + user sum",
                  f"{typ}, {cpus} possible CPUs",
                  m and m["ns_per_read"] / 1e3, "bpf() batch + sum",
                  b and b["ns_per_read"] / 1e3, "us", better="lower",
                  target=3.0)
    for typ in ("array", "hash"):
        m = pick(R, "map_increments", peer="mapring", type=typ)
        for peer, target in (("bpf", 1.0), ("bpf-atomic", None)):
            b = pick(R, "map_increments", peer=peer, type=typ)
            t.add("Kernel-side increments", f"{typ}",
                  m and m["ns_per_increment"],
                  "BPF program, " + ("plain add" if peer == "bpf"
                                     else "atomic add"),
                  b and b["ns_per_increment"], "ns", better="lower",
                  target=target)
    for cpus in CPUS:
        for typ in ("array", "hash"):
            m = pick(R, "map_memory", peer="mapring", type=typ, boot=cpus)
            b = pick(R, "map_memory", peer="bpf", type=typ, boot=cpus)
            t.add("Memory per entry, full map", f"{typ}, {cpus} possible CPUs",
                  m and m["bytes_per_entry"], "BPF map",
                  b and b["bytes_per_entry"], "B", better="lower")
    over = pick(R, "overwrite", peer="mapring", mode="overwrite")
    drop = pick(R, "overwrite", peer="mapring", mode="full-drops")
    if over and drop and drop["ns_per_record"] > 0:
        # no BPF peer before 6.18 (BPF_F_RB_OVERWRITE): the same ring's
        # cost of overwriting against its cost of dropping when full
        t.rows.append(dict(
            case="Flight recorder, full ring: overwrite / drop",
            config=f"{over['size']} B, {over['ring_bytes'] // 1024} KiB ring",
            mapring=over["ns_per_record"], peer="same ring, dropping",
            peer_value=drop["ns_per_record"], unit="ns",
            ratio=over["ns_per_record"] / drop["ns_per_record"],
            target=None, target_op="<=", met=None, self_ratio=True))
    r = pick(R, "sharded")
    if r and "ratio" in r:
        t.add("Two kernel producers on two CPUs, 64 B records",
              "2-shard ring group vs one shared ring",
              r["sharded_rate"], "one shared ring", r["shared_rate"], "M/s")
    return t


def target_text(row):
    if row["target"] is None:
        return ""
    op = ">=" if row["target_op"] == ">=" else "<="
    mark = "met" if row["met"] else "MISSED"
    return f"{op} {row['target']:g}: {mark}"


def print_table(t):
    cols = ["case", "config", "mapring", "peer", "peer value", "ratio",
            "target"]
    rows = [[r["case"], r["config"], fmt(r["mapring"], r["unit"]), r["peer"],
             fmt(r["peer_value"], r["unit"]), f"{r['ratio']:.2f}x",
             target_text(r)] for r in t.rows]
    widths = [max(len(c), *(len(x[i]) for x in rows)) for i, c in
              enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
    print(line)
    print("-" * len(line))
    for x in rows:
        print("  ".join(v.ljust(w) for v, w in zip(x, widths)).rstrip())


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def targets_summary(t):
    groups = {}
    for r in t.rows:
        if r["target"] is None:
            continue
        g = groups.setdefault(r["case"], [0, 0, r])
        g[0] += 1
        g[1] += bool(r["met"])
    lines = []
    for case, (n, met, r) in groups.items():
        op = ">=" if r["target_op"] == ">=" else "<="
        verdict = "met" if met == n else f"missed in {n - met} of {n}"
        worst = min(x["ratio"] for x in t.rows
                    if x["case"] == case and x["target"] is not None) \
            if op == ">=" else max(x["ratio"] for x in t.rows
                                   if x["case"] == case and
                                   x["target"] is not None)
        lines.append(f"| {case} | {op} {r['target']:g}x | {verdict} "
                     f"| {worst:.2f}x |")
    return ("| target | wanted | result | worst ratio |\n|---|---|---|---|\n"
            + "\n".join(lines))


def detail_tables(R):
    """Every peer's absolute numbers, per case."""
    out = []
    peers = [("mapring", "adaptive"), ("mapring", "sampled"),
             ("mapring", "batched"), ("bpf-libbpf", "adaptive"),
             ("bpf-libbpf", "sampled"), ("bpf-custom", "adaptive"),
             ("bpf-custom", "sampled"), ("perf-libbpf", "adaptive"),
             ("perf-libbpf", "sampled")]
    for topo, name in TOPOLOGIES.items():
        rows = []
        for size in SIZES:
            row = [f"{size} B"]
            for peer, mode in peers:
                r = pick(R, "ring_throughput", topology=topo, size=size,
                         peer=peer, mode=mode)
                row.append(f"{r['rate'] / 1e6:.2f}" if r else "")
            rows.append(row)
        out.append(f"#### Throughput, {name} (M records/s, median of "
                   "repetitions)\n\n" + md_table(
                       ["size"] + [f"{p} {m}" for p, m in peers], rows))
    rows = []
    for size in SIZES:
        row = [f"{size} B"]
        for peer in ("mapring", "mapring-c", "bpf-libbpf", "bpf-custom"):
            r = pick(R, "drain", peer=peer, size=size)
            row.append(f"{r['rate'] / 1e6:.1f}" if r else "")
        rows.append(row)
    out.append("#### Drain rate of a pre-filled 4 MiB ring (M records/s)\n\n"
               + md_table(["size", "mapring (C++)", "mapring (C API)",
                           "libbpf", "hand-written (rb-custom)"], rows))
    rows = []
    for size in SIZES:
        row = [f"{size} B"]
        for peer in ("mapring", "bpf-libbpf"):
            r = pick(R, "user", peer=peer, size=size)
            row += [f"{r['fill_rate'] / 1e6:.1f}" if r else "",
                    f"{r['drain_rate'] / 1e6:.1f}" if r else ""]
        rows.append(row)
    out.append("#### User rings: fill a 4 MiB ring from user space, then "
               "drain it in the kernel (M records/s)\n\n" + md_table(
                   ["size", "mapring fill", "mapring drain",
                    "BPF fill (libbpf)", "BPF drain (bpf_user_ringbuf_drain)"],
                   rows))
    rows = []
    for r in R:
        if r["group"] == "producer_cost":
            rows.append([r["peer"], r["mode"], r["consumer"],
                         f"{r['ns_per_record']:,.0f}",
                         f"{r['ns_empty_trigger']:,.0f}"])
    out.append("#### Producer cost per record (ns; one record per trigger "
               "every 100 us, the cost of an empty trigger subtracted)\n\n"
               + md_table(["peer", "mode", "consumer", "ns per record",
                           "empty trigger"], rows))
    rows = []
    for r in R:
        if r["group"] == "latency":
            rows.append([r["peer"], r["mode"], f"{r['p50_us']:,.0f}",
                         f"{r['p90_us']:,.0f}", f"{r['p99_us']:,.0f}",
                         f"{r['max_us']:,.0f}",
                         f"{r['delivered']}/{r['records']}"])
    out.append("#### Wake-up latency, commit to callback (us; one 64-byte "
               "record every 500 us; sampled and batched: every 16 records, "
               "batched bound 1 ms)\n\n" + md_table(
                   ["peer", "mode", "p50", "p90", "p99", "max", "delivered"],
                   rows))
    rows = []
    for cpus in CPUS:
        for typ in ("array", "hash"):
            def v(group, peer, key, scale=1.0):
                r = pick(R, group, peer=peer, type=typ, boot=cpus)
                return f"{r[key] * scale:,.0f}" if r else ""
            rows.append([cpus, typ, v("map_lookup", "bpf", "ns_per_op"),
                         v("map_lookup", "mapring", "ns_per_op"),
                         v("map_aggregate", "bpf", "ns_per_read", 1e-3),
                         v("map_aggregate", "mapring", "ns_per_read", 1e-3),
                         v("map_memory", "bpf", "bytes_per_entry"),
                         v("map_memory", "mapring", "bytes_per_entry"),
                         v("map_memory", "mapring", "percpu_bytes_per_entry")])
    out.append("#### Maps against possible CPUs\n\n" + md_table(
        ["possible CPUs", "type", "lookup bpf (ns)", "lookup mapring (ns)",
         "1,000 keys bpf (us)", "1,000 keys mapring (us)",
         "bytes/entry bpf", "bytes/entry mapring", "of which per-CPU"],
        rows))
    rows = []
    for typ in ("array", "hash"):
        row = [typ]
        for peer in ("bpf", "bpf-atomic", "mapring"):
            r = pick(R, "map_increments", peer=peer, type=typ)
            row.append(f"{r['ns_per_increment']:.1f}" if r else "")
        rows.append(row)
    out.append("#### Kernel-side increments (ns each; 50,000 per trigger)\n\n"
               + md_table(["type", "BPF plain add", "BPF atomic add",
                           "mapring_map_add()"], rows))
    return "\n\n".join(out)


def machine_text(m, seconds):
    return "\n".join([
        f"- Date: {m.get('date', '?')}, commit {m.get('commit', '?')}",
        f"- Host: {m.get('host_cpu', '?')}, {m.get('host_cores', '?')} "
        f"cores, {m.get('host_mem_mib', '?')} MiB, {m.get('host_os', '?')} "
        f"(kernel {m.get('host_kernel', '?')}); load average "
        f"{m.get('load_before', 0):.2f} before the run, "
        f"{m.get('load_after', 0):.2f} after (1-minute; the host is shared)",
        f"- Guest: Debian's {m.get('kernel', '?')} kernel "
        f"({m.get('guest_kernel', '?')}) in {m.get('qemu', 'QEMU')}, TCG "
        "(no KVM), 2 online vCPUs of 4, 16 or 64 possible, tsc=reliable",
        f"- Peers: libbpf {m.get('libbpf', '?')}, BPF programs built with "
        f"{m.get('clang', 'clang')}",
        f"- make bench took {seconds // 60} min {seconds % 60:02d} s"
        if seconds else "",
    ])


def render_report(t, R, machine, seconds, chart_dir):
    notes = (Path(__file__).parent / "methodology.md").read_text()
    ratio_rows = [[r["case"], r["config"], fmt(r["mapring"], r["unit"]),
                   r["peer"], fmt(r["peer_value"], r["unit"]),
                   f"**{r['ratio']:.2f}x**", target_text(r)] for r in t.rows]
    charts_md = "\n\n".join(
        f"![{title}]({chart_dir}/{name})" for name, title in charts.CHARTS)
    text = f"""# Performance: mapring against the BPF peers

Generated by `make bench` (scripts/bench.sh, bench/report.py) from one run;
every number below comes from the same VM boots, mapring and its peers side
by side. The VM is emulated (QEMU TCG on a shared host): **the ratios are
the results**, the absolute rates only say how fast the emulator was.

## The machine

{machine_text(machine, seconds)}

## Targets (issue 7)

{targets_summary(t)}

## Ratios

A ratio above 1 means mapring is better: for rates mapring / peer, for
times and memory peer / mapring (the producer-cost rows compare one peer
with itself: caught-up consumer / none, lower is better).

{md_table(["case", "config", "mapring", "peer", "peer value", "ratio",
           "target"], ratio_rows)}

## Charts

{charts_md}

## Every peer, absolute numbers

{detail_tables(R)}

{notes}
"""
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--docs")
    ap.add_argument("--seconds", type=int, default=0)
    args = ap.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    R = load(args.logs)
    if not R:
        sys.exit("report: no MRBENCH results in " + " ".join(args.logs))
    machine_file = out / "machine.json"
    machine = json.loads(machine_file.read_text()) if machine_file.exists() \
        else {}
    machine["load_after"] = os.getloadavg()[0]
    env = next((r for r in R if r["group"] == "env"), {})
    machine["guest_kernel"] = env.get("kernel", "?")

    t = build_table(R)
    (out / "results.json").write_text(json.dumps(
        {"machine": machine, "seconds": args.seconds, "results": R,
         "ratios": t.rows}, indent=1))
    charts.draw(R, out)
    print_table(t)
    (out / "report.md").write_text(render_report(t, R, machine, args.seconds,
                                                 "."))
    missed = [r for r in t.rows if r["met"] is False]
    print(f"\n{len(t.rows)} ratios, {sum(1 for r in t.rows if r['met'])} "
          f"targets met, {len(missed)} missed; report: {out / 'report.md'}")

    if args.docs:
        docs = Path(args.docs)
        chart_dir = docs.with_suffix("")
        chart_dir.mkdir(parents=True, exist_ok=True)
        for name, _ in charts.CHARTS:
            shutil.copy(out / name, chart_dir / name)
        docs.write_text(render_report(t, R, machine, args.seconds,
                                      chart_dir.name))
        print(f"copied to {docs} (charts in {chart_dir})")


if __name__ == "__main__":
    main()
