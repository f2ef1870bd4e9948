"""Isolation of pytest-xdist's worker processes (``make test`` runs ``pytest -n``).

Each worker gets its own ``VAR_DIR`` (the SQLite file, the filesystem broker's folders, the logs of
the workers and servers the tests start) and, on Redis, its own database number, so that a Celery
worker started by one test process never takes a task queued by the other. This must happen before
Django reads its settings, which pytest-django does while pytest loads the first conftest: the
module is a plugin loaded with ``-p tests.xdist_env``, and xdist sets ``PYTEST_XDIST_WORKER`` before
a worker reads its configuration. PostgreSQL needs nothing here: pytest-django gives each worker its
own test database (``test_<name>_gw0`` …), and the processes a test starts are given that name.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def redis_database_for(url: str, index: int) -> str:
    """``redis://host:port/15`` for worker 0, ``/14`` for worker 1 …: one database per worker."""
    parts = urlsplit(url)
    base = int(parts.path.lstrip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base - index) % 16}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    os.environ["VAR_DIR"] = str(Path(os.environ.get("VAR_DIR", ROOT / "var" / "test")) / _worker)
    _broker = os.environ.get("CELERY_BROKER_URL", "")
    if _broker.startswith(("redis://", "rediss://")):
        os.environ["CELERY_BROKER_URL"] = redis_database_for(_broker, int(_worker.removeprefix("gw")))
