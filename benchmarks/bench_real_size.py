"""Benchmark of the weight-reading methods at the full per-layer shape of Qwen2.5-14B.

Hidden size 5120, MLP 13824, 40 query / 8 key-value heads, vocabulary 152,064 - the real shape of
every layer (``provenance/fingerprint/synthetic/real_layouts.py``) - with synthetic bf16 weights,
at a few depths (default 2 and 4 layers; ``--check 8`` adds an 8-layer run). For each depth, two
pairs: *derived* (B = A + iid noise of 10 % of each tensor's σ, same tokenizer) and *unrelated*
(another seed and init recipe: assignment problems are slowest when nothing matches). Each method
runs in a fresh process (peak RSS = its ``VmHWM``; CPU = user + system of all its threads).

Per-layer cost = (t(4) - t(2)) / 2 and fixed cost = t(2) - 2 × per-layer, so the 48-layer
estimate is fixed + 48 × per-layer; the ``--check`` depth compares that estimate with a real run.
The page cache is warmed before each run (the files are read once). Usage::

    python benchmarks/bench_real_size.py [--depths 2,4] [--check 8] [--out benchmarks/RESULTS_REAL_SIZE.md]
    python benchmarks/bench_real_size.py --whole 48 --dir /big/disk   # the whole pipeline, real depth

``--whole N``: the whole comparison at N layers, as a journalist's report runs it - both per-model
passes (file SHA-256 and statistics, read from disk: the files are larger than the page cache) and
every method on the weights - in one fresh process per pair (derived, then unrelated: B is rewritten
in place, so the disk holds two models, about 2 × 33 GB at 48 layers). Reports wall and CPU per
phase and peak RSS of the process.

Disk: about 4.2 GB per 2-layer model, 3 models per depth (deleted after the depth is measured).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_methods  # noqa: E402 - the child runner, page-cache warming and the noisy copy

from provenance.fingerprint.synthetic.models import BaseModel, ModelShape  # noqa: E402
from provenance.fingerprint.synthetic.real_layouts import QWEN2_5_14B  # noqa: E402

METHODS = ("embedding_anchor", "neuron_matching", "weight_matching")
LAYERS_REAL = QWEN2_5_14B["num_hidden_layers"]


def shape(layers: int) -> ModelShape:
    c = QWEN2_5_14B
    return ModelShape(
        c["hidden_size"], layers, c["num_attention_heads"], c["num_key_value_heads"],
        c["intermediate_size"], c["vocab_size"],
    )  # fmt: skip


def build(folder: Path, layers: int) -> dict[str, Path]:
    from provenance.fingerprint.synthetic.writer import write_model

    base = BaseModel(shape(layers), seed=1, structured=False)
    models = {
        "a": base,
        "derived": bench_methods.NoisyCopy(base, 0.1, seed=2),
        "unrelated": BaseModel(shape(layers), seed=3, recipe="b", structured=False),
    }
    out = {}
    for name, model in models.items():
        out[name] = folder / name
        print(f"writing {out[name]} ({layers} layers)", file=sys.stderr, flush=True)
        write_model(model, out[name], max_shard_bytes=4 << 30)
    return out


def whole_child(a: str, b: str) -> None:
    """One whole comparison (``--child-whole A B``): JSON of phases, scores and peak RSS on stdout."""
    import resource

    from provenance.fingerprint.reader import open_checkpoint
    from provenance.fingerprint.report import compare_fingerprints
    from provenance.fingerprint.stats import default_processes, fingerprint_checkpoint

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        c = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime

    phases: list[dict] = []
    mark = [time.perf_counter(), cpu(), "start"]

    def phase(name: str) -> None:
        now, c = time.perf_counter(), cpu()
        if mark[2] != "start":
            phases.append({"phase": mark[2], "wall": now - mark[0], "cpu": c - mark[1]})
        mark[:] = [now, c, name]

    phase("fingerprint A")
    fa = fingerprint_checkpoint(a, processes=default_processes())
    phase("fingerprint B")
    fb = fingerprint_checkpoint(b, processes=default_processes())
    phase("compare (setup)")
    report = compare_fingerprints(
        fa,
        fb,
        methods="all",
        weights=(open_checkpoint(a), open_checkpoint(b)),
        on_method=lambda name, _i, _n: phase(name),
    )
    phase("end")
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    wm = report.results.get("weight_matching")
    alignment = None if wm is None else {
        k: wm.extra["basis"].get(k) for k in ("kind", "quality", "shuffled_baseline", "found", "grams", "layers_used", "permuted", "sign_flips")
    }  # fmt: skip
    results = {
        n: {
            "score": r.score,
            "z": r.calibration.get("z"),
            "p": r.calibration.get("p"),
            "extra_layers": (r.extra.get("layers_tested"), r.extra.get("layers_total")),
        }
        for n, r in report.results.items()
    }
    print(json.dumps({
        "phases": phases, "peak_rss_mb": peak / 1024, "verdict": report.to_dict().get("verdict"),
        "results": results, "skipped": report.to_dict().get("skipped"), "alignment": alignment,
    }, default=str))  # fmt: skip


def whole(layers: int, folder: Path, pairs: list[str]) -> str:
    import subprocess

    from provenance.fingerprint.synthetic.adversarial import _retokenised
    from provenance.fingerprint.synthetic.writer import write_model

    folder.mkdir(parents=True, exist_ok=True)
    base = BaseModel(shape(layers), seed=1, structured=False)
    models = {
        "derived": bench_methods.NoisyCopy(base, 0.1, seed=2),
        "unrelated": BaseModel(shape(layers), seed=3, recipe="b", structured=False),
        # The founding dispute's shape: a copy with its tokenizer replaced (no string shared) and its
        # hidden units, MLP neurons and heads permuted (issue 15), after a light fine-tune.
        "retokenised": _retokenised(
            bench_methods.NoisyCopy(base, 0.03, seed=4),
            5,
            "retok_permuted_nh",
            rotation="signed_permutation",
            permute_neurons=True,
            permute_heads=True,
        ),
    }
    models = {name: models[name] for name in pairs}
    load = Path("/proc/loadavg").read_text().split()[:3]
    lines = [
        f"### The whole comparison at {layers} layers ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"`python benchmarks/bench_real_size.py --whole {layers}`; {bench_methods.cpu_name()}, 2 cores, "
        f"23 GB RAM; load average before {', '.join(load)}. Both models' files are larger than the page "
        "cache together, so the per-model passes and the weight methods read from disk.",
        "",
    ]
    a = folder / "a"
    if not (a / "model.safetensors.index.json").exists():
        print(f"writing {a}", file=sys.stderr, flush=True)
        write_model(base, a, max_shard_bytes=4 << 30)
    for name, model in models.items():
        b = folder / "b"
        print(f"writing {b} ({name})", file=sys.stderr, flush=True)
        write_model(model, b, max_shard_bytes=4 << 30)
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--child-whole", str(a), str(b)],
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(r), file=sys.stderr, flush=True)
        lines += [f"**{name}** pair: {wall / 60:.1f} minutes in all, peak RSS {r['peak_rss_mb']:.0f} MB, "
                  f"verdict {r['verdict']}; weight_matching's alignment: {r.get('alignment')}.", "",
                  "| phase | wall (s) | CPU (s) | score | z | p | layers tested |", "|---|---:|---:|---:|---:|---:|---|"]  # fmt: skip
        for ph in r["phases"]:
            res = r["results"].get(ph["phase"], {})
            tested = res.get("extra_layers") or [None, None]
            lines.append(
                f"| {ph['phase']} | {ph['wall']:.1f} | {ph['cpu']:.1f} | {bench_methods.fmt(res.get('score'), '.4g')} "
                f"| {bench_methods.fmt(res.get('z'), '.1f')} | {bench_methods.fmt(res.get('p'), '.2g')} "
                f"| {'' if tested[0] is None else f'{tested[0]} of {tested[1]}'} |"
            )
        lines.append("")
    return "\n".join(lines)


def founding(layers: int, folder: Path) -> str:
    """The founding dispute's pair at full width (``--founding N``): Qwen2.5-14B's dense layers against
    Pangu Pro MoE's (64 experts of 1344 plus a shared expert of 5376 per layer) at N layers, as
    independent synthetic models (the slowest case for the assignments); every weight method in a fresh
    process."""
    from provenance.fingerprint.synthetic.real_layouts import PANGU_PRO_MOE, QWEN2_5_14B, RealLayoutModel
    from provenance.fingerprint.synthetic.writer import write_model

    paths = {}
    for name, config, seed, recipe in (
        ("qwen", QWEN2_5_14B, 1, "a"),
        ("pangu", PANGU_PRO_MOE, 1001, "b"),
    ):
        paths[name] = folder / name
        if not (paths[name] / "model.safetensors.index.json").exists():
            print(f"writing {paths[name]}", file=sys.stderr, flush=True)
            model = RealLayoutModel({**config, "num_hidden_layers": layers}, seed=seed, recipe=recipe)
            write_model(model, paths[name], max_shard_bytes=4 << 30)
    load = Path("/proc/loadavg").read_text().split()[:3]
    lines = [
        f"### Qwen2.5-14B against Pangu Pro MoE at full width, {layers} layers "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"`python benchmarks/bench_real_size.py --founding {layers}`; load average before {', '.join(load)}.",
        "",
        "| method | wall (s) | CPU (s) | peak RSS (MB) | score | z | p |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for method in ("embedding_anchor", "neuron_matching", "expert_upcycling", "weight_matching"):
        r = bench_methods.measure(f"ours:{method}", paths["qwen"], paths["pangu"])
        print(json.dumps(r), file=sys.stderr, flush=True)
        lines.append(
            f"| {method} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['peak_rss_mb']:.0f} "
            f"| {bench_methods.fmt(r.get('score'), '.4g')} | {bench_methods.fmt(r.get('z'), '.1f')} "
            f"| {bench_methods.fmt(r.get('p'), '.2g')} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child-whole":
        whole_child(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--depths", default="2,4")
    ap.add_argument("--check", type=int, default=0, help="also run this depth and compare with the estimate")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument(
        "--dir", type=Path, default=None, help="where to write the checkpoints (default: a temp dir)"
    )
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument(
        "--founding", type=int, default=0, help="Qwen2.5-14B vs Pangu Pro MoE, full width, N layers"
    )
    ap.add_argument("--whole", type=int, default=0, help="the whole comparison at this depth (see above)")
    ap.add_argument(
        "--pairs", default="derived,unrelated", help="with --whole: derived, unrelated, retokenised"
    )
    args = ap.parse_args()
    if args.founding:
        print(founding(args.founding, args.dir or Path(tempfile.mkdtemp(prefix="bench-founding-"))))
        return
    if args.whole:
        folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-whole-"))
        text = whole(args.whole, folder, args.pairs.split(","))
        print(text)
        if args.out:
            with args.out.open("a") as f:
                f.write("\n" + text + "\n")
        return
    depths = [int(d) for d in args.depths.split(",")] + ([args.check] if args.check else [])
    methods = args.methods.split(",")
    load = Path("/proc/loadavg").read_text().split()[:3]
    rows: list[dict] = []
    for layers in depths:
        with tempfile.TemporaryDirectory(prefix="bench-real-", dir=args.dir) as tmp:
            paths = build(Path(tmp), layers)
            for pair in ("derived", "unrelated"):
                for method in methods:
                    started = time.perf_counter()
                    r = bench_methods.measure(f"ours:{method}", paths["a"], paths[pair])
                    r.update(layers=layers, pair=pair, method=method, outer=time.perf_counter() - started)
                    print(json.dumps(r), file=sys.stderr, flush=True)
                    rows.append(r)
            shutil.rmtree(tmp, ignore_errors=True)
    text = report(rows, depths[:2], args.check, load)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


def report(rows: list[dict], fit: list[int], check: int, load: list[str]) -> str:
    lo, hi = fit
    by = {(r["method"], r["pair"], r["layers"]): r for r in rows}
    lines = [
        "# Strong methods at the real size of Qwen2.5-14B",
        "",
        f"`python benchmarks/bench_real_size.py --depths {lo},{hi}"
        + (f" --check {check}`" if check else "`"),
        "",
        f"- **Date**: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. **Machine**: {bench_methods.cpu_name()}, "
        f"2 cores; load average before the run {', '.join(load)}.",
        "- **Shape**: hidden 5120, MLP 13824, 40/8 heads, vocabulary 152,064 (every layer at its real size); "
        "synthetic bf16 weights. *derived*: B = A + 10 % iid noise; *unrelated*: another seed and recipe.",
        f"- Per layer = (t({hi}) − t({lo})) / {hi - lo}; fixed = t({lo}) − {lo} × per layer; "
        f"48 layers = fixed + 48 × per layer. CPU seconds are steadier than wall on a shared machine.",
        "",
        "| method | pair | wall/layer (s) | CPU/layer (s) | fixed wall (s) | peak RSS (MB) | est. 48 layers wall (min) | score | p |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    totals: dict[str, float] = {}
    for (method, pair, layers), r in sorted(by.items()):
        if layers != hi:
            continue
        r_lo = by[(method, pair, lo)]
        per = (r["wall"] - r_lo["wall"]) / (hi - lo)
        per_cpu = (r["cpu"] - r_lo["cpu"]) / (hi - lo)
        fixed = r_lo["wall"] - lo * per
        est = (fixed + LAYERS_REAL * per) / 60
        totals[pair] = totals.get(pair, 0.0) + est
        peak = max(by[(method, pair, d)]["peak_rss_mb"] for d in (lo, hi))
        lines.append(
            f"| {method} | {pair} | {per:.1f} | {per_cpu:.1f} | {fixed:.1f} | {peak:.0f} | {est:.1f} "
            f"| {bench_methods.fmt(r.get('score'), '.4g')} | {bench_methods.fmt(r.get('p'), '.2g')} |"
        )
    lines += ["", "Estimated total of these methods for a 48-layer pair: "
              + ", ".join(f"{pair} {t:.1f} min" for pair, t in totals.items()) + "."]  # fmt: skip
    if check:
        lines += ["", f"Check at {check} layers (estimate from the fit vs measured wall):", ""]
        for (method, pair, layers), r in sorted(by.items()):
            if layers != check:
                continue
            r_lo, r_hi = by[(method, pair, lo)], by[(method, pair, hi)]
            per = (r_hi["wall"] - r_lo["wall"]) / (hi - lo)
            est = r_lo["wall"] + (check - lo) * per
            lines.append(f"- {method}, {pair}: estimated {est:.1f} s, measured {r['wall']:.1f} s "
                         f"({r['wall'] / est:.2f} ×), peak RSS {r['peak_rss_mb']:.0f} MB")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    main()
