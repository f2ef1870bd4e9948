"""Whole-stack load test: gunicorn + PostgreSQL + Redis + a real Celery worker, driven by Locust.

    python benchmarks/bench_load.py                          # 60 s at 2 and at 4 gunicorn workers
    python benchmarks/bench_load.py --seconds 120 --users 24 --workers 2,4
    python benchmarks/bench_load.py --small --seconds 15 --workers 2 --json out.json   # the CI smoke

In one run, on loopback only:

1. a database of its own (``BENCH_LOAD_DATABASE_URL``, else ``DATABASE_URL``'s with ``_load``
   appended, else a SQLite file) is migrated and filled with the site benchmark's data set
   (``bench_site.generate``: 1,000 disputes, 10,000 claims, 20,000 evidence records, one dispute
   of 500 claims; ``--small``: 30 / 300 / 600, one of 50), an editor with an API token, two tiny
   synthetic checkpoints and one computed, public report; static files are collected (production's
   hashed and compressed storage) unless the last run's are still current (``bench_site.collect_static``);
2. a Celery worker process starts on the broker of ``CELERY_BROKER_URL``, and the shared cache is
   ``CACHE_URL`` (Redis when the broker is Redis); the first gunicorn starts and is warmed up meanwhile,
   and the load begins once both are ready;
3. for each gunicorn worker count: gunicorn starts, Locust (``benchmarks/locustfile.py``) runs
   headless for ``--seconds`` with ``--users`` users (readers, API clients, editors who write and
   request reports the worker computes), and its statistics are read back;
4. prints, per worker count, requests/s, p50/p95/p99 and the error rate overall, and p95 as a
   multiple of the trivial view's p95 measured in the same run (target: 0 errors, ≤ 10×); then
   the same per kind of request. ``--json`` writes it all for a program (the CI smoke test).

Locust runs on the same two cores as the server, the database and the worker: the figures are
those of the whole machine under load, not of the server alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_site  # noqa: E402 - after the path

SMALL = {"disputes": 30, "claims": 300, "evidence": 600, "parties": 30, "models": 40}


def database_url(var_dir: Path) -> str:
    if os.environ.get("BENCH_LOAD_DATABASE_URL"):
        return os.environ["BENCH_LOAD_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        return base + "_load"
    return f"sqlite:///{var_dir / 'load.sqlite3'}"


def setup(var_dir: Path, store: Path, *, small: bool) -> dict:
    """Migrate and fill the database; return what the Locust users need (slugs, token, ids)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from claims import models as m
    from claims.pipeline.reports.runner import report_run
    from claims.services import account_create, checkpoint_register, report_request
    from provenance.fingerprint.synthetic import build_lineage_set

    call_command("migrate", verbosity=0)
    bench_site.collect_static()
    if small:
        bench_site.SIZES.update(SMALL)
        bench_site.LARGE_CLAIMS = 50
    # What an earlier run's editors added (parties, requested reports and their evidence) goes first.
    m.EvidenceArtifact.objects.filter(report__isnull=False).exclude(report__parameters__seed=0).delete()
    m.FingerprintReport.objects.exclude(parameters__seed=0).delete()
    m.Party.objects.filter(slug__startswith="load-").delete()
    wanted = {k: bench_site.SIZES[k] for k in ("disputes", "claims", "evidence")}
    have = {**bench_site.counts(), "evidence": m.EvidenceArtifact.objects.filter(report__isnull=True).count()}
    if have != wanted:
        m.EvidenceArtifact.objects.filter(report__isnull=False).delete()
        for model in (m.FingerprintReport, m.ModelFingerprint, m.Checkpoint):
            model.objects.all().delete()
        started = time.monotonic()
        bench_site.generate()
        print(f"generated {bench_site.counts()} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    user = get_user_model().objects.filter(username="load-editor").first()
    if user is None:
        user = account_create(
            username="load-editor", password=secrets.token_urlsafe(24), email="load@example.org"
        )
    token, _ = Token.objects.get_or_create(user=user)

    if not (store / "lineage" / "base").exists():
        build_lineage_set(store / "lineage", size="tiny", seed=0)
    # Checkpoints registered by a run with another model store cannot move: start them afresh.
    moved = m.Checkpoint.objects.filter(model__slug__startswith="load-").exclude(
        location__startswith=str(store)
    )
    if moved.exists():
        m.EvidenceArtifact.objects.filter(report__isnull=False).delete()
        for model in (m.FingerprintReport, m.ModelFingerprint):
            model.objects.all().delete()
        moved.delete()
    public = {"status": "published", "published_at": timezone.now()}
    developer = m.Party.objects.get(slug="party-0")
    checkpoints = []
    for name in ("base", "finetune"):
        model, _ = m.AIModel.objects.get_or_create(
            slug=f"load-{name}", defaults={"name": f"Load {name}", "developer": developer, **public}
        )
        checkpoint, _ = checkpoint_register(model=model, revision="v1", location=f"lineage/{name}", user=None)
        checkpoints.append(checkpoint)
    report, _ = report_request(
        checkpoint_a=checkpoints[0],
        checkpoint_b=checkpoints[1],
        methods=["attn_std", "tensor_identity"],
        parameters={"null_size": 8, "seed": 0},
        user=None,
        enqueue=False,
    )
    if report.status != m.FingerprintReport.Status.SUCCEEDED:
        report_run(report_id=report.pk)
    m.EvidenceArtifact.objects.filter(report=report).update(**public)
    n = bench_site.SIZES
    return {
        "disputes": [f"dispute-{i}" for i in range(1, n["disputes"])],
        "large_dispute": "dispute-0",
        "claims": [f"claim-{i}" for i in range(0, n["claims"], 7)],
        "parties": [f"party-{i}" for i in range(n["parties"])],
        "models": [f"model-{i}" for i in range(n["models"])],
        "evidence": [f"evidence-{i}" for i in range(0, n["evidence"], 7)],
        "token": token.key,
        "checkpoints": [c.pk for c in checkpoints],
        "report": report.slug,
    }


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    """The Celery worker, started and not waited for (``worker_ready``): gunicorn starts meanwhile."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "provenance",
            "worker",
            "--queues",
            "analysis,celery,acquire",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--hostname",
            f"load-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def worker_ready(process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{log.read_text()}")
        if " ready." in log.read_text(errors="replace"):
            return
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"the Celery worker was not ready after 90 s:\n{log.read_text()}")


def stop(*processes: subprocess.Popen) -> None:
    """SIGTERM to all, then wait for each: they shut down side by side."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def warm_up(url: str, workers: int) -> None:
    """A few requests per gunicorn worker first: the first request of a process imports and
    connects, which is start-up, not load. As many clients at once as workers, so they start side by side."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def client(_) -> None:
        for path in ("/robots.txt", "/", "/disputes/", "/api/v1/disputes/") * 2:
            urllib.request.urlopen(url + path, timeout=120).read()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(client, range(workers)))


def run_locust(url: str, *, users: int, seconds: int, env: dict, prefix: Path) -> dict:
    """Run Locust headless against ``url``; return {request name: statistics} ("Aggregated" too)."""
    locust = Path(sys.executable).with_name("locust")
    subprocess.run(
        [
            str(locust),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--host",
            url,
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        check=False,  # Locust exits 1 when any request failed; the error rate says so
        stdout=subprocess.DEVNULL,
        stderr=open(f"{prefix}.log", "w"),  # noqa: SIM115 - closed when the process ends
        timeout=seconds + 120,
    )
    stats = {}
    with open(f"{prefix}_stats.csv") as handle:
        for row in csv.DictReader(handle):
            # Two methods under one name (an editor's POST and PATCH): the busier one's percentiles.
            previous = stats.get(row["Name"], {"requests": 0, "failures": 0, "rps": 0.0})
            count = int(row["Request Count"])
            entry = {
                "requests": previous["requests"] + count,
                "failures": previous["failures"] + int(row["Failure Count"]),
                "rps": previous["rps"] + float(row["Requests/s"]),
            }
            busier = row if count >= previous["requests"] else None
            for p in ("50", "95", "99"):
                entry[f"p{p}"] = float(busier[f"{p}%"] or 0) if busier else previous[f"p{p}"]
            stats[row["Name"]] = entry
    failures = []
    with open(f"{prefix}_failures.csv") as handle:
        failures = [
            f"{r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(handle)
        ]
    return {"stats": stats, "failures": failures}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", default="2,4", help="gunicorn worker counts, comma-separated")
    parser.add_argument("--seconds", type=int, default=60, help="seconds of load per worker count")
    parser.add_argument("--users", type=int, default=12, help="simultaneous Locust users")
    parser.add_argument("--small", action="store_true", help="a small data set (the CI smoke test)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()

    var_dir = Path(os.environ.get("BENCH_LOAD_VAR_DIR") or ROOT / "var" / "bench-load").resolve()
    store = var_dir / "store"
    store.mkdir(parents=True, exist_ok=True)
    url = database_url(var_dir)
    if url.startswith("postgres"):
        bench_site.ensure_database(url)
    broker = os.environ.get("CELERY_BROKER_URL", "")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "VAR_DIR": str(var_dir),
        "MODEL_STORE": str(store),
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "API_ANON_RATE": "1000000/minute",
        "API_USER_RATE": "1000000/minute",
        "DJANGO_SETTINGS_MODULE": "provenance.settings",
    }
    if broker.startswith("redis") and "CACHE_URL" not in os.environ:
        env["CACHE_URL"] = broker  # Django's keys and Celery's do not collide
    os.environ.update(env)
    started = time.monotonic()
    data = setup(var_dir, store, small=args.small)
    print(f"set up in {time.monotonic() - started:.0f} s", file=sys.stderr)
    data_file = var_dir / "load-data.json"
    data_file.write_text(json.dumps(data))
    env["LOAD_DATA"] = str(data_file)

    results = {}
    started = time.monotonic()
    worker_log = var_dir / "worker.log"
    worker = start_worker(env, worker_log)
    counts = [int(w) for w in args.workers.split(",")]
    try:
        for workers in counts:
            port = bench_site.free_port()
            access_log = var_dir / f"access-{workers}.log"
            server = bench_site.start_gunicorn(port, workers, env, access_log)
            try:
                warm_up(f"http://127.0.0.1:{port}", workers)
                if workers == counts[0]:
                    worker_ready(worker, worker_log)
                    print(f"worker and gunicorn ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
                with tempfile.TemporaryDirectory() as tmp:
                    results[workers] = run_locust(
                        f"http://127.0.0.1:{port}",
                        users=args.users,
                        seconds=args.seconds,
                        env=env,
                        prefix=Path(tmp) / "locust",
                    )
            finally:
                stop(server, *([worker] if workers == counts[-1] else []))
            results[workers]["load_average"] = os.getloadavg()[0]
    finally:
        stop(worker)
    report(results, args)
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in results.items()}, indent=1))


def report(results: dict, args) -> None:
    print(
        f"\n{args.users} Locust users, {args.seconds} s per worker count, {os.cpu_count()} CPUs shared by "
        "Locust, gunicorn, PostgreSQL, Redis and the Celery worker\n"
    )
    print(
        "| gunicorn workers | requests/s | p50 ms | p95 ms | p99 ms | errors | trivial view p95 ms | p95 ÷ trivial p95 | load average |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for workers, result in results.items():
        total, trivial = result["stats"]["Aggregated"], result["stats"].get("trivial", {"p95": 0})
        errors = total["failures"] / total["requests"] if total["requests"] else 0
        ratio = total["p95"] / trivial["p95"] if trivial["p95"] else float("nan")
        print(
            f"| {workers} | {total['rps']:.1f} | {total['p50']:.0f} | {total['p95']:.0f} | {total['p99']:.0f} | "
            f"{total['failures']} ({errors:.2%}) | {trivial['p95']:.0f} | {ratio:.1f}× | {result['load_average']:.1f} |"
        )
    for workers, result in results.items():
        print(f"\nPer kind of request, {workers} gunicorn workers:\n")
        print("| request | count | requests/s | p50 ms | p95 ms | p99 ms | failures |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, row in sorted(result["stats"].items(), key=lambda item: item[0] == "Aggregated"):
            print(
                f"| {name} | {row['requests']} | {row['rps']:.1f} | {row['p50']:.0f} | {row['p95']:.0f} | "
                f"{row['p99']:.0f} | {row['failures']} |"
            )
        for failure in result["failures"]:
            print(f"- {failure}")


if __name__ == "__main__":
    random.seed(0)
    main()
