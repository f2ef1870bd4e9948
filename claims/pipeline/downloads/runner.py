"""Downloading a hub checkpoint's files: what the ``checkpoint_acquire`` Celery task (queue
``acquire``) runs, so a long download never holds up the workers that compute reports.

1. Claim the checkpoint through the lease every job shares (``claims.jobs.DOWNLOADS``: ``queued →
   running``; a ``running`` one whose heartbeat stopped - its worker was killed - may be claimed again).
2. ``provenance.fingerprint.sources.acquire``: resolve the revision to a commit, fetch the files the
   engine reads into ``MODEL_CACHE_DIR``, each verified against the hash the hub publishes; the
   bytes done are written to the checkpoint every REPORT_PROGRESS_SECONDS (with a heartbeat).
   A download interrupted there resumes from its partial files on the next attempt. Before
   anything downloads, room is reserved for it in the cache's budget (``claims.pipeline.downloads.cache``).
3. Record commit, files and SHA-256s and the folder (``checkpoint_record_acquisition``), then send
   the reports that waited for it; if none did, send its fingerprint pass for the lineage search
   (``claims.pipeline.reports.index_pass``). A refusal (repo not found, gated, hash mismatch, only pickles...)
   marks the checkpoint ``failed`` with the sentence, and fails the reports waiting on it.
"""

from __future__ import annotations

import logging
import time
import traceback
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q

from claims.jobs import DOWNLOADS, REPORTS
from claims.lease import stale_after
from claims.models import Checkpoint, FingerprintReport
from claims.pipeline.downloads.cache import cache_make_room, cache_release
from provenance.fingerprint.preview import SHARD_BY_SHARD, acquisition_mode, shardable
from provenance.fingerprint.shard_by_shard import disk_needed, fingerprint_shard_by_shard
from provenance.fingerprint.sizes import human_bytes
from provenance.fingerprint.sources import (
    GitSource,
    HubSource,
    Progress,
    SourceError,
    acquire,
    acquire_git,
    plan,
    plan_git,
    snapshot_folder,
)

logger = logging.getLogger(__name__)
Acquisition = Checkpoint.Acquisition


def acquisition_claim(*, checkpoint_id: int) -> Checkpoint | None:
    """Take the download for this worker, or None if another worker has it or it is finished."""
    claimed = DOWNLOADS.claim(checkpoint_id)
    return Checkpoint.objects.select_related("model").get(pk=checkpoint_id) if claimed else None


class _ProgressWriter:
    def __init__(self, checkpoint_id: int, echo: Progress | None = None) -> None:
        self.checkpoint_id, self.echo = checkpoint_id, echo
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if self.echo is not None:
            self.echo(done, total)
        now = time.monotonic()
        if now - self._last >= settings.REPORT_PROGRESS_SECONDS or done == total:
            self._last = now
            DOWNLOADS.beat(self.checkpoint_id, acquisition_bytes=done, acquisition_total=total)


def _waiting_reports(checkpoint_id: int):
    return FingerprintReport.objects.filter(
        Q(checkpoint_a_id=checkpoint_id) | Q(checkpoint_b_id=checkpoint_id),
        status=FingerprintReport.Status.QUEUED,
    )


def acquisition_failure_message(checkpoint: Checkpoint) -> str:
    """What a report on a checkpoint whose download failed says."""
    return f"The weights of “{checkpoint}” could not be downloaded: {checkpoint.acquisition_error}"


def _fail(checkpoint: Checkpoint, message: str, detail: str) -> None:
    DOWNLOADS.fail(checkpoint.pk, message=message)
    checkpoint.acquisition_error = message
    # One sentence in the log (the command line prints it as is); the traceback, for a bug, is on the
    # waiting reports (error_detail) and in the log's debug level.
    logger.warning("Download of checkpoint %s failed: %s", checkpoint.pk, message)
    logger.debug("Download of checkpoint %s failed:\n%s", checkpoint.pk, detail)
    REPORTS.fail(
        _waiting_reports(checkpoint.pk), message=acquisition_failure_message(checkpoint), error_detail=detail
    )


def acquisition_run(*, checkpoint_id: int, on_progress: Progress | None = None) -> str:
    """Claim and download one checkpoint. Returns the outcome: done, failed or skipped.
    ``on_progress(bytes_done, bytes_total)`` after every chunk (the command line prints it)."""
    checkpoint = acquisition_claim(checkpoint_id=checkpoint_id)
    if checkpoint is None:
        return "skipped"
    # Once a download pinned a commit, downloading again (after an eviction) fetches that commit.
    revision = checkpoint.source_commit or checkpoint.source_revision
    progress = _ProgressWriter(checkpoint.pk, echo=on_progress)
    try:
        return _acquire(checkpoint, revision, progress)
    finally:
        cache_release(checkpoint)


