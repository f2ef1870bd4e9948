"""Fingerprint tables: per-checkpoint statistics and comparison reports.

The analysis pipeline (a later issue) fills these rows; editors read them and cite a report from an
evidence artifact of kind "analysis".

Public visibility of a report is not an editorial status of its own: a report is public exactly when
the evidence artifact that cites it is public, and that needs both compared models public
(``claims.models.visibility``). ``status`` here is the *computation* status (queued → running →
succeeded / failed).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from claims.lease import MAX_ATTEMPTS, stale_before
from claims.models.base import history
from claims.models.constraints import ChecksInOneQuery
from claims.models.public_state import stated_name
from claims.models.urls import slug_url
from claims.models.verdicts import Verdict, verdict_of
from claims.models.visibility import PublicQuerySet, is_public
from provenance.fingerprint.headline import Headline, headline
from provenance.fingerprint.sources import commit_label


class ModelFingerprint(models.Model):
    """The engine's per-checkpoint statistics, cached by (content hash, engine version)."""

    checkpoint = models.ForeignKey("claims.Checkpoint", on_delete=models.PROTECT, related_name="fingerprints")
    content_hash = models.CharField(max_length=64)
    engine_version = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    bytes_read = models.PositiveBigIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-computed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash", "engine_version"], name="modelfingerprint_unique_per_engine_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint} (engine {self.engine_version})"


