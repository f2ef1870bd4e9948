"""Computing one report: what the Celery task (and ``manage.py fingerprint``) runs.

1. Claim the report (``claims.jobs.REPORTS``, the lease every job shares): a second delivery of the
   same message finds nothing to claim and stops. A report left ``running`` by a worker that died
   (its heartbeat is stale) may be claimed again, at most ``MAX_ATTEMPTS`` times.
2. Fingerprint each checkpoint, or reuse the stored fingerprint when the files are unchanged.
   Each phase (reading model A, reading model B, each method) is written to the report as it
   starts (``ProgressWriter``; the words come from ``provenance.fingerprint.progress``).
3. Compare, draw the charts with the inputs' names (``claims.services.charts_drawn``; a rename
   draws them again, a reader's GET never does), store result, summary, charts, timings and
   versions: ``succeeded``.
4. Bad input (a corrupt checkpoint...) ends ``failed`` with the engine's one-sentence message for
   the journalist and the traceback for the operator. A lost database connection is transient: the
   report goes back to ``queued`` and the exception propagates so the task retries with backoff.
"""

from __future__ import annotations

import logging
import platform
import time
import traceback
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims.jobs import REPORTS
from claims.lease import TRANSIENT_ERRORS, Heartbeat, human_duration, interrupted_message
from claims.models import Checkpoint, EvidenceArtifact, FingerprintReport
from claims.models import ModelFingerprint as FingerprintRow
from claims.models.base import DatePrecision
from claims.models.reports import INPUT_LABELS
from claims.pipeline import fingerprint_store
from claims.pipeline.checkpoints import file_signature, open_engine_checkpoint
from claims.pipeline.downloads.runner import acquisition_failure_message
from claims.pipeline.reports import shards
from claims.services.content import content_changed
from claims.services.null_cache import DatabaseNullCache
from claims.services.reports import charts_drawn
from provenance.fingerprint import ENGINE_VERSION
from provenance.fingerprint.checkpoint import Checkpoint as EngineCheckpoint
from provenance.fingerprint.errors import CheckpointFormatError, FingerprintError
from provenance.fingerprint.fingerprint import ModelFingerprint
from provenance.fingerprint.progress import compare_phase, read_phase
from provenance.fingerprint.remote import RemoteCheckpoint, open_remote_checkpoint
from provenance.fingerprint.report import compare_fingerprints
from provenance.fingerprint.sources import SourceError, hub_for, source_record
from provenance.fingerprint.stats import Progress, fingerprint_checkpoint

logger = logging.getLogger(__name__)
Status = FingerprintReport.Status


def report_claim(*, report_id: int) -> FingerprintReport | None:
    """Take the report for this worker, or None if another worker has it or it is finished."""
    if not REPORTS.claim(report_id, progress_bytes=0, progress_phase={}):
        return None
    report = FingerprintReport.objects.select_related("checkpoint_a__model", "checkpoint_b__model").get(
        pk=report_id
    )
    if REPORTS.exhausted(report):
        report_fail(report, message=interrupted_message("The analysis"), detail=f"attempts={report.attempts}")
        return None
    return report


class ProgressWriter:
    """Writes bytes read, the phase (``provenance.fingerprint.progress``) and the heartbeat to the
    report: while reading at most every ``interval`` seconds, and at every change of phase."""

    def __init__(self, report_id: int, total: int, interval: float, echo: Progress | None = None) -> None:
        self.report_id, self.total, self.interval, self.echo = report_id, total, interval, echo
        self.offset = 0  # bytes of the checkpoints already read
        self.done = 0
        self.model, self.size = "A", 0  # the checkpoint being read, and its size
        self.phase: dict = {}
        self._last = 0.0
        FingerprintReport.objects.filter(pk=report_id).update(
            progress_bytes=0, progress_total=total, progress_phase={}
        )

    def __call__(self, done: int, _total: int) -> None:
        self.done = min(self.offset + done, self.total)
        self.phase = read_phase(self.model, self.done - self.offset, self.size)
        if self.echo is not None:
            self.echo(self.done, self.total)
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self.write()

    def start_checkpoint(self, model: str, size: int) -> None:
        self.model, self.size = model, size
        self.set_phase(read_phase(model, 0, size))

    def next_checkpoint(self, size: int) -> None:
        self.offset += size
        self.done = self.offset

    def set_phase(self, phase: dict) -> None:
        self.phase = phase
        self.write()

    def write(self) -> None:
        REPORTS.beat(self.report_id, progress_bytes=self.done, progress_phase=self.phase)


