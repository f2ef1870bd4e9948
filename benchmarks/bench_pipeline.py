"""Benchmark: one report through the real pipeline versus the engine alone, on the same pair.

    python benchmarks/bench_pipeline.py --size-gb 1.0 --runs 3

Builds (once, reused) two synthetic bf16 checkpoints of ``--size-gb`` each (different seeds) with
the engine's generator, then alternates, ``--runs`` times:

  engine    in this process: ``fingerprint_checkpoint`` of both, then ``compare_fingerprints`` with
            the methods of ``METHODS`` (every method but weight_matching; the weight-reading ones get the opened checkpoints);
  pipeline  ``report_request`` on fresh checkpoint rows (so nothing is cached) → a real Celery worker
            process (started once, before the runs, as in production) → ``succeeded``; timed from
            the request's commit to the report's ``finished_at`` as the worker recorded it.

The pipeline does more than the engine: it re-validates the headers, writes progress to the
database every REPORT_PROGRESS_SECONDS, stores the fingerprints (gzip'd JSON) and the result. (The
worker also draws the SVG charts, about a second, after the comparison.) Its overhead is (pipeline - engine) / engine. Files are read once before the
runs, so both measure a warm page cache. Uses DATABASE_URL / CELERY_BROKER_URL when set (PostgreSQL
and Redis), else SQLite and the filesystem broker in a scratch VAR_DIR.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_ID = os.urandom(3).hex()  # fresh rows in a database an earlier run used
# The same methods on both sides; weight_matching (minutes at these widths, the same minutes on both
# sides) is left out so that the pipeline's own cost is not lost in its noise.
METHODS = ["attn_std", "tensor_identity", "aligned_cosine", "embedding_anchor", "neuron_matching"]
sys.path.insert(0, str(ROOT))


def setup_django(work: Path, store: Path) -> None:
    os.environ["VAR_DIR"] = str(work / "var")
    os.environ["MODEL_STORE"] = str(store)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "provenance.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(store: Path, size_gb: float) -> list[Path]:
    from provenance.fingerprint.synthetic import write_checkpoint_of_size

    paths = []
    for seed in (1, 2):
        folder = store / f"bench-{size_gb:g}gb-{seed}"
        if not (folder / "config.json").exists():
            print(f"building {folder} ...", file=sys.stderr)
            write_checkpoint_of_size(folder, int(size_gb * 1e9), seed=seed)
        paths.append(folder)
    return paths


def warm(paths: list[Path]) -> None:
    for folder in paths:
        for f in folder.iterdir():
            with open(f, "rb") as fh:
                while fh.read(16 << 20):
                    pass


def engine_once(paths: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds (all threads) of the engine alone on the pair."""
    from provenance.fingerprint.reader import open_checkpoint
    from provenance.fingerprint.report import compare_fingerprints
    from provenance.fingerprint.stats import fingerprint_checkpoint

    start, cpu = time.perf_counter(), time.process_time()
    fa, fb = (fingerprint_checkpoint(p) for p in paths)
    # Every method, the weight-reading ones included, as the pipeline runs them.
    compare_fingerprints(fa, fb, methods=METHODS, weights=tuple(open_checkpoint(p) for p in paths))
    return time.perf_counter() - start, time.process_time() - cpu


def pipeline_once(paths: list[Path], run: int) -> tuple[float, dict]:
    from claims.models import AIModel, Party
    from claims.services import checkpoint_register, report_request

    party, _ = Party.objects.get_or_create(
        slug="bench", defaults={"name": "Benchmark", "kind": "organisation"}
    )
    checkpoints = [
        checkpoint_register(
            model=AIModel.objects.create(
                developer=party, name=f"bench-{RUN_ID}-{run}-{i}", slug=f"bench-{RUN_ID}-{run}-{i}"
            ),
            revision="v1",
            location=str(p),
            user=None,
        )[0]
        for i, p in enumerate(paths)
    ]
    report, _created = report_request(
        checkpoint_a=checkpoints[0], checkpoint_b=checkpoints[1], methods=METHODS, parameters=None, user=None
    )
    requested = report.requested_at
    while True:
        report.refresh_from_db()
        if report.status in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    if report.status != "succeeded":
        raise SystemExit(f"report failed: {report.error_message}\n{report.error_detail}")
    return (report.finished_at - requested).total_seconds(), report.timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size-gb", type=float, default=1.0, help="size of EACH checkpoint (the pair is twice)"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-pipeline")
    args = parser.parse_args()

    store = (args.workdir / "store").resolve()
    store.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=args.workdir))
    setup_django(work, store)
    paths = build(store, args.size_gb)
    warm(paths)

    sys.path.insert(0, str(ROOT / "tests" / "pipeline"))
    from worker_process import WorkerProcess

    engine, engine_cpu, pipeline, pipeline_cpu = [], [], [], []
    with WorkerProcess(model_store=store):
        for run in range(args.runs):
            wall, cpu = engine_once(paths)
            engine.append(wall)
            engine_cpu.append(cpu)
            seconds, report_timings = pipeline_once(paths, run)
            pipeline.append(seconds)
            pipeline_cpu.append(report_timings["cpu_seconds"])
            print(
                f"run {run + 1}: engine {wall:.2f} s ({cpu:.2f} CPU s), pipeline {seconds:.2f} s "
                f"({report_timings['cpu_seconds']:.2f} CPU s in the worker) {report_timings}",
                file=sys.stderr,
            )

    total_gb = sum(f.stat().st_size for p in paths for f in p.iterdir()) / 1e9
    e, p = statistics.median(engine), statistics.median(pipeline)
    db = os.environ.get("DATABASE_URL", "sqlite").split(":")[0]
    broker = os.environ.get("CELERY_BROKER_URL", "filesystem").split(":")[0]
    print(
        f"\nPair of {total_gb:.2f} GB (bf16), {args.runs} runs, warm page cache, database {db}, broker {broker}\n"
    )
    ec, pc = statistics.median(engine_cpu), statistics.median(pipeline_cpu)
    print("| run | median wall (s) | best wall (s) | median CPU (s) | wall ratio | CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| engine alone (fingerprint both + compare) | {e:.2f} | {min(engine):.2f} | {ec:.2f} | 1.00 | 1.00 |"
    )
    print(
        f"| pipeline (request → worker → succeeded) | {p:.2f} | {min(pipeline):.2f} | {pc:.2f} | {p / e:.2f} "
        f"| {pc / ec:.2f} |"
    )
    print(
        f"\npipeline overhead: wall {100 * (p - e) / e:+.1f} % (median), "
        f"{100 * (min(pipeline) / min(engine) - 1):+.1f} % (best); CPU {100 * (pc - ec) / ec:+.1f} % (median)"
    )


if __name__ == "__main__":
    main()
