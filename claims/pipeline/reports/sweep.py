"""The periodic repair of the queue: no report stays ``running`` or ``queued`` forever.

Run every minute by Celery beat (the worker of ``make run`` embeds it) or by
``manage.py reports_sweep``, through the lease's sweep (``claims.lease.Lease.sweep``):

* a ``running`` report whose heartbeat stopped (its worker was killed) goes back to ``queued``
  and is sent again - or ``failed`` once it has been interrupted ``MAX_ATTEMPTS`` times;
* a ``running`` report past the hard time limit is ``failed`` with a message saying so;
* a ``queued`` report that never reached the broker (it was down), or whose message was lost,
  is sent again. Sending twice is harmless: only one task can claim a report;
* the per-file results of shard tasks (``claims.pipeline.reports.shards``) are deleted once no report can
  still be merging them.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from claims.jobs import REPORTS
from claims.lease import SweepResult, human_duration, interrupted_message, overdue_after, stale_after
from claims.pipeline.reports.shards import shards_cleanup


def reports_sweep() -> SweepResult:
    result = REPORTS.sweep(
        overdue_after=overdue_after(),
        overdue={
            "message": f"The analysis ran past the hard time limit of {human_duration(settings.CELERY_TASK_TIME_LIMIT)} "
            "and was stopped. An operator can raise CELERY_TASK_TIME_LIMIT and retry.",
            "error_detail": "reports_sweep: running past CELERY_TASK_TIME_LIMIT",
        },
        exhausted={
            "message": interrupted_message("The analysis"),
            "error_detail": "reports_sweep: heartbeat stopped after the last attempt",
        },
        requeue={"progress_bytes": 0},
        unsent_after=stale_after(),
        resend_after=timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
    )
    shards_cleanup()
    return result
