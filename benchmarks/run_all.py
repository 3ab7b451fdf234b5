"""Every benchmark in one command: ``python benchmarks/run_all.py [--quick]``.

Runs bench_layers, bench_restore (resnet_v1_50-sized; with --full also the
~500 MB vgg_16 one), bench_train, bench_pipeline, bench_startup and
bench_nets, each in its own process (so one's memory does not colour the
next), then plots ``results/nets*.json`` as ``results/nets.png``.
``--quick`` keeps the whole run under about 5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(script, *args):
    print(f"\n=== {script} {' '.join(args)}", flush=True)
    return subprocess.call([sys.executable, os.path.join(HERE, script),
                            *args])


def plot(name):
    path = os.path.join(HERE, "results", f"{name}.json")
    if not os.path.exists(path):
        return
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot")
        return
    rows = json.load(open(path))["rows"]
    labels = [f"{r['net']}\n{r['workload']}" for r in rows]
    orig = [r.get("ratio_vs_original", 0) or 0 for r in rows]
    keras = [r["ratio_vs_keras_app_per_flop"] for r in rows]
    # The better inference path (fold_batch_norms or freeze), against
    # the faster anchor (the lower of its two ratios).
    def best(r):
        return max([min(v for v in (r.get(f"{k}_ratio_vs_original"),
                                     r.get(f"{k}_ratio_vs_keras_app_per_flop"))
                        if v) for k in ("folded", "frozen")
                    if r.get(f"{k}_img_s")] or [0])

    folded = [best(r) for r in rows]
    x = range(len(rows))
    fig, ax = plt.subplots(figsize=(max(6, len(rows) * 0.9), 4))
    ax.bar([i - 0.27 for i in x], orig, 0.27, label="vs original tf-slim")
    ax.bar(list(x), keras, 0.27, label="vs keras.applications (per FLOP)")
    ax.bar([i + 0.27 for i in x], folded, 0.27,
           label="best of fold_batch_norms / freeze, vs the faster anchor")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.axhline(1.05, color="k", lw=0.8, ls="--", label="target 1.05x")
    ax.set_xticks(list(x), labels, fontsize=7)
    ax.set_ylabel("slimkeras speed ratio")
    ax.legend(fontsize=8)
    fig.tight_layout()
    out = os.path.join(HERE, "results", f"{name}.png")
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    q = ["--quick"] if args.quick else []
    codes = [run("bench_layers.py", *q), run("bench_restore.py")]
    if not args.quick:
        codes.append(run("bench_restore.py", "--net", "vgg_16"))
    codes += [run("bench_train.py", *q), run("bench_pipeline.py", *q),
              run("bench_startup.py", *q), run("bench_nets.py", *q)]
    plot("nets_quick" if args.quick else "nets")
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
