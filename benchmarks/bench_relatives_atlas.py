"""The lineage-search evaluation atlas (issue 24): recall@5 per kind and strong-tier false positives.

Writes every member of ``synthetic.atlas.atlas_models`` (``--families`` families of a base and one
member of each kind, ``--independents`` independent bases of the same shape and recipes) as a real
checkpoint (bf16 safetensors; GGUF Q8_0 for the ``gguf`` kind), fingerprints each with the engine's
pass, saves the fingerprints in one folder, builds the folder index (``relatives.index``) and then:

* queries every derived member (itself left out): hit@5 if a checkpoint of one of its parent families
  (the base or a sibling) is among the first 5 candidates; ``base@5`` counts the base alone;
* queries every independent base: any candidate in the strong tier is a false positive; also counted,
  candidates in the "some" tier;
* for ``retok_permuted`` (a foreign tokenizer on permuted units): found@5, or else every candidate of
  its family reported as "cannot tell" (never a confident stranger above it).

Prints a Markdown table (paste into ``benchmarks/RESULTS_RELATIVES.md``) and, with ``--json OUT``, the
figures. ``--small`` (3 families, 12 independents, 6 layers) is what the test runs.

Usage::

    python benchmarks/bench_relatives_atlas.py            # 20 families, 40 independents, 12 layers
    python benchmarks/bench_relatives_atlas.py --small --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.fingerprint.relatives.index import open_folder_index  # noqa: E402
from provenance.fingerprint.stats import fingerprint_checkpoint  # noqa: E402
from provenance.fingerprint.synthetic.atlas import KINDS, atlas_models, parents_of, write_atlas_member  # noqa: E402

TOP = 5


def family_of(name: str) -> str | None:
    return name.split(".", 1)[0] if "." in name else None


def build(root: Path, families: int, independents: int, layers: int | None) -> tuple[Path, dict]:
    models = atlas_models(families, independents, layers=layers)
    index_dir = root / "fingerprints"
    index_dir.mkdir(parents=True, exist_ok=True)
    for name, (model, kind, _fam) in models.items():
        path = write_atlas_member(model, kind, root / "checkpoints" / name)
        (index_dir / f"{name}.json").write_text(fingerprint_checkpoint(path).to_json())
    return index_dir, {name: kind for name, (_m, kind, _f) in models.items()}


def evaluate(index_dir: Path, kinds: dict[str, str], families: int) -> dict:
    from provenance.fingerprint.fingerprint import ModelFingerprint

    t0 = time.perf_counter()
    index, skipped = open_folder_index(index_dir)
    build_s = time.perf_counter() - t0
    assert not skipped, skipped
    hits: dict[str, list[int]] = defaultdict(list)
    base_hits: dict[str, list[int]] = defaultdict(list)
    misses, fps, some, retok = [], [], [], []
    tiers: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    some_by: dict[str, int] = defaultdict(int)
    times = []
    for name, kind in kinds.items():
        if kind == "base":
            continue
        fp = ModelFingerprint.from_json((index_dir / f"{name}.json").read_text())
        t = time.perf_counter()
        result = index.search(fp, exclude=f"{name}.json")
        times.append(time.perf_counter() - t)
        top = result.candidates[:TOP]
        if kind == "independent":
            fps += [(name, c.name) for c in result.candidates if c.tier == "strong"]
            some += [(name, c.name) for c in result.candidates if c.tier == "some"]
            for c in result.candidates:
                if c.tier == "some":
                    some_by["sketch" if (c.sketch.z or 0) >= 3 else "profile"] += 1
            continue
        parents = parents_of(name, families)
        hit = any(family_of(c.name[:-5]) in parents for c in top)
        best = next((c for c in result.candidates if family_of(c.name[:-5]) in parents), None)
        tiers[kind][best.tier if best else "absent"] += 1
        hits[kind].append(int(hit))
        base_hits[kind].append(int(any(c.name == f"{family_of(name)}.base.json" for c in top)))
        if not hit:
            misses.append((name, [(c.name, c.tier, round(c.sd, 1)) for c in top[:3]]))
        if kind == "retok_permuted" and not hit:
            ranked_above = [
                c
                for c in result.candidates
                if family_of(c.name[:-5]) not in parents and c.tier in ("strong", "some")
            ]
            retok.append((name, len(ranked_above)))
    total = [h for k in hits for h in hits[k]]
    times.sort()
    return {
        "checkpoints": len(kinds),
        "families": families,
        "independents": sum(1 for k in kinds.values() if k == "independent"),
        "recall_at_5": sum(total) / len(total),
        "tiers": {k: dict(tiers[k]) for k in KINDS if k in tiers},
        "some_tier_by_part": dict(some_by),
        "per_kind": {
            k: {
                "recall_at_5": sum(hits[k]) / len(hits[k]),
                "base_at_5": sum(base_hits[k]) / len(hits[k]),
                "n": len(hits[k]),
            }
            for k in KINDS
            if hits[k]
        },
        "strong_false_positives": len(fps),
        "strong_false_positive_pairs": fps[:20],
        "some_tier_among_independents": len(some),
        "independent_queries": sum(1 for k in kinds.values() if k == "independent"),
        "misses": misses,
        "retok_permuted_missed_with_confident_strangers": retok,
        "index_build_s": build_s,
        "query_p50_ms": 1000 * times[len(times) // 2],
        "query_p95_ms": 1000 * times[int(len(times) * 0.95)],
    }


def table(r: dict) -> str:
    lines = [
        f"{r['checkpoints']} checkpoints: {r['families']} families × (base + {len(KINDS)} kinds), "
        f"{r['independents']} independent bases.",
        "",
        "| kind | members | recall@5 (family) | base@5 | tier of the best family candidate |",
        "|---|---|---|---|---|",
    ]
    for k, v in r["per_kind"].items():
        t = ", ".join(f"{tier} {n}" for tier, n in sorted(r["tiers"].get(k, {}).items()))
        lines.append(f"| {k} | {v['n']} | {v['recall_at_5']:.0%} | {v['base_at_5']:.0%} | {t} |")
    lines += [
        f"| **all derived** | {sum(v['n'] for v in r['per_kind'].values())} | **{r['recall_at_5']:.1%}** | | |",
        "",
        f"Strong-tier candidates for the {r['independent_queries']} independent queries: "
        f"{r['strong_false_positives']}; in the 'some' tier: {r['some_tier_among_independents']} "
        f"(of {r['independent_queries'] * (r['checkpoints'] - 1)} pairs; reached by "
        f"{', '.join(f'the {k} {n}' for k, n in sorted(r['some_tier_by_part'].items())) or 'none'}).",
        f"Index built in {r['index_build_s']:.1f} s; query p50 {r['query_p50_ms']:.0f} ms, "
        f"p95 {r['query_p95_ms']:.0f} ms (brute force over {r['checkpoints']} signatures).",
    ]
    if r["misses"]:
        lines += ["", "Misses (first three candidates: name, tier, sd):"]
        lines += [f"- {name}: {top}" for name, top in r["misses"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=20)
    parser.add_argument("--independents", type=int, default=40)
    parser.add_argument("--layers", type=int, default=None, help="override the tiny shape's 12 layers")
    parser.add_argument("--small", action="store_true", help="3 families, 12 independents, 6 layers")
    parser.add_argument("--json", metavar="OUT")
    parser.add_argument("--keep", metavar="DIR", help="write the atlas here (and keep it), not in a temp dir")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: search the atlas already written there"
    )
    args = parser.parse_args()
    if args.small:
        args.families, args.independents, args.layers = 3, 12, 6
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        t0 = time.perf_counter()
        if args.reuse and args.keep:
            models = atlas_models(args.families, args.independents, layers=args.layers)
            index_dir, kinds = root / "fingerprints", {n: kind for n, (_m, kind, _f) in models.items()}
        else:
            index_dir, kinds = build(root, args.families, args.independents, args.layers)
        written = time.perf_counter() - t0
        result = evaluate(index_dir, kinds, args.families)
        result["write_and_fingerprint_s"] = written
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
