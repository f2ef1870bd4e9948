"""One pytest-xdist worker, one world of its own (``make test`` runs the suite on several workers).

pytest-django gives each worker its own test database (``test_<name>_gw0``, ``_gw1``, ...). Everything
else a test starts - the real Celery worker (tests/pipeline/worker_process.py), gunicorn
(tests/api/gunicorn_process.py), the load test's stack - reads the environment, as production does.
So before pytest-django reads the settings, each xdist worker gets its own:

- ``VAR_DIR``: a subfolder named after the worker (its SQLite files, the filesystem broker's folders,
  media, logs, mail);
- broker: on Redis, the database number counts down from the configured one (``redis://…/13`` →
  ``/13`` for gw0, ``/12`` for gw1), so one worker's Celery worker never takes another's tasks (its
  control broadcasts are per Redis database too). The filesystem broker lives in ``VAR_DIR``.

Servers bind free ports (port 0), so nothing else is shared. Loaded with ``-p tests.xdist_worker``
(pyproject.toml's addopts), which imports it before any conftest.

``make test`` distributes with ``--dist loadgroup``: a test without an ``xdist_group`` mark is handed
out alone, as ``--dist load`` does, so each worker runs its share in pytest-django's order (database
tests, then transactional ones, then the rest) and, as in one process, no test that relies on the
migrations' rows (the Editors group) follows a transactional test's flush. Only the engine's tests,
which use no database, are grouped (one group per module, tests/fingerprint/conftest.py), so that a
module's expensive fixtures are computed in one process; xdist hands out the largest groups first.
``--dist loadfile`` or ``loadscope`` hand out whole files of every kind and break that order (tried
once: 29 failed, 54 errors).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]


def worker_broker_url(urls: str, index: int) -> str:
    """The broker of xdist worker ``index``: each Redis URL's database number minus ``index`` (kombu's
    failover form, ``;``-separated, included); any other broker (the filesystem one lives in the
    worker's VAR_DIR) unchanged."""
    return ";".join(_worker_url(url.strip(), index) for url in urls.split(";"))


def _worker_url(url: str, index: int) -> str:
    parts = urlsplit(url)
    if parts.scheme.split("+")[0] not in ("redis", "rediss") or index == 0:
        return url
    base = int(parts.path.strip("/") or 0)
    if base - index < 0:
        raise pytest.UsageError(
            f"CELERY_BROKER_URL={url}: xdist worker {index} would need Redis database {base - index}; "
            f"give a database number of at least {index} (the workers count down from it)."
        )
    return urlunsplit(parts._replace(path=f"/{base - index}"))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    index = int(worker.removeprefix("gw"))
    var_dir = Path(os.environ.get("VAR_DIR") or ROOT / "var")
    os.environ["VAR_DIR"] = str(var_dir / worker)
    if os.environ.get("CELERY_BROKER_URL"):
        os.environ["CELERY_BROKER_URL"] = worker_broker_url(os.environ["CELERY_BROKER_URL"], index)
    share_blas_threads(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1))


BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def share_blas_threads(workers: int) -> None:
    """The cores shared out between the xdist workers' BLAS, as ``provenance.worker_threads`` shares
    them between a Celery worker's pool processes: OpenBLAS starts a thread per core in every process
    and its threads spin while they wait, so two workers of two threads each on two cores took 126 s
    for an engine test that takes 8 s alone. Set before NumPy loads (and applied through threadpoolctl
    if it already has), and inherited by the processes the tests start; a variable the caller set wins."""
    from provenance.worker_threads import blas_threads, limit_blas_threads

    threads = blas_threads(0, workers)
    for name in BLAS_VARIABLES:
        os.environ.setdefault(name, str(threads))
    if "numpy" in sys.modules:
        limit_blas_threads(int(os.environ["OPENBLAS_NUM_THREADS"]))
