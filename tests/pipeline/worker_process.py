"""A real Celery worker process for the pipeline tests (no eager mode, no mocks).

``WorkerProcess`` starts ``celery -A provenance worker`` as a subprocess that talks to the same
broker (Redis in CI, the filesystem broker locally) and the same *test* database as the test
process, waits until it says it is ready, and stops it - politely, or with SIGKILL for the
fault tests. Its log is kept under ``var/`` so a failing CI run can be read afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def session_database_url() -> str:
    """The URL of the database this test session uses (the test database, not the configured one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def purge_task_queues() -> int:
    """Drop every message waiting in the task queues (the default one and each routed one); return how
    many. ``celery_app.control.purge()`` empties only the queues this process consumes from, which
    leaves the "analysis" queue's reports in place for the next worker to compute."""
    from provenance.celery import app as celery_app

    conf = celery_app.conf
    queues = {conf.task_default_queue, *(route["queue"] for route in conf.task_routes.values())}
    with celery_app.connection_for_write() as conn:
        return sum(conn.default_channel.queue_purge(queue) or 0 for queue in sorted(queues))


class WorkerProcess:
    """One worker: ``with WorkerProcess(model_store=...) as worker: ...``."""

    def __init__(self, *, model_store: Path, env: dict[str, str] | None = None, beat: bool = False) -> None:
        self.name = f"test-{uuid.uuid4().hex[:8]}"
        log_dir = settings.VAR_DIR / "test-logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"worker-{self.name}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": session_database_url(),
            "MODEL_STORE": str(model_store),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "VAR_DIR": str(settings.VAR_DIR),
            "REPORT_PROGRESS_SECONDS": "1",
            # The test process, its servers and the worker share the cores: one BLAS thread each
            # (provenance/worker_threads.py; the default's arithmetic is tested in test_worker_threads.py).
            "BLAS_THREADS": "1",
            # The lineage search's automatic reports as the test set them (off unless it turns them on:
            # tests/conftest.py).
            "RELATIVES_CONFIRM_TOP": str(settings.RELATIVES_CONFIRM_TOP),
            **(env or {}),
        }
        self.beat = beat
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> WorkerProcess:
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "provenance",
            "worker",
            "--queues",
            "analysis,celery,acquire,archive",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--hostname",
            f"{self.name}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        if self.beat:
            args.append("--beat")
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        # Its own process group, so SIGKILL reaches the pool children too, as when a machine dies.
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited with {self.process.returncode}:\n{self.log()}")
            if " ready." in self.log():
                return self
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"worker not ready after {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 20) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close()

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: nothing gets to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._close()

    def _close(self) -> None:
        log = getattr(self, "_log", None)
        if log and not log.closed:
            log.close()

    def __enter__(self) -> WorkerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
