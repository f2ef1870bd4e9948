"""Lineage search in the knowledge base at scale (issue 24): the selector's query time, memory and disk
with ``--n`` synthetic checkpoints stored as the pipeline stores them (``relatives_entry_write``'s rows:
``RelativesEntry`` with its screen and sketch, one ``RelativesDigest`` row per informative tensor).

The entries are ``bench_relatives_scale.make_entry``'s (depths 24-40, 300-2,000 informative tensors
each, one in ten derived from an earlier one: half its digests shared, its sketch and profile the
parent's plus noise), packed by the engine's ``store.pack``. They are written in bulk as an operator
would load a large index (PostgreSQL: ``COPY``, with the digest table's keys and indexes dropped during
the load and built after it; SQLite: ``executemany``), then ``ANALYZE``. Then ``--queries`` searches
through the real selector (``checkpoint_relatives(preview=True, limit=20)``: the editors' view, every
candidate), half of them for a derived checkpoint (is its parent in the top 5?), and it reports p50/p95,
the first load of the screen (time and resident memory), and the tables' size on disk per checkpoint.

Baseline, in the same run: the in-memory index as it was (``RelativesIndex``, every entry whole) over
the first ``--baseline`` entries, timed on the same kind of queries (``bench_relatives_scale.search``).

Usage (the database must be empty of other data: the benchmark deletes every index row)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/provenance_scale \\
        python benchmarks/bench_relatives_db.py --n 100000
    DATABASE_URL=sqlite:////tmp/relatives.sqlite3 python benchmarks/bench_relatives_db.py --n 10000
    ... --reuse     # query an index an earlier run filled (same --n), without filling it again
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "provenance.settings")
os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))

import django  # noqa: E402

django.setup()

from bench_relatives_scale import _rss, make_entry  # noqa: E402
from bench_relatives_scale import search as memory_search  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from claims.models import (  # noqa: E402
    AIModel,
    Checkpoint,
    ModelFingerprint,
    Party,
    RelativesDigest,
    RelativesEntry,
)
from claims.selectors import relatives as selector  # noqa: E402
from provenance.fingerprint.relatives.index import RelativesIndex  # noqa: E402
from provenance.fingerprint.relatives.signature import SIGNATURE_VERSION  # noqa: E402
from provenance.fingerprint.relatives.store import pack  # noqa: E402

CHUNK = 1000
PARENTS = 2000  # derived entries pick their parent among the last PARENTS entries (memory stays flat)
PG_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_WITH_LAYER = np.dtype(
    [("n", ">i2"), ("l1", ">i4"), ("entry", ">i8"), ("l2", ">i4"), ("position", ">i4"), ("l3", ">i4"),
     ("prefix", ">i8"), ("l4", ">i4"), ("nbytes", ">i8"), ("l5", ">i4"), ("layer", ">i4")]
)  # fmt: skip
_NO_LAYER = np.dtype(
    [("n", ">i2"), ("l1", ">i4"), ("entry", ">i8"), ("l2", ">i4"), ("position", ">i4"), ("l3", ">i4"),
     ("prefix", ">i8"), ("l4", ">i4"), ("nbytes", ">i8"), ("l5", ">i4")]
)  # fmt: skip
DIGEST_TABLE = RelativesDigest._meta.db_table


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _clear() -> None:
    with connection.cursor() as c:
        if _postgres():  # a database of its own (the usage): whatever refers to fingerprints goes too
            c.execute(
                "TRUNCATE claims_relativesdigest, claims_relativesentry, claims_modelfingerprint "
                "RESTART IDENTITY CASCADE"
            )
        else:
            c.execute("DELETE FROM claims_relativesdigest")
            c.execute("DELETE FROM claims_relativesentry")
            c.execute("DELETE FROM claims_modelfingerprint")
    Checkpoint.objects.filter(revision__startswith="bench-").delete()


def _drop_digest_keys() -> list[str]:
    """Drop the digest table's constraints and indexes for the load; returns the SQL that adds them back."""
    back = []
    with connection.cursor() as c:
        if _postgres():
            c.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
                [DIGEST_TABLE],
            )
            for name, definition in c.fetchall():
                back.append(f'ALTER TABLE {DIGEST_TABLE} ADD CONSTRAINT "{name}" {definition}')
                c.execute(f'ALTER TABLE {DIGEST_TABLE} DROP CONSTRAINT "{name}"')
            c.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND schemaname = current_schema()",
                [DIGEST_TABLE],
            )
            for name, definition in c.fetchall():
                back.append(definition)
                c.execute(f'DROP INDEX "{name}"')
        else:
            c.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [DIGEST_TABLE],
            )
            for name, definition in c.fetchall():
                back.append(definition)
                c.execute(f'DROP INDEX "{name}"')
    return back


