"""The editors' side of the pipeline: request, watch, read and retry reports in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.models import FingerprintReport
from claims.pipeline.runner import report_run
from claims.services import report_request
from tests.factories import UserFactory, editor

pytestmark = pytest.mark.django_db
Status = FingerprintReport.Status


@pytest.fixture
def editor_client(client):
    client.force_login(editor())
    return client


@pytest.fixture
def computed(register):
    report, _created = report_request(
        checkpoint_a=register("base"), checkpoint_b=register("moe"), methods=None, parameters=None, user=None
    )
    report_run(report_id=report.pk)
    report.refresh_from_db()
    return report


def change_url(report):
    return reverse("admin:claims_fingerprintreport_change", args=[report.pk])


def test_an_editor_requests_a_report_from_the_form(editor_client, register):
    a, b = register("base"), register("finetune")
    response = editor_client.post(
        reverse("admin:claims_fingerprintreport_add"),
        {"checkpoint_a": a.pk, "checkpoint_b": b.pk, "methods": ["attn_std", "aligned_cosine"]},
    )
    report = FingerprintReport.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(report)
    assert report.methods == ["attn_std", "aligned_cosine"] and report.status == Status.QUEUED
    assert report.requested_by.groups.filter(name="Editors").exists()


def test_the_request_form_shows_field_errors_not_a_500(editor_client, register):
    a = register("base")
    response = editor_client.post(
        reverse("admin:claims_fingerprintreport_add"),
        {"checkpoint_a": a.pk, "checkpoint_b": a.pk, "methods": []},
    )
    assert response.status_code == 200
    assert b"two different checkpoints" in response.content
    assert FingerprintReport.objects.count() == 0


def test_compare_with_two_checkpoints_requests_their_report(editor_client, register):
    a, b = register("base"), register("pruned")
    response = editor_client.post(
        reverse("admin:claims_checkpoint_changelist"), {"action": "compare", "_selected_action": [a.pk, b.pk]}
    )
    report = FingerprintReport.objects.get()
    assert response["Location"] == change_url(report)
    assert {report.checkpoint_a, report.checkpoint_b} == {a, b}


def test_compare_with_one_checkpoint_opens_the_form_with_it(editor_client, register):
    a = register("base")
    response = editor_client.post(
        reverse("admin:claims_checkpoint_changelist"), {"action": "compare", "_selected_action": [a.pk]}
    )
    assert response["Location"] == f"{reverse('admin:claims_fingerprintreport_add')}?checkpoint_a={a.pk}"
    page = editor_client.get(response["Location"])
    assert page.status_code == 200 and f'value="{a.pk}" selected'.encode() in page.content


def test_a_running_report_shows_its_progress_and_refreshes(editor_client, register):
    report, _created = report_request(
        checkpoint_a=register("base"), checkpoint_b=register("moe"), methods=None, parameters=None, user=None
    )
    FingerprintReport.objects.filter(pk=report.pk).update(
        status=Status.RUNNING, started_at=timezone.now(), progress_bytes=5 * 2**20, progress_total=20 * 2**20
    )
    page = editor_client.get(change_url(report)).content.decode()
    assert "5.2 MB of 21.0 MB read (25 %)" in page
    assert 'http-equiv="refresh"' in page
    assert "running" in page


def test_a_computed_report_shows_summary_scores_charts_and_reproducibility(editor_client, computed):
    page = editor_client.get(change_url(computed)).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert computed.summary.split(".")[0] in page
    assert computed.result["results"]
    for method in computed.result["results"]:
        assert f"<td>{method}</td>" in page
    assert computed.engine_version in page and computed.request_key in page
    assert "python -m provenance.fingerprint compare" in page
    for name in computed.charts:
        url = reverse("admin:claims_fingerprintreport_chart", args=[computed.pk, name])
        assert url in page
        chart = editor_client.get(url)
        assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
        assert "sandbox" in chart["Content-Security-Policy"]


def test_charts_are_for_staff_only(client, computed):
    url = reverse("admin:claims_fingerprintreport_chart", args=[computed.pk, "sigma_curves"])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory())  # staff, but no permission on reports
    assert client.get(url).status_code in (403, 404)


def test_a_failed_report_has_a_retry_button_that_queues_it(editor_client, computed):
    FingerprintReport.objects.filter(pk=computed.pk).update(
        status=Status.FAILED, error_message="Shard x is truncated."
    )
    page = editor_client.get(change_url(computed)).content.decode()
    assert 'name="_retry"' in page and "Shard x is truncated." in page

    editor_client.post(change_url(computed), {"_retry": "Retry this report"})
    computed.refresh_from_db()
    assert computed.status == Status.QUEUED


def test_the_report_and_its_analysis_evidence_link_to_each_other(editor_client, computed):
    page = editor_client.get(change_url(computed)).content.decode()
    evidence_url = reverse("admin:claims_evidenceartifact_change", args=[computed.evidence.pk])
    assert evidence_url in page

    evidence_page = editor_client.get(evidence_url).content.decode()
    assert change_url(computed) in evidence_page
    assert "lineage_supported" in evidence_page and computed.summary.split(".")[0] in evidence_page
