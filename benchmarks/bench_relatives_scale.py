"""Lineage search at scale (issue 24): query time, memory and disk of the NumPy index at 10,000 checkpoints.

Builds a ``RelativesIndex`` of ``--n`` synthetic entries straight from signatures and digest sets (no
weights: what the index holds per checkpoint, at realistic sizes): depths drawn from ``DEPTHS``, each
role's matrices one shape per depth, 300-2,000 informative tensors per checkpoint, and one entry in ten
derived from an earlier one (half its digests shared, its sketch the parent's plus noise, its profile
the parent's plus noise). Then times ``--queries`` searches (``limit=20``: what a page shows), half of
them derived from an indexed entry, and reports p50/p95, the index's resident memory (RSS growth while
building, and the arrays' own bytes) and its on-disk size as the folder index writes it, per checkpoint.

Baseline, measured in the same run: the pair-by-pair scores (``compare.sketch_score`` and
``compare.profile_r``, what the index did before it stacked the signatures) over the first
``--baseline`` entries, scaled to ``--n``.

Usage::

    python benchmarks/bench_relatives_scale.py                  # 10,000 checkpoints
    python benchmarks/bench_relatives_scale.py --n 1000 --queries 20
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.fingerprint.fingerprint import TENSOR_HASH  # noqa: E402
from provenance.fingerprint.relatives.batch import TensorKeys  # noqa: E402
from provenance.fingerprint.relatives.compare import profile_r, sketch_score  # noqa: E402
from provenance.fingerprint.relatives.index import Entry, RelativesIndex  # noqa: E402
from provenance.fingerprint.relatives.signature import ROLES, SKETCH_SIZE, Signature  # noqa: E402

DEPTHS = (24, 28, 32, 40)
HIDDEN = {24: 2048, 28: 3584, 32: 4096, 40: 5120}


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    x = rng.standard_normal(shape).astype(np.float32)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def make_entry(rng: np.random.Generator, k: int, parent: Entry | None) -> Entry:
    layers = parent.signature.num_layers if parent else int(rng.choice(DEPTHS))
    h = HIDDEN[layers]
    n_tensors = int(rng.integers(300, 2001))
    if parent is not None:
        rows = np.stack([parent.signature.sketch[(layer, r)] for layer in range(layers) for r in ROLES])
        rows = rows + 0.3 * _unit(rng, rows.shape)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        profile = {
            r: v + 0.2 * rng.standard_normal(v.shape).astype(np.float32)
            for r, v in parent.signature.profile.items()
        }
    else:
        rows = _unit(rng, (layers * len(ROLES), SKETCH_SIZE))
        profile = {r: rng.standard_normal((2, layers)).astype(np.float32) for r in ROLES}
    sketch, shapes = {}, {}
    for n, (layer, r) in enumerate((layer, r) for layer in range(layers) for r in ROLES):
        sketch[(layer, r)] = rows[n].astype(np.float32)
        shapes[(layer, r)] = (
            (h, h)
            if r in ("q", "o")
            else ((h * 3, h) if r in ("gate", "up") else (h, h * 3) if r == "down" else (h // 4, h))
        )
    keys = rng.integers(0, 2**63, size=n_tensors, dtype=np.int64).astype(np.uint64)
    if parent is not None:
        half = min(len(parent.tensors.keys), n_tensors) // 2
        keys[:half] = parent.tensors.keys[:half]
    tensors = TensorKeys(
        keys,
        rng.integers(4096, 50_000_000, size=n_tensors),
        rng.integers(-1, layers, size=n_tensors).astype(np.int32),
    )
    sig = Signature(layers, 16384, 0, f"tok{k % 50}", sketch, shapes, profile)
    return Entry(f"ckpt{k:05d}", TENSOR_HASH, tensors, sig)


def search(index: RelativesIndex, entry: Entry, limit: int = 20):
    """``RelativesIndex.search`` minus reading a fingerprint (the query's signature and keys are given)."""
    from provenance.fingerprint.relatives.search import SearchResult, rank

    stacked, digests = index._arrays()
    shares = digests.query_keys(entry.tensors)
    return SearchResult(rank(stacked, stacked.scores(entry.signature), shares, entry.signature, limit=limit))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument(
        "--baseline", type=int, default=300, help="entries scored pair by pair for the baseline"
    )
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args()
    rng = np.random.default_rng(24)

    rss0 = _rss()
    t0 = time.perf_counter()
    index = RelativesIndex()
    entries: list[Entry] = []
    for k in range(args.n):
        parent = entries[int(rng.integers(len(entries)))] if entries and rng.random() < 0.1 else None
        e = make_entry(rng, k, parent)
        entries.append(e)
        index.add_entry(e)
    stacked, digests = index._arrays()
    build_s = time.perf_counter() - t0
    rss = _rss() - rss0
    array_bytes = sum(g.rows.nbytes + g.pooled.nbytes + g.profile.nbytes for g in stacked.groups.values())
    array_bytes += digests.keys.nbytes + digests.entry.nbytes + digests.layer.nbytes
    array_bytes += sum(
        e.tensors.keys.nbytes + e.tensors.nbytes.nbytes + e.tensors.layer.nbytes for e in entries
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.json"
        t = time.perf_counter()
        path.write_text(json.dumps(index.to_dict(), separators=(",", ":")))
        save_s = time.perf_counter() - t
        disk = path.stat().st_size

    times, found = [], 0
    for depth in DEPTHS:  # warm: the synthetic nulls of each depth pair are drawn once per process
        search(index, next(e for e in entries if e.signature.num_layers == depth))
    for q in range(args.queries):
        derived = q % 2 == 0
        parent = entries[int(rng.integers(len(entries)))]
        query = make_entry(rng, 100_000 + q, parent if derived else None)
        t = time.perf_counter()
        result = search(index, query)
        times.append(time.perf_counter() - t)
        if derived:
            found += any(c.name == parent.name for c in result.candidates[:5])
    times.sort()

    base = entries[: args.baseline]
    q = entries[-1].signature
    t = time.perf_counter()
    for e in base:
        sketch_score(q, e.signature)
        profile_r(q, e.signature)
    pairwise = (time.perf_counter() - t) / len(base) * args.n

    p50, p95 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]
    result = {
        "checkpoints": args.n,
        "tensors_per_checkpoint": float(np.mean([len(e.tensors.keys) for e in entries])),
        "layers_per_checkpoint": float(np.mean([e.signature.num_layers for e in entries])),
        "build_s": build_s,
        "query_p50_ms": 1000 * p50,
        "query_p95_ms": 1000 * p95,
        "pairwise_baseline_ms": 1000 * pairwise,
        "p95_over_baseline": p95 / pairwise,
        "derived_queries_parent_in_top5": f"{found}/{(args.queries + 1) // 2}",
        "rss_growth_mb": rss / 1e6,
        "rss_per_checkpoint_kb": rss / args.n / 1e3,
        "arrays_per_checkpoint_kb": array_bytes / args.n / 1e3,
        "disk_per_checkpoint_kb": disk / args.n / 1e3,
        "save_s": save_s,
    }
    for k, v in result.items():
        print(f"{k}: {v:.1f}" if isinstance(v, float) else f"{k}: {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
