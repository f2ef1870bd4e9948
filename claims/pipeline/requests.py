"""Asking for a fingerprint report: create it once, enqueue it after commit, retry a failed one.

An identical request (same inputs, methods, parameters and engine version, i.e. the same
``request_key``) returns the report that exists instead of computing again. The task is sent with
``transaction.on_commit``, so a worker never looks for a row that is not committed; if the broker
is down the request is still saved as ``queued`` and the sweep sends it later - an editor never
sees a 500 and a request is never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from claims.errors import ProvenanceError
from claims.models import Checkpoint, EvidenceArtifact, FingerprintReport
from claims.models.reports import request_key
from provenance.fingerprint import ENGINE_VERSION
from provenance.fingerprint.calibration import DEFAULT_NULL_SIZE
from provenance.fingerprint.errors import FingerprintError
from provenance.fingerprint.report import resolve_methods

logger = logging.getLogger(__name__)
Status = FingerprintReport.Status

DEFAULT_PARAMETERS = {"null_size": DEFAULT_NULL_SIZE, "seed": 0}


def _request_keys(a: Checkpoint, b: Checkpoint, methods: list[str], params: dict) -> list[str]:
    """The keys under which this request may already exist, the one to store first.

    By content once the worker has hashed both checkpoints (the same weights registered twice are
    the same request); by checkpoint row before that. Both are looked up, so asking again after
    the hashing still finds the report that was asked for before it.
    """

    def key(inputs: list[str]) -> str:
        return request_key(
            input_hashes=inputs, methods=methods, parameters=params, engine_version=ENGINE_VERSION
        )

    by_row = key([f"checkpoint:{a.pk}", f"checkpoint:{b.pk}"])
    if a.content_hash and b.content_hash:
        return [key([a.content_hash, b.content_hash]), by_row]
    return [by_row]


def _evidence_for(report: FingerprintReport, *, user: AbstractBaseUser | None) -> EvidenceArtifact:
    a, b = report.checkpoint_a, report.checkpoint_b
    evidence = EvidenceArtifact(
        title=f"Fingerprint analysis: {a} vs {b}",
        kind=EvidenceArtifact.Kind.ANALYSIS,
        slug=f"analysis-{report.slug}",
        description=(
            "A fingerprint comparison recomputed by Provenance from the model weights. "
            "The report states each score beside its null distribution of unrelated models."
        ),
        report=report,
    )
    evidence._history_user = user
    evidence.full_clean()
    evidence.save()
    return evidence


PARAMETER_BOUNDS = {"null_size": (2, 512), "seed": (0, 2**31 - 1)}


def _parameters(given: dict) -> dict:
    """The method parameters with defaults filled in; anything else is refused with a reason."""
    unknown = sorted(set(given) - set(PARAMETER_BOUNDS))
    if unknown:
        raise ProvenanceError(
            f"Unknown parameter(s) {', '.join(unknown)}; known: {', '.join(PARAMETER_BOUNDS)}."
        )
    params = {**DEFAULT_PARAMETERS, **given}
    for name, (low, high) in PARAMETER_BOUNDS.items():
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ProvenanceError(f"Parameter {name} must be a whole number from {low} to {high}.")
    return params


def report_request(
    *,
    checkpoint_a: Checkpoint,
    checkpoint_b: Checkpoint,
    methods: Sequence[str] | str | None,
    requested_by: AbstractBaseUser | None,
    evidence: EvidenceArtifact | None = None,
    parameters: dict | None = None,
    enqueue: bool = True,
) -> FingerprintReport:
    """The report comparing ``checkpoint_a`` with ``checkpoint_b`` by ``methods`` (None = all).

    Creates it ``queued`` with an evidence record of kind analysis (a draft, unless ``evidence`` is
    given) and enqueues the computation after commit (unless ``enqueue`` is false: the caller runs
    it itself); returns the existing report for an identical request (a failed one is queued
    again). Raises ProvenanceError for an impossible request.
    """
    if checkpoint_a.pk == checkpoint_b.pk:
        raise ProvenanceError("Choose two different checkpoints: a report compares two sets of weights.")
    try:
        method_names = resolve_methods(methods, weights=True)  # the worker reads the weights
    except FingerprintError as exc:
        raise ProvenanceError(str(exc)) from exc
    params = _parameters(parameters or {})
    keys = _request_keys(checkpoint_a, checkpoint_b, method_names, params)
    key = keys[0]
    existing = FingerprintReport.objects.filter(request_key__in=keys).first()
    if existing is not None:
        if existing.status == Status.FAILED:
            report_retry(report=existing, enqueue=enqueue)
        return existing
    try:
        with transaction.atomic():
            report = FingerprintReport(
                checkpoint_a=checkpoint_a,
                checkpoint_b=checkpoint_b,
                methods=method_names,
                parameters=params,
                requested_by=requested_by,
                engine_version=ENGINE_VERSION,
                request_key=key,
            )
            report._history_user = requested_by
            report.full_clean(exclude=["request_key", "slug"])
            report.save()
            if evidence is None:
                _evidence_for(report, user=requested_by)
            else:
                if evidence.report_id and evidence.report_id != report.pk:
                    raise ProvenanceError(f"“{evidence}” already cites another report.")
                evidence.report = report
                evidence.kind = EvidenceArtifact.Kind.ANALYSIS
                evidence.full_clean()
                evidence.save()
    except IntegrityError:
        # Two editors asked at the same moment: the other request won, and its report is ours too.
        return FingerprintReport.objects.get(request_key=key)
    if enqueue:
        report_enqueue_on_commit(report)
    return report


def report_retry(*, report: FingerprintReport, enqueue: bool = True) -> FingerprintReport:
    """Queue a failed report again (a fixed checkpoint, a worker that is back). Only failed ones."""
    updated = FingerprintReport.objects.filter(pk=report.pk, status=Status.FAILED).update(
        status=Status.QUEUED,
        error_message="",
        error_detail="",
        finished_at=None,
        started_at=None,
        attempts=0,
        progress_bytes=0,
        enqueued_at=None,
        heartbeat_at=None,
    )
    if not updated:
        raise ProvenanceError(
            f"Only a failed report can be retried; this one is {report.get_status_display()}."
        )
    report.refresh_from_db()
    if enqueue:
        report_enqueue_on_commit(report)
    return report


def report_enqueue_on_commit(report: FingerprintReport) -> None:
    transaction.on_commit(lambda: report_enqueue(report_id=report.pk))


def report_enqueue(*, report_id: int) -> bool:
    """Send the task now. False (and the report stays queued for the sweep) if the broker is down."""
    from claims.tasks import report_compute  # the tasks module imports this one

    try:
        report_compute.apply_async(
            kwargs={"report_id": report_id},
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
            # No limits in the message: the worker that runs the report applies its own
            # CELERY_TASK_SOFT_TIME_LIMIT / CELERY_TASK_TIME_LIMIT, not the web tier's.
            soft_time_limit=None,
            time_limit=None,
        )
    except Exception:  # noqa: BLE001 - any broker failure: the sweep will send it again
        logger.warning(
            "Could not send report %s to the broker; the sweep will retry.", report_id, exc_info=True
        )
        return False
    FingerprintReport.objects.filter(pk=report_id, status=Status.QUEUED).update(enqueued_at=timezone.now())
    return True


def reports_needing_enqueue(*, unsent_after: timedelta, resend_after: timedelta) -> list[int]:
    """Queued reports never sent (the broker was down), or sent so long ago that the message must
    have been lost (a broker without redelivery, such as the local filesystem one, and a worker
    killed while holding it). Sending one twice is harmless: only one task can claim it."""
    now = timezone.now()
    return list(
        FingerprintReport.objects.filter(status=Status.QUEUED)
        .filter(
            Q(enqueued_at__isnull=True, requested_at__lt=now - unsent_after)
            | Q(enqueued_at__lt=now - resend_after)
        )
        .values_list("pk", flat=True)
    )
