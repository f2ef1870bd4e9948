"""Benchmark of the public site: server time of its heaviest pages against a trivial view.

Generates (once; reused while the counts match) 1,000 disputes, 10,000 claims and 20,000
evidence records into a PostgreSQL database of its own, with parties, models, roles, evidence
links and rights of reply, and one *large* dispute (500 claims, 1,000 links) beside ordinary
ones. Then, in the same run:

1. counts the SQL queries of each page (Django test client, in this process);
2. starts gunicorn on a free loopback port (DEBUG off, hashed static files, as in production);
3. loads each page with ``wrk`` (Debian package) and takes the median and p95 *server time* of
   the requests from gunicorn's access log (``%(D)s``, microseconds from request to response).
   wrk's own latency histogram is not used: on a busy 2-CPU machine, with gunicorn's sync workers
   closing each connection, it reported latencies that cannot be (a p95 of seconds at a thousand
   requests per second on two connections); it gives the throughput;
4. prints a Markdown table with each page's median also as a multiple of the trivial view's
   (``/robots.txt``: Django's whole middleware stack, no database), measured in the same run.

Usage::

    python benchmarks/bench_site.py                      # postgres://postgres@127.0.0.1:5432/provenance_bench
    python benchmarks/bench_site.py --duration 20 --connections 16
    BENCH_DATABASE_URL=postgres://... python benchmarks/bench_site.py --regenerate

Needs PostgreSQL (the search under test is PostgreSQL full text) and ``wrk`` (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/provenance_bench"
SIZES = {"disputes": 1_000, "claims": 10_000, "evidence": 20_000, "parties": 300, "models": 400}
LARGE_CLAIMS = 500
WORDS = [
    "model",
    "weights",
    "upcycling",
    "fine-tune",
    "attention",
    "layer",
    "checkpoint",
    "licence",
    "statement",
    "analysis",
    "paper",
    "correlation",
    "tokenizer",
    "expert",
    "dense",
    "mixture",
    "training",
    "release",
    "benchmark",
    "lab",
    "open",
    "source",
    "code",
]
NAMES = ["Pangu", "Qwen", "Llama", "Mistral", "Falcon", "Gemma", "Phi", "DeepSeek", "Yi", "Solar"]

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format('{"p50": %f, "p95": %f, "requests": %d, "seconds": %f, "errors": %d}\\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.requests,
    summary.duration / 1e6, summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def setup_django(database_url: str, var_dir: Path) -> None:
    os.environ.update(DATABASE_URL=database_url, VAR_DIR=str(var_dir), DEBUG="0", LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "provenance.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[-1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def collect_static() -> None:
    """``collectstatic`` (DEBUG off: pages link the manifest's hashed names), unless STATIC_ROOT already
    holds what it would write.

    WhiteNoise's production storage hashes and compresses every file again on each run, changed or not:
    about 50 CPU-seconds of Brotli for drf-spectacular-sidecar's bundles and source maps. Its output
    depends only on the static sources and the versions of the code that writes it, so a stamp of
    those, written after a complete run, says when STATIC_ROOT is still what a new run would write.
    """
    import hashlib
    from importlib.metadata import version

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    stamp = hashlib.sha256(
        repr((version("django"), version("whitenoise"), settings.STORAGES["staticfiles"])).encode()
    )
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):  # collectstatic's default ignore patterns
            stamp.update(f"\0{getattr(storage, 'prefix', None) or ''}/{path}\0".encode())
            with storage.open(path) as handle:
                stamp.update(hashlib.sha256(handle.read()).digest())
    root = Path(settings.STATIC_ROOT)
    stamp_file = root.with_name(root.name + ".sources")
    if (
        (root / "staticfiles.json").exists()
        and stamp_file.exists()
        and stamp_file.read_text() == stamp.hexdigest()
    ):
        return
    stamp_file.unlink(missing_ok=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp_file.write_text(stamp.hexdigest())


def text(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    if rng.random() < 0.1:
        chosen.insert(rng.randrange(len(chosen)), rng.choice(NAMES))
    return " ".join(chosen).capitalize() + "."


def generate(*, seed: int = 0) -> None:
    """Write the data set with bulk_create (no history rows: the pages read history only for the
    change log, and that is exercised by one claim per dispute having two history entries)."""
    from django.db import transaction
    from django.utils import timezone

    from claims import models as m

    rng = random.Random(seed)
    now = timezone.now()
    public = {"status": "published", "published_at": now}
    with transaction.atomic():
        for model in (m.RightOfReply, m.EvidenceLink, m.DisputeParty, m.Claim):
            model.objects.all().delete()
        m.Dispute.models_at_stake.through.objects.all().delete()
        for model in (m.Dispute, m.AIModel, m.EvidenceArtifact, m.Party):
            model.objects.all().delete()
        parties = m.Party.objects.bulk_create(
            m.Party(
                slug=f"party-{i}",
                name=f"{rng.choice(NAMES)} Lab {i}",
                kind="lab",
                note=text(rng, 30),
                **public,
            )
            for i in range(SIZES["parties"])
        )
        models = m.AIModel.objects.bulk_create(
            m.AIModel(
                slug=f"model-{i}",
                name=f"{rng.choice(NAMES)}-{i}B",
                developer=rng.choice(parties),
                family=rng.choice(NAMES),
                description=text(rng, 40),
                **public,
            )
            for i in range(SIZES["models"])
        )
        evidence = m.EvidenceArtifact.objects.bulk_create(
            (
                m.EvidenceArtifact(
                    slug=f"evidence-{i}",
                    title=text(rng, 8),
                    kind=rng.choice(["paper", "statement", "media_report", "code"]),
                    author=rng.choice(parties),
                    url=f"https://example.org/{i}",
                    published_on=date(2020, 1, 1) + timedelta(days=rng.randrange(2000)),
                    description=text(rng, 60),
                    **public,
                )
                for i in range(SIZES["evidence"])
            ),
            batch_size=2000,
        )
        disputes = m.Dispute.objects.bulk_create(
            m.Dispute(
                slug=f"dispute-{i}",
                title=("Large: " if i == 0 else "") + text(rng, 9),
                summary=text(rng, 120),
                started_on=date(2020, 1, 1) + timedelta(days=rng.randrange(2000)),
                **public,
            )
            for i in range(SIZES["disputes"])
        )
        through = m.Dispute.models_at_stake.through
        through.objects.bulk_create(
            through(dispute_id=d.pk, aimodel_id=model.pk) for d in disputes for model in rng.sample(models, 2)
        )
        m.DisputeParty.objects.bulk_create(
            m.DisputeParty(dispute=d, party=party, role=role)
            for d in disputes
            for party, role in zip(rng.sample(parties, 3), ["accuser", "accused", "reporter"], strict=True)
        )
        # The large dispute gets LARGE_CLAIMS claims; the others share the rest evenly.
        per_dispute = [LARGE_CLAIMS] + [(SIZES["claims"] - LARGE_CLAIMS) // (SIZES["disputes"] - 1)] * (
            SIZES["disputes"] - 1
        )
        per_dispute[-1] += SIZES["claims"] - sum(per_dispute)
        claims = []
        for d, count in zip(disputes, per_dispute, strict=True):
            for j in range(count):
                claims.append(
                    m.Claim(
                        slug=f"claim-{len(claims)}",
                        dispute=d,
                        claimant=rng.choice(parties),
                        kind="other",
                        title=text(rng, 10),
                        statement=text(rng, 80),
                        made_on=d.started_on + timedelta(days=j),
                        source=rng.choice(evidence),
                        assessment=rng.choice(["unverified", "contested", "supported"]),
                        assessment_rationale=text(rng, 30),
                        **public,
                    )
                )
        claims = m.Claim.objects.bulk_create(claims, batch_size=2000)
        links, seen = [], set()
        for claim in claims:
            for item in rng.sample(evidence, 2):
                if (claim.pk, item.pk) not in seen:
                    seen.add((claim.pk, item.pk))
                    links.append(
                        m.EvidenceLink(
                            claim=claim, evidence=item, stance=rng.choice(["supports", "refutes", "context"])
                        )
                    )
        m.EvidenceLink.objects.bulk_create(links, batch_size=5000)
        m.RightOfReply.objects.bulk_create(
            m.RightOfReply(
                claim=claim,
                party=rng.choice(parties),
                asked_on=claim.made_on,
                outcome="no_response",
                outcome_on=claim.made_on + timedelta(days=7),
            )
            for claim in claims[::10]
        )
    with transaction.atomic():
        # History for the change log: an initial and one changed assessment on a claim per dispute.
        for claim in m.Claim.objects.filter(slug__in=[f"claim-{i}" for i in range(0, len(claims), 10)]):
            claim.save()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def counts() -> dict[str, int]:
    from claims import models as m

    return {
        "disputes": m.Dispute.objects.count(),
        "claims": m.Claim.objects.count(),
        "evidence": m.EvidenceArtifact.objects.count(),
    }


def pages() -> dict[str, str]:
    return {
        "trivial view (/robots.txt)": "/robots.txt",
        "home": "/",
        "dispute list": "/disputes/",
        "dispute list, filtered, page 3": "/disputes/?status=open&page=3",
        f"large dispute ({LARGE_CLAIMS} claims)": "/disputes/dispute-0/",
        "ordinary dispute (10 claims)": "/disputes/dispute-500/",
        "claim": "/claims/claim-42/",
        "party": "/parties/party-7/",
        "model": "/models/model-7/",
        "evidence": "/evidence/evidence-42/",
        "search": "/search/?q=pangu+upcycling",
        "feed (RSS)": "/feeds/disputes.rss",
        "API: dispute list": "/api/v1/disputes/",
        "API: claims, expanded": "/api/v1/claims/?expand=dispute,claimant",
        "claims index": "/claims/",
        "claims index, filtered, sorted, page 3": "/claims/?assessment=unverified&sort=oldest&page=3",
        "evidence index": "/evidence/",
        "AI models index": "/models/",
        "parties index": "/parties/",
    }


def first_render_pages() -> dict[str, str]:
    """The pages of the first-render table: this benchmark's pages, the dispute's embed (Where
    things stand, from the same page rows), the large timeline's later pages and the API timeline
    (routes or parameters today's code may not have: a failing page is shown as "—")."""
    urls = {name: url for name, url in pages().items() if not url.startswith("/robots")}
    urls["dispute list, filtered, page 3"] = "/disputes/?state=open&page=3"  # ?status= is now a redirect
    urls.update(
        {
            "large dispute, embed": "/disputes/dispute-0/embed/",
            "large dispute, timeline page 2": "/disputes/dispute-0/?page=2",
            "large dispute, last timeline page": "/disputes/dispute-0/?page=last",
            "API: large dispute's timeline": "/api/v1/disputes/dispute-0/timeline/",
            "API: large dispute's timeline, page 3": "/api/v1/disputes/dispute-0/timeline/?page=3",
        }
    )
    return urls


def first_and_kept(urls: dict[str, str], runs: int) -> dict[str, dict]:
    """Per URL: the queries, the median milliseconds (in this process) of its first render after a
    write (the content version bumped through the services' own ``content_changed``: every kept
    page and fragment is then unreachable, as after any edit) and of the kept copy (the same URL
    asked again). A URL that does not answer 200 gets None."""
    from django.db import connection, transaction
    from django.test import Client

    from claims.services.content import content_changed

    client = Client(HTTP_HOST="127.0.0.1")

    def bump() -> None:
        with transaction.atomic():
            content_changed()

    def timed(url: str) -> tuple[float, int]:
        started = time.perf_counter()
        status = client.get(url).status_code
        return (time.perf_counter() - started) * 1000, status

    result: dict[str, dict] = {}
    for name, url in urls.items():
        client.get(url)  # warm-up (imports, template loading)
        bump()
        executed: list[str] = []

        def counted(execute, sql, *args, executed=executed):
            executed.append(sql)
            return execute(sql, *args)

        # Counted by a wrapper, not connection.queries: each request may open a new connection.
        with connection.execute_wrapper(counted):
            _ms, status = timed(url)
        if status != 200:
            result[name] = None
            continue
        first, kept = [], []
        for _ in range(runs):
            bump()
            first.append(timed(url)[0])
            kept.append(timed(url)[0])
        result[name] = {
            "queries": len(executed),
            "first": statistics.median(first),
            "kept": statistics.median(kept),
        }
    return result


def first_render_worker(runs: int) -> None:
    """Print ``first_and_kept`` of every first-render page as JSON (run in the tree to measure)."""
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    var_dir = ROOT / "var" / "bench-site"
    var_dir.mkdir(parents=True, exist_ok=True)
    setup_django(database_url, var_dir)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: hashed static files
    wanted = {k: SIZES[k] for k in ("disputes", "claims", "evidence")}
    if counts() != wanted:
        sys.exit("generate the data set first: python benchmarks/bench_site.py --first-render")
    print(json.dumps(first_and_kept(first_render_pages(), runs)))


def first_render(trees: dict[str, Path], runs: int, rounds: int) -> None:
    """The first-render table: each tree measured in its own process, the trees taking turns
    ``rounds`` times (so that a change of machine load falls on both), medians over the rounds."""
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    ensure_database(database_url)
    setup_django(database_url, ROOT / "var" / "bench-site")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    wanted = {k: SIZES[k] for k in ("disputes", "claims", "evidence")}
    if counts() != wanted:
        started = time.monotonic()
        generate()
        print(f"generated {counts()} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    loads = [os.getloadavg()[0]]
    measured: dict[str, list[dict]] = {label: [] for label in trees}
    for _ in range(rounds):
        for label, tree in trees.items():
            # The schema of the tree measured (an index a later migration adds is not "before"'s).
            latest = max(p.stem for p in (tree / "claims" / "migrations").glob("[0-9][0-9][0-9][0-9]_*.py"))
            call_command("migrate", "claims", latest, verbosity=0)
            out = subprocess.run(
                [sys.executable, str(tree / "benchmarks" / Path(__file__).name), "--first-render-worker",
                 "--runs", str(runs)],
                cwd=tree,
                env={**os.environ, "BENCH_DATABASE_URL": database_url, "PYTHONPATH": str(tree)},
                check=True,
                capture_output=True,
                text=True,
            ).stdout  # fmt: skip
            measured[label].append(json.loads(out.strip().splitlines()[-1]))
            loads.append(os.getloadavg()[0])
    call_command("migrate", verbosity=0)

    def median_of(label: str, name: str, key: str) -> float | None:
        values = [run[name][key] for run in measured[label] if run.get(name)]
        return statistics.median(values) if values else None

    names = list(next(iter(measured.values()))[0])
    labels = list(trees)
    print(
        f"\n{counts()['disputes']:,} disputes, {counts()['claims']:,} claims, {counts()['evidence']:,} "
        f"evidence; in-process (Django test client), {runs} runs per page and round, {rounds} rounds "
        f"taking turns, medians; {os.cpu_count()} CPUs, load average {min(loads):.1f}-{max(loads):.1f}\n"
    )
    header = " | ".join(
        f"{label}: queries | {label}: first render ms | {label}: kept copy ms" for label in labels
    )
    print(f"| page | {header} |")
    print("| --- |" + " ---: |" * (3 * len(labels)))
    for name in names:
        cells = []
        for label in labels:
            queries = [run[name]["queries"] for run in measured[label] if run.get(name)]
            first, kept = median_of(label, name, "first"), median_of(label, name, "kept")
            if first is None:
                cells += ["—", "—", "—"]
            else:
                cells += [str(queries[0]), f"{first:.1f}", f"{kept:.1f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")


def large_dispute_cold_and_warm(runs: int = 5) -> dict[str, float]:
    """In-process milliseconds of the large dispute page: rendered (the cache emptied first, as after
    any write) and from the cached fragment; and a conditional request answered 304."""
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    url = "/disputes/dispute-0/"

    def timed(**headers) -> float:
        started = time.perf_counter()
        response = client.get(url, **headers)
        assert response.status_code in (200, 304), response.status_code
        return (time.perf_counter() - started) * 1000

    cold, warm, revalidated = [], [], []
    for _ in range(runs):
        cache.clear()
        cold.append(timed())
        warm.append(timed())
        etag = client.get(url)["ETag"]
        revalidated.append(timed(HTTP_IF_NONE_MATCH=etag))
    return {
        "rendered": statistics.median(cold),
        "cached": statistics.median(warm),
        "304": statistics.median(revalidated),
    }


def query_counts(urls: dict[str, str] | None = None) -> dict[str, int]:
    """Queries per request of each named URL (default: this benchmark's pages), after a warm-up."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    result = {}
    for name, url in (urls or pages()).items():
        client.get(url)
        cache.clear()  # rendered, not a kept copy: the queries of the view itself
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        result[name] = len(captured)
    return result


def render_times(urls: dict[str, str], runs: int = 3) -> dict[str, float]:
    """Median milliseconds (in this process) to render each URL with every cache empty: what the
    first reader after a write waits for, before the page is kept (claims/presentation/http_cache.py)."""
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    result = {}
    for name, url in urls.items():
        times = []
        for _ in range(runs):
            cache.clear()
            started = time.perf_counter()
            assert client.get(url).status_code == 200, url
            times.append((time.perf_counter() - started) * 1000)
        result[name] = statistics.median(times)
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, env: dict, access_log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "provenance.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(s)s %(D)s %(U)s?%(q)s",
        ],
        cwd=ROOT,
        # Absolute URLs (the API's next links among them) come from SITE_URL: this server's address.
        env={**env, "SITE_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start within 30 s")


def server_times(access_log: Path, offset: int, path: str) -> list[float]:
    """Milliseconds of the 200 responses to ``path`` logged after byte ``offset``."""
    times = []
    with access_log.open() as log:
        log.seek(offset)
        for line in log:
            status, micros, logged = line.split(" ", 2)
            if status == "200" and logged.strip().rstrip("?") == path:
                times.append(int(micros) / 1000)
    return times


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def wrk(url: str, *, duration: int, connections: int, threads: int, script: Path) -> dict:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    data["rps"] = data["requests"] / data["seconds"]
    return data


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data set even if it is there")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    # As many connections as sync workers: more would queue in the listen backlog and measure the
    # queue, not the page.
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2), help="gunicorn workers")
    parser.add_argument(
        "--first-render",
        nargs="*",
        metavar="LABEL=TREE",
        help="in-process first render after a write and kept copy of every page, no wrk; with "
        "LABEL=TREE pairs (e.g. before=/tmp/old-checkout), each tree measured in turn",
    )
    parser.add_argument("--first-render-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=5, help="first-render runs per page and round")
    parser.add_argument("--rounds", type=int, default=2, help="first-render rounds (trees take turns)")
    args = parser.parse_args()
    if args.first_render_worker:
        first_render_worker(args.runs)
        return
    if args.first_render is not None:
        trees = dict(pair.split("=", 1) for pair in args.first_render) or {"now": str(ROOT)}
        first_render({label: Path(tree).resolve() for label, tree in trees.items()}, args.runs, args.rounds)
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    var_dir = ROOT / "var" / "bench-site"
    var_dir.mkdir(parents=True, exist_ok=True)
    ensure_database(database_url)
    setup_django(database_url, var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    collect_static()
    wanted = {k: SIZES[k] for k in ("disputes", "claims", "evidence")}
    if args.regenerate or counts() != wanted:
        started = time.monotonic()
        generate()
        print(f"generated {counts()} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    queries = query_counts()
    rendered = render_times(pages())
    large = large_dispute_cold_and_warm()

    port = free_port()
    # One benchmark client asks thousands of times a minute: the API's anonymous throttle is lifted.
    env = {**os.environ, "API_ANON_RATE": "100000000/minute"}
    access_log = var_dir / "access.log"
    access_log.write_text("")
    server = start_gunicorn(port, args.workers, env, access_log)
    rows = {}
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        for name, path in pages().items():
            url = f"http://127.0.0.1:{port}{path}"
            wrk(url, duration=2, connections=args.connections, threads=args.threads, script=Path(script.name))
            offset = access_log.stat().st_size
            rows[name] = wrk(
                url,
                duration=args.duration,
                connections=args.connections,
                threads=args.threads,
                script=Path(script.name),
            )
            # Server time from gunicorn's log (the module docstring says why not wrk's latency).
            times = server_times(access_log, offset, path)
            if times:
                rows[name].update(p50=percentile(times, 50), p95=percentile(times, 95))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # workers still busy with queued requests: the figures are taken
            server.kill()
            subprocess.run(["pkill", "-KILL", "-f", f"--bind 127.0.0.1:{port}"], check=False)
        os.unlink(script.name)

    baseline = rows["trivial view (/robots.txt)"]["p50"] or float("nan")
    print(
        f"\n{counts()['disputes']:,} disputes, {counts()['claims']:,} claims, {counts()['evidence']:,} evidence; "
        f"gunicorn {args.workers} workers, wrk {args.threads} threads × {args.connections} connections, "
        f"{args.duration} s per page, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end\n"
    )
    print(
        "| page | server time median ms | p95 ms | requests/s | queries | median ÷ trivial view "
        "| rendered, caches empty (ms) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, row in rows.items():
        print(
            f"| {name} | {row['p50']:.1f} | {row['p95']:.1f} | {row['rps']:.0f} | {queries[name]} | "
            f"{row['p50'] / baseline:.1f}× | {rendered[name]:.0f} |"
            + (f" ({row['errors']} errors)" if row["errors"] else "")
        )
    print(
        f"\nLarge dispute in this process, median of 5: rendered (cache empty, as after a write) "
        f"{large['rendered']:.0f} ms; from the cached fragment {large['cached']:.1f} ms; "
        f"a conditional request answered 304: {large['304']:.1f} ms."
    )


if __name__ == "__main__":
    main()
