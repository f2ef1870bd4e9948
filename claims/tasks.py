"""Celery tasks: thin wrappers that take ids as keyword arguments and call the pipeline.

``fingerprint_shard`` passes one file of a big checkpoint, so that several workers share one model.
``checkpoint_acquire`` downloads a hub checkpoint on its own queue (``acquire``), then
``checkpoint_fingerprint`` fingerprints it for the lineage search when no report waits for it;
``source_capture`` and ``sources_watch`` fetch cited URLs on theirs (``archive``).
``report_compute`` is safe to run twice (the pipeline claims the report with a conditional update)
and retries, with exponential backoff and jitter, only when the database connection was lost.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from claims.lease import TRANSIENT_ERRORS
from claims.pipeline.captures.runner import capture_run, captures_sweep
from claims.pipeline.captures.watch import sources_watch as watch_run
from claims.pipeline.downloads.runner import acquisition_run, acquisitions_sweep
from claims.pipeline.reports.index_pass import checkpoint_fingerprint_run
from claims.pipeline.reports.runner import report_run
from claims.pipeline.reports.shards import shard_run
from claims.pipeline.reports.sweep import reports_sweep
from claims.services.desk import desk_send_digest

logger = logging.getLogger(__name__)


# Retry with exponential backoff and jitter, only when the database connection was lost.
RETRY_ON_LOST_DATABASE = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="claims.tasks.report_compute", **RETRY_ON_LOST_DATABASE)
def report_compute(*, report_id: int) -> str:
    outcome = report_run(report_id=report_id)
    logger.info("Report %s: %s", report_id, outcome)
    return outcome


@shared_task(name="claims.tasks.fingerprint_shard", **RETRY_ON_LOST_DATABASE)
def fingerprint_shard(*, shard_id: int) -> str:
    """One file of a checkpoint passed for a report's fingerprint (``claims.pipeline.reports.shards``)."""
    outcome = shard_run(shard_id=shard_id)
    logger.info("Shard %s: %s", shard_id, outcome)
    return outcome


@shared_task(name="claims.tasks.checkpoint_fingerprint", **RETRY_ON_LOST_DATABASE)
def checkpoint_fingerprint(*, checkpoint_id: int) -> str:
    """Fingerprint a downloaded checkpoint for the lineage search (``claims.pipeline.reports.index_pass``)."""
    outcome = checkpoint_fingerprint_run(checkpoint_id=checkpoint_id)
    logger.info("Checkpoint %s fingerprint: %s", checkpoint_id, outcome)
    return outcome


@shared_task(name="claims.tasks.checkpoint_acquire", **RETRY_ON_LOST_DATABASE)
def checkpoint_acquire(*, checkpoint_id: int) -> str:
    """Download a hub checkpoint (queue ``acquire``, see ``provenance.celery``)."""
    outcome = acquisition_run(checkpoint_id=checkpoint_id)
    logger.info("Checkpoint %s download: %s", checkpoint_id, outcome)
    return outcome


@shared_task(name="claims.tasks.reports_sweep")
def reports_sweep_task() -> dict:
    result = reports_sweep()
    downloads = acquisitions_sweep()
    return {
        "requeued": result.requeued,
        "failed": result.failed,
        "sent": result.sent,
        "downloads_sent": downloads,
        **captures_sweep(),
    }


@shared_task(name="claims.tasks.source_capture", **RETRY_ON_LOST_DATABASE)
def source_capture(*, capture_id: int) -> str:
    """Capture an evidence record's URL (queue ``archive``): WARC, screenshot, PDF, text."""
    outcome = capture_run(capture_id=capture_id)
    logger.info("Capture %s: %s", capture_id, outcome)
    return outcome


@shared_task(name="claims.tasks.sources_watch")
def sources_watch() -> dict:
    """Re-check the cited URLs that are due (queue ``archive``, Celery beat)."""
    return watch_run()


@shared_task(name="claims.tasks.desk_digest")
def desk_digest() -> dict:
    """Email editors the desk's new attention items (Celery beat, ``DESK_DIGEST_SECONDS``)."""
    result = desk_send_digest(base_url=settings.SITE_URL)
    return {"items": result.items, "recipients": result.recipients}