class FingerprintShard(models.Model):
    """One file of a checkpoint being fingerprinted by a shard task (``claims.pipeline.reports.shards``):
    which worker has it, its heartbeat and progress, and when done, where its result is stored.
    Rows of one pass share the checkpoint and ``signature`` (a digest of the files' sizes and
    modification times); they are deleted once the merged fingerprint is stored."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    checkpoint = models.ForeignKey("claims.Checkpoint", on_delete=models.CASCADE, related_name="shards")
    signature = models.CharField(max_length=64)
    index = models.PositiveIntegerField()
    file_name = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_bytes = models.PositiveBigIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["checkpoint", "signature", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "signature", "index"], name="fingerprintshard_unique_file"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} of {self.checkpoint_id} ({self.status})"


# The names the pipeline gives the engine for the two inputs: neutral, so a stored report never holds
# a name (a draft's name included) that readers would see if a reader forgot ``FingerprintReport.
# relabel``; readers get the inputs' names as they are now. Reports stored before carry the names of
# the time in ``result.inputs.*.label``, which ``relabel`` replaces the same way.
INPUT_LABELS = ("⟨input A⟩", "⟨input B⟩")


def request_key(*, input_hashes: list[str], methods: list[str], parameters: dict, engine_version: str) -> str:
    """SHA-256 of everything that determines a report's result: the same request is computed once."""
    canonical = json.dumps(
        {
            "inputs": input_hashes,
            "methods": sorted(methods),
            "parameters": parameters,
            "engine": engine_version,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class FingerprintReport(ChecksInOneQuery, models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    class Origin(models.TextChoices):
        EDITOR = "editor", "asked for by an editor"
        RELATIVES = "relatives", "suggested by the lineage search"

    IN_PROGRESS = (Status.QUEUED, Status.RUNNING)
    """Queued or running: its progress moves without a content change (``claims.presentation.http_cache``)."""

    slug = models.SlugField(max_length=120, unique=True)
    checkpoint_a = models.ForeignKey(
        "claims.Checkpoint", on_delete=models.PROTECT, related_name="reports_as_a"
    )
    checkpoint_b = models.ForeignKey(
        "claims.Checkpoint", on_delete=models.PROTECT, related_name="reports_as_b"
    )
    methods = models.JSONField(default=list, help_text='Method names, e.g. ["attn_std", "tensor_identity"].')
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress_bytes = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)
    progress_phase = models.JSONField(
        default=dict, blank=True, help_text="What the worker is doing now (provenance.fingerprint.progress)."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    origin = models.CharField(
        max_length=10,
        choices=Origin.choices,
        default=Origin.EDITOR,
        help_text="Who asked for it: an editor (or the demo), or the lineage search confirming a close relative.",
    )
    screening = models.JSONField(
        default=dict,
        blank=True,
        help_text="The lineage search's screening that suggested it (tier and calibrated scores, no names).",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Pipeline bookkeeping: when the task was last sent to the broker, and the running worker's
    # last sign of life (a report whose heartbeat stops is repaired by the sweep).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    engine_version = models.CharField(max_length=40, blank=True)
    library_versions = models.JSONField(default=dict, blank=True)
    input_hashes = models.JSONField(default=dict, blank=True, help_text="Checkpoint → content hash.")
    request_key = models.CharField(
        max_length=64, unique=True, help_text="Hash of inputs, methods, parameters and engine version."
    )
    result = models.JSONField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="Markdown. What the numbers show, and what they do not.")
    error_message = models.TextField(blank=True, help_text="For journalists: what went wrong, what to do.")
    error_detail = models.TextField(blank=True, help_text="For operators: the traceback or engine detail.")
    timings = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    charts = models.JSONField(default=dict, blank=True, help_text="Chart name → SVG text.")
    charts_labels = models.JSONField(
        default=list, blank=True, help_text="The inputs' names the stored charts were drawn with."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Progress, result and charts are large or change every few seconds: keep them out of history
    # (the pipeline writes progress with queryset.update(), which bypasses history anyway).
    history = history(
        excluded_fields=[
            "progress_bytes",
            "progress_total",
            "progress_phase",
            "result",
            "charts",
            "charts_labels",
            "timings",
            "heartbeat_at",
        ]  # fmt: skip
    )

    objects = PublicQuerySet.as_manager()
    # Public when the analysis evidence record citing it is (which needs both models public).
    public_requires = ("evidence",)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(checkpoint_a=F("checkpoint_b")),
                name="fingerprintreport_two_checkpoints",
                violation_error_message="A report compares two different checkpoints.",
            ),
            models.CheckConstraint(
                condition=Q(progress_total__isnull=True) | Q(progress_bytes__lte=F("progress_total")),
                name="fingerprintreport_progress_within_total",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["succeeded", "failed"]) | Q(finished_at__isnull=False),
                name="fingerprintreport_finished_has_time",
                violation_error_message="A finished report needs its finishing time.",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error_message=""),
                name="fingerprintreport_failure_explained",
                violation_error_message="A failed report needs an error message for the journalist.",
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True)
                | Q(finished_at__isnull=True)
                | Q(finished_at__gte=F("started_at")),
                name="fingerprintreport_finishes_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_a} vs {self.checkpoint_b} ({self.get_status_display()})"

    def save(self, *args, **kwargs) -> None:
        if not self.request_key:
            self.request_key = self.compute_request_key()
        if not self.slug:
            self.slug = f"report-{self.request_key[:12]}"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return slug_url("claims:report-detail", self.slug)

    @property
    def public_title(self) -> str:
        """ "A vs B" for readers, each model followed by its retraction when it is retracted (the
        models of a public report are public: ``claims.models.visibility``)."""
        a, b = self.checkpoint_a.model, self.checkpoint_b.model
        return f"{stated_name(a.name, a)} vs {stated_name(b.name, b)}"

    @property
    def public_body(self) -> str:
        return self.summary_as_read

    # -- text about the two inputs, rendered when read -------------------------------------------
    # Every reader (site, API, feeds, export, cards, admin, the command line) reads the summary and
    # the result through these, never the stored fields: a model renamed after its report was
    # computed (a draft's working name) is named as it is now.

    @property
    def labels(self) -> tuple[str, str]:
        """The two inputs as they are named now, each naming the commit it was downloaded at."""
        return tuple(commit_label(str(c), c.source_commit) for c in (self.checkpoint_a, self.checkpoint_b))

    def relabel(self, text: str) -> str:
        """``text`` with the names the engine was given for the inputs (``result.inputs.*.label``)
        replaced by their names now, in one pass (a name never replaces inside another)."""
        inputs = (self.result or {}).get("inputs") or {}
        stored = [(inputs.get(side) or {}).get("label") for side in ("a", "b")]
        if not text or not all(isinstance(label, str) and label for label in stored):
            return text
        current = dict(zip(stored, self.labels, strict=True))
        if len(current) < 2:  # both inputs had the same name: nothing tells them apart
            return text
        pattern = "|".join(re.escape(label) for label in sorted(current, key=len, reverse=True))
        return re.sub(pattern, lambda match: current[match.group(0)], text)

    @property
    def summary_as_read(self) -> str:
        return self.relabel(self.summary)

    @property
    def result_as_read(self) -> dict | None:
        """The stored result with the inputs' labels and the summary naming the inputs as now."""
        if not self.result:
            return self.result
        result = copy.deepcopy(self.result)
        for side, label in zip(("a", "b"), self.labels, strict=True):
            if isinstance((result.get("inputs") or {}).get(side), dict):
                result["inputs"][side]["label"] = label
        if isinstance(result.get("summary"), str):
            result["summary"] = self.relabel(result["summary"])
        return result

    @property
    def charts_as_read(self) -> dict[str, str]:
        """The charts every reader shows ({name: SVG}): a succeeded report's when they were drawn with
        the inputs' names as now, else none (the worker draws them, a rename draws them again:
        ``claims.services.report_draw_charts``; a read never does)."""
        if self.status != self.Status.SUCCEEDED:
            return self.charts or {}
        return self.charts if self.charts and self.charts_labels == list(self.labels) else {}

    @property
    def is_public(self) -> bool:
        return is_public(self)

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    @property
    def headline(self) -> Headline | None:
        """The verdict in plain words - tier, title, one sentence of why and its caveat
        (``provenance.fingerprint.headline``) - of a succeeded report; None before it succeeded or
        once it failed. The page, the embed, the card, the feed and the API all read this."""
        return headline(self.result) if self.status == self.Status.SUCCEEDED else None

    @property
    def verdict(self) -> Verdict | None:
        """The verdict's label and style (``claims.models.verdicts``); None while it has none."""
        return verdict_of(self.result)

    @property
    def progress(self) -> float | None:
        """Share of the weights read, 0 … 1: None until the worker knows the total, 1 once the report
        succeeded without reading (the fingerprints were cached). The admin, the site and the API
        all show this one number."""
        if self.progress_total:
            return min(1.0, self.progress_bytes / self.progress_total)
        return 1.0 if self.status == self.Status.SUCCEEDED else None

    @property
    def progress_state(self) -> dict | None:
        """While queued or running: the phase in words and its share (the engine's ``phase_text`` /
        ``phase_fraction``), and whether the worker stopped (its heartbeat is older than
        REPORT_STALE_SECONDS) with what happens next. None once finished. The site, the API and the
        admin all show this."""
        if not self.in_progress:
            return None
        from provenance.fingerprint.progress import phase_fraction, phase_text

        phase = self.progress_phase if self.status == self.Status.RUNNING else {}
        stale = (
            self.status == self.Status.RUNNING
            and self.heartbeat_at is not None
            and self.heartbeat_at < stale_before()
        )
        text = phase_text(phase) if self.status == self.Status.RUNNING else "waiting for a worker"
        if stale:
            text = (
                "the worker stopped; it will be retried"
                if self.attempts < MAX_ATTEMPTS
                else f"the worker stopped on the last of {MAX_ATTEMPTS} attempts; the report will be "
                "marked failed"
            )
        return {
            "phase": (phase or {}).get("step") or ("queued" if self.status == self.Status.QUEUED else ""),
            "text": text or "starting",
            "fraction": None if stale else phase_fraction(phase),
            "stale": stale,
        }

    @property
    def download(self) -> dict | None:
        """While a checkpoint of the report is still being downloaded from its hub: bytes done and
        to do over both, and the sentence the site and the admin show; else None."""
        pending = [c for c in (self.checkpoint_a, self.checkpoint_b) if c.is_acquiring]
        if not pending:
            return None
        from provenance.fingerprint.sizes import human_bytes

        done = sum(c.acquisition_bytes for c in pending)
        total = sum(c.acquisition_total or 0 for c in pending)
        fraction = min(1.0, done / total) if total else None
        text = (
            f"downloading {human_bytes(done)} of {human_bytes(total)} ({int(100 * fraction)} %)"
            if total
            else "waiting for the download of its weights to start"
        )
        return {"bytes_done": done, "bytes_total": total or None, "fraction": fraction, "text": text}

    @property
    def progress_percent(self) -> int | None:
        """``progress`` as a whole percentage (rounded down: 100 only when everything was read)."""
        return None if self.progress is None else int(100 * self.progress)

    def compute_request_key(self) -> str:
        """The request key from the checkpoints' content hashes (the same inputs the pipeline uses)."""
        inputs = [_input_hash(c) for c in (self.checkpoint_a, self.checkpoint_b)]
        return request_key(
            input_hashes=inputs,
            methods=self.methods,
            parameters=self.parameters,
            engine_version=self.engine_version,
        )


def _input_hash(checkpoint) -> str:
    # Until the worker has hashed the files, the checkpoint row stands for its content.
    return checkpoint.content_hash or f"checkpoint:{checkpoint.pk}"
