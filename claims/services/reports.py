"""Asking for a fingerprint report, and asking again for a failed one.

An identical request (same inputs, methods, parameters and engine version, i.e. the same
``request_key``) returns the report that exists instead of computing again. The computation is
enqueued with ``transaction.on_commit`` (``claims.jobs.REPORTS``), so a worker never looks
for a row that is not committed; if the broker is down the request is still saved as ``queued``
and the sweep sends it later - an editor never sees a 500 and a request is never lost.

The parameters are checked against the engine's one definition (``provenance.fingerprint.
parameters``), so the admin, the API, the command line and the engine refuse the same values
with the same sentence.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q

from claims.errors import ProvenanceError
from claims.jobs import REPORTS
from claims.models import AIModel, Checkpoint, EvidenceArtifact, FingerprintReport
from claims.models.reports import request_key
from claims.services.content import content_changed, public_write
from provenance.fingerprint import ENGINE_VERSION
from provenance.fingerprint.errors import FingerprintError
from provenance.fingerprint.parameters import validate as validate_parameters
from provenance.fingerprint.report import resolve_methods

Status = FingerprintReport.Status


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


def analysis_title(report: FingerprintReport) -> str:
    """The title an analysis evidence record gets when the report is asked for (an editor may change it)."""
    return f"Fingerprint analysis: {report.checkpoint_a} vs {report.checkpoint_b}"


def model_renamed(*, model: AIModel) -> bool:
    """Before ``model`` is saved: whether its name differs from the stored one (False for a new row)."""
    stored = AIModel.objects.filter(pk=model.pk).values_list("name", flat=True).first() if model.pk else None
    return stored is not None and stored != model.name


def analysis_titles_to_follow(*, model: AIModel) -> list[EvidenceArtifact]:
    """Before renamed ``model`` is saved (``model_renamed``): the analysis evidence records of its
    reports whose title is still the generated one with its name as stored, so that a rename carries
    over to them (``report_titles_follow``) - a draft's working name never stays in a published title."""
    evidence = EvidenceArtifact.objects.filter(
        Q(report__checkpoint_a__model=model) | Q(report__checkpoint_b__model=model)
    ).select_related("report__checkpoint_a__model", "report__checkpoint_b__model")
    return [e for e in evidence if e.title == analysis_title(e.report)]


def report_titles_follow(*, evidence: list[EvidenceArtifact], user: AbstractBaseUser | None) -> None:
    """After the rename: those records titled with the names as they are now."""
    from claims.services.records import record_save  # it calls this module

    for record in evidence:
        record.report = FingerprintReport.objects.select_related(
            "checkpoint_a__model", "checkpoint_b__model"
        ).get(pk=record.report_id)
        record.title = analysis_title(record.report)
        record_save(record=record, user=user, reason="Retitled: a compared model was renamed")


