"""The editors' side of the pipeline: request, watch, read and retry reports in the admin."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from claims import models as m
from claims.models import FingerprintReport
from claims.pipeline.reports.runner import report_run
from claims.services import checkpoint_record_inspection, report_request
from provenance.fingerprint.progress import compare_phase
from tests.factories import AIModelFactory, UserFactory, editor
from tests.fingerprint.engine_files import llama_tensors, safetensors_bytes
from tests.test_admin import form_data, url

pytestmark = pytest.mark.django_db
Status = FingerprintReport.Status


@pytest.fixture
def editor_client(client):
    client.user = editor()
    client.force_login(client.user)
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
    # The editor lands on the report's page: a preview (its evidence is a draft) with its status,
    # and the way to the evidence record that publishes it.
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.methods == ["attn_std", "aligned_cosine"] and report.status == Status.QUEUED
    assert report.requested_by.groups.filter(name="Editors").exists()
    page = editor_client.get(response["Location"])
    assert page.status_code == 200 and page.context["preview_banner"]
    html = page.content.decode()
    assert "Waiting for a worker" in html
    evidence_url = reverse("admin:claims_evidenceartifact_change", args=[report.evidence.pk])
    assert f'<a href="{evidence_url}">Open its evidence record in the admin to publish it</a>' in html


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
    assert response["Location"] == report.get_absolute_url()
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
    FingerprintReport.objects.filter(pk=report.pk).update(
        progress_phase=compare_phase("aligned_cosine", 2, 5), heartbeat_at=timezone.now()
    )
    page = editor_client.get(change_url(report)).content.decode()
    assert "computing Centred cosine of aligned weight matrices (method 2 of 5)" in page


def test_a_computed_report_shows_summary_scores_charts_and_reproducibility(editor_client, computed):
    page = editor_client.get(change_url(computed)).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert computed.summary_as_read.split(".")[0] in page
    assert computed.result["results"]
    for method in computed.result["results"]:
        assert f"<td>{method}</td>" in page
    assert computed.engine_version in page and computed.request_key in page
    assert "python -m provenance.fingerprint compare" in page
    computed.refresh_from_db()  # the page drew the charts
    assert computed.charts
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
    assert "lineage_supported" in evidence_page and computed.summary_as_read.split(".")[0] in evidence_page


def checkpoint_add(editor_client, **fields):
    data = {"model": AIModelFactory().pk, "revision": "v1", "format": "safetensors", **fields}
    return editor_client.post(url(m.Checkpoint, "add"), data)


def test_an_uploaded_gguf_is_registered_as_gguf(editor_client, model_store):
    from tests.pipeline.test_pipeline_checkpoints import gguf_copy

    upload = SimpleUploadedFile("weights.bin", gguf_copy(model_store, "Q8_0").read_bytes())
    response = checkpoint_add(editor_client, uploaded_file=upload)  # declared safetensors: the magic wins
    assert response.status_code == 302, response.context["adminform"].form.errors
    checkpoint = m.Checkpoint.objects.get()
    assert (checkpoint.format, checkpoint.layout_family, checkpoint.layer_count) == ("gguf", "llama", 12)


def test_an_uploaded_gguf_whose_header_is_over_the_cap_is_a_field_error_not_read(
    editor_client, settings, tmp_path
):
    from provenance.fingerprint.synthetic.gguf_writer import write_gguf_with_metadata

    settings.GGUF_HEADER_MAX_BYTES = 10**6  # the web process reads at most this of a GGUF header
    gguf = write_gguf_with_metadata(tmp_path / "vocab.gguf", tokens=200_000)  # a 3 MB header
    response = checkpoint_add(
        editor_client, uploaded_file=SimpleUploadedFile("vocab.gguf", gguf.read_bytes())
    )
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors["uploaded_file"])
    assert "vocab.gguf has a GGUF header larger than 1.0 MB" in errors and "tokenizer.ggml.tokens" in errors
    assert not m.Checkpoint.objects.exists()


def test_a_corrupt_uploaded_checkpoint_is_a_field_error_naming_the_file(editor_client):
    upload = SimpleUploadedFile("weights.safetensors", b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    response = checkpoint_add(editor_client, uploaded_file=upload)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["uploaded_file"]
    assert "weights.safetensors" in str(errors) and "not valid JSON" in str(errors)
    assert not m.Checkpoint.objects.exists()


def test_a_valid_uploaded_checkpoint_is_registered_with_its_header_facts(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    weights = safetensors_bytes(llama_tensors())
    response = checkpoint_add(editor_client, uploaded_file=SimpleUploadedFile("model.safetensors", weights))
    assert response.status_code == 302, response.context["adminform"].form.errors
    checkpoint = m.Checkpoint.objects.get()
    assert checkpoint.total_size == len(weights) and checkpoint.layer_count == 2
    assert checkpoint.history.latest().history_user == editor_client.user


def test_gguf_cannot_be_chosen_for_safetensors_weights(editor_client, model_store):
    response = checkpoint_add(editor_client, location="lineage/base", format="gguf")
    assert response.status_code == 200
    assert "safetensors files, not GGUF" in str(response.context["adminform"].form.errors["format"])


def test_a_fifo_location_is_a_field_error(editor_client, model_store):
    fifo = model_store / f"pipe-{uuid.uuid4().hex[:8]}"
    os.mkfifo(fifo)
    response = checkpoint_add(editor_client, location=str(fifo))
    assert response.status_code == 200
    assert "not a regular file" in str(response.context["adminform"].form.errors["location"])


def test_a_hashed_checkpoints_identity_is_read_only(editor_client, register):
    checkpoint = register("base")
    checkpoint_record_inspection(checkpoint=checkpoint, inspection={"content_hash": "ef" * 32}, reason="test")
    page = editor_client.get(url(m.Checkpoint, "change", checkpoint.pk))
    form = page.context["adminform"].form
    assert not set(m.Checkpoint.IDENTITY_FIELDS) & set(form.fields)
    data = {**form_data(page), "revision": "v2", "location": "lineage/moe", "note": "From the hub."}
    assert editor_client.post(url(m.Checkpoint, "change", checkpoint.pk), data).status_code == 302
    checkpoint.refresh_from_db()
    assert (checkpoint.revision, checkpoint.note) == ("v1", "From the hub.")
    assert checkpoint.location.endswith("lineage/base")


def test_an_unhashed_checkpoints_revision_changes_in_place(editor_client, register):
    checkpoint = register("base")
    data = {**form_data(editor_client.get(url(m.Checkpoint, "change", checkpoint.pk))), "revision": "v2"}
    assert editor_client.post(url(m.Checkpoint, "change", checkpoint.pk), data).status_code == 302
    assert m.Checkpoint.objects.get().revision == "v2"


def test_the_inline_refuses_to_change_a_hashed_checkpoint(editor_client, register):
    checkpoint = register("base")
    checkpoint_record_inspection(checkpoint=checkpoint, inspection={"content_hash": "ef" * 32}, reason="test")
    data = form_data(editor_client.get(url(m.AIModel, "change", checkpoint.model.pk)))
    data["checkpoints-0-revision"] = "v2"
    response = editor_client.post(url(m.AIModel, "change", checkpoint.model.pk), data)
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0].formset
    assert "hashed" in str(inline.errors[0]["revision"])
    assert m.Checkpoint.objects.get().revision == "v1"


def test_a_checkpoints_page_leads_with_its_download_and_compare_and_folds_the_engines_record(
    editor_client, register
):
    checkpoint = register("base")
    m.Checkpoint.objects.filter(pk=checkpoint.pk).update(
        acquisition_status="downloading", acquisition_bytes=3 * 2**20, acquisition_total=12 * 2**20
    )
    page = editor_client.get(url(m.Checkpoint, "change", checkpoint.pk))
    assert page.status_code == 200
    fieldsets = page.context["adminform"].fieldsets
    assert fieldsets[0][0] == "Download and comparison"
    assert fieldsets[0][1]["fields"][:3] == ["acquisition_status", "download", "compare_with"]
    internal = fieldsets[-1]
    assert "collapse" in internal[1]["classes"] and "file_stats" in internal[1]["fields"]
    html = page.content.decode()
    compare = f"{reverse('admin:claims_fingerprintreport_add')}?checkpoint_a={checkpoint.pk}"
    assert f'href="{compare}"' in html and "Compare with…" in html
    assert "3.0 MiB of 12.0 MiB" in html or "3.1 MB of 12.6 MB" in html
    assert html.index("Compare with…") < html.lower().index("content hash")
    # The request form opens with this checkpoint as A.
    form = editor_client.get(compare).context["form"]
    assert str(form.initial.get("checkpoint_a")) == str(checkpoint.pk)
    # The model's page offers Compare on each of its checkpoints.
    model_page = editor_client.get(url(m.AIModel, "change", checkpoint.model.pk)).content.decode()
    assert f'href="{compare}"' in model_page