def _copy_digests(rows: list[tuple[int, np.ndarray, np.ndarray, list]]) -> None:
    """One ``COPY ... (FORMAT BINARY)`` of these entries' digest rows, laid out by NumPy."""
    parts = []
    for entry_id, prefixes, nbytes, layers in rows:
        n = len(prefixes)
        layer = np.array([-1 if x is None else x for x in layers], dtype=np.int64)
        has = layer >= 0
        for dtype, mask in ((_WITH_LAYER, has), (_NO_LAYER, ~has)):
            k = int(mask.sum())
            if not k:
                continue
            a = np.zeros(k, dtype=dtype)
            a["n"], a["l1"], a["entry"], a["l2"], a["l3"], a["l4"] = 5, 8, entry_id, 4, 8, 8
            a["position"] = np.arange(n)[mask]
            a["prefix"], a["nbytes"] = prefixes[mask], nbytes[mask]
            if dtype is _WITH_LAYER:
                a["l5"], a["layer"] = 4, layer[mask]
            else:
                a["l5"] = -1
            parts.append(a.tobytes())
    with (
        connection.cursor() as c,
        c.copy(
            f"COPY {DIGEST_TABLE} (entry_id, position, prefix, nbytes, layer) FROM STDIN (FORMAT BINARY)"
        ) as copy,
    ):
        copy.write(PG_HEADER)
        for p in parts:
            copy.write(p)
        copy.write(b"\xff\xff")


