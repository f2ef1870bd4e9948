"""Report parameters: one definition in the engine, the same refusal through every door.

The service, the API, the admin form, ``manage.py fingerprint`` and the engine's command line all
check ``provenance.fingerprint.parameters``; before, the service took a null size of 2-512 and the
API 8-1000, so 600 passed the API and came back as a generic refusal.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims.errors import ProvenanceError
from claims.models import FingerprintReport
from claims.services import report_request
from provenance.fingerprint.parameters import NULL_SIZE, SEED, validate
from tests.api.conftest import token_client
from tests.factories import editor

pytestmark = pytest.mark.django_db

TOO_MANY = NULL_SIZE.maximum + 88
SENTENCE = "null_size must be a whole number from 8 to 512."


def test_the_definition_says_the_sentence_and_fills_in_defaults():
    assert NULL_SIZE.message == SENTENCE
    assert validate({"seed": 3}) == {"null_size": NULL_SIZE.default, "seed": 3}
    assert validate(None) == {"null_size": 32, "seed": SEED.default}


def test_an_out_of_range_null_size_gets_the_same_sentence_through_every_door(register, client):
    a, b = register("base"), register("finetune")

    with pytest.raises(ProvenanceError) as refused:
        report_request(
            checkpoint_a=a, checkpoint_b=b, methods=None, parameters={"null_size": TOO_MANY}, user=None
        )
    assert str(refused.value) == SENTENCE

    api = token_client(editor()).post(
        "/api/v1/reports/",
        {"checkpoint_a": a.pk, "checkpoint_b": b.pk, "parameters": {"null_size": TOO_MANY}},
        format="json",
    )
    assert api.status_code == 400, api.content
    assert api.json()["error"]["fields"] == {"parameters": [SENTENCE]}  # the sentence names the field

    client.force_login(editor())
    form = client.post(
        reverse("admin:claims_fingerprintreport_add"),
        {"checkpoint_a": a.pk, "checkpoint_b": b.pk, "methods": ["attn_std"], "null_size": TOO_MANY},
    )
    assert form.status_code == 200
    assert form.context["form"].errors == {"null_size": [SENTENCE]}

    with pytest.raises(CommandError) as command:
        call_command("fingerprint", "lineage/base", "lineage/finetune", "--null-size", str(TOO_MANY))
    assert str(command.value) == SENTENCE and command.value.returncode == 2

    engine = subprocess.run(
        [sys.executable, "-m", "provenance.fingerprint", "compare", "a", "b", "--null-size", str(TOO_MANY)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert engine.returncode == 2 and engine.stderr == f"error: {SENTENCE}\n"

    assert not FingerprintReport.objects.exists()


def test_parameters_within_bounds_reach_the_report_from_the_admin_form(register, client):
    client.force_login(editor())
    a, b = register("base"), register("finetune")
    client.post(
        reverse("admin:claims_fingerprintreport_add"),
        {"checkpoint_a": a.pk, "checkpoint_b": b.pk, "methods": ["attn_std"], "null_size": 16, "seed": ""},
    )
    assert FingerprintReport.objects.get().parameters == {"null_size": 16, "seed": 0}