@dataclass
class _Plan:
    checkpoint: Checkpoint
    cached: FingerprintRow | None
    size: int


def _cached_fingerprint(checkpoint: Checkpoint, signature: dict) -> FingerprintRow | None:
    """The stored fingerprint of these exact files, if the files have not changed since hashing."""
    if not checkpoint.content_hash or checkpoint.file_stats != signature:
        return None
    row = FingerprintRow.objects.filter(
        content_hash=checkpoint.content_hash, engine_version=ENGINE_VERSION
    ).first()
    if row is None or not fingerprint_store.is_current(row) or not fingerprint_store.exists(row):
        return None
    return row


def _weights_deleted(checkpoint: Checkpoint) -> bool:
    return checkpoint.acquisition_status == Checkpoint.Acquisition.FINGERPRINTED


def plan_fingerprint(checkpoint: Checkpoint) -> tuple[_Plan, object]:
    """What fingerprinting ``checkpoint`` takes: its kept fingerprint (``cached``, 0 bytes to read)
    or the bytes to read, with the opened checkpoint and its file signature (reports and
    ``index_pass``)."""
    if _weights_deleted(checkpoint):
        # Fingerprinted shard by shard while it downloaded, its weights deleted: the fingerprint is
        # all there is (kept by content hash, like any other).
        row = FingerprintRow.objects.filter(
            content_hash=checkpoint.content_hash, engine_version=ENGINE_VERSION
        ).first()
        if row is None or not fingerprint_store.exists(row):
            raise CheckpointFormatError(
                f"the fingerprint of {checkpoint} (made while it downloaded, its weights then deleted) is "
                "not stored for this engine version: ask for its download again",
                path=checkpoint.location,
            )
        return _Plan(checkpoint, row, 0), (None, None)
    engine_checkpoint = open_engine_checkpoint(checkpoint)
    signature = file_signature(engine_checkpoint)
    cached = _cached_fingerprint(checkpoint, signature)
    return _Plan(checkpoint, cached, 0 if cached else engine_checkpoint.total_bytes), (
        engine_checkpoint,
        signature,
    )


def compute_fingerprint(
    checkpoint: Checkpoint, engine_checkpoint, signature: dict, progress: Progress | None
) -> ModelFingerprint:
    """Read ``checkpoint`` (by shard tasks for a large one) and keep its fingerprint
    (``fingerprint_store.record``)."""
    if shards.use_shard_tasks(engine_checkpoint):
        fingerprint = shards.fingerprint_by_shard_tasks(checkpoint, engine_checkpoint, signature, progress)
    else:
        fingerprint = fingerprint_checkpoint(
            engine_checkpoint, progress=progress, processes=settings.FINGERPRINT_PROCESSES
        )
    fingerprint_store.record(
        checkpoint, fingerprint, signature=signature, reason="Hashed by the fingerprint worker"
    )
    return fingerprint


def _fingerprints(
    report: FingerprintReport, timings: dict, progress: ProgressWriter
) -> tuple[list[ModelFingerprint], tuple[EngineCheckpoint, EngineCheckpoint]]:
    """Both fingerprints (computed or from the cache) and both checkpoints opened for the methods
    that read weights (embedding rows, one layer's matrices at a time)."""
    plans = [plan_fingerprint(c) for c in (report.checkpoint_a, report.checkpoint_b)]
    progress.total = sum(p.size for p, _ in plans)
    FingerprintReport.objects.filter(pk=report.pk).update(progress_total=progress.total)
    fingerprints = []
    for label, (plan, (engine_checkpoint, signature)) in zip("ab", plans, strict=True):
        started = time.perf_counter()
        if plan.cached is not None:
            fingerprints.append(fingerprint_store.load(plan.cached))
        else:
            progress.start_checkpoint(label.upper(), plan.size)
            fingerprints.append(compute_fingerprint(plan.checkpoint, engine_checkpoint, signature, progress))
        progress.next_checkpoint(plan.size)
        timings[f"fingerprint_{label}"] = {
            "seconds": round(time.perf_counter() - started, 3),
            "bytes_read": plan.size,
            "cached": plan.cached is not None,
        }
    progress.write()
    engine_checkpoints = [plans[0][1][0], plans[1][1][0]]
    missing = []
    for i, checkpoint in enumerate((report.checkpoint_a, report.checkpoint_b)):
        if engine_checkpoints[i] is None:
            engine_checkpoints[i], why = _remote_weights(checkpoint, fingerprints[i])
            missing += [why] if why else []
    weights = None if None in engine_checkpoints else tuple(engine_checkpoints)
    return fingerprints, weights, "; ".join(missing)


