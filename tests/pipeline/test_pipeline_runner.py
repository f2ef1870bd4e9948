"""The runner, in-process, on real synthetic checkpoints: results, cache, failures, claims."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from claims.models import Checkpoint, FingerprintReport, ModelFingerprint
from claims.pipeline.reports.runner import ProgressWriter, report_claim, report_run
from claims.services import report_draw_charts, report_request
from provenance.fingerprint.methods import method_title
from tests.pipeline.conftest import truncate_last_shard

pytestmark = pytest.mark.django_db
Status = FingerprintReport.Status


def request(a: Checkpoint, b: Checkpoint, methods=None) -> FingerprintReport:
    return report_request(checkpoint_a=a, checkpoint_b=b, methods=methods, parameters=None, user=None)[0]


def test_a_fine_tune_report_is_computed_stored_and_charted(register, monkeypatch, settings):
    base, finetune = register("base"), register("finetune")
    report = request(base, finetune)
    settings.REPORT_PROGRESS_SECONDS = 0  # every read chunk is written
    written: list[dict] = []  # what a reader polling the report sees, in order
    write = ProgressWriter.write

    def recording_write(self) -> None:
        write(self)
        written.append(FingerprintReport.objects.get(pk=report.pk).progress_state)

    monkeypatch.setattr(ProgressWriter, "write", recording_write)

    assert report_run(report_id=report.pk) == "succeeded"

    texts = [state["text"] for state in written]
    steps = list(dict.fromkeys(texts))  # in order, each once
    reads_a = [t for t in steps if t.startswith("reading model A: ")]
    reads_b = [t for t in steps if t.startswith("reading model B: ")]
    assert reads_a[0] == "reading model A: 0 %" and reads_a[-1] == "reading model A: 100 %"
    assert reads_b[0] == "reading model B: 0 %" and reads_b[-1] == "reading model B: 100 %"
    computing = [t for t in steps if t.startswith("computing ")]
    methods = FingerprintReport.objects.get(pk=report.pk).result["methods"]
    assert computing == [
        f"computing {method_title(m)} (method {i} of {len(methods)})" for i, m in enumerate(methods, 1)
    ]
    assert steps.index(reads_a[-1]) < steps.index(reads_b[0]) < steps.index(computing[0])
    assert steps[-1] == computing[-1] and not any(state["stale"] for state in written)  # no chart phase

    report.refresh_from_db()
    assert report.status == Status.SUCCEEDED
    assert report.result["verdict"] == "lineage_supported"
    assert report.result["results"]["aligned_cosine"]["calibration"]["z"] >= 5
    assert report.charts_labels == list(report.labels)  # the worker drew them, with the names of now
    assert report.progress_state is None  # finished: no phase to show
    charts = report.charts_as_read
    assert set(report_draw_charts(report=report)) == set(charts)  # drawn again (a rename): the same charts
    assert set(charts) >= {
        "evidence", "sigma_curves", "layer_similarity", "null_attn_std", "null_aligned_cosine"
    }  # fmt: skip
    assert all(svg.lstrip().startswith("<?xml") and "<svg" in svg for svg in charts.values())
    assert report.summary
    assert report.progress_bytes == report.progress_total == base.total_size + finetune.total_size
    assert report.library_versions["numpy"] and report.library_versions["engine"] == report.engine_version
    base.refresh_from_db()
    assert len(base.content_hash) == 64 and base.file_hashes
    assert report.input_hashes[str(base.pk)] == base.content_hash
    assert report.evidence.published_on == timezone.localdate(report.finished_at)  # dated for the timeline


def test_a_quantised_gguf_copy_is_called_related_by_the_worker(register, model_store):
    from tests.pipeline.test_pipeline_checkpoints import gguf_copy

    base = register("base")
    copy = register("gguf", location=str(gguf_copy(model_store, "Q4_0")))
    report = request(base, copy)

    assert report_run(report_id=report.pk) == "succeeded"
    report.refresh_from_db()
    assert report.result["verdict"] == "lineage_supported"
    assert report.result["results"]["aligned_cosine"]["calibration"]["z"] >= 5
    copy.refresh_from_db()
    assert copy.format == "gguf" and len(copy.content_hash) == 64


def test_an_independent_model_is_not_called_related(register):
    report = request(register("base"), register("independent_same_recipe"))
    report_run(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Status.SUCCEEDED
    assert report.result["verdict"] == "no_evidence"
    assert all(
        abs(r["calibration"]["z"]) < 3
        for r in report.result["results"].values()
        if r["calibration"]["z"] is not None
    )


def test_a_second_report_reuses_the_fingerprint_without_reading_the_weights(register):
    base, finetune, independent = register("base"), register("finetune"), register("independent")
    first = request(base, finetune)
    report_run(report_id=first.pk)
    second = request(base, independent)
    report_run(report_id=second.pk)

    second.refresh_from_db()
    assert second.timings["fingerprint_a"] == {
        **second.timings["fingerprint_a"],
        "cached": True,
        "bytes_read": 0,
    }
    assert second.timings["fingerprint_b"]["cached"] is False
    assert second.progress_total == independent.total_size
    assert ModelFingerprint.objects.count() == 3


def test_a_changed_file_is_read_again(register, copy_of):
    location = copy_of("base")
    base, finetune = register("base", location=location), register("finetune")
    report_run(report_id=request(base, finetune).pk)
    shard = sorted(Path(location).glob("*.safetensors"))[0]
    shard.touch()  # same bytes, new mtime: the stored signature no longer matches

    second = request(base, register("independent"))
    report_run(report_id=second.pk)
    second.refresh_from_db()
    assert second.timings["fingerprint_a"]["cached"] is False


def test_a_checkpoint_truncated_after_registration_fails_with_a_clear_message(register, copy_of):
    location = copy_of("finetune")
    broken = register("finetune", location=location)
    shard = truncate_last_shard(location)
    report = request(register("base"), broken)

    assert report_run(report_id=report.pk) == "failed"

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert report.error_message.startswith(f"Shard {shard.name} is truncated: expected")
    assert "Traceback" in report.error_detail and shard.name in report.error_detail


def test_a_message_that_opens_with_a_file_name_keeps_the_name_as_it_is(register, copy_of):
    location = copy_of("finetune")
    broken = register("finetune", location=location)
    shard = sorted(Path(location).glob("*.safetensors"))[-1]
    shard.write_bytes(shard.read_bytes()[:20])  # shorter than its own header
    report = request(register("base"), broken)

    assert report_run(report_id=report.pk) == "failed"

    report.refresh_from_db()
    assert report.error_message.startswith(f"{shard.name} is truncated or not a safetensors file")


def test_hashing_records_the_inspection_in_the_checkpoints_history(register):
    base, finetune = register("base"), register("finetune")
    report_run(report_id=request(base, finetune).pk)
    latest = base.history.latest()
    assert latest.content_hash and latest.history_change_reason == "Hashed by the fingerprint worker"


def test_a_report_is_computed_once_however_often_the_task_runs(register):
    report = request(register("base"), register("finetune"))
    assert report_run(report_id=report.pk) == "succeeded"
    assert report_run(report_id=report.pk) == "skipped"
    report.refresh_from_db()
    assert report.attempts == 1


def test_a_deleted_report_is_skipped_quietly():
    assert report_run(report_id=987654) == "skipped"


def test_a_running_report_is_reclaimed_only_when_its_heartbeat_stopped(register):
    report = request(register("base"), register("finetune"))
    now = timezone.now()
    FingerprintReport.objects.filter(pk=report.pk).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now, attempts=1
    )
    assert report_claim(report_id=report.pk) is None  # a live worker has it

    FingerprintReport.objects.filter(pk=report.pk).update(heartbeat_at=now - timedelta(minutes=5))
    claimed = report_claim(report_id=report.pk)
    assert claimed is not None and claimed.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_long_method_keeps_its_heartbeat():
    """A method that runs for minutes writes no progress: the heartbeat thread keeps the report
    alive for the sweep, and stops with the computation."""
    import time
    from datetime import timedelta

    from django.utils import timezone

    from claims.jobs import REPORTS
    from claims.lease import Heartbeat
    from claims.models import FingerprintReport
    from tests.factories import FingerprintReportFactory

    old = timezone.now() - timedelta(hours=1)
    report = FingerprintReportFactory(
        status=FingerprintReport.Status.RUNNING, started_at=old, heartbeat_at=old, attempts=1
    )
    with Heartbeat(REPORTS, report.pk, 0.5):
        time.sleep(1.6)  # a long method, writing nothing
    report.refresh_from_db()
    assert report.heartbeat_at > old + timedelta(minutes=59)
    beat = report.heartbeat_at
    time.sleep(1.0)
    report.refresh_from_db()
    assert report.heartbeat_at == beat  # stopped with the computation
