"""A real gunicorn serving the test database on a free loopback port, for the tests that drive
the API from outside (schemathesis): several worker processes, as in production, instead of the
single in-process live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.pipeline.worker_process import ROOT, session_database_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


READY_SECONDS = 90


class GunicornProcess:
    def __init__(self, *, env: dict[str, str] | None = None, workers: int = 3) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log_dir = settings.VAR_DIR / "test-logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": session_database_url(),
            "VAR_DIR": str(settings.VAR_DIR),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "MODEL_STORE": ",".join(str(p) for p in settings.MODEL_STORE),
            "API_ANON_RATE": "1000000/minute",
            "API_USER_RATE": "1000000/minute",
            "SITE_URL": self.url,  # the absolute links it prints lead back to it
            **(env or {}),
        }
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> GunicornProcess:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        args = [gunicorn, "provenance.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                "--timeout", "60", "--log-level", "warning"]  # fmt: skip
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        # A readiness wait, not a speed test: on two busy cores gunicorn's import can pass 30 s.
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            try:
                urllib.request.urlopen(f"{self.url}/api/v1/", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn not ready after {READY_SECONDS} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if getattr(self, "_log", None):
            self._log.close()