def _acquire(checkpoint: Checkpoint, revision: str, progress: _ProgressWriter) -> str:
    from claims.services.checkpoints import checkpoint_record_acquisition

    try:
        source = checkpoint.engine_source(revision)
        if isinstance(source, GitSource):
            planned = plan_git(source, git_hosts=settings.GIT_HOSTS, cache_dir=settings.MODEL_CACHE_DIR)
        else:
            planned = plan(source, hubs=settings.HUBS, token=settings.HF_TOKEN)
        # The size is known before anything downloads: the report page shows it at once.
        Checkpoint.objects.filter(pk=checkpoint.pk).update(acquisition_total=planned.total_bytes)
        mode = acquisition_mode(
            source=source,
            total_bytes=planned.total_bytes,
            budget=settings.MODEL_CACHE_MAX_BYTES,
            shardable=shardable(planned.files),
        )
        folder = _folder(source, planned)
        if mode == SHARD_BY_SHARD:
            _fingerprint_shard_by_shard(checkpoint, source, planned, progress, folder)
            _send_waiting(checkpoint)
            return "done"
        cache_make_room(needed=planned.total_bytes, for_checkpoint=checkpoint, folder=folder)
        if isinstance(source, GitSource):
            acquired = acquire_git(
                source, git_hosts=settings.GIT_HOSTS, cache_dir=settings.MODEL_CACHE_DIR, progress=progress,
                planned=planned,
            )  # fmt: skip
        else:
            acquired = acquire(
                source, hubs=settings.HUBS, cache_dir=settings.MODEL_CACHE_DIR, token=settings.HF_TOKEN,
                progress=progress, planned=planned,
            )  # fmt: skip
        checkpoint_record_acquisition(
            checkpoint=checkpoint, commit=acquired.commit, folder=str(acquired.folder), files=acquired.files
        )
    except SourceError as exc:
        _fail(checkpoint, str(exc), traceback.format_exc())
        return "failed"
    except ValidationError as exc:
        text = " ".join(m for messages in exc.message_dict.values() for m in messages)
        _fail(checkpoint, f"the downloaded files are not readable weights: {text}", traceback.format_exc())
        return "failed"
    except Exception as exc:  # noqa: BLE001 - a bug or a full disk must end in a recorded failure
        logger.exception("Download of checkpoint %s failed with an internal error", checkpoint.pk)
        _fail(checkpoint, f"an internal error stopped the download ({type(exc).__name__}: {exc}).",
              traceback.format_exc())  # fmt: skip
        return "failed"
    if not _send_waiting(checkpoint):
        _send_index_pass(checkpoint)
    return "done"


def _send_waiting(checkpoint: Checkpoint) -> int:
    """Send the reports that waited for this download; returns how many."""
    waiting = list(_waiting_reports(checkpoint.pk).values_list("pk", flat=True))
    for report_id in waiting:
        REPORTS.enqueue(report_id)
    return len(waiting)


def _send_index_pass(checkpoint: Checkpoint) -> None:
    """Downloaded and no report waiting: fingerprint it now, so the lineage search places it
    (``claims.pipeline.reports.index_pass``). Lost if the broker is down: the checkpoint is then
    fingerprinted by its first report."""
    from claims import tasks

    try:
        tasks.checkpoint_fingerprint.apply_async(kwargs={"checkpoint_id": checkpoint.pk})
    except Exception:  # noqa: BLE001 - the download itself succeeded; see the docstring
        logger.warning(
            "Checkpoint %s: the fingerprint for the lineage search could not be sent", checkpoint.pk
        )


def _folder(source: HubSource | GitSource, planned) -> Path:
    """The folder of MODEL_CACHE_DIR the download of ``planned`` fills."""
    if isinstance(source, GitSource):
        return planned.work.parent / planned.commit
    return snapshot_folder(settings.MODEL_CACHE_DIR, source, planned.commit)


def _fingerprint_shard_by_shard(checkpoint: Checkpoint, source: HubSource, planned, progress, folder) -> None:
    """A model larger than the whole cache budget: fetch, fingerprint and delete its shards one at a
    time (``provenance.fingerprint.shard_by_shard``); the checkpoint keeps its fingerprint, its small
    files and every file's SHA-256, and reports on it run the fingerprint methods only."""
    from claims.pipeline import fingerprint_store
    from claims.services.checkpoints import checkpoint_record_acquisition

    cache_make_room(needed=disk_needed(planned), for_checkpoint=checkpoint, folder=folder)
    acquired, fingerprint = fingerprint_shard_by_shard(
        source, hubs=settings.HUBS, cache_dir=settings.MODEL_CACHE_DIR, token=settings.HF_TOKEN,
        planned=planned, progress=progress,
    )  # fmt: skip
    checkpoint_record_acquisition(
        checkpoint=checkpoint, commit=acquired.commit, folder=str(acquired.folder), files=acquired.files,
        weights_kept=False,
    )  # fmt: skip
    fingerprint_store.record(
        checkpoint,
        fingerprint,
        signature={},
        reason=f"Fingerprinted shard by shard from {checkpoint.source_display} @ {acquired.commit}; the weights "
        f"({human_bytes(planned.total_bytes)}) are larger than MODEL_CACHE_MAX_GB and were deleted",
    )


def acquisitions_sweep() -> int:
    """Send again the downloads whose worker died (stale heartbeat: the next claim takes it over)
    or whose message was lost (queued for longer than the stale delay). Sending twice is harmless:
    one claim wins. Returns how many were sent."""
    return DOWNLOADS.sweep(unsent_after=stale_after()).sent
