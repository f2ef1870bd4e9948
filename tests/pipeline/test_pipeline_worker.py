"""The pipeline against a real Celery worker process and the real broker (Redis in CI).

These tests commit their rows (``transaction=True``) so the worker, another process, sees them;
they wait on the database, as an editor's browser would, with a deadline instead of a sleep.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from claims.jobs import REPORTS
from claims.models import FingerprintReport, ModelFingerprint
from claims.pipeline.reports.sweep import reports_sweep
from claims.services import report_request
from provenance.fingerprint.synthetic import write_checkpoint_of_size
from tests.pipeline.conftest import truncate_last_shard
from tests.pipeline.worker_process import WorkerProcess

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_queues")]
Status = FingerprintReport.Status
FINISHED = (Status.SUCCEEDED, Status.FAILED)


def wait_for(
    report: FingerprintReport,
    statuses=FINISHED,
    *,
    timeout: float = 240,
    sweep: bool = False,
    worker: WorkerProcess | None = None,
) -> FingerprintReport:
    """Poll until the report reaches one of ``statuses``; optionally run the sweep as beat would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in statuses:
            return report
        if sweep:
            reports_sweep()
        time.sleep(0.5)
    log = worker.log() if worker else ""
    raise AssertionError(f"report {report.pk} still {report.status} after {timeout} s\n{log[-3000:]}")


def request(a, b, methods=None) -> FingerprintReport:
    return report_request(checkpoint_a=a, checkpoint_b=b, methods=methods, parameters=None, user=None)[0]


def test_the_worker_computes_related_and_unrelated_pairs(register, model_store):
    base = register("base")
    related = request(base, register("finetune"))
    unrelated = request(base, register("independent"))

    with WorkerProcess(model_store=model_store) as worker:
        wait_for(related, worker=worker)
        wait_for(unrelated, worker=worker)
        assert "Pool process: 1 BLAS thread(s)" in worker.log()  # BLAS_THREADS reached the pool

    assert related.status == Status.SUCCEEDED, related.error_detail
    assert related.result["verdict"] == "lineage_supported"
    assert related.result["results"]["aligned_cosine"]["calibration"]["z"] >= 5
    assert unrelated.status == Status.SUCCEEDED, unrelated.error_detail
    assert unrelated.result["verdict"] == "no_evidence"
    assert unrelated.timings["fingerprint_a"]["cached"] is True  # base was read once, for the first report


def test_a_corrupt_checkpoint_fails_clearly_and_the_worker_serves_the_next_report(
    register, copy_of, model_store
):
    location = copy_of("widened")
    broken = register("widened", location=location)
    shard = truncate_last_shard(location)
    bad = request(register("base"), broken)
    good = request(register("base"), register("pruned"))

    with WorkerProcess(model_store=model_store) as worker:
        wait_for(bad, worker=worker)
        wait_for(good, worker=worker)
        assert worker.process.poll() is None  # still alive

    assert bad.status == Status.FAILED
    assert f"Shard {shard.name} is truncated" in bad.error_message
    assert good.status == Status.SUCCEEDED, good.error_detail


def test_a_report_sent_many_times_to_two_workers_is_computed_once(register, model_store):
    report = request(register("base"), register("continued"))
    for _ in range(3):
        REPORTS.enqueue(report.pk)

    with WorkerProcess(model_store=model_store) as first, WorkerProcess(model_store=model_store) as second:
        wait_for(report, worker=first)
        time.sleep(2)  # let the other deliveries arrive and be refused
        logs = first.log() + second.log()

    assert report.status == Status.SUCCEEDED
    assert report.attempts == 1
    assert ModelFingerprint.objects.count() == 2
    assert logs.count(f"Report {report.pk}: succeeded") == 1
    assert logs.count(f"Report {report.pk}: skipped") >= 1


@pytest.fixture(scope="module")
def large_store(tmp_path_factory) -> Path:
    """Two ~600 MB checkpoints: big enough that a worker can be killed in the middle of reading."""
    store = tmp_path_factory.mktemp("large-store")
    for seed in (1, 2):
        write_checkpoint_of_size(store / f"large-{seed}", 600 * 2**20, seed=seed, max_shard_bytes=200 * 2**20)
    return store


def test_a_worker_killed_mid_report_leaves_it_to_another_worker(large_store, settings):
    from claims.services import checkpoint_register
    from tests.factories import AIModelFactory

    settings.MODEL_STORE = [large_store.resolve()]
    settings.REPORT_STALE_SECONDS = 3
    a, b = (
        checkpoint_register(model=AIModelFactory(), revision="v1", location=f"large-{seed}", user=None)[0]
        for seed in (1, 2)
    )
    # The fingerprint methods only: what is tested is the rescue of a report killed mid-read (the
    # weight methods' cost at this width is a benchmark's business, and the heartbeat thread keeps a
    # long method alive: test_pipeline_runner.py::test_a_long_method_keeps_its_heartbeat).
    report = request(a, b, methods=["attn_std", "tensor_identity", "aligned_cosine"])
    env = {"REPORT_STALE_SECONDS": "3", "CELERY_VISIBILITY_TIMEOUT": "4"}

    doomed = WorkerProcess(model_store=large_store, env=env).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status == Status.RUNNING and 0 < report.progress_bytes < report.progress_total:
            break
        time.sleep(0.02)
    else:
        doomed.kill()
        raise AssertionError(f"the report never got under way:\n{doomed.log()[-3000:]}")
    doomed.kill()
    report.refresh_from_db()
    assert report.status == Status.RUNNING  # as the dead worker left it

    with WorkerProcess(model_store=large_store, env=env) as rescuer:
        wait_for(report, timeout=180, sweep=True, worker=rescuer)

    assert report.status == Status.SUCCEEDED, report.error_detail
    assert report.attempts == 2


def test_a_request_made_while_the_broker_is_down_is_computed_when_it_is_back(
    register, model_store, broker_down, settings
):
    settings.REPORT_STALE_SECONDS = 2  # the sweep sends what never reached the broker after this
    report = request(register("base"), register("moe"))  # the enqueue after commit fails quietly
    report.refresh_from_db()
    assert report.status == Status.QUEUED and report.enqueued_at is None
    broker_down.restore()

    with WorkerProcess(model_store=model_store) as worker:
        wait_for(report, sweep=True, worker=worker)

    assert report.status == Status.SUCCEEDED, report.error_detail


def test_a_report_past_the_soft_time_limit_fails_with_a_clear_message(large_store, settings):
    """The worker's own limit applies (this test process keeps its default of an hour)."""
    from claims.services import checkpoint_register
    from tests.factories import AIModelFactory

    settings.MODEL_STORE = [large_store.resolve()]
    a, b = (
        checkpoint_register(model=AIModelFactory(), revision="v1", location=f"large-{seed}", user=None)[0]
        for seed in (1, 2)
    )
    report = request(a, b)
    env = {"CELERY_TASK_SOFT_TIME_LIMIT": "1", "CELERY_TASK_TIME_LIMIT": "60"}

    with WorkerProcess(model_store=large_store, env=env) as worker:
        wait_for(report, worker=worker)
        assert worker.process.poll() is None

    assert report.status == Status.FAILED
    assert report.error_message.startswith(
        "The analysis took longer than the limit of 1 second and was stopped."
    )