def _remote_weights(
    checkpoint: Checkpoint, fingerprint: ModelFingerprint
) -> tuple[RemoteCheckpoint | None, str]:
    """A checkpoint fingerprinted shard by shard (its weights deleted), opened so that the methods
    reading weights fetch each tensor they need by HTTP range from its hub, checked against the
    fingerprint's digests; or None and why the methods that read both models' weights cannot run."""
    deleted = (
        f"the weights of {checkpoint} were larger than the model cache (MODEL_CACHE_MAX_GB): they were "
        "fingerprinted shard by shard while they downloaded, then deleted"
    )
    if checkpoint.source_kind != Checkpoint.SourceKind.HUB:
        return (
            None,
            f"{deleted}, and a git repository cannot be read by range, so the methods that read the weights of both models at once could not run",
        )
    source = checkpoint.engine_source(checkpoint.source_commit)
    try:
        return open_remote_checkpoint(
            source,
            commit=checkpoint.source_commit,
            hub=hub_for(source, settings.HUBS),
            token=settings.HF_TOKEN,
            fingerprint=fingerprint,
            folder=Path(checkpoint.location),
        ), ""
    except SourceError as exc:
        return (
            None,
            f"{deleted}, and reading their tensors by HTTP range failed ({exc}), so the methods that read the weights of both models at once could not run",
        )


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "engine": ENGINE_VERSION,
        **{
            name: version(name)
            for name in ("numpy", "scipy", "ml_dtypes", "safetensors", "matplotlib", "blake3")
        },
    }


def _source_record(checkpoint: Checkpoint) -> dict | None:
    """What the report records of a checkpoint downloaded from a hub or git (its source, commit and
    files as verified, ``claims.pipeline.downloads.runner``); None for weights in the model store, whose
    files the report lists as read (``weight_files``)."""
    source = checkpoint.engine_source()
    if source is None or not checkpoint.source_commit:
        return None
    return source_record(source, commit=checkpoint.source_commit, files=checkpoint.source_files)


def report_compute(report: FingerprintReport, *, on_progress: Progress | None = None) -> FingerprintReport:
    """Do the work of a claimed report and store its result (``succeeded``).

    ``on_progress(bytes_done, bytes_total)`` is called after every chunk read (the command line
    prints it); the report row itself gets progress at most every REPORT_PROGRESS_SECONDS.
    """
    timings: dict = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    progress = ProgressWriter(report.pk, 0, settings.REPORT_PROGRESS_SECONDS, echo=on_progress)
    (fp_a, fp_b), weights, weights_missing = _fingerprints(report, timings, progress)
    t = time.perf_counter()
    checkpoints = (report.checkpoint_a, report.checkpoint_b)
    comparison = compare_fingerprints(
        fp_a,
        fp_b,
        methods=report.methods,
        labels=INPUT_LABELS,  # readers name the inputs as they are named when read (FingerprintReport.relabel)
        sources=tuple(_source_record(c) for c in checkpoints),
        weights=weights,
        weights_missing=weights_missing,
        on_method=lambda name, index, count: progress.set_phase(compare_phase(name, index, count)),
        null_cache=DatabaseNullCache() if settings.NULL_CACHE else None,  # shared by every worker
        **report.parameters,
    )
    result = comparison.to_dict()
    ranged = [c.reader for c in weights or () if isinstance(c, RemoteCheckpoint)]
    if ranged:  # what the methods read from the hub (timings are the operator's, in the API)
        timings["range_bytes"] = sum(r.bytes_read for r in ranged)
        timings["range_requests"] = sum(r.requests for r in ranged)
    timings["compare_seconds"] = round(time.perf_counter() - t, 3)
    timings["total_seconds"] = round(time.perf_counter() - started, 3)
    timings["cpu_seconds"] = round(time.process_time() - cpu_started, 3)  # all threads of this process
    # Drawn before the write (a second or so), so the content lock is held only for the write.
    charts = _charts(report, result, timings)
    with transaction.atomic():
        content_changed()
        _store_result(report, comparison, result, timings, (fp_a, fp_b), charts)
    return report


def _charts(report: FingerprintReport, result: dict, timings: dict) -> tuple[dict[str, str], list[str]]:
    """(charts, the names they were drawn with). A chart that cannot be drawn is no reason to lose
    the result: logged, and the report is stored without charts (``report_draw_charts`` can draw
    them later)."""
    labels = list(report.labels)
    try:
        charts, timings["charts_seconds"] = charts_drawn(result=result, labels=labels)
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        logger.exception("The charts of report %s were not drawn", report.pk)
        return {}, []
    return charts, labels


