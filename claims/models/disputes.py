"""Disputes (the cases) and the role each party plays in one."""

from __future__ import annotations

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
from claims.models.urls import slug_url
from claims.models.visibility import PublicQuerySet


class Dispute(PublicRecord):
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True, help_text="Markdown. The case in a few paragraphs.")
    started_on = models.DateField(
        null=True, blank=True, validators=[not_in_future], help_text="When the dispute became public."
    )
    started_on_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    ended_on = models.DateField(
        null=True, blank=True, validators=[not_in_future], help_text="Blank while the dispute is open."
    )
    models_at_stake = models.ManyToManyField("claims.AIModel", blank=True, related_name="disputes")
    parties = models.ManyToManyField("claims.Party", through="claims.DisputeParty", related_name="disputes")

    # The roles table has its own history; the plain many-to-many needs simple-history's m2m support.
    history = history(m2m_fields=[models_at_stake])

    class Meta:
        ordering = ["-started_on", "title"]
        permissions = [publish_permission("dispute", "disputes")]
        constraints = [
            *public_record_constraints("dispute"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="dispute_ends_after_start",
                violation_error_message="A dispute cannot end before it started.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("claims:dispute-detail", self.slug)

    @property
    def public_body(self) -> str:
        return self.summary

    @property
    def started_on_display(self) -> str:
        return format_date(self.started_on, self.started_on_precision)

    @staticmethod
    def open_q() -> Q:
        """An open dispute: one without an end date yet, the one meaning of "open" for the API's
        ``?open=`` and the site's list and cards (which list a retracted dispute as retracted
        first, whatever its dates)."""
        return Q(ended_on__isnull=True)

    @property
    def is_open(self) -> bool:
        """``open_q`` on a loaded row."""
        return self.ended_on is None


class DisputeParty(models.Model):
    """A party's role in one dispute. One party may hold several roles (e.g. accused and reporter)."""

    public_requires = ("dispute", "party")

    class Role(models.TextChoices):
        ACCUSER = "accuser", "accuser"
        ACCUSED = "accused", "accused"
        RIGHTS_HOLDER = "rights_holder", "rights holder"
        INDEPENDENT_ANALYST = "independent_analyst", "independent analyst"
        REPORTER = "reporter", "reporter"

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="roles")
    party = models.ForeignKey("claims.Party", on_delete=models.PROTECT, related_name="dispute_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    note = models.TextField(blank=True, help_text="Markdown.")

    history = history()

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["dispute", "role", "party__name"]
        verbose_name = "party role"
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "party", "role"],
                name="disputeparty_unique_role",
                violation_error_message="This party already has this role in this dispute.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} — {self.get_role_display()}"
