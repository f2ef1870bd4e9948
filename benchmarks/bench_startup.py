"""Start-up and the hashing floor of the engine's command line, before and after, in one run.

Measures, each in fresh subprocesses, best of ``--repeat`` wall times (5 by default; 3 for the
inspect runs, which take seconds):

  import       ``python -c "import provenance.fingerprint.cli"``, and the same under
               ``python -X importtime`` (the cumulative microseconds of the cli module);
  --help       ``python -m provenance.fingerprint --help``;
  inspect      ``python -m provenance.fingerprint inspect CKPT --quiet`` of a synthetic bf16 Llama-style
               checkpoint of about 1.3 GB in two shards (``bench_fingerprint.build``), page cache warm;
  openssl      one ``openssl dgst -sha256`` process over the same two files (the digest the report
               must publish; one SHA-256 stream cannot be split across cores): the floor;
  hashlib      ``hashlib.sha256`` over the same files in 1 MiB blocks, in one Python process;
  crossover    ``fingerprint_checkpoint(processes=1)`` against ``processes=2`` (the worker pool forced
               on whatever the size, in a fresh process: the forkserver starts, as in the command
               line) on two-shard checkpoints of several sizes: where the pool starts to pay.

"before" is the baseline checkout (``--baseline``, default ``/work/main``) run with its own Python
from its own folder; "after" is this checkout. DJANGO_SETTINGS_MODULE is removed from the
children's environment (the command line of a shell). Usage::

    python benchmarks/bench_startup.py                  # writes the checkpoints under /tmp
    python benchmarks/bench_startup.py --delete         # and deletes them at the end

Memory of the builder: one 64 MB pool of random values, written in slices.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_fingerprint  # noqa: E402
from bench_fingerprint import build  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}


def best(cmd: list[str], cwd: Path, repeat: int, env: dict | None = None) -> float:
    """The least wall time of ``repeat`` runs of ``cmd`` (seconds); a failing run stops the benchmark."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env or ENV, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return min(times)


def importtime_ms(python: str, cwd: Path) -> float:
    """Cumulative import time of provenance.fingerprint.cli under -X importtime (ms)."""
    err = subprocess.run(
        [python, "-X", "importtime", "-c", "import provenance.fingerprint.cli"],
        cwd=cwd, env=ENV, check=True, capture_output=True, text=True,
    ).stderr  # fmt: skip
    line = next(ln for ln in err.splitlines() if ln.rstrip().endswith("| provenance.fingerprint.cli"))
    return int(re.split(r"\s*\|\s*", line)[1]) / 1000


PASS = """
import sys, time
from provenance.fingerprint import parallel, stats
from provenance.fingerprint.reader import open_checkpoint
parallel.MIN_BYTES = 0  # the pool whatever the size: the crossover is what is measured
ckpt = open_checkpoint(sys.argv[1])
t = time.perf_counter()
stats.fingerprint_checkpoint(ckpt, processes=int(sys.argv[2]))
print(time.perf_counter() - t)
"""


