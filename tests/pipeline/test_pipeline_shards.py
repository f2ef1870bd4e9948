"""Issue 16: older fingerprints are computed again; a big model's files shared out between workers
(one task per file, merged by the report's worker) give the single-process fingerprint's bytes, and
a file whose worker died is passed again."""

from __future__ import annotations

import gzip
import json
import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from claims.models import FingerprintReport, FingerprintShard, ModelFingerprint
from claims.pipeline import fingerprint_store
from claims.pipeline.checkpoints import file_signature, open_engine_checkpoint
from claims.pipeline.reports.runner import report_run
from claims.pipeline.reports.shards import _result_name, shard_run, signature_key
from claims.pipeline.reports.sweep import reports_sweep
from claims.services import checkpoint_register, report_request
from provenance.fingerprint.stats import fingerprint_checkpoint
from provenance.fingerprint.synthetic import write_checkpoint_of_size
from tests.factories import AIModelFactory
from tests.pipeline.worker_process import WorkerProcess

Status = FingerprintReport.Status


def request(a, b) -> FingerprintReport:
    methods = ["attn_std", "tensor_identity"]
    return report_request(
        checkpoint_a=a, checkpoint_b=b, methods=methods, parameters={"null_size": 8}, user=None
    )[0]


@pytest.mark.django_db
def test_a_fingerprint_of_an_older_schema_is_computed_again(register):
    base = register("base")
    first = request(base, register("finetune"))
    assert report_run(report_id=first.pk) == "succeeded"
    row = ModelFingerprint.objects.get(checkpoint=base)
    assert (row.data["schema_version"], row.data["tensor_hash"]) == (2, "blake3")

    # As an engine of schema 1 left it: no schema in the summary, tensors' SHA-256 in the file.
    stored = json.loads(fingerprint_store.load(row).to_json())
    stored["schema_version"] = 1
    del stored["tensor_hash"]
    for t in stored["tensors"]:
        t["sha256"] = t.pop("digest")
    name = fingerprint_store._name(row)
    default_storage.delete(name)
    default_storage.save(name, ContentFile(gzip.compress(json.dumps(stored).encode())))
    row.data = {k: v for k, v in row.data.items() if k not in ("schema_version", "tensor_hash")}
    row.save()
    assert fingerprint_store.load(row).tensor_hash == "sha256"  # still loads

    second = request(base, register("independent"))
    assert report_run(report_id=second.pk) == "succeeded"
    second.refresh_from_db()
    assert second.timings["fingerprint_a"]["cached"] is False  # read again, not reused
    row.refresh_from_db()
    assert row.data["schema_version"] == 2
    assert fingerprint_store.load(row).tensor_hash == "blake3"
    assert "tensor_identity" in second.result["results"]


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_queues")
def test_a_file_whose_worker_died_is_passed_again(register, lineage_store, settings, caplog):
    settings.SHARD_TASKS_MIN_SHARDS = 2
    base = register("base")
    engine_checkpoint = open_engine_checkpoint(base)
    key = signature_key(file_signature(engine_checkpoint))
    names = [sf.name for sf in engine_checkpoint.files]
    long_ago = timezone.now() - timedelta(hours=1)
    # File 1 was taken by a worker that was killed (its heartbeat stopped an hour ago) ...
    lost = FingerprintShard.objects.create(
        checkpoint=base, signature=key, index=1, file_name=names[1], status="running",
        heartbeat_at=long_ago, attempts=1, worker="dead-host:1",
    )  # fmt: skip
    # ... and its redelivered message takes it again.
    assert shard_run(shard_id=lost.pk) == "done"
    lost.refresh_from_db()
    assert (lost.status, lost.attempts) == ("done", 2)
    lost.status, lost.heartbeat_at = "running", long_ago  # lost once more, and no message this time
    lost.save()

    report = request(base, register("finetune"))
    with caplog.at_level(logging.INFO, logger="claims.pipeline.reports.shards"):
        assert report_run(report_id=report.pk) == "succeeded"

    # The report's own worker passed every file, the lost one included, and merged.
    passed = [r.getMessage() for r in caplog.records if "by the report's worker" in r.getMessage()]
    assert any(names[1] in m for m in passed) and len(passed) == 2 * len(names)
    stored = fingerprint_store.load(ModelFingerprint.objects.get(checkpoint=base))
    expected = fingerprint_checkpoint(lineage_store / "lineage" / "base")
    assert stored.to_json() == expected.to_json()

    # The sweep deletes the rows and stored results once no report can still be merging them.
    done = FingerprintShard.objects.all()
    assert done.count() == 2 * len(names) and set(done.values_list("status", flat=True)) == {"done"}
    stored_results = [_result_name(row) for row in done]
    assert all(default_storage.exists(name) for name in stored_results)
    reports_sweep()
    assert done.count() == 2 * len(names)  # too recent: kept
    done.update(heartbeat_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 3600))
    reports_sweep()
    assert not done.exists()
    assert stored_results and not any(default_storage.exists(name) for name in stored_results)


@pytest.fixture(scope="module")
def sharded_store(tmp_path_factory) -> Path:
    """Two ~96 MB checkpoints in four files each: passes long enough for a second worker to join."""
    store = tmp_path_factory.mktemp("sharded-store")
    for seed in (1, 2):
        write_checkpoint_of_size(store / f"model-{seed}", 96 * 2**20, seed=seed, max_shard_bytes=24 * 2**20)
    return store


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_queues")
def test_two_workers_share_the_files_and_merge_the_single_process_fingerprint(sharded_store, settings):
    settings.MODEL_STORE = [sharded_store.resolve()]
    a, b = (
        checkpoint_register(model=AIModelFactory(), revision="v1", location=f"model-{seed}", user=None)[0]
        for seed in (1, 2)
    )
    env = {"SHARD_TASKS_MIN_SHARDS": "2", "FINGERPRINT_PROCESSES": "1"}
    with (
        WorkerProcess(model_store=sharded_store, env=env) as one,
        WorkerProcess(model_store=sharded_store, env=env) as two,
    ):
        report = request(a, b)
        deadline = time.monotonic() + 240
        while report.status not in (Status.SUCCEEDED, Status.FAILED) and time.monotonic() < deadline:
            time.sleep(0.5)
            report.refresh_from_db()
        logs = {"one": one.log(), "two": two.log()}

    assert report.status == Status.SUCCEEDED, report.error_detail + "\n".join(logs.values())[-3000:]
    by_task = {w: log.count(": done") - log.count("by the report's worker") for w, log in logs.items()}
    by_reporter = sum(log.count("by the report's worker") for log in logs.values())
    assert sum(by_task.values()) + by_reporter == 8  # each of the 8 files passed exactly once
    # The worker that did not run the report passed files of it through shard tasks.
    reporter = next(w for w, log in logs.items() if f"Report {report.pk}: succeeded" in log)
    assert by_task[next(w for w in logs if w != reporter)] >= 1, logs
    for checkpoint, seed in ((a, 1), (b, 2)):
        stored = fingerprint_store.load(ModelFingerprint.objects.get(checkpoint=checkpoint))
        assert stored.to_json() == fingerprint_checkpoint(sharded_store / f"model-{seed}").to_json()
    assert set(FingerprintShard.objects.values_list("status", flat=True)) == {"done"}
