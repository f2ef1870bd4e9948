"""Evidence artifacts (papers, statements, code, reports, analyses) and their links to claims."""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models import Q
from django.utils import timezone

from claims.models.base import (
    DatePrecision,
    PublicRecord,
    format_date,
    history,
    not_in_future,
    public_record_constraints,
    publish_permission,
)
from claims.models.language import OriginalText, original_text_constraints
from claims.models.urls import slug_url
from claims.models.visibility import PublicQuerySet

_HASH_CHUNK = 1 << 20  # read uploads 1 MiB at a time: hashing never holds the whole file in memory


def file_sha256(field_file) -> str:
    """SHA-256 (hex) of a file field's content, streamed; leaves the file positioned at its start."""
    digest = hashlib.sha256()
    field_file.open("rb")
    field_file.seek(0)
    for chunk in field_file.chunks(chunk_size=_HASH_CHUNK):
        digest.update(chunk)
    field_file.seek(0)
    return digest.hexdigest()


class EvidenceArtifact(PublicRecord, OriginalText):
    # An analysis names both compared models: it is public only when they are.
    public_requires = ("report__checkpoint_a__model", "report__checkpoint_b__model")

    class Kind(models.TextChoices):
        PAPER = "paper", "paper"
        STATEMENT = "statement", "statement"
        CODE = "code", "code"
        MODEL_WEIGHTS = "model_weights", "model weights"
        DATASET = "dataset", "dataset"
        MEDIA_REPORT = "media_report", "media report"
        ANALYSIS = "analysis", "analysis"
        SOCIAL_POST = "social_post", "social media post"
        OTHER = "other", "other"

    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        "claims.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_authored",
        help_text="Who published it, when known.",
    )
    url = models.URLField(max_length=500, blank=True)
    removed_at_source = models.BooleanField(
        default=False, help_text="The original is no longer available at its URL (e.g. a deleted repository)."
    )
    published_on = models.DateField(null=True, blank=True, validators=[not_in_future])
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    description = models.TextField(blank=True, help_text="Markdown. What it is and what it says.")
    archived_file = models.FileField(upload_to="evidence/%Y/%m/", blank=True, help_text="Our archived copy.")
    sha256 = models.CharField(max_length=64, blank=True, editable=False, help_text="Of the archived copy.")
    retrieved_at = models.DateTimeField(
        null=True, blank=True, validators=[not_in_future], help_text="When the archived copy was taken."
    )
    report = models.OneToOneField(
        "claims.FingerprintReport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
        help_text="For an analysis: the fingerprint report it cites.",
    )

    history = history()

    class Meta:
        ordering = ["published_on", "title"]
        verbose_name = "evidence artifact"
        permissions = [publish_permission("evidenceartifact", "evidence artifacts")]
        constraints = [
            *public_record_constraints("evidenceartifact"),
            *original_text_constraints("evidenceartifact"),
            models.CheckConstraint(
                condition=Q(report__isnull=True) | Q(kind="analysis"),
                name="evidenceartifact_report_only_for_analysis",
                violation_error_message="Only an analysis cites a fingerprint report.",
            ),
            models.CheckConstraint(
                condition=Q(archived_file="", sha256="") | (~Q(archived_file="") & ~Q(sha256="")),
                name="evidenceartifact_file_has_hash",
                violation_error_message="An archived file needs its SHA-256.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.hash_archived_file()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return slug_url("claims:evidence-detail", self.slug)

    def clean(self) -> None:
        super().clean()
        self.hash_archived_file()  # before the constraints are checked: a file needs its hash

    def hash_archived_file(self) -> None:
        """Fill ``sha256`` (and ``retrieved_at``) for a new upload: the hash of the bytes about to be
        stored, computed once per upload although validation and save both ask for it."""
        file = self.archived_file
        if not file:
            self.sha256 = ""
        elif (not file._committed or not self.sha256) and getattr(self, "_hashed_file", None) is not file:
            self.sha256 = file_sha256(file)
            self._hashed_file = file
            if self.retrieved_at is None:
                self.retrieved_at = timezone.now()

    @property
    def public_body(self) -> str:
        return self.description

    @property
    def published_on_display(self) -> str:
        return format_date(self.published_on, self.date_precision)

    def public_dependencies(self) -> list[PublicRecord]:
        # An analysis names both compared models (its title, its report): publish them first.
        report = self.report
        models = [report.checkpoint_a.model, report.checkpoint_b.model] if report else []
        return [r for r in (self.author, *models) if r]


class EvidenceLink(models.Model):
    """How one artifact bears on one claim: it supports it, refutes it, or gives context."""

    public_requires = ("claim", "evidence")

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "supports"
        REFUTES = "refutes", "refutes"
        CONTEXT = "context", "context"

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="evidence_links")
    evidence = models.ForeignKey(EvidenceArtifact, on_delete=models.PROTECT, related_name="links")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    note = models.TextField(blank=True, help_text="Markdown. What in the artifact bears on the claim.")

    history = history()

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "stance", "evidence__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "evidence"],
                name="evidencelink_unique_pair",
                violation_error_message="This evidence is already linked to this claim.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence} {self.get_stance_display()} “{self.claim}”"
