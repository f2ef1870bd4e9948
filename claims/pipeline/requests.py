"""Sending a requested report to the workers: after commit, and again from the sweep.

A report is created by ``claims.services.reports.report_request``; this module only hands it to
Celery. The task is sent with ``transaction.on_commit``, so a worker never looks for a row that is
not committed; if the broker is down the report stays ``queued`` and the sweep sends it later.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims.models import FingerprintReport

logger = logging.getLogger(__name__)
Status = FingerprintReport.Status


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
