"""Schemathesis against the live schema, served by a real gunicorn: no server error and no
response that contradicts the schema (status code, content type, headers, body), on every
operation, the writes included (with an editor's token).

Bounded to about a minute by default: the boundary-value ("coverage") phase on the reads, random
("fuzzing") examples on everything. ``SCHEMATHESIS_FULL=1`` (set by ``.ci/run``) adds the
coverage phase of the writes too, a few thousand more requests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests import factories as f
from tests.api.conftest import World
from tests.api.gunicorn_process import GunicornProcess

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


def schemathesis(url: str, token: str, cwd: Path, *options: str) -> str:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{url}/api/schema/",
        "--checks", ",".join(CHECKS),
        "--seed", "1",
        "--workers", "2",
        "--request-timeout", "30",
        "--generation-database", "none",
        "--no-color",
        "-H", f"Authorization: Token {token}",
        *options,
    ]  # fmt: skip
    # Its threads parse lambda sources one at a time (a CPython 3.11 bug; see schemathesis_site/).
    site = str(Path(__file__).with_name("schemathesis_site"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [site, os.environ.get("PYTHONPATH")]))}
    run = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-8000:]
    assert " passed" in output and "failed" not in output.splitlines()[-1], output[-2000:]
    return output


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # groups come from a data migration
def test_schemathesis_finds_no_server_error_and_no_schema_violation(model_store, tmp_path):
    World(n=2)
    token = Token.objects.create(user=f.editor(username="fuzzer")).key
    full = os.environ.get("SCHEMATHESIS_FULL") == "1"
    # The schema's examples (and the fuzzer) name huggingface: a local address that refuses
    # connections stands in for it, so no request leaves the machine (a hub error is a clear 4xx).
    with GunicornProcess(
        env={"HUBS": "huggingface=http://127.0.0.1:9", "GIT_HOSTS": "https://127.0.0.1:9/"}
    ) as server:
        try:
            if full:
                schemathesis(server.url, token, tmp_path, "--phases", "examples,coverage,fuzzing", "-n", "10")
            else:
                schemathesis(server.url, token, tmp_path, "--phases", "coverage", "--include-method", "GET")
                schemathesis(server.url, token, tmp_path, "--phases", "examples,fuzzing", "-n", "10")
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n--- server log ---\n{server.log()[-3000:]}") from None
