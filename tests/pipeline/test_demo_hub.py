"""``manage.py serve_demo_hub`` (the ``demohub`` process of ``make run``): the demo's synthetic
checkpoints served as a local hub, previewed and downloaded by the product's own code through the
unmodified huggingface_hub client, as an editor does from the admin."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from claims.demo.synthetic_case import STORE_FOLDER
from claims.models import Checkpoint
from claims.pipeline.downloads.runner import acquisition_run
from claims.services import checkpoint_acquire, checkpoint_preview
from provenance.fingerprint.sources import parse_hubs
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def demo_hub(lineage_store, tmp_path, settings):
    store = tmp_path / "store"
    store.mkdir()
    (store / STORE_FOLDER).symlink_to(lineage_store / "lineage", target_is_directory=True)
    port = free_port()
    env = {**os.environ, "MODEL_STORE": str(store), "VAR_DIR": str(tmp_path / "var")}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_demo_hub", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        assert line.startswith(f"Demo hub at http://127.0.0.1:{port}: "), process.stderr.read()
        settings.HUBS = {**settings.HUBS, **parse_hubs(f"demo=http://127.0.0.1:{port}|localhost")}
        cache = (tmp_path / "cache").resolve()
        settings.MODEL_CACHE_DIR = cache
        settings.MODEL_STORE = [cache]
        yield line
    finally:
        # Clean-up, not a test of the shutdown: on two cores shared with the other xdist process and
        # its workers, a terminated server once took over 10 s to exit.
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_the_demo_hub_serves_the_demo_checkpoints_and_they_are_previewed_then_downloaded(demo_hub):
    assert "Demo/base" in demo_hub and "Demo/finetune" in demo_hub
    preview = checkpoint_preview(source={"hub": "demo", "repo": "Demo/base"})
    assert preview.mode == "download" and len(preview.commit) == 40
    assert any(f["name"].endswith(".safetensors") for f in preview.files)
    checkpoint, created = checkpoint_acquire(
        model=AIModelFactory(), source={"hub": "demo", "repo": "Demo/base"}, user=None
    )
    assert created and acquisition_run(checkpoint_id=checkpoint.pk) == "done"
    checkpoint.refresh_from_db()
    assert checkpoint.acquisition_status == Checkpoint.Acquisition.DONE
    assert (
        checkpoint.source_commit == preview.commit and checkpoint.source_display == "hub:demo:Demo/base@main"
    )


def test_without_the_demo_the_command_says_what_to_run(tmp_path):
    env = {**os.environ, "MODEL_STORE": str(tmp_path), "VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run(
        [sys.executable, "manage.py", "serve_demo_hub", "--port", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0 and "run `manage.py load_demo` first" in result.stderr
