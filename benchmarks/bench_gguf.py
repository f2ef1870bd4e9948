"""Memory benchmark of the GGUF reader: ``inspect`` of a ≥ 2 GB GGUF in a fresh process, peak RSS.

Builds (once, reused) a llama GGUF quantised like Q4_K_M (``write_gguf_of_size``: Q4_K and Q6_K
blocks, Q/K rows permuted, so the un-permutation path runs too), then runs
``python -m provenance.fingerprint inspect FILE --quiet`` in a subprocess and reports its wall time,
CPU time and peak RSS (``ru_maxrss`` of the child: the kernel's high-water mark). The issue's bound:
peak RSS under 512 MB whatever the file's size. Usage::

    python benchmarks/bench_gguf.py --size-gb 2.1 [--dir /tmp/gguf-bench]

``--metadata``: the header's memory instead (issue 22, item 17), the reader before (``--before``, a
git revision, extracted to a temporary folder) and now on the same run, on the files of
``tests/fingerprint/test_gguf_memory.py`` (a 200 MB ``u8`` array, vocabularies of 1 M and 3 M
tokens): how far opening the checkpoint raises peak RSS above the imports, its CPU time, the ratios;
then the 400 MB array and the 3 M vocabulary with 150 MB of address space left (``RLIMIT_AS``):
what the CLI says.
"""

from __future__ import annotations

import argparse
import io
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
    parser.add_argument("--metadata", action="store_true", help="the header's memory, before and now")
    parser.add_argument("--before", default="a1e4aa9", help="the revision of the reader before")
    args = parser.parse_args()
    if args.metadata:
        return metadata(Path(args.dir), args.before)
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


def metadata(folder: Path, before_rev: str) -> None:
    import tarfile
    import tempfile

    from provenance.fingerprint.synthetic.gguf_writer import write_gguf_with_metadata
    from tests.fingerprint.test_gguf_memory import probe

    cases = {"array-200MB": {"array_bytes": 200 * 2**20}, "array-400MB": {"array_bytes": 400 * 2**20}}
    cases |= {"tokens-1M": {"tokens": 10**6}, "tokens-3M": {"tokens": 3 * 10**6}}
    files = {}
    for name, spec in cases.items():
        files[name] = folder / f"metadata-{name}.gguf"
        if not files[name].exists():
            write_gguf_with_metadata(files[name], **spec)
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "archive", before_rev, "provenance"], cwd=ROOT, capture_output=True, check=True
        )
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        code = {"before": Path(tmp), "now": ROOT}
        for name in ("array-200MB", "tokens-1M", "tokens-3M"):
            row = {"file": name}
            for when, root in code.items():
                out = probe(files[name], code=root)
                row[when] = (
                    json.loads(out.stdout.splitlines()[-1]) if out.returncode == 0 else out.stderr[-300:]
                )
            b, n = row["before"], row["now"]
            row["peak_ratio"] = round(b["grew_mb"] / max(n["grew_mb"], 1), 1)  # MB above the imports, floor 1
            row["cpu_ratio"] = round(b["cpu_s"] / max(n["cpu_s"], 0.01), 2)
            print(json.dumps(row))
        for name in ("array-400MB", "tokens-3M"):
            for when, root in code.items():
                out = probe(files[name], 150, code=root)
                said = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""
                print(
                    json.dumps(
                        {
                            "file": name,
                            "address_space": "+150 MB",
                            "code": when,
                            "exit": out.returncode,
                            "said": said,
                        }
                    )
                )


if __name__ == "__main__":
    main()
