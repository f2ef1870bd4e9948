"""The whole-stack load test's 15-second smoke run (benchmarks/bench_load.py, benchmarks/locustfile.py).

gunicorn, the database, Redis (when the broker is Redis) and a real Celery worker serve Locust's
readers, API clients and an editor for 15 seconds on a small data set. No timing is asserted (the
benchmark reports those): only that nothing failed and that every kind of request ran.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def task_names() -> set[str]:
    """``TASK_NAMES`` of the locustfile, read without importing Locust (it monkey-patches the
    standard library with gevent on import, which this test process must not have)."""
    tree = ast.parse((ROOT / "benchmarks" / "locustfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "TASK_NAMES":
            return set(ast.literal_eval(node.value))
    raise AssertionError("benchmarks/locustfile.py defines no TASK_NAMES")


def test_the_whole_stack_serves_every_kind_of_request_under_load_without_an_error(tmp_path):
    out = tmp_path / "load.json"
    env = {**os.environ, "BENCH_LOAD_VAR_DIR": str(settings.VAR_DIR / "bench-load")}
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_load.py"),
            "--small",
            "--seconds",
            "15",
            "--workers",
            "2",
            "--users",
            "8",
            "--json",
            str(out),
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text())["2"]
    stats = result["stats"]
    assert stats["Aggregated"]["failures"] == 0, result["failures"]
    ran = {name for name, row in stats.items() if row["requests"]}
    assert task_names() <= ran, f"never ran: {sorted(task_names() - ran)}"
