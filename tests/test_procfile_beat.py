"""Celery beat is the only thing that repairs a report whose worker was killed (the sweep), so it
must not die silently (issue 22, closing note). `make run` runs it as its own Procfile process,
apart from the analysis worker, in a loop that starts it again when it exits or is killed; the
Procfile's own command line is what this test runs (a real beat, on the test's filesystem broker).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def beat_pids(group: int) -> list[int]:
    """Processes of ``group`` running celery beat (the loop's shell aside)."""
    found = subprocess.run(
        ["pgrep", "-g", str(group), "-f", "celery -A provenance beat"], capture_output=True, text=True
    )
    shell = group
    return [int(pid) for pid in found.stdout.split() if int(pid) != shell]


def wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return condition()


def test_beat_is_its_own_process_and_no_worker_embeds_one():
    processes = procfile()
    assert "beat" in processes and "celery -A provenance beat" in processes["beat"]
    assert not any("--beat" in command or " -B" in command for command in processes.values())


def test_the_procfile_beat_comes_back_after_it_is_killed(tmp_path):
    env = {**os.environ, "VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None), env.pop("CELERY_BROKER_URL", None)
    log = (tmp_path / "beat.log").open("w")
    loop = subprocess.Popen(
        ["/bin/sh", "-c", procfile()["beat"]], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        first = wait_for(lambda: beat_pids(loop.pid), 60)
        assert first, (tmp_path / "beat.log").read_text()[-2000:]
        os.kill(first[0], signal.SIGKILL)  # as the OOM killer or a crash would
        second = wait_for(lambda: [p for p in beat_pids(loop.pid) if p not in first], 60)
        assert second, (tmp_path / "beat.log").read_text()[-2000:]
        assert loop.poll() is None
        assert "restarting" in (tmp_path / "beat.log").read_text()
    finally:
        os.killpg(loop.pid, signal.SIGTERM)  # as honcho stops it: the whole group
        loop.wait(timeout=30)
        log.close()
