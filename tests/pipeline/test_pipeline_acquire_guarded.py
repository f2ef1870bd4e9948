"""Acquisition under faults, through the knowledge base's doors: the preview API against a hub that
answers oddly or never, ``manage.py fingerprint`` when a download fails, the model cache's use by
folder and its reservations, git LFS names and sizes. Against the local test hub
(claims/demo/hub_server.py) and real git repositories."""

from __future__ import annotations

import logging
import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from claims.demo.hub_server import HubRepo
from claims.models import AIModel, Checkpoint, FingerprintReport, Party
from provenance.fingerprint.sources import Hub
from tests.factories import editor

pytestmark = pytest.mark.django_db
Acquisition = Checkpoint.Acquisition
PREVIEW = "/api/v1/checkpoints/preview/"


def _client():
    from tests.api.conftest import token_client

    return token_client(editor())


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"sha": "0" * 40, "siblings": [{"size": 1}]},
        {"sha": "0" * 40, "siblings": [{"rfilename": "a", "lfs": 3}]},
    ],
)
def test_the_preview_api_answers_a_hub_listing_in_an_odd_shape_with_a_400(hub, body):
    hub.add(HubRepo("Org/odd", {"model.safetensors": b"\0" * 16}, info_body=body))
    response = _client().post(PREVIEW, {"source": {"hub": "testhub", "repo": "Org/odd"}}, format="json")
    assert response.status_code == 400, response.content
    assert "is not a Hugging Face-compatible hub's" in str(response.json())


def test_the_preview_api_answers_a_hub_that_never_answers_after_its_timeout(settings):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    try:
        settings.HUBS = {"silent": Hub("silent", f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=1)}
        response = _client().post(PREVIEW, {"source": {"hub": "silent", "repo": "Org/x"}}, format="json")
    finally:
        sock.close()
    assert response.status_code == 400 and "could not be read" in str(response.json())


def test_a_failed_fingerprint_command_leaves_nothing_behind_and_says_one_sentence(hub, caplog):
    hub.repos["Org/finetune"].faults.add("corrupt")
    before = (AIModel.objects.count(), Party.objects.count(), Checkpoint.objects.count())
    args = (
        "fingerprint",
        "hub:testhub:Org/base@main",
        "hub:testhub:Org/finetune@main",
        "--methods",
        "attn_std",
    )
    with caplog.at_level(logging.INFO), pytest.raises(CommandError) as failed:
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    assert str(failed.value).startswith("hub:testhub:Org/finetune@main: model") and "does not match" in str(
        failed.value
    )
    assert "\n" not in str(failed.value)
    assert not [r for r in caplog.records if "Traceback" in r.getMessage() or r.exc_info]
    # No draft model, checkpoint or report stays behind ...
    assert (AIModel.objects.count(), Party.objects.count(), Checkpoint.objects.count()) == before
    assert not FingerprintReport.objects.exists()
    # ... so once the hub serves the right bytes, the same command succeeds.
    hub.repos["Org/finetune"].faults.clear()
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    assert "Report " in out.getvalue()
