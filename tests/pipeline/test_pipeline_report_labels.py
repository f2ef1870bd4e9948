"""A report names its inputs as they are named when read (FingerprintReport.relabel): a report
computed while its models were drafts under working names, then renamed and published, shows only
the public names - in the API (summary, summary_html, result.inputs.*.label), the export, the feeds,
the site's page and JSON, the charts (drawn again once a name changed) and the analysis's title."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import FingerprintReport
from claims.models.reports import INPUT_LABELS
from claims.pipeline.reports.runner import report_run
from claims.services import (
    checkpoint_register,
    record_publish,
    record_update,
    report_draw_charts,
    report_request,
)
from tests.factories import AIModelFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db

WORKING = "Codename Vulpes"  # a draft's working name, never for readers


def _computed_while_draft(model_store):
    developer = PartyFactory(published=True)
    checkpoints = [
        checkpoint_register(
            model=AIModelFactory(name=f"{WORKING} {side}", developer=developer),
            revision="v1",
            location=f"lineage/{name}",
            user=None,
        )[0]
        for side, name in (("A", "base"), ("B", "finetune"))
    ]
    report, _created = report_request(
        checkpoint_a=checkpoints[0],
        checkpoint_b=checkpoints[1],
        methods=["attn_std"],
        parameters=None,
        user=None,
    )
    assert report_run(report_id=report.pk) == "succeeded"
    return FingerprintReport.objects.select_related(
        "evidence", "checkpoint_a__model", "checkpoint_b__model"
    ).get(pk=report.pk)


def test_a_report_computed_under_working_names_shows_only_the_public_names(model_store, client):
    report = _computed_while_draft(model_store)
    assert WORKING not in report.summary and INPUT_LABELS[0] in report.summary  # stored neutral
    report_draw_charts(report=report)  # drawn (as the worker did) with the working names
    assert any(WORKING in svg for svg in FingerprintReport.objects.get(pk=report.pk).charts.values())

    user = UserFactory(is_superuser=True)
    for checkpoint, public in ((report.checkpoint_a, "Public Alpha"), (report.checkpoint_b, "Public Beta")):
        record_update(record=checkpoint.model, data={"name": public}, user=user)
        record_publish(record=checkpoint.model, user=user)
    evidence = report.evidence
    evidence.refresh_from_db()
    assert evidence.title == "Fingerprint analysis: Public Alpha @ v1 vs Public Beta @ v1"
    record_publish(record=evidence, user=user)

    api = client.get(reverse("api:report-detail", kwargs={"slug": report.slug})).json()
    assert "Public Alpha @ v1" in api["summary"] and "Public Beta @ v1" in api["summary_html"]
    assert api["result"]["inputs"]["a"]["label"] == "Public Alpha @ v1"
    assert api["result"]["inputs"]["b"]["label"] == "Public Beta @ v1"
    assert "Public Alpha @ v1" in api["result"]["summary"]
    urls = [
        reverse("api:report-detail", kwargs={"slug": report.slug}),
        reverse("api:export"),
        reverse("claims:feed-reports-atom"),
        reverse("claims:feed-evidence-atom"),
        report.get_absolute_url(),
        reverse("claims:report-json", kwargs={"slug": report.slug}),
        evidence.get_absolute_url(),
        reverse("claims:search") + "?q=Vulpes",
        reverse("api:evidence-list") + "?search=Vulpes",
        *(
            reverse("claims:report-chart", kwargs={"slug": report.slug, "name": name})
            for name in FingerprintReport.objects.get(pk=report.pk).charts_as_read  # the rename drew them
        ),
    ]
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert WORKING.encode() not in body, url
        assert "⟨input".encode() not in body, url  # the neutral labels never reach a reader
        bodies[url] = body.decode()
    sigma = reverse("claims:report-chart", kwargs={"slug": report.slug, "name": "sigma_curves"})
    assert "Public Alpha @ v1" in bodies[sigma]  # drawn again with the names of now
    feed = client.get(reverse("claims:feed-evidence-atom")).content.decode()
    assert "Fingerprint analysis: Public Alpha @ v1 vs Public Beta @ v1" in feed


def test_a_report_stored_with_the_names_of_its_time_is_read_with_the_names_of_now(model_store):
    """Reports computed before the labels were neutral hold the names of the time; read the same way."""
    report = _computed_while_draft(model_store)
    old = {"a": f"{WORKING} A @ v1", "b": f"{WORKING} B @ v1"}
    report.summary = report.summary.replace(INPUT_LABELS[0], old["a"]).replace(INPUT_LABELS[1], old["b"])
    for side in ("a", "b"):
        report.result["inputs"][side]["label"] = old[side]
    report.save()
    for model, public in (
        (report.checkpoint_a.model, "Public Alpha"),
        (report.checkpoint_b.model, "Public Beta"),
    ):
        record_update(record=model, data={"name": public}, user=None)
    report = FingerprintReport.objects.get(pk=report.pk)
    assert WORKING not in report.summary_as_read and "Public Beta @ v1" in report.summary_as_read
    assert WORKING not in str(report.result_as_read)
