# SPDX-License-Identifier: GPL-2.0
"""The report's charts (PNG, matplotlib from Debian's python3-matplotlib)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# (file, title), in the report's order
CHARTS = [
    ("throughput.png", "Ring throughput against record size and producers"),
    ("latency.png", "Wake-up latency percentiles"),
    ("maps_cpus.png", "Map reads against possible CPUs"),
    ("producer_cost.png", "Producer cost with and without a consumer"),
    ("drain.png", "Drain rate of a pre-filled ring"),
]

SIZES = [8, 64, 256, 1024]
CPUS = [4, 16, 64]
COLORS = {"mapring": "tab:blue", "mapring-c": "tab:cyan",
          "bpf-libbpf": "tab:orange", "bpf-custom": "tab:green",
          "perf-libbpf": "tab:red", "bpf": "tab:orange",
          "bpf-atomic": "tab:brown"}
STYLES = {"adaptive": "-", "sampled": "--", "batched": ":"}


def _pick(R, group, **match):
    for r in R:
        if r["group"] == group and all(r.get(k) == v for k, v in match.items()):
            return r
    return None


def _throughput(R, path):
    topologies = [("1p", "one producer"), ("2p", "two producers"),
                  ("b2b", "back to back (one CPU)")]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), sharey=False)
    for ax, (topo, title) in zip(axes, topologies):
        for peer in ("mapring", "bpf-libbpf", "bpf-custom", "perf-libbpf"):
            for mode, style in STYLES.items():
                pts = [(s, _pick(R, "ring_throughput", topology=topo, size=s,
                                 peer=peer, mode=mode)) for s in SIZES]
                pts = [(s, r["rate"] / 1e6) for s, r in pts if r]
                if not pts:
                    continue
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style,
                        marker="o", color=COLORS[peer], label=f"{peer} {mode}")
        ax.set_xscale("log", base=2)
        ax.set_xticks(SIZES, [str(s) for s in SIZES])
        ax.set_xlabel("record size (bytes)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("M records/s consumed")
    axes[0].legend(fontsize=7, ncol=2)
    fig.suptitle("Ring throughput (QEMU TCG guest, 2 vCPUs)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _latency(R, path):
    rows = [r for r in R if r["group"] == "latency"]
    labels = [f"{r['peer']}\n{r['mode']}" for r in rows]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    x = range(len(rows))
    for i, (p, shift) in enumerate((("p50", -0.27), ("p90", 0), ("p99", 0.27))):
        ax.bar([v + shift for v in x], [r[f"{p}_us"] for r in rows], 0.27,
               label=p, color=["tab:blue", "tab:purple", "tab:red"][i])
    ax.set_xticks(list(x), labels, fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("commit to callback (us, log)")
    ax.set_title("Wake-up latency: one 64-byte record every 500 us "
                 "(sampled, batched: every 16 records; batched bound 1 ms)")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _maps_cpus(R, path):
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    panels = [("map_lookup", "ns_per_op", 1, "one key, user space (ns)"),
              ("map_aggregate", "ns_per_read", 1e-3,
               "1,000 keys: batch + sum vs aggregate (us)"),
              ("map_memory", "bytes_per_entry", 1, "memory per entry (bytes)")]
    for ax, (group, key, scale, title) in zip(axes, panels):
        for peer in ("bpf", "mapring"):
            for typ, style in (("array", "-"), ("hash", "--")):
                pts = [(c, _pick(R, group, peer=peer, type=typ, boot=c))
                       for c in CPUS]
                pts = [(c, r[key] * scale) for c, r in pts if r]
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], style,
                            marker="o", color=COLORS[peer],
                            label=f"{peer} {typ}")
        ax.set_xscale("log", base=2)
        ax.set_xticks(CPUS, [str(c) for c in CPUS])
        ax.set_xlabel("possible CPUs (2 online)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _producer_cost(R, path):
    rows = [(r["peer"], r["mode"]) for r in R
            if r["group"] == "producer_cost" and r["consumer"] == "none"]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for i, (consumer, shift, color) in enumerate(
            (("none", -0.2, "tab:gray"), ("live", 0.2, "tab:red"))):
        vals = [max(_pick(R, "producer_cost", peer=p, mode=m,
                          consumer=consumer)["ns_per_record"], 1)
                for p, m in rows]
        ax.bar([v + shift for v in range(len(rows))], vals, 0.4,
               label=f"consumer: {consumer}", color=color)
    ax.set_xticks(range(len(rows)), [f"{p}\n{m}" for p, m in rows],
                  fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("ns per record (log)")
    ax.set_title("Producer cost: one record every 100 us, with a caught-up "
                 "consumer and with none")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _drain(R, path):
    peers = ["mapring", "mapring-c", "bpf-libbpf", "bpf-custom"]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.2
    for i, peer in enumerate(peers):
        vals = []
        for s in SIZES:
            r = _pick(R, "drain", peer=peer, size=s)
            vals.append(r["rate"] / 1e6 if r else 0)
        ax.bar([j + (i - 1.5) * width for j in range(len(SIZES))], vals,
               width, label=peer, color=COLORS[peer])
    ax.set_xticks(range(len(SIZES)), [f"{s} B" for s in SIZES])
    ax.set_ylabel("M records/s")
    ax.set_title("Drain rate of a pre-filled 4 MiB ring (mapring: C++ and C "
                 "API; BPF: libbpf and hand-written)")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw(R, out):
    """Every chart of CHARTS into out; a case without results is skipped."""
    drawers = {"throughput.png": _throughput, "latency.png": _latency,
               "maps_cpus.png": _maps_cpus,
               "producer_cost.png": _producer_cost, "drain.png": _drain}
    for name, _ in CHARTS:
        drawers[name](R, out / name)
