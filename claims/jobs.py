"""The four jobs the workers run, each declared as a lease (``claims.lease``): only what differs -
the model, its field names and status values, the Celery task and the words of its messages.

* ``REPORTS`` - computing a fingerprint report (``claims.pipeline.reports.runner``);
* ``SHARDS`` - one file of a big checkpoint, passed for a report by any worker (``claims.pipeline.reports.shards``);
* ``DOWNLOADS`` - a hub or git checkpoint's files into the model cache (``claims.pipeline.downloads.runner``);
* ``CAPTURES`` - an evidence record's URL archived (``claims.pipeline.captures.runner``).

The services enqueue through these (``REPORTS.enqueue_on_commit(report.pk)``) and the pipeline
claims, beats, fails and sweeps through them, so neither imports the other for it.
"""

from __future__ import annotations

from django.conf import settings

from claims.lease import Lease
from claims.models import Checkpoint, FingerprintReport, FingerprintShard, SourceCapture

REPORTS = Lease(
    model=FingerprintReport,
    task="report_compute",
    task_kwarg="report_id",
    noun="report",
    unsent_log="Could not send report %s to the broker; the sweep will retry.",
    public=True,  # a report's page says "computing", "failed"...
)

SHARDS = Lease(
    model=FingerprintShard,
    task="fingerprint_shard",
    task_kwarg="shard_id",
    noun="shard",
    unsent_log="Could not send shard %s to the broker; the report's worker will pass it.",
    # The report's own worker is waiting and passes any file nobody took: no retry, no sweep.
    broker_retry=False,
    started=None,
    finished=None,
    requested=None,
    enqueued=None,
)

DOWNLOADS = Lease(
    model=Checkpoint,
    task="checkpoint_acquire",
    task_kwarg="checkpoint_id",
    noun="checkpoint",
    unsent_log="Could not send the download of checkpoint %s; the sweep will retry.",
    status="acquisition_status",
    heartbeat="acquisition_heartbeat",
    message="acquisition_error",
    # A download interrupted resumes from its partial files: no limit on attempts.
    attempts=None,
    started=None,
    finished=None,
    requested="updated_at",
    enqueued=None,
)

CAPTURES = Lease(
    model=SourceCapture,
    task="source_capture",
    task_kwarg="capture_id",
    noun="capture",
    unsent_log="Could not send capture %s to the broker; the sweep will retry.",
    message="error",
    # A capture is bounded by its own deadline, not by a heartbeat: one stuck past twice that is
    # given up by the sweep.
    heartbeat=None,
    attempts=None,
    # These stop one stuck past its deadline (a hung browser) well before the sweep gives it up
    # (twice the deadline + 60 s).
    time_limits=lambda: (
        settings.ARCHIVE_TIMEOUT_SECONDS * 2 + 30,
        settings.ARCHIVE_TIMEOUT_SECONDS * 2 + 50,
    ),
)