def pass_seconds(python: str, cwd: Path, folder: Path, processes: int, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [python, "-c", PASS, str(folder), str(processes)], cwd=cwd, env=ENV, check=True,
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        runs.append(float(out.strip().splitlines()[-1]))
    return min(runs)


def warm(folder: Path) -> None:
    for f in sorted(folder.glob("*.safetensors")):
        with open(f, "rb") as fh:
            while fh.read(16 * 2**20):
                pass


def hashlib_seconds(files: list[Path]) -> float:
    code = "import sys, hashlib\nfor p in sys.argv[1:]:\n h = hashlib.sha256()\n with open(p, 'rb') as f:\n  while b := f.read(1 << 20): h.update(b)\n"
    return best([sys.executable, "-c", code, *map(str, files)], ROOT, 3)


def build_small(folder: Path, mb: int) -> None:
    """A two-shard checkpoint of about ``mb`` MB: bench_fingerprint's builder, with a narrower model
    under 1 GB (its 2048-wide, 32k-token embeddings alone are 262 MB)."""
    if mb >= 1000:
        return build(folder, mb / 1000, mb / 1000 / 2 + 0.02)
    wide = (bench_fingerprint.D_MODEL, bench_fingerprint.D_FF, bench_fingerprint.VOCAB)
    bench_fingerprint.D_MODEL, bench_fingerprint.D_FF, bench_fingerprint.VOCAB = 1024, 2816, 8000
    try:
        build(folder, mb / 1000, mb / 1000 / 2 + 0.02)
    finally:
        bench_fingerprint.D_MODEL, bench_fingerprint.D_FF, bench_fingerprint.VOCAB = wide


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", default="/work/main", help="the checkout measured as 'before'")
    ap.add_argument("--work", default="/tmp/bench_startup", help="where the checkpoints are written")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--crossover-mb", default="128,512,2600,5200", help="sizes (MB) of the two-shard checkpoints"
    )
    ap.add_argument("--delete", action="store_true", help="delete the checkpoints at the end")
    args = ap.parse_args()
    base = Path(args.baseline)
    sides = {"before": (str(base / ".venv" / "bin" / "python"), base), "after": (sys.executable, ROOT)}
    work = Path(args.work)
    big = work / "bf16-1.3GB"
    build(big, 1.3, 0.7)  # two shards: 0.69 GB and 0.65 GB
    files = sorted(big.glob("*.safetensors"))
    warm(big)
    rows: list[tuple[str, float, float]] = []
    cli = ["-m", "provenance.fingerprint"]
    for label, argv, repeat in (
        ("import provenance.fingerprint.cli (s)", ["-c", "import provenance.fingerprint.cli"], args.repeat),
        ("python -m provenance.fingerprint --help (s)", [*cli, "--help"], args.repeat),
        (f"inspect {sum(f.stat().st_size for f in files) / 1e9:.2f} GB bf16, 2 shards, warm (s)",
         [*cli, "inspect", str(big), "--quiet"], 3),
    ):  # fmt: skip
        got = dict.fromkeys(sides, math.inf)
        for _ in range(repeat):  # before and after in turns: a change in the machine's load hits both
            for side, (py, cwd) in sides.items():
                got[side] = min(got[side], best([py, *argv], cwd, 1))
        rows.append((label, got["before"], got["after"]))
    got = {side: importtime_ms(py, cwd) for side, (py, cwd) in sides.items()}
    rows.append(("-X importtime, cli cumulative (ms)", got["before"], got["after"]))
    openssl = best(["openssl", "dgst", "-sha256", *map(str, files)], ROOT, 3)
    hashed = hashlib_seconds(files)

    print(f"\nmachine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| measure | before | after | after ÷ before |")
    print("|---|---:|---:|---:|")
    for label, b, a in rows:
        print(f"| {label} | {b:.3f} | {a:.3f} | {a / b:.2f} |")
    inspect_before, inspect_after = rows[2][1], rows[2][2]
    print(f"| openssl dgst -sha256, same files (s) | {openssl:.3f} | {openssl:.3f} | |")
    print(f"| hashlib.sha256 stream, same files (s) | {hashed:.3f} | {hashed:.3f} | |")
    print(f"| inspect ÷ openssl | {inspect_before / openssl:.2f} | {inspect_after / openssl:.2f} | |")

    print("\n| two-shard checkpoint | 1 process (s) | 2 processes (s) | 2 ÷ 1 |")
    print("|---|---:|---:|---:|")
    py, cwd = sides["after"]
    folders = {1300: big}
    for mb in (int(mb) for mb in args.crossover_mb.split(",") if mb):
        folders[mb] = work / f"bf16-{mb}MB"
        build_small(folders[mb], mb)
    for _mb, folder in sorted(folders.items()):
        warm(folder)
        size = sum(f.stat().st_size for f in folder.glob("*.safetensors")) / 1e6
        one, two = (pass_seconds(py, cwd, folder, n, 3) for n in (1, 2))
        print(f"| {size:.0f} MB | {one:.3f} | {two:.3f} | {two / one:.2f} |")
    if args.delete:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
