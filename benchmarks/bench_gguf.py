"""Memory benchmark of the GGUF reader: ``inspect`` of a ≥ 2 GB GGUF in a fresh process, peak RSS.

Builds (once, reused) a llama GGUF quantised like Q4_K_M (``write_gguf_of_size``: Q4_K and Q6_K
blocks, Q/K rows permuted, so the un-permutation path runs too), then runs
``python -m provenance.fingerprint inspect FILE --quiet`` in a subprocess and reports its wall time,
CPU time and peak RSS (``ru_maxrss`` of the child: the kernel's high-water mark). The issue's bound:
peak RSS under 512 MB whatever the file's size. Usage::

    python benchmarks/bench_gguf.py --size-gb 2.1 [--dir /tmp/gguf-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=2.1)
    parser.add_argument("--dir", default="/tmp/provenance-gguf-bench")
    args = parser.parse_args()
    from provenance.fingerprint.synthetic.gguf_writer import write_gguf_of_size

    path = Path(args.dir) / f"llama-{args.size_gb:g}GB-Q4_K_M.gguf"
    if not path.exists():
        t0 = time.perf_counter()
        write_gguf_of_size(path, int(args.size_gb * 1e9))
        print(f"wrote {path} ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t0:.0f} s")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "provenance.fingerprint", "inspect", str(path), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        sys.exit(f"inspect failed ({out.returncode}): {out.stderr[-2000:]}")
    result = {
        "file_gb": round(path.stat().st_size / 1e9, 3),
        "wall_s": round(wall, 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024, 1),  # KB on Linux
        "limit_mb": 512,
    }
    print(out.stdout.splitlines()[1])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