def _evidence_for(report: FingerprintReport, *, user: AbstractBaseUser | None) -> EvidenceArtifact:
    evidence = EvidenceArtifact(
        title=analysis_title(report),
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


def _download_evicted(*checkpoints: Checkpoint, user: AbstractBaseUser | None) -> None:
    """Queue the download again of a hub or git checkpoint the model cache evicted (its pinned commit);
    the report then waits for it."""
    from claims.services.checkpoints import checkpoint_acquire

    for checkpoint in checkpoints:
        if checkpoint.acquisition_status == Checkpoint.Acquisition.EVICTED:
            checkpoint_acquire(
                model=checkpoint.model, source=checkpoint.engine_source(), revision=checkpoint.revision, user=user,
                reason="Downloaded again for a report",
            )  # fmt: skip
            checkpoint.acquisition_status = Checkpoint.Acquisition.QUEUED


@public_write
def report_request(
    *,
    checkpoint_a: Checkpoint,
    checkpoint_b: Checkpoint,
    methods: Sequence[str] | str | None,
    parameters: dict | None,
    user: AbstractBaseUser | None,
    evidence: EvidenceArtifact | None = None,
    enqueue: bool = True,
    origin: str = FingerprintReport.Origin.EDITOR,
    screening: dict | None = None,
) -> tuple[FingerprintReport, bool]:
    """The report comparing ``checkpoint_a`` with ``checkpoint_b`` by ``methods`` (None = all), and
    whether this call created it.

    ``parameters``: engine parameters (``null_size``, ``seed``), defaults filled in. Creates the
    report ``queued`` with an evidence record of kind analysis (a draft, unless ``evidence`` is
    given) and enqueues the computation after commit (unless ``enqueue`` is false: the caller runs
    it itself); returns the existing report for an identical request (a failed one is queued
    again). ``origin`` and ``screening``: who asked (``claims.services.relatives`` for the lineage
    search's suggestions). Raises ProvenanceError for an impossible request, with the engine's own sentence for a
    parameter out of bounds.
    """
    if checkpoint_a.pk == checkpoint_b.pk:
        raise ProvenanceError("Choose two different checkpoints: a report compares two sets of weights.")
    try:
        method_names = resolve_methods(methods, weights=True)  # the worker reads the weights
        params = validate_parameters(parameters)
    except FingerprintError as exc:
        raise ProvenanceError(str(exc)) from exc
    keys = _request_keys(checkpoint_a, checkpoint_b, method_names, params)
    key = keys[0]
    existing = FingerprintReport.objects.filter(request_key__in=keys).first()
    if existing is not None:
        if existing.status == Status.FAILED:
            _download_evicted(checkpoint_a, checkpoint_b, user=user)
            report_retry(report=existing, enqueue=enqueue)
        return existing, False
    _download_evicted(checkpoint_a, checkpoint_b, user=user)
    try:
        with transaction.atomic():
            report = FingerprintReport(
                checkpoint_a=checkpoint_a,
                checkpoint_b=checkpoint_b,
                methods=method_names,
                parameters=params,
                requested_by=user,
                engine_version=ENGINE_VERSION,
                request_key=key,
                origin=origin,
                screening=screening or {},
            )
            report._history_user = user
            report.full_clean(exclude=["request_key", "slug"])
            report.save()
            if evidence is None:
                _evidence_for(report, user=user)
            else:
                if evidence.report_id and evidence.report_id != report.pk:
                    raise ProvenanceError(f"“{evidence}” already cites another report.")
                evidence.report = report
                evidence.kind = EvidenceArtifact.Kind.ANALYSIS
                evidence.full_clean()
                evidence.save()
    except IntegrityError:
        # Two editors asked at the same moment: the other request won, and its report is ours too.
        return FingerprintReport.objects.get(request_key=key), False
    if enqueue:
        REPORTS.enqueue_on_commit(report.pk)
    return report, True


@public_write
@transaction.atomic
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
        REPORTS.enqueue_on_commit(report.pk)
    return report


def charts_drawn(*, result: dict, labels: Sequence[str]) -> tuple[dict[str, str], float]:
    """The charts of a stored ``result`` ({name: SVG}) naming the inputs ``labels``, and the seconds
    drawing took (a second or so: matplotlib). Writes nothing."""
    from provenance.fingerprint.charts import report_charts  # matplotlib: only where a chart is drawn

    started = time.perf_counter()
    charts = report_charts(result or {}, label_a=labels[0], label_b=labels[1])
    return charts, round(time.perf_counter() - started, 3)


def report_draw_charts(*, report: FingerprintReport) -> dict[str, str]:
    """Draw a succeeded report's charts ({name: SVG}) from its stored result with the inputs' names as
    they are now, and keep them on the row with those names; a report not computed has none.

    The worker draws them with the result (``claims.pipeline.runner``) and a rename draws them again
    (``report_charts_follow``): a reader's GET never writes, it reads ``FingerprintReport.charts_as_read``,
    which shows no chart drawn under a name that has since changed. Drawing happens before the
    write, so the content lock is held only for the update.
    """
    if report.status != Status.SUCCEEDED:
        return report.charts or {}
    labels = list(report.labels)
    charts, seconds = charts_drawn(result=report.result or {}, labels=labels)
    timings = {**(report.timings or {}), "charts_seconds": seconds}
    with transaction.atomic():
        content_changed()  # the report's pages show them
        FingerprintReport.objects.filter(pk=report.pk, status=Status.SUCCEEDED).update(
            charts=charts, charts_labels=labels, timings=timings
        )
    report.charts, report.charts_labels, report.timings = charts, labels, timings
    return charts


def report_charts_follow(*, model: AIModel) -> list[FingerprintReport]:
    """After ``model`` was saved (renamed): the charts of its succeeded reports that name it as it was,
    drawn again with its name as it is now (``report_draw_charts``). Returns the reports redrawn."""
    reports = FingerprintReport.objects.filter(
        Q(checkpoint_a__model=model) | Q(checkpoint_b__model=model), status=Status.SUCCEEDED
    ).select_related("checkpoint_a__model", "checkpoint_b__model")
    stale = [report for report in reports if report.charts_labels != list(report.labels)]
    for report in stale:
        report_draw_charts(report=report)
    return stale
