"""The periodic repair of the queue: no report stays ``running`` or ``queued`` forever.

Run every minute by Celery beat (the worker of ``make run`` embeds it) or by
``manage.py reports_sweep``:

* a ``running`` report whose heartbeat stopped (its worker was killed) goes back to ``queued``
  and is sent again - or ``failed`` once it has been interrupted ``MAX_ATTEMPTS`` times;
* a ``running`` report past the hard time limit is ``failed`` with a message saying so;
* a ``queued`` report that never reached the broker (it was down), or whose message was lost,
  is sent again. Sending twice is harmless: only one task can claim a report;
* the per-file results of shard tasks (``claims.pipeline.shards``) are deleted once no report can
  still be merging them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.models import FingerprintReport
from claims.pipeline.requests import report_enqueue, reports_needing_enqueue
from claims.pipeline.runner import MAX_ATTEMPTS, human_duration, stale_after
from claims.pipeline.shards import shards_cleanup
from claims.services.content import content_changed

Status = FingerprintReport.Status


@dataclass
class SweepResult:
    requeued: int = 0
    failed: int = 0
    sent: int = 0


def reports_sweep() -> SweepResult:
    now = timezone.now()
    result = SweepResult()
    hard_limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + settings.REPORT_STALE_SECONDS)
    overdue = FingerprintReport.objects.filter(status=Status.RUNNING, started_at__lt=now - hard_limit)
    stale = FingerprintReport.objects.filter(status=Status.RUNNING, heartbeat_at__lt=now - stale_after())
    if overdue.exists() or stale.filter(attempts__gte=MAX_ATTEMPTS).exists():
        with transaction.atomic():
            content_changed()  # a failed report's pages say so (only then: the sweep runs every minute)
            result.failed += overdue.update(
                status=Status.FAILED,
                finished_at=now,
                error_message=f"The analysis ran past the hard time limit of {human_duration(settings.CELERY_TASK_TIME_LIMIT)} "
                "and was stopped. An operator can raise CELERY_TASK_TIME_LIMIT and retry.",
                error_detail="reports_sweep: running past CELERY_TASK_TIME_LIMIT",
            )
            result.failed += stale.filter(attempts__gte=MAX_ATTEMPTS).update(
                status=Status.FAILED,
                finished_at=now,
                error_message=f"The analysis was interrupted {MAX_ATTEMPTS} times (the worker was stopped or ran out of "
                "time or memory). An operator should check the worker logs before retrying.",
                error_detail="reports_sweep: heartbeat stopped after the last attempt",
            )
    # Select, then update with the same conditions: a report that came back to life in between
    # is left alone, and sending an id that was not requeued is harmless.
    revived = list(stale.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    result.requeued += stale.filter(pk__in=revived, attempts__lt=MAX_ATTEMPTS).update(
        status=Status.QUEUED, enqueued_at=None, heartbeat_at=None, progress_bytes=0
    )
    unsent = reports_needing_enqueue(
        unsent_after=timedelta(seconds=settings.REPORT_STALE_SECONDS),
        resend_after=timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
    )
    for report_id in sorted(set(revived) | set(unsent)):
        result.sent += report_enqueue(report_id=report_id)
    shards_cleanup()
    return result
