"""Benchmark of the weight-reading methods against reference-style code that loads both models whole.

Builds (once, reused) a related pair of synthetic bf16 Qwen2-style checkpoints of ``--size-gb`` each
(hidden 2048, MLP 5632, vocabulary 32,000, GQA 16/4 heads; B = A + iid noise of 10 % of each
tensor's σ, with the same tokenizer), then measures, each in a fresh subprocess so peak RSS is the
run's own (``VmHWM``):

  ours:embedding_anchor   ``embedding_anchor.compare_weights``: ≤ 8192 shared-token embedding rows,
                          one layer's W_Q/W_K per model at a time, ≤ 1024 CKA dims, 32-sample null;
  ours:neuron_matching    ``neuron_matching.compare_weights``: one layer's W_up/W_gate per model at a
                          time, ≤ 1024 sampled neurons, robust + identity tests, 999-permutation L2;
  ours:tokenizer_overlap  reading both vocabularies;
  ours:weight_matching    ``weight_matching.compare_weights``: residual alignment from attention Grams
                          (≤ 256 MB of float32 Grams: 4 layers at d = 2048), then neuron matching;
  ref:embedding_anchor    what AWM's public code does: every shard of both models in RAM, then the
                          same anchor over all shared tokens and CKA over all hidden dims, no null;
  ref:neuron_matching     what Zhu et al.'s code does: both models in RAM, per layer the full
                          neuron × neuron cosine matrix of W_up and its assignment, no null.

The reference runs do strictly less statistical work than ours (no nulls, no robust test).
``expert_upcycling`` needs an MoE and is not run on this dense pair (its cost is one pass over
the MoE's expert matrices with the same per-layer memory as ``neuron_matching``).
Page cache: warm (the files are read once before each run). Usage::

    python benchmarks/bench_methods.py --size-gb 2 [--repeat 1] [--out benchmarks/RESULTS_METHODS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.fingerprint.synthetic.models import (  # noqa: E402 - after the path set-up
    BaseModel,
    ModelShape,
    SyntheticModel,
    TensorPlan,
    _name_key,
    layer_plan,
)

HIDDEN, INTER, HEADS, KV, VOCAB = 2048, 5632, 16, 4, 32000


class NoisyCopy(SyntheticModel):
    """Parent + iid Gaussian noise of ``scale`` × the block's own std (a fine-tune, cheaply)."""

    relation = "finetune"

    def __init__(self, parent: SyntheticModel, scale: float, seed: int):
        self.parent, self.scale, self.seed = parent, scale, seed
        self.shape, self.extra = parent.shape, {}

    def plan(self) -> list[TensorPlan]:
        return self.parent.plan()

    def sigma(self, role: str, layer: int) -> float:
        return self.parent.sigma(role, layer)

    def tokenizer(self) -> dict[str, Any]:
        return self.parent.tokenizer()

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        rng = np.random.default_rng([self.seed, _name_key(t.name)])
        for b in self.parent.blocks(t):
            yield b + (self.scale * float(b.std()) * rng.standard_normal(b.shape, dtype=np.float32))


def build(folder: Path, size_gb: float) -> tuple[Path, Path]:
    from provenance.fingerprint.synthetic.writer import write_model

    one = ModelShape(HIDDEN, 1, HEADS, KV, INTER, VOCAB)
    per_layer = sum(int(np.prod(t.shape)) for t in layer_plan(one, 0)) * 2
    fixed = 2 * VOCAB * HIDDEN * 2
    layers = max(1, math.ceil((size_gb * 1e9 - fixed) / per_layer))
    base = BaseModel(ModelShape(HIDDEN, layers, HEADS, KV, INTER, VOCAB), seed=1, structured=False)
    out = []
    for name, model in (("a", base), ("b", NoisyCopy(base, 0.1, seed=2))):
        path = folder / name
        if not (path / "config.json").is_file():
            print(f"writing {path} ({layers} layers)", file=sys.stderr)
            write_model(model, path, max_shard_bytes=1 << 30)
        out.append(path)
    return out[0], out[1]


# -- the runs ------------------------------------------------------------------------------------


