"""The alignment null kept per shape (issue 27): a full default comparison without and with the cache.

In one run, on one synthetic pair (``build_lineage_set``: base against finetune, ``--size``), the full
default comparison (``compare_fingerprints``, every method, weights read; fingerprints made once
beforehand and reported apart) is run once uncounted (imports, JIT, page cache), then timed three ways, each starting with the per-process copy of the
null cleared: no cache (every report computes the null, as before), a cold file cache (computes and
keeps it: a new shape's first report) and a warm file cache (reads it). The reports must be identical;
the table gives wall and CPU seconds and the ratios to the uncached run (paste into
``benchmarks/RESULTS_NULL_CACHE.md``).

Usage::

    python benchmarks/bench_null_cache.py --size small --repeat 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.fingerprint.methods import weight_matching  # noqa: E402
from provenance.fingerprint.null_cache import FileNullCache  # noqa: E402
from provenance.fingerprint.reader import open_checkpoint  # noqa: E402
from provenance.fingerprint.report import compare_fingerprints  # noqa: E402
from provenance.fingerprint.stats import fingerprint_checkpoint  # noqa: E402
from provenance.fingerprint.synthetic import build_lineage_set  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small", choices=["tiny", "small"])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each way (the best is kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-null-") as tmp:
        models = build_lineage_set(Path(tmp) / "set", size=args.size, seed=0)
        t = time.perf_counter()
        fps = [fingerprint_checkpoint(models[n]) for n in ("base", "finetune")]
        fingerprint_s = time.perf_counter() - t

        def run(cache) -> tuple[float, float, str]:
            weight_matching._null_layer_tests.cache_clear()
            weights = tuple(open_checkpoint(models[n]) for n in ("base", "finetune"))
            wall, cpu = time.perf_counter(), time.process_time()
            report = compare_fingerprints(*fps, weights=weights, null_cache=cache)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            return wall, cpu, json.dumps(report.to_dict(), sort_keys=True)

        warmup = run(None)[0]  # imports, JIT compilation and page cache: not counted
        rows: dict[str, tuple[float, float]] = {}
        outputs = set()
        for k in range(args.repeat):
            folder = Path(tmp) / f"nulls{k}"
            for way, cache in (
                ("no cache", None),
                ("cold cache (first report of the shape)", FileNullCache(folder)),
                ("warm cache", FileNullCache(folder)),
            ):
                wall, cpu, out = run(cache)
                outputs.add(out)
                best = rows.get(way)
                rows[way] = (wall, cpu) if best is None or wall < best[0] else best
        base_wall, base_cpu = rows["no cache"]
        print(
            f"size {args.size}, fingerprints of the pair {fingerprint_s:.1f} s (apart); warm-up run {warmup:.1f} s; best of {args.repeat}"
        )
        print(f"reports identical in every way: {len(outputs) == 1}\n")
        print("In one process (a worker):\n")
        print("| comparison | wall s | CPU s | wall ratio to no cache | CPU ratio |")
        print("|---|---|---|---|---|")
        for way, (wall, cpu) in rows.items():
            print(f"| {way} | {wall:.1f} | {cpu:.1f} | {wall / base_wall:.2f} | {cpu / base_cpu:.2f} |")
        cli(models, Path(tmp) / "cli-nulls")


def cli(models: dict[str, Path], folder: Path) -> None:
    """``compare`` on the command line, a fresh process each way (start-up and fingerprints included)."""
    command = [sys.executable, "-m", "provenance.fingerprint", "compare", str(models["base"])]
    command += [str(models["finetune"]), "--quiet", "--json", "/dev/stdout"]
    rows, outputs = {}, set()
    for way, extra in (
        ("no cache", ["--no-null-cache"]),
        ("cold cache", ["--null-cache", str(folder)]),
        ("warm cache", ["--null-cache", str(folder)]),
    ):
        t = time.perf_counter()
        out = subprocess.run(command + extra, capture_output=True, text=True, check=True, cwd=ROOT).stdout
        rows[way] = time.perf_counter() - t
        outputs.add(out)
    print(f"\nCommand line, a fresh process each (reports identical: {len(outputs) == 1}):\n")
    print("| compare | wall s | wall ratio to no cache |")
    print("|---|---|---|")
    for way, wall in rows.items():
        print(f"| {way} | {wall:.1f} | {wall / rows['no cache']:.2f} |")


if __name__ == "__main__":
    main()