def fill(n: int, rng: np.random.Generator) -> dict:
    """``n`` checkpoints, each with a fingerprint row and its index rows; returns what it took and the
    derived entries' parents (entry name → parent name) and the first entries for the baseline."""
    _clear()
    party = Party.objects.get_or_create(slug="bench-lab", defaults={"name": "Bench lab", "kind": "company"})[
        0
    ]
    models = []
    for m in range(max(1, n // 100)):
        models.append(
            AIModel.objects.get_or_create(
                slug=f"bench-model-{m}", defaults={"name": f"Bench {m}", "developer": party}
            )[0]
        )
    back = _drop_digest_keys()
    parents: dict[str, str] = {}
    recent: list = []
    t0 = time.perf_counter()
    now = timezone.now()
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        with transaction.atomic():
            checkpoints = Checkpoint.objects.bulk_create(
                Checkpoint(model=models[k % len(models)], revision=f"bench-{k}") for k in range(start, stop)
            )
            prints = ModelFingerprint.objects.bulk_create(
                ModelFingerprint(checkpoint=c, content_hash=f"{k:064x}", engine_version="bench")
                for k, c in zip(range(start, stop), checkpoints, strict=True)
            )
            entries, digests = [], []
            for k, c, fp in zip(range(start, stop), checkpoints, prints, strict=True):
                parent = recent[int(rng.integers(len(recent)))] if recent and rng.random() < 0.1 else None
                e = make_entry(rng, k, parent)
                e.name = str(c.pk)
                if parent is not None:
                    parents[e.name] = parent.name
                recent.append(e)
                if len(recent) > PARENTS:
                    recent.pop(0)
                packed = pack(e)
                entries.append(
                    RelativesEntry(
                        id=fp.pk,
                        fingerprint=fp,
                        checkpoint=c,
                        signature_version=SIGNATURE_VERSION,
                        entry=packed.meta,
                        screen=packed.screen,
                        sketch=packed.sketch,
                        computed_at=now,
                    )
                )
                digests.append((fp.pk, packed.prefixes, packed.nbytes, packed.layer))
            RelativesEntry.objects.bulk_create(entries, batch_size=200)
            if _postgres():
                _copy_digests(digests)
            else:
                with connection.cursor() as cur:
                    cur.executemany(
                        f"INSERT INTO {DIGEST_TABLE} (entry_id, position, prefix, nbytes, layer) VALUES (%s, %s, %s, %s, %s)",
                        [
                            (entry_id, i, p, b, x)
                            for entry_id, prefixes, nbytes, layers in digests
                            for i, (p, b, x) in enumerate(
                                zip(prefixes.tolist(), nbytes.tolist(), layers, strict=True)
                            )
                        ],
                    )
        if (stop // CHUNK) % 10 == 0 or stop == n:
            print(f"  {stop:,} checkpoints written ({time.perf_counter() - t0:.0f} s)", flush=True)
    load_s = time.perf_counter() - t0
    t = time.perf_counter()
    with connection.cursor() as c:
        if _postgres():
            c.execute("SET maintenance_work_mem = '1GB'")
        for sql in back:
            c.execute(sql)
        c.execute("ANALYZE" if not _postgres() else f"VACUUM ANALYZE {DIGEST_TABLE}")
        if _postgres():
            c.execute("VACUUM ANALYZE claims_relativesentry")
            c.execute(  # the ids were given: the next entry the pipeline writes takes the one after
                "SELECT setval(pg_get_serial_sequence('claims_relativesentry', 'id'), max(id)) "
                "FROM claims_relativesentry"
            )
    return {"load_s": load_s, "index_build_s": time.perf_counter() - t, "parents": parents}


def _sizes() -> dict[str, int]:
    out = {}
    with connection.cursor() as c:
        for table in ("claims_relativesentry", DIGEST_TABLE):
            if _postgres():
                c.execute("SELECT pg_total_relation_size(%s)", [table])
            else:  # the table and its indexes (SQLite's dbstat)
                c.execute(
                    "SELECT sum(pgsize) FROM dbstat WHERE name IN "
                    "(SELECT name FROM sqlite_master WHERE tbl_name = %s)",
                    [table],
                )
            out[table] = int(c.fetchone()[0] or 0)
    return out


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--baseline", type=int, default=10_000, help="entries of the in-memory baseline")
    parser.add_argument("--reuse", action="store_true", help="query the rows an earlier run wrote")
    parser.add_argument("--json", metavar="OUT")
    return parser.parse_args()


def _baseline(n: int, queries: int) -> dict:
    """The in-memory index (every entry whole) over ``n`` fresh entries: p95 and resident memory."""
    rng = np.random.default_rng(7)
    rss0 = _rss()
    index, entries = RelativesIndex(), []
    for k in range(n):
        parent = entries[int(rng.integers(len(entries)))] if entries and rng.random() < 0.1 else None
        entries.append(make_entry(rng, k, parent))
        index.add_entry(entries[-1])
    index._arrays()
    rss = _rss() - rss0
    times = []
    for q in range(queries):
        query = make_entry(rng, 10**6 + q, entries[int(rng.integers(n))] if q % 2 == 0 else None)
        t = time.perf_counter()
        memory_search(index, query)
        times.append(time.perf_counter() - t)
    times.sort()
    del index, entries
    gc.collect()
    return {
        "baseline_checkpoints": n,
        "baseline_p50_ms": 1000 * times[len(times) // 2],
        "baseline_p95_ms": 1000 * times[min(len(times) - 1, int(len(times) * 0.95))],
        "baseline_rss_per_checkpoint_kb": rss / n / 1e3,
    }


def main() -> None:
    args = _parse()
    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(24)
    load_before = os.getloadavg()
    result: dict = {"database": connection.vendor, "checkpoints": args.n}
    state = Path(os.environ["VAR_DIR"]) / f"bench_relatives_db_{connection.vendor}_{args.n}.json"
    if args.reuse:
        filled = json.loads(state.read_text())
    else:
        filled = fill(args.n, rng)
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps(filled))
    result["fill_s"] = filled["load_s"]
    result["index_build_s"] = filled["index_build_s"]
    parents = filled["parents"]
    digest_rows = RelativesDigest.objects.count()
    result["digest_rows"] = digest_rows
    sizes = _sizes()
    result["disk_entries_per_checkpoint_kb"] = sizes["claims_relativesentry"] / args.n / 1e3
    result["disk_digests_per_checkpoint_kb"] = sizes[DIGEST_TABLE] / args.n / 1e3
    result["disk_total_gb"] = sum(sizes.values()) / 1e9

    gc.collect()
    rss0 = _rss()
    t = time.perf_counter()
    loaded = selector.load_index()
    result["screen_load_s"] = time.perf_counter() - t
    gc.collect()
    result["screen_rss_per_checkpoint_kb"] = (_rss() - rss0) / args.n / 1e3
    stacked = loaded.index.stacked
    result["screen_arrays_per_checkpoint_kb"] = (
        sum(g.pooled.nbytes + g.pooled_code.nbytes + g.profile.nbytes for g in stacked.groups.values())
        / args.n
        / 1e3
    )

    derived = sorted(parents)
    plain = sorted(set(loaded.index.names) - set(parents))
    picks = [
        (derived if q % 2 == 0 else plain)[int(rng.integers(len(derived if q % 2 == 0 else plain)))]
        for q in range(args.queries)
    ]
    checkpoints = Checkpoint.objects.select_related("model").in_bulk([int(p) for p in picks])
    for depth_query in picks[:4]:  # warm: the synthetic nulls of each depth pair, drawn once per process
        selector.checkpoint_relatives(checkpoint=checkpoints[int(depth_query)], preview=True)
    times, found = [], 0
    for name in picks:
        t = time.perf_counter()
        out = selector.checkpoint_relatives(checkpoint=checkpoints[int(name)], preview=True, limit=20)
        times.append(time.perf_counter() - t)
        if name in parents:
            found += any(str(r.checkpoint.pk) == parents[name] for r in out.relatives[:5])
    times.sort()
    result["query_p50_ms"] = 1000 * times[len(times) // 2]
    result["query_p95_ms"] = 1000 * times[min(len(times) - 1, int(len(times) * 0.95))]
    result["query_max_ms"] = 1000 * times[-1]
    result["derived_queries_parent_in_top5"] = f"{found}/{sum(p in parents for p in picks)}"
    del loaded
    selector._LOADED.clear()
    gc.collect()
    if args.baseline:
        result.update(_baseline(args.baseline, args.queries))
        result["p95_over_baseline"] = result["query_p95_ms"] / result["baseline_p95_ms"]
    result["load_average_before"] = " ".join(f"{x:.2f}" for x in load_before)
    result["load_average_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for k, v in result.items():
        print(f"{k}: {v:.1f}" if isinstance(v, float) else f"{k}: {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
