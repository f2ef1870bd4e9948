"""Fingerprint reports through the API: requested with a token through the same service as the
admin (identical requests return the existing report), polled to ``succeeded`` by a real worker,
charts served as SVG."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from claims import services
from claims.errors import ProvenanceError
from claims.models import EvidenceArtifact, FingerprintReport
from tests import factories as f
from tests.api.conftest import World, token_client
from tests.pipeline.worker_process import WorkerProcess


def ask(client, a, b, **extra):
    return client.post(
        "/api/v1/reports/", {"checkpoint_a": a.pk, "checkpoint_b": b.pk, **extra}, format="json"
    )


@pytest.mark.django_db
def test_an_identical_request_returns_the_existing_report(editor, world):
    first = ask(editor, world.ckpt_a, world.ckpt_b, methods=["attn_std"], parameters={"null_size": 16})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "queued" and body["progress"] == {
        "bytes_read": 0,
        "bytes_total": None,
        "fraction": None,
        "download": None,  # no hub checkpoint to download
        "phase": "queued",
        "phase_fraction": None,
        "text": "waiting for a worker",
        "stale": False,
    }
    assert body["evidence"] is None  # its analysis artifact is a draft: no public link
    again = ask(editor, world.ckpt_a, world.ckpt_b, methods=["attn_std"], parameters={"null_size": 16})
    assert again.status_code == 200 and again.json()["slug"] == body["slug"]
    assert FingerprintReport.objects.filter(slug=body["slug"]).count() == 1
    report = FingerprintReport.objects.get(slug=body["slug"])
    evidence = report.evidence
    assert evidence.kind == EvidenceArtifact.Kind.ANALYSIS and evidence.status == "draft"
    # ... but the answer names the evidence record the request created, for the editor to publish.
    base = "http://testserver/api/v1/evidence"
    expected = {
        "id": evidence.pk,
        "slug": evidence.slug,
        "status": "draft",
        "url": f"{base}/{evidence.slug}/",
        "publish_url": f"{base}/{evidence.slug}/publish/",
    }
    assert body["evidence_record"] == expected and again.json()["evidence_record"] == expected
    assert editor.get(expected["url"]).json()["slug"] == evidence.slug  # editors see the draft there


@pytest.mark.django_db
def test_impossible_requests_name_the_problem(editor, world):
    same = ask(editor, world.ckpt_a, world.ckpt_a)
    assert same.status_code == 400 and same.json()["error"]["code"] == "refused"
    bad = ask(
        editor, world.ckpt_a, world.ckpt_b, methods=["astrology"], parameters={"null_size": 2, "speed": 9}
    )
    fields = bad.json()["error"]["fields"]
    assert bad.status_code == 400 and set(fields) == {"methods", "parameters"}
    assert "Unknown field" in fields["parameters"][0]
    missing = editor.post("/api/v1/reports/", {"checkpoint_a": 999999, "checkpoint_b": "x"}, format="json")
    assert set(missing.json()["error"]["fields"]) == {"checkpoint_a", "checkpoint_b"}


@pytest.mark.django_db
def test_a_report_is_public_with_its_evidence_and_serves_its_charts(anon, world):
    report = world.report
    report.charts = {"sigma_curves": "<svg xmlns='http://www.w3.org/2000/svg'></svg>"}
    report.save()
    body = anon.get(f"/api/v1/reports/{report.slug}/").json()
    assert body["charts"] == [
        {
            "name": "sigma_curves",
            "url": f"http://testserver/reports/{report.slug}/charts/sigma_curves.svg",
            "api_url": f"http://testserver/api/v1/reports/{report.slug}/charts/sigma_curves.svg",
        }
    ]
    assert anon.get(body["charts"][0]["url"])["Content-Type"].startswith("image/svg+xml")
    chart = anon.get(f"/api/v1/reports/{report.slug}/charts/sigma_curves.svg")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    assert "sandbox" in chart["Content-Security-Policy"]
    assert anon.get(f"/api/v1/reports/{report.slug}/charts/other.svg").status_code == 404
    assert "result" not in anon.get("/api/v1/reports/").json()["results"][0]


def wait_until_finished(client, url: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.5)
    raise AssertionError(f"{url} still {body['status']} after {timeout} s")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # groups come from a data migration
@pytest.mark.usefixtures("empty_queues")
def test_an_editor_requests_a_report_with_a_token_and_polls_it_to_succeeded(register, model_store):
    World(drafts=False)
    editor = token_client(f.editor(username="poller"))
    base, finetune = register("base"), register("finetune")
    with WorkerProcess(model_store=model_store) as worker:
        response = ask(editor, base, finetune, methods=["attn_std", "tensor_identity"])
        assert response.status_code == 201, response.content
        url = response.json()["url"]
        body = wait_until_finished(editor, url)
    assert body["status"] == "succeeded", (body["error_message"], worker.log()[-2000:])
    assert body["progress"]["fraction"] == 1.0
    assert body["result"]["schema_version"] == 1
    assert set(body["result"]["results"]) == {"attn_std", "tensor_identity"}
    assert body["charts"], "a succeeded report has charts"
    chart = editor.get(body["charts"][0]["api_url"])  # a draft: the API serves it to editors
    assert chart.status_code == 200 and chart.content.lstrip().startswith((b"<?xml", b"<svg"))
    # Readers see it once an editor publishes its analysis evidence.
    report = FingerprintReport.objects.get(slug=body["slug"])
    anon = APIClient()
    assert anon.get(url).status_code == 404
    # Its evidence names both models: it cannot be published before they are (nor can they before
    # their developers).
    with pytest.raises(ProvenanceError, match="first"):
        services.record_publish(record=report.evidence, user=None)
    for checkpoint in (report.checkpoint_a, report.checkpoint_b):
        for record in (checkpoint.model.developer, checkpoint.model):
            record.refresh_from_db()
            if not record.is_public:
                services.record_publish(record=record, user=None)
    services.record_publish(record=report.evidence, user=None)
    assert anon.get(url).json()["status"] == "succeeded"