def run_ours(method: str, a: Path, b: Path) -> dict:
    from provenance.fingerprint.methods import METHODS
    from provenance.fingerprint.reader import open_checkpoint
    from provenance.fingerprint.weights import PairWeights

    pair = PairWeights(open_checkpoint(a), open_checkpoint(b))
    # The weight methods read no fingerprint field; the benchmark leaves the statistics pass out.
    r = METHODS[method].compare_weights(None, None, pair, null_size=32, seed=0)
    c = r.calibration or {}
    return {"score": r.score, "z": c.get("z"), "p": c.get("p")}


def _load_all(folder: Path) -> dict[str, np.ndarray]:
    """Every tensor of every shard in RAM, as stored (bf16 through ml_dtypes), like ``from_pretrained``."""
    import ml_dtypes

    from provenance.fingerprint.reader import open_checkpoint

    ckpt = open_checkpoint(folder)
    out: dict[str, np.ndarray] = {}
    for f in ckpt.files:
        raw = np.fromfile(f.path, dtype=np.uint8)  # the whole shard
        for t in f.tensors:
            dt_ = {"BF16": ml_dtypes.bfloat16, "F16": np.float16, "F32": np.float32}[t.dtype]
            out[t.name] = raw[t.start : t.start + t.nbytes].view(dt_).reshape(t.shape)
    return out


def run_ref_embedding_anchor(a: Path, b: Path) -> dict:
    from scipy.optimize import linear_sum_assignment

    from provenance.fingerprint.methods.embedding_anchor import GramStats, cka
    from provenance.fingerprint.tokenizers import read_vocabulary, shared_tokens
    from provenance.fingerprint.weights import unit_columns

    wa, wb = _load_all(a), _load_all(b)
    shared = shared_tokens(read_vocabulary(a), read_vocabulary(b))
    ia = np.array([i for _, i, _ in shared])
    ib = np.array([j for _, _, j in shared])
    ea = wa["model.embed_tokens.weight"].astype(np.float32)[ia]
    eb = wb["model.embed_tokens.weight"].astype(np.float32)[ib]
    cos = unit_columns(ea).T @ unit_columns(eb)
    ra, rb = linear_sum_assignment(-np.abs(cos))
    sign = np.sign(cos[ra, rb])
    layers = sorted({int(n.split(".")[2]) for n in wa if n.startswith("model.layers.")})
    vals = []
    for layer in layers:
        for r in ("q", "k"):
            name = f"model.layers.{layer}.self_attn.{r}_proj.weight"
            xa = wa[name].astype(np.float32)[:, ra]
            xb = wb[name].astype(np.float32)[:, rb] * sign
            vals.append(cka(GramStats.of(xa.T), GramStats.of(xb.T)))
    return {"score": float(np.mean(vals)), "z": None, "p": None}


def run_ref_neuron_matching(a: Path, b: Path) -> dict:
    from scipy.optimize import linear_sum_assignment

    from provenance.fingerprint.methods.neuron_matching import fisher_log_p, spearman_log_p

    wa, wb = _load_all(a), _load_all(b)
    layers = sorted({int(n.split(".")[2]) for n in wa if n.startswith("model.layers.")})
    log_ps = []
    for layer in layers:
        name = f"model.layers.{layer}.mlp.up_proj.weight"
        ua, ub = wa[name].astype(np.float64), wb[name].astype(np.float64)
        ua /= np.linalg.norm(ua, axis=1, keepdims=True)
        ub /= np.linalg.norm(ub, axis=1, keepdims=True)
        r, c = linear_sum_assignment(ua @ ub.T, maximize=True)
        log_ps.append(spearman_log_p(r, c)[1])
    log_p = fisher_log_p(log_ps)[1]
    return {"score": -log_p / math.log(10), "z": None, "p": math.exp(log_p)}


RUNS = {
    "ours:embedding_anchor": lambda a, b: run_ours("embedding_anchor", a, b),
    "ours:neuron_matching": lambda a, b: run_ours("neuron_matching", a, b),
    "ours:tokenizer_overlap": lambda a, b: run_ours("tokenizer_overlap", a, b),
    "ours:weight_matching": lambda a, b: run_ours("weight_matching", a, b),
    "ours:expert_upcycling": lambda a, b: run_ours("expert_upcycling", a, b),
    "ref:embedding_anchor": run_ref_embedding_anchor,
    "ref:neuron_matching": run_ref_neuron_matching,
}