def _store_result(
    report: FingerprintReport, comparison, result: dict, timings: dict, fingerprints: tuple, charts: tuple
) -> None:
    fp_a, fp_b = fingerprints
    report.refresh_from_db()
    report.status = Status.SUCCEEDED
    report.result = result
    report.summary = comparison.summary
    report.charts, report.charts_labels = charts
    report.timings = timings
    report.input_hashes = {
        str(report.checkpoint_a_id): fp_a.content_hash,
        str(report.checkpoint_b_id): fp_b.content_hash,
    }
    report.library_versions = library_versions()
    report.finished_at = timezone.now()
    report.error_message = report.error_detail = ""
    report._change_reason = "Computed"
    report.save()
    # The analysis is "published" by us when it is computed: date its evidence record (if undated),
    # so it takes its place in a dispute's timeline.
    EvidenceArtifact.objects.filter(report=report, published_on__isnull=True).update(
        published_on=timezone.localdate(report.finished_at), date_precision=DatePrecision.DAY
    )


def report_fail(report: FingerprintReport, *, message: str, detail: str) -> None:
    REPORTS.fail(report.pk, message=message, error_detail=detail)


def _acquisitions_pending(report_id: int) -> bool:
    """Whether a checkpoint of the report is still being downloaded: the report then stays queued,
    and the download sends it again when it is done (or fails it, if it fails)."""
    pending = (Checkpoint.Acquisition.QUEUED, Checkpoint.Acquisition.RUNNING)
    return Checkpoint.objects.filter(
        Q(reports_as_a__pk=report_id) | Q(reports_as_b__pk=report_id), acquisition_status__in=pending
    ).exists()


def report_run(*, report_id: int, on_progress: Progress | None = None) -> str:
    """Claim and compute one report. Returns the outcome: succeeded, failed, skipped or waiting
    (for the download of a checkpoint)."""
    if _acquisitions_pending(report_id):
        return "waiting"
    report = report_claim(report_id=report_id)
    if report is None:
        return "skipped"
    Checkpoint.objects.filter(pk__in=[report.checkpoint_a_id, report.checkpoint_b_id]).exclude(
        acquisition_status=""
    ).update(cache_used_at=timezone.now())  # the model cache evicts the least recently used
    for checkpoint in (report.checkpoint_a, report.checkpoint_b):
        if checkpoint.acquisition_status == Checkpoint.Acquisition.FAILED:
            report_fail(report, message=acquisition_failure_message(checkpoint), detail="download failed")
            return "failed"
    try:
        with Heartbeat(REPORTS, report.pk, settings.REPORT_PROGRESS_SECONDS):
            report_compute(report, on_progress=on_progress)
    except FingerprintError as exc:
        report_fail(report, message=_journalist_message(exc), detail=_operator_detail(exc))
        return "failed"
    except SoftTimeLimitExceeded:
        limit = human_duration(settings.CELERY_TASK_SOFT_TIME_LIMIT)
        report_fail(
            report,
            message=f"The analysis took longer than the limit of {limit} and was stopped. An operator can "
            "raise CELERY_TASK_SOFT_TIME_LIMIT and retry.",
            detail=traceback.format_exc(),
        )
        return "failed"
    except TRANSIENT_ERRORS:
        REPORTS.release(report.pk)
        raise
    except Exception as exc:  # noqa: BLE001 - a bug must still end in a recorded failure, not a hung report
        logger.exception("Report %s failed with an internal error", report.pk)
        report_fail(
            report,
            message="The analysis stopped because of an internal error. The operators have "
            f"the details (report {report.slug}, {type(exc).__name__}).",
            detail=traceback.format_exc(),
        )
        return "failed"
    return "succeeded"


def _journalist_message(exc: FingerprintError) -> str:
    """The engine's sentence, capitalised and ended - unless it opens with a file name, which is
    never altered ("model.safetensors is truncated", not "Model.safetensors")."""
    text = str(exc)
    first = text.split(" ", 1)[0]
    names = {Path(exc.path).name} if exc.path else set()
    if not ("." in first or "/" in first or first in names):
        text = text[:1].upper() + text[1:]
    return text + ("" if text.endswith(".") else ".")


def _operator_detail(exc: FingerprintError) -> str:
    where = ", ".join(f"{k}={v}" for k, v in (("path", exc.path), ("tensor", exc.tensor)) if v)
    return f"{type(exc).__name__}: {exc}\n{where}\n\n{traceback.format_exc()}"
