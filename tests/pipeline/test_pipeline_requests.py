"""Asking for reports: created once, enqueued after commit, never lost when the broker is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.errors import ProvenanceError
from claims.jobs import REPORTS
from claims.models import EvidenceArtifact, FingerprintReport
from claims.pipeline.reports.sweep import reports_sweep
from claims.services import report_request, report_retry
from provenance.fingerprint.methods import METHODS
from tests.factories import editor

pytestmark = pytest.mark.django_db
Status = FingerprintReport.Status


@pytest.fixture
def pair(register):
    return register("base"), register("finetune")


def test_a_request_creates_a_queued_report_with_its_evidence_record(pair, django_capture_on_commit_callbacks):
    user = editor()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report, _created = report_request(
            checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=user
        )

    assert report.status == Status.QUEUED
    assert report.methods == list(METHODS)  # the worker has the weights: every method runs
    assert report.requested_by == user
    evidence = EvidenceArtifact.objects.get(report=report)
    assert evidence.kind == EvidenceArtifact.Kind.ANALYSIS
    assert evidence.status == EvidenceArtifact.Status.DRAFT
    assert len(callbacks) == 1  # enqueued only once the transaction commits


def test_an_identical_request_returns_the_existing_report(pair):
    first, first_created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods="attn_std", parameters=None, user=None
    )
    again, again_created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=["attn_std"], parameters=None, user=None
    )
    other, other_created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods="aligned_cosine", parameters=None, user=None
    )

    assert again.pk == first.pk and (first_created, again_created) == (True, False)
    assert other.pk != first.pk and other_created
    assert FingerprintReport.objects.count() == 2
    assert EvidenceArtifact.objects.filter(kind="analysis").count() == 2


def test_a_request_can_cite_an_existing_evidence_record(pair):
    evidence = EvidenceArtifact.objects.create(title="Our analysis", slug="our-analysis", kind="analysis")
    report, _created = report_request(
        checkpoint_a=pair[0],
        checkpoint_b=pair[1],
        methods=None,
        parameters=None,
        user=None,
        evidence=evidence,
    )
    evidence.refresh_from_db()
    assert evidence.report == report


@pytest.mark.parametrize(
    ("methods", "message"), [("no_such_method", "unknown method"), ([], "unknown method")]
)
def test_impossible_requests_are_refused_with_a_reason(pair, methods, message):
    with pytest.raises(ProvenanceError, match=message):
        report_request(
            checkpoint_a=pair[0], checkpoint_b=pair[1], methods=methods, parameters=None, user=None
        )


def test_a_checkpoint_is_not_compared_with_itself(pair):
    with pytest.raises(ProvenanceError, match="two different checkpoints"):
        report_request(checkpoint_a=pair[0], checkpoint_b=pair[0], methods=None, parameters=None, user=None)


def test_only_a_failed_report_can_be_retried(pair):
    report, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    with pytest.raises(ProvenanceError, match="Only a failed report"):
        report_retry(report=report)

    FingerprintReport.objects.filter(pk=report.pk).update(
        status=Status.FAILED, error_message="It broke.", finished_at=timezone.now(), attempts=2
    )
    report_retry(report=report)
    report.refresh_from_db()
    assert (report.status, report.error_message, report.attempts) == (Status.QUEUED, "", 0)


def test_asking_again_for_a_failed_report_queues_it_again(pair):
    report, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    FingerprintReport.objects.filter(pk=report.pk).update(
        status=Status.FAILED, error_message="It broke.", finished_at=timezone.now()
    )
    again, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    again.refresh_from_db()
    assert again.pk == report.pk and again.status == Status.QUEUED


def test_with_the_broker_down_the_request_is_kept_and_sent_later(pair, broker_down):
    report, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    assert REPORTS.enqueue(report.pk) is False
    report.refresh_from_db()
    assert report.status == Status.QUEUED and report.enqueued_at is None


def test_the_sweep_sends_what_never_reached_the_broker(pair, settings):
    report, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    FingerprintReport.objects.filter(pk=report.pk).update(requested_at=timezone.now() - timedelta(minutes=5))

    result = reports_sweep()

    report.refresh_from_db()
    assert result.sent == 1
    assert report.enqueued_at is not None


def test_the_sweep_requeues_a_report_whose_worker_died(pair):
    report, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    long_ago = timezone.now() - timedelta(minutes=10)
    FingerprintReport.objects.filter(pk=report.pk).update(
        status=Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago, attempts=1
    )

    result = reports_sweep()

    report.refresh_from_db()
    assert result.requeued == 1 and result.sent == 1
    assert report.status == Status.QUEUED


def test_the_sweep_fails_a_report_interrupted_too_often(pair):
    report, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    long_ago = timezone.now() - timedelta(minutes=10)
    FingerprintReport.objects.filter(pk=report.pk).update(
        status=Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago, attempts=3
    )

    reports_sweep()

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert "interrupted 3 times" in report.error_message


def test_the_sweep_fails_a_report_past_the_hard_time_limit(pair, settings):
    settings.CELERY_TASK_TIME_LIMIT = 60
    report, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    FingerprintReport.objects.filter(pk=report.pk).update(
        status=Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
        heartbeat_at=timezone.now(),
        attempts=1,
    )

    reports_sweep()

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert "hard time limit" in report.error_message


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"null_size": 1}, "null_size must be"),
        ({"seed": "x"}, "seed must be"),
        ({"colour": 3}, "Unknown parameter"),
    ],
)
def test_bad_parameters_are_refused_with_a_reason(pair, parameters, message):
    with pytest.raises(ProvenanceError, match=message):
        report_request(
            checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, user=None, parameters=parameters
        )


def test_asking_again_after_the_weights_were_hashed_finds_the_same_report(pair):
    first, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    for checkpoint, digest in zip(pair, ("a" * 64, "b" * 64), strict=True):
        checkpoint.content_hash = digest
        checkpoint.save()
    again, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    assert again.pk == first.pk


def test_the_sweep_command_reports_what_it_did(pair):
    from io import StringIO

    from django.core.management import call_command

    report, _created = report_request(
        checkpoint_a=pair[0], checkpoint_b=pair[1], methods=None, parameters=None, user=None
    )
    long_ago = timezone.now() - timedelta(minutes=10)
    FingerprintReport.objects.filter(pk=report.pk).update(
        status=Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago, attempts=1
    )
    out = StringIO()
    call_command("reports_sweep", stdout=out)
    assert (
        out.getvalue().strip()
        == "requeued 1, failed 0, sent 1, downloads sent 0, captures failed 0, captures sent 0"
    )