def peak_rss_mb() -> float:
    """VmHWM of this process (``ru_maxrss`` would carry the parent's peak over fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, a: Path, b: Path) -> None:
    start = time.perf_counter()
    out = RUNS[mode](a, b)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "mode": mode,
                "wall": time.perf_counter() - start,
                "cpu": usage.ru_utime + usage.ru_stime,
                "peak_rss_mb": peak_rss_mb(),
                **out,
            }
        )
    )


def warm(*folders: Path) -> None:
    buf = bytearray(16 << 20)
    for folder in folders:
        for p in sorted(folder.glob("*.safetensors")):
            with open(p, "rb", buffering=0) as f:
                while f.readinto(buf):
                    pass


def measure(mode: str, a: Path, b: Path) -> dict:
    warm(a, b)
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(a), str(b)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def fmt(v: Any, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def table(rows: list[dict]) -> str:
    best: dict[str, dict] = {}
    for r in rows:
        if r["mode"] not in best or r["wall"] < best[r["mode"]]["wall"]:
            best[r["mode"]] = r
    lines = [
        "| run | wall (s) | CPU (s) | peak RSS (MB) | wall / ref | RSS / ref | score | z | p |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, r in best.items():
        ref = best.get("ref:" + mode.split(":", 1)[1])
        vs_w = f"{r['wall'] / ref['wall']:.2f}" if ref and ref is not r else "-"
        vs_m = f"{r['peak_rss_mb'] / ref['peak_rss_mb']:.2f}" if ref and ref is not r else "-"
        lines.append(
            f"| {mode} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['peak_rss_mb']:.0f} | {vs_w} | {vs_m} "
            f"| {fmt(r.get('score'), '.4g')} | {fmt(r.get('z'), '.1f')} | {fmt(r.get('p'), '.2g')} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-gb", type=float, default=2.0)
    ap.add_argument(
        "--dir", type=Path, default=None, help="where to build (default var/bench/methods-<size>gb)"
    )
    ap.add_argument("--runs", default=",".join(RUNS), help=f"comma-separated, of {', '.join(RUNS)}")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None, help="write the Markdown results here")
    ap.add_argument("--child", nargs=3, metavar=("MODE", "A", "B"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child[0], Path(args.child[1]), Path(args.child[2]))
    folder = args.dir or ROOT / "var" / "bench" / f"methods-{args.size_gb:g}gb"
    a, b = build(folder, args.size_gb)
    size = sum(p.stat().st_size for p in a.glob("*.safetensors"))
    rows = []
    for _ in range(args.repeat):
        for mode in args.runs.split(","):
            r = measure(mode, a, b)
            print(json.dumps(r), file=sys.stderr)
            rows.append(r)
    text = table(rows)
    print(text)
    if args.out:
        layers = json.loads((a / "config.json").read_text())["num_hidden_layers"]
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        args.out.write_text(
            "# Weight-reading methods benchmark\n\n"
            f"`python benchmarks/bench_methods.py --size-gb {args.size_gb:g} --repeat {args.repeat}`\n\n"
            f"- **Date**: {when}. **Machine**: {cpu_name()}, {len(__import__('os').sched_getaffinity(0))} cores, "
            f"Python {platform.python_version()}, numpy {np.__version__}.\n"
            f"- **Pair**: two synthetic bf16 Qwen2-style checkpoints of {size / 1e9:.2f} GB each ({layers} layers, "
            f"hidden {HIDDEN}, MLP {INTER}, vocabulary {VOCAB}); B = A + 10 % iid noise, same tokenizer.\n"
            "- **Runs** (fresh process each, warm page cache): see the module docstring of "
            "`benchmarks/bench_methods.py`. *ours* holds one layer's matrices per model at a time; *ref* "
            "loads both checkpoints whole, as the public reference code does, and computes no null.\n"
            "- Peak RSS is the child's `VmHWM`; CPU is user + system time of all its threads. The VM was shared "
            "with other sessions' test runs, so wall times are noisy; CPU seconds are steadier.\n\n"
            + text
            + "\n"
        )


if __name__ == "__main__":
    main()
