"""Captures of cited sources, their watch history, and the suggestions the watch makes.

* ``SourceCapture``: one attempt to archive an evidence record's URL (queued → running →
  succeeded/failed), with its artefacts; a record keeps every capture, newest first.
* ``CaptureArtefact``: one stored file of a succeeded capture (WARC, PNG screenshot, PDF print,
  extracted text, or the body as received for a non-HTML source), with its SHA-256 and size.
* ``SourceCheck``: one visit of the watch (HTTP status or error, validators, text similarity);
  "no answer" (``unreachable``) is kept apart from an answer, since it may be this machine's fault.
* ``SourceSuggestion``: "removed at source on <date>" or "changed since archived", for an editor
  to confirm or dismiss (``claims.services.sources``); nothing is applied or published by itself.

Captures and artefacts are public exactly when their evidence record is (``public_requires``), and
readers are shown only the succeeded ones (``claims.selectors.sources.captures_queryset``): a failed
capture is an editor's matter (the admin and the desk). Checks and suggestions are editors'
bookkeeping, never shown to readers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from claims.models.constraints import ChecksInOneQuery
from claims.models.visibility import PublicQuerySet


class SourceCapture(ChecksInOneQuery, models.Model):
    public_requires = ("evidence",)

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    class Trigger(models.TextChoices):
        EDITOR = "editor", "an editor's “Archive now”"
        PUBLISH = "publish", "publication of the record"
        WATCH = "watch", "the watch (the source changed)"

    evidence = models.ForeignKey("claims.EvidenceArtifact", on_delete=models.CASCADE, related_name="captures")
    url = models.URLField(max_length=500, help_text="The URL asked for.")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.EDITOR)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the capture failed, in one sentence.")
    final_url = models.URLField(max_length=2000, blank=True, help_text="After redirects.")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    retrieved_at = models.DateTimeField(null=True, blank=True, help_text="When the source answered.")
    blocked_requests = models.JSONField(
        default=list, blank=True, help_text="Requests the page made that the archive refused, with why."
    )
    source_text = models.TextField(
        blank=True, editable=False, help_text="Text of the HTTP body, as the watch extracts it (to compare)."
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="sourcecapture_failed_has_error",
                violation_error_message="A failed capture says why.",
            ),
        ]

    def __str__(self) -> str:
        return f"Capture of {self.url} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    def artefact_list(self) -> list[CaptureArtefact]:
        order = {kind: i for i, kind in enumerate(CaptureArtefact.Kind.values)}
        return sorted(self.artefacts.all(), key=lambda a: order.get(a.kind, 99))


def artefact_path(instance: CaptureArtefact, filename: str) -> str:
    return f"captures/{instance.capture.evidence_id}/{instance.capture_id}/{filename}"


class CaptureArtefact(models.Model):
    public_requires = ("capture__evidence",)

    class Kind(models.TextChoices):
        SCREENSHOT = "screenshot", "screenshot (PNG)"
        PDF = "pdf", "PDF print"
        TEXT = "text", "extracted text"
        ORIGINAL = "original", "file as received"
        WARC = "warc", "WARC (HTTP exchanges)"

    capture = models.ForeignKey(SourceCapture, on_delete=models.CASCADE, related_name="artefacts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=artefact_path, max_length=300)
    content_type = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["capture", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["capture", "kind"], name="captureartefact_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of capture {self.capture_id}"


class SourceCheck(models.Model):
    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", "answers, unchanged"
        NOT_MODIFIED = "not_modified", "not modified (304)"
        CHANGED = "changed", "answers, text changed"
        GONE = "gone", "gone (the source answered 404 or 410)"
        UNREACHABLE = "unreachable", "no answer (the host did not resolve or connect)"
        ERROR = "error", "error"

    evidence = models.ForeignKey(
        "claims.EvidenceArtifact", on_delete=models.CASCADE, related_name="source_checks"
    )
    url = models.URLField(max_length=500)
    host = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="The URL's host, lower case: another host's answers show this machine was online.",
    )
    checked_at = models.DateTimeField(db_index=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)
    similarity = models.FloatField(
        null=True, blank=True, help_text="Of the text to the last capture's (1.0 = same); none without one."
    )

    class Meta:
        ordering = ["-checked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.url} checked {self.checked_at:%Y-%m-%d %H:%M}: {self.get_outcome_display()}"


class SourceSuggestion(models.Model):
    class Kind(models.TextChoices):
        REMOVED = "removed", "removed at source"
        CHANGED = "changed", "changed since archived"

    class State(models.TextChoices):
        OPEN = "open", "waiting for an editor"
        CONFIRMED = "confirmed", "confirmed"
        DISMISSED = "dismissed", "dismissed"

    evidence = models.ForeignKey(
        "claims.EvidenceArtifact", on_delete=models.CASCADE, related_name="source_suggestions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    observed_on = models.DateField(help_text="When the watch saw it.")
    check_result = models.ForeignKey(
        SourceCheck, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "kind"],
                condition=Q(state="open"),
                name="sourcesuggestion_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.sentence

    @property
    def sentence(self) -> str:
        day = f"{self.observed_on.day} {self.observed_on:%B %Y}"
        if self.kind == self.Kind.REMOVED:
            return f"Removed at source on {day}"
        return f"Changed since archived (seen on {day})"
