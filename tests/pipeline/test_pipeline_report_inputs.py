"""A pipeline report names exactly what it compared (issue 26): for each side downloaded from a hub,
its source, the commit it resolved to and every file's SHA-256 as verified, in the engine's result
(so in the API and the export) and on the report page; its labels name the commits. Against the
local test hub (claims/demo/hub_server.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.api.export import export_document
from claims.models import AIModel, EvidenceArtifact, Party
from claims.pipeline.downloads.runner import acquisition_run
from claims.pipeline.reports.runner import report_run
from claims.services import report_request
from claims.services.content import content_changed
from tests.api.conftest import token_client
from tests.factories import editor
from tests.pipeline.test_pipeline_acquire import acquire

pytestmark = pytest.mark.django_db


def test_a_pipeline_report_records_each_sides_source_commit_and_verified_hashes(hub, client, admin_client):  # noqa: F811
    base, finetune = acquire("base"), acquire("finetune")
    methods = ["attn_std", "tensor_identity"]  # the inputs are the point here, not the methods
    report, _ = report_request(
        checkpoint_a=base, checkpoint_b=finetune, methods=methods, parameters=None, user=None
    )
    for checkpoint in (base, finetune):
        assert acquisition_run(checkpoint_id=checkpoint.pk) == "done"
    assert report_run(report_id=report.pk) == "succeeded"
    for checkpoint in (base, finetune):
        checkpoint.refresh_from_db()

    api = token_client(editor(username="reader-of-reports")).get(f"/api/v1/reports/{report.slug}/").json()
    inputs = api["result"]["inputs"]
    for side, checkpoint, name in (("a", base, "base"), ("b", finetune, "finetune")):
        commit = hub.repos[f"Org/{name}"].commit
        recorded = inputs[side]
        assert recorded["label"] == f"{checkpoint} (commit {commit[:12]})"
        assert recorded["source"]["source"] == f"hub:testhub:Org/{name}@main"
        assert recorded["source"]["commit"] == commit
        assert recorded["source"]["pinned"] == f"hub:testhub:Org/{name}@{commit}"
        assert recorded["source"]["files"] == sorted(checkpoint.source_files, key=lambda f: f["name"])
        assert {f["name"]: f["sha256"] for f in recorded["weight_files"]} == checkpoint.file_hashes

    # Public (both models and the analysis record published): the page and the export say the same.
    now = timezone.now()
    for model in (Party, AIModel, EvidenceArtifact):
        model.objects.update(status="published", published_at=now)
    content_changed()
    page = client.get(report.get_absolute_url()).content.decode()
    for side in "ab":
        source = inputs[side]["source"]
        assert (
            f'<code>{source["source"]}</code> at commit <code class="hash">{source["commit"]}</code>' in page
        )
        assert "SHA-256 as verified when downloaded" in page
        assert all(f["sha256"] in page for f in source["files"])
    [exported] = [r for r in export_document()["reports"] if r["slug"] == report.slug]
    assert exported["result"]["inputs"] == inputs
    admin = admin_client.get(
        reverse("admin:claims_fingerprintreport_change", args=[report.pk])
    ).content.decode()
    assert inputs["a"]["source"]["pinned"] in admin and inputs["b"]["source"]["pinned"] in admin
