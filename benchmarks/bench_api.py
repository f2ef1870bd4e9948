"""Benchmark of the REST API: the claims list (a page of 50) and a dispute detail, against
trivial endpoints, with 1,000 disputes and 10,000 claims in PostgreSQL.

Reuses the public site benchmark's data generator and measuring tools (``bench_site``): the same
data set (1,000 disputes, 10,000 claims, 20,000 evidence, one dispute with 500 claims), gunicorn
on a free loopback port (DEBUG off), ``wrk`` (Debian package) for the load and throughput, and the
*server time* of each request from gunicorn's access log for the median and p95 (see bench_site's
docstring for why not wrk's latencies). In the same run it measures two baselines: ``/robots.txt``
(Django's middleware stack, nothing else) and ``/api/v1/`` (the API root: DRF's whole request
cycle - authentication, throttling, content negotiation, JSON - without a query).

Anonymous throttling is lifted for the run (``API_ANON_RATE``): the benchmark is one client.

Usage::

    python benchmarks/bench_api.py                 # postgres://postgres@127.0.0.1:5432/provenance_api_bench
    BENCH_DATABASE_URL=postgres://... python benchmarks/bench_api.py --duration 20
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_site as site  # noqa: E402 - the site benchmark's generator and tools

ROOT = site.ROOT
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/provenance_api_bench"


def endpoints() -> dict[str, str]:
    return {
        "baseline: /robots.txt (no DRF, no query)": "/robots.txt",
        "baseline: API root /api/v1/ (DRF, no query)": "/api/v1/",
        "claims list, page of 50": "/api/v1/claims/?page_size=50",
        "claims list, filtered by dispute (500 claims)": "/api/v1/claims/?dispute=dispute-0",
        "dispute detail (ordinary)": "/api/v1/disputes/dispute-500/",
        "dispute detail, ?expand=claims (500 claims)": "/api/v1/disputes/dispute-0/?expand=claims",
        "dispute timeline (ordinary)": "/api/v1/disputes/dispute-500/timeline/",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data set even if it is there")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=2, help="as many as workers (see bench_site)")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2), help="gunicorn workers")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    var_dir = ROOT / "var" / "bench-api"
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["API_ANON_RATE"] = "100000000/minute"
    site.ensure_database(database_url)
    site.setup_django(database_url, var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    site.collect_static()
    wanted = {k: site.SIZES[k] for k in ("disputes", "claims", "evidence")}
    if args.regenerate or site.counts() != wanted:
        started = time.monotonic()
        site.generate()
        print(f"generated {site.counts()} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    queries = site.query_counts(endpoints())

    port = site.free_port()
    access_log = var_dir / "access.log"
    access_log.write_text("")
    server = site.start_gunicorn(port, args.workers, {**os.environ}, access_log)
    rows = {}
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(site.WRK_SCRIPT)
        for name, path in endpoints().items():
            url = f"http://127.0.0.1:{port}{path}"
            site.wrk(url, duration=2, connections=args.connections, threads=1, script=Path(script.name))
            offset = access_log.stat().st_size
            load = site.wrk(
                url, duration=args.duration, connections=args.connections, threads=1, script=Path(script.name)
            )
            times = site.server_times(access_log, offset, path)
            rows[name] = {
                "p50": site.percentile(times, 50),
                "p95": site.percentile(times, 95),
                "rps": load["rps"],
                "errors": load["errors"],
            }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        os.unlink(script.name)

    base = rows["baseline: API root /api/v1/ (DRF, no query)"]["p50"]
    c = site.counts()
    print(
        f"\n{date.today():%d %B %Y}: {c['disputes']:,} disputes, {c['claims']:,} claims, {c['evidence']:,} evidence "
        f"(PostgreSQL); gunicorn {args.workers} sync workers, wrk 1 thread × {args.connections} connections, "
        f"{args.duration} s per endpoint, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end\n"
    )
    print("| endpoint | server time median ms | p95 ms | requests/s | queries | median ÷ API root |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, row in rows.items():
        errors = f" ({row['errors']} errors)" if row["errors"] else ""
        print(
            f"| {name} | {row['p50']:.1f} | {row['p95']:.1f} | {row['rps']:.0f} | {queries[name]} | "
            f"{row['p50'] / base:.1f}× |{errors}"
        )


if __name__ == "__main__":
    main()
