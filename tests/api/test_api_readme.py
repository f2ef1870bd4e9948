"""The API manual's curl examples work (docs/api.md): its API blocks are run as written, with real ``curl`` in
``bash``, against gunicorn and a real Celery worker on the demo data (only the host is swapped
for the test server's). So the manual cannot drift from the API."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories as f
from tests.api.gunicorn_process import GunicornProcess
from tests.pipeline.worker_process import ROOT, WorkerProcess, purge_task_queues, session_database_url

MARKER = "<!-- The commands in this block are run by tests/api/test_api_readme.py"
README_HOST = "http://127.0.0.1:8000"


def readme_blocks() -> list[str]:
    # The API's manual (the README's "where to go next" points there).
    api = (ROOT / "docs" / "api.md").read_text()
    return re.findall(re.escape(MARKER) + r".*?-->\n```sh\n(.*?)```", api, flags=re.S)


def run_block(block: str, *, url: str, env: dict, cwd: Path = ROOT) -> str:
    script = "set -euo pipefail\n" + block.replace(README_HOST, url)
    run = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    assert run.returncode == 0, (
        f"README block failed ({run.returncode}):\n{block}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    )
    return run.stdout


def json_documents(text: str) -> list:
    """The JSON documents curl printed one after another (without newlines between them)."""
    decoder, documents, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        document, at = decoder.raw_decode(text, at)
        documents.append(document)
        while at < len(text) and text[at].isspace():
            at += 1
    return documents


def test_the_readme_has_the_blocks_and_they_use_curl():
    blocks = readme_blocks()
    assert len(blocks) == 2
    assert all("curl -sf" in block for block in blocks)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # groups come from a data migration
def test_the_readme_curl_examples_work(tmp_path, settings):
    settings.MODEL_STORE = [tmp_path.resolve()]
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - discarded output
    purge_task_queues()  # the demo's own reports: not needed here (the worker would compute them first)
    f.editor(username="ada")
    env = {
        **os.environ,
        "DATABASE_URL": session_database_url(),
        "VAR_DIR": str(settings.VAR_DIR),
        "MODEL_STORE": str(tmp_path.resolve()),
    }
    reading, writing = readme_blocks()
    with GunicornProcess(env={"MODEL_STORE": str(tmp_path.resolve())}) as server:
        out = run_block(reading, url=server.url, env=env, cwd=tmp_path)
        timeline, claims = json_documents(out)
        assert timeline["dispute"]["slug"] == "pangu-pro-moe-qwen" and timeline["entries"]
        assert claims["results"] and all(c["kind"] == "derived_from" for c in claims["results"])
        assert "name" in claims["results"][0]["claimant"] and "kind" in claims["results"][0]["claimant"]
        export = json.loads((tmp_path / "provenance-export.json").read_text())
        assert export["format"] == "provenance-export" and export["counts"]["disputes"] >= 1
        with WorkerProcess(model_store=tmp_path.resolve()) as worker:
            try:
                out = run_block(writing, url=server.url, env=env)
            except AssertionError as failure:
                raise AssertionError(f"{failure}\n--- worker ---\n{worker.log()[-3000:]}") from None
    status, verdict, charts = out.strip().splitlines()[-1].split(" ", 2)
    assert status == "succeeded" and verdict
    assert ".svg" in charts
