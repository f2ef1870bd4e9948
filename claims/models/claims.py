"""Claims (who asserted what, when, where), rebuttals, and the newsroom's requests for reply.

A rebuttal is a ``Claim`` whose ``responds_to`` is the claim it answers, with a response kind
(denial, partial admission, clarification, counter-analysis). So a rebuttal can be rebutted too.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from claims.models.base import (
    DatePrecision,
    PublicRecord,
    format_date,
    history,
    not_in_future,
    public_record_constraints,
    publish_permission,
)
from claims.models.constraints import ChecksInOneQuery
from claims.models.language import OriginalText, original_text_constraints
from claims.models.urls import slug_url
from claims.models.visibility import PublicQuerySet, is_standing, standing_q

# Module level because Meta (below) cannot see the nested choices class.
RESPONSE_KINDS = ["denial", "partial_admission", "clarification", "counter_analysis"]


class Claim(PublicRecord, OriginalText):
    public_requires = ("dispute",)

    class Kind(models.TextChoices):
        DERIVED_FROM = "derived_from", "derived from another model"
        COPIED_CODE = "copied_code", "copied code"
        LICENCE_VIOLATION = "licence_violation", "licence violation"
        MISREPRESENTED_TRAINING = "misrepresented_training", "misrepresented training"
        DENIAL = "denial", "denial"
        PARTIAL_ADMISSION = "partial_admission", "partial admission"
        CLARIFICATION = "clarification", "clarification"
        COUNTER_ANALYSIS = "counter_analysis", "counter-analysis"
        OTHER = "other", "other"

        @classmethod
        def responses(cls) -> list[str]:
            """Kinds that only make sense as an answer to another claim."""
            return RESPONSE_KINDS

    class Assessment(models.TextChoices):
        UNVERIFIED = "unverified", "unverified"
        SUPPORTED = "supported", "supported by evidence"
        CONTESTED = "contested", "contested"
        REFUTED = "refuted", "refuted"
        WITHDRAWN = "withdrawn", "withdrawn by the claimant"

    # schema.org ClaimReview reviewRating: 1 (false) … 5 (true). Unverified and withdrawn claims get
    # no number: a rating would suggest a verdict the newsroom has not reached.
    CLAIM_REVIEW_RATINGS = {
        Assessment.SUPPORTED: (5, "Supported by evidence"),
        Assessment.CONTESTED: (3, "Contested"),
        Assessment.REFUTED: (1, "Refuted"),
        Assessment.UNVERIFIED: (None, "Unverified"),
        Assessment.WITHDRAWN: (None, "Withdrawn by the claimant"),
    }

    dispute = models.ForeignKey("claims.Dispute", on_delete=models.PROTECT, related_name="claims")
    claimant = models.ForeignKey("claims.Party", on_delete=models.PROTECT, related_name="claims")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=300, help_text="One line, for lists and timelines.")
    statement = models.TextField(help_text="Markdown. What was asserted, quoting where possible.")
    made_on = models.DateField(
        null=True, blank=True, validators=[not_in_future], help_text="When it was asserted."
    )
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    venue = models.CharField(max_length=300, blank=True, help_text="Where: a paper, a statement, a post.")
    source = models.ForeignKey(
        "claims.EvidenceArtifact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims_sourced",
        help_text="The artifact in which the claim was made.",
    )
    subject_model = models.ForeignKey(
        "claims.AIModel", null=True, blank=True, on_delete=models.PROTECT, related_name="claims_as_subject"
    )
    alleged_source_model = models.ForeignKey(
        "claims.AIModel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims_as_alleged_source",
        help_text="For lineage claims: the model the subject is said to come from.",
    )
    responds_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
        help_text="The claim this one answers (a rebuttal, a counter-analysis).",
    )
    assessment = models.CharField(
        max_length=12, choices=Assessment.choices, default=Assessment.UNVERIFIED, db_index=True
    )
    assessment_rationale = models.TextField(
        blank=True,
        help_text="Markdown. Why the newsroom assesses the claim this way; required once assessed.",
    )

    history = history()

    class Meta:
        ordering = ["made_on", "pk"]
        permissions = [publish_permission("claim", "claims")]
        constraints = [
            *public_record_constraints("claim"),
            *original_text_constraints("claim"),
            models.CheckConstraint(
                condition=~Q(responds_to=F("pk")),
                name="claim_not_response_to_itself",
                violation_error_message="A claim cannot respond to itself.",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=RESPONSE_KINDS) | Q(responds_to__isnull=False),
                name="claim_response_kind_needs_target",
                violation_error_message="A denial, admission, clarification or counter-analysis must respond to a claim.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="derived_from")
                | Q(subject_model__isnull=False, alleged_source_model__isnull=False),
                name="claim_lineage_names_models",
                violation_error_message="A derived-from claim names the subject model and the alleged source model.",
            ),
            models.CheckConstraint(
                condition=Q(subject_model__isnull=True)
                | Q(alleged_source_model__isnull=True)
                | ~Q(subject_model=F("alleged_source_model")),
                name="claim_models_differ",
                violation_error_message="The subject and the alleged source must be different models.",
            ),
            models.CheckConstraint(
                condition=Q(assessment="unverified") | ~Q(assessment_rationale=""),
                name="claim_assessment_has_rationale",
                violation_error_message="Write the rationale for this assessment.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("claims:claim-detail", self.slug)

    def clean(self) -> None:
        super().clean()
        # Cross-row rule, so not a database constraint: a rebuttal answers a claim of the same case.
        if self.responds_to_id and self.dispute_id and self.responds_to.dispute_id != self.dispute_id:
            raise ValidationError({"responds_to": "Choose a claim from the same dispute."})

    @property
    def public_body(self) -> str:
        return self.statement

    @property
    def made_on_display(self) -> str:
        return format_date(self.made_on, self.date_precision)

    @property
    def is_response(self) -> bool:
        return self.responds_to_id is not None

    def claim_review_rating(self) -> dict:
        """The assessment as a schema.org ``Rating`` for a ClaimReview (1 = refuted … 5 = supported)."""
        value, name = self.CLAIM_REVIEW_RATINGS[self.assessment]
        rating: dict = {"@type": "Rating", "alternateName": name}
        if value is not None:
            rating.update(ratingValue=value, bestRating=5, worstRating=1)
        return rating

    @property
    def is_reviewable(self) -> bool:
        """Whether a ClaimReview of this claim may be published (the rule of ``reviewable_q``, on a
        loaded row with its dispute)."""
        return is_standing(self) and is_standing(self.dispute)

    def public_dependencies(self) -> list[PublicRecord]:
        related = (self.dispute, self.claimant, self.source, self.subject_model, self.alleged_source_model)
        return [r for r in (*related, self.responds_to) if r]


def reviewable_q() -> Q:
    """Claims that get a schema.org ClaimReview (the claim page's JSON-LD, the export's feed, the
    API's ``claim_review_rating``): public claims that Provenance has not retracted, in a dispute it
    has not retracted. A retracted record's rating is no longer our review, and an aggregator that
    copied it would keep repeating it. ``Claim.is_reviewable`` is the same rule on a loaded row."""
    return standing_q(Claim) & standing_q(Claim._meta.get_field("dispute").related_model, "dispute__")


class RightOfReply(ChecksInOneQuery, models.Model):
    """Whom the newsroom (or the outlet in ``asked_by``) asked to answer a claim, when, and the outcome."""

    public_requires = ("claim", "party")

    class Outcome(models.TextChoices):
        PENDING = "pending", "awaiting an answer"
        ANSWERED = "answered", "answered"
        DECLINED = "declined", "declined to comment"
        NO_RESPONSE = "no_response", "no response"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="replies")
    party = models.ForeignKey("claims.Party", on_delete=models.PROTECT, related_name="reply_requests")
    asked_by = models.ForeignKey(
        "claims.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reply_requests_made",
        help_text="Blank when our newsroom asked; otherwise the outlet that did (e.g. Reuters).",
    )
    asked_on = models.DateField(null=True, blank=True, validators=[not_in_future])
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY, help_text="Of both dates."
    )
    reply_by = models.DateField(
        null=True,
        blank=True,
        help_text="The deadline given for an answer. Past it, the editors' desk suggests "
        '"no response as of" that day for an editor to confirm.',
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField(
        null=True,
        blank=True,
        validators=[not_in_future],
        help_text='When they answered, or "no response as of" this date.',
    )
    answer = models.TextField(blank=True, help_text="Markdown. Their answer, quoted.")
    source = models.ForeignKey(
        "claims.EvidenceArtifact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies_sourced",
    )

    history = history()

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "asked_on"]
        verbose_name = "right of reply"
        verbose_name_plural = "rights of reply"
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="answered") | ~Q(answer=""),
                name="rightofreply_answer_recorded",
                violation_error_message="Quote the answer, or choose another outcome.",
            ),
            models.CheckConstraint(
                condition=Q(outcome="answered") | Q(answer=""),
                name="rightofreply_answer_only_when_answered",
                violation_error_message="An answer is recorded only with the outcome “answered”.",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="no_response") | Q(outcome_on__isnull=False),
                name="rightofreply_no_response_as_of",
                violation_error_message='"No response" needs the "as of" date.',
            ),
            models.CheckConstraint(
                condition=Q(outcome_on__isnull=True)
                | Q(asked_on__isnull=True)
                | Q(outcome_on__gte=F("asked_on")),
                name="rightofreply_outcome_after_request",
                violation_error_message="The outcome date cannot be before the request.",
            ),
            models.CheckConstraint(
                condition=Q(reply_by__isnull=True)
                | Q(asked_on__isnull=True)
                | Q(reply_by__gte=F("asked_on")),
                name="rightofreply_deadline_after_request",
                violation_error_message="The deadline cannot be before the request.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.get_outcome_display()}"

    @property
    def asked_on_display(self) -> str:
        return format_date(self.asked_on, self.date_precision)

    @property
    def dated_on(self) -> dt.date | None:
        """The day a reply is dated by (its place on a timeline): its outcome's, else the request's."""
        return self.outcome_on or self.asked_on

    def is_overdue(self, today: dt.date) -> bool:
        """Still awaiting an answer although the deadline has passed (the day after ``reply_by``)."""
        return self.outcome == self.Outcome.PENDING and self.reply_by is not None and self.reply_by < today
