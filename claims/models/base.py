"""What every public record shares: a stable slug, timestamps, an editorial status, and history.

Status vocabulary (one field, three values):

* ``draft`` - only editors see it;
* ``published`` - readers see it; ``published_at``/``published_by`` say when and by whom;
* ``retracted`` - readers still see it, *with* the retraction note, so a correction is never silent.

Transitions go through ``claims.services`` (publish, unpublish, retract); the database refuses the
states that make no sense (a retraction without a note, a published record without a date).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from claims.models.constraints import ChecksInOneQuery
from claims.models.visibility import PublicQuerySet, is_public


class ReasonAudience(models.Model):
    """Whom a history entry's change reason is written for: a column on every historical table.

    The rule: a reason is **public** only when an editor wrote it for readers, in the admin's "Reason
    for this change" (``record_save(..., reason_public=True)``). Every reason written by code - the
    demo loader ("load_demo: …"), imports, the pipeline, the publish / unpublish / retract
    transitions - is internal: it stays in the admin's history and never reaches a reader. New code
    is internal unless it says otherwise. ``claims.selectors.changes.public_reason`` is the one reader.
    """

    history_reason_public = models.BooleanField(
        default=False,
        help_text="The change reason was written by an editor for readers (the public change log shows "
        "it); otherwise it is an internal note.",
    )

    class Meta:
        abstract = True


def history(*, excluded_fields: list[str] | None = None, m2m_fields: list | None = None) -> HistoricalRecords:
    """History for an editable model. The change reason is free text (not simple-history's 100
    characters), because the public change log shows an editor's "why" for assessment changes;
    ``ReasonAudience`` records whether that reason is for readers."""
    return HistoricalRecords(
        history_change_reason_field=models.TextField(null=True),
        excluded_fields=excluded_fields or [],
        m2m_fields=m2m_fields or [],
        bases=[ReasonAudience],
    )


@receiver(pre_create_historical_record)
def _record_reason_audience(sender, instance, history_instance, **kwargs) -> None:
    """Copies the audience ``claims.services.records`` set on the row onto its history entry."""
    if isinstance(history_instance, ReasonAudience):
        history_instance.history_reason_public = bool(
            getattr(instance, "_reason_public", False) and history_instance.history_change_reason
        )


# The last time zone to start a day (Kiribati, UTC+14): a date is "in the future" only when it has
# not begun anywhere yet, so an editor east of the server is never refused today's date.
_EARLIEST_ZONE = dt.timezone(dt.timedelta(hours=14))


def not_in_future(value: dt.date | dt.datetime | None) -> None:
    """Validator of the dates of things that happened (a claim made, an answer given, a model
    released): refuses a date or time after today. Used by the fields, so the admin, the API and
    ``full_clean`` all apply it."""
    if value is None:
        return
    today = timezone.now().astimezone(_EARLIEST_ZONE).date()
    day = value.astimezone(_EARLIEST_ZONE).date() if isinstance(value, dt.datetime) else value
    if day > today:
        raise ValidationError(
            f"{value:%Y-%m-%d} is in the future: record what has happened; use today's date at the latest.",
            code="future_date",
        )


class DatePrecision(models.TextChoices):
    """How much of a stored date is known: "early July 2025" is stored as 2025-07-01 + MONTH."""

    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


def format_date(value, precision: str) -> str:
    """A date as precisely as it is known: "5 July 2025", "July 2025" or "2025"."""
    if value is None:
        return "date unknown"
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


SLUG_IS_FIXED = "Readers and links know this record by its slug since it was published: it cannot change."


class PublicRecord(ChecksInOneQuery, models.Model):
    """Abstract base of the records readers see (party, AI model, dispute, claim, evidence)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        PUBLISHED = "published", "published"
        RETRACTED = "retracted", "retracted"

    slug = models.SlugField(max_length=120, unique=True, help_text="Stable part of the public URL.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retraction_note = models.TextField(
        blank=True, editable=False, help_text="Markdown. Why the record was retracted; shown to readers."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        abstract = True

    has_editorial_status = True
    # Relations that must be public for this record to be (``claims.models.visibility``).
    public_requires: tuple[str, ...] = ()

    def clean(self) -> None:
        if self.slug_is_fixed:
            stored = type(self)._default_manager.filter(pk=self.pk).values_list("slug", flat=True).first()
            if stored is not None and stored != self.slug:
                raise ValidationError({"slug": SLUG_IS_FIXED})

    @property
    def is_public(self) -> bool:
        """Readers may see it: the rule of ``claims.models.visibility``, on this loaded row."""
        return is_public(self)

    @property
    def slug_is_fixed(self) -> bool:
        """Readers, links and search engines know a record's URL once it has been published: from then
        on its slug stays (``clean`` refuses a change; the admin shows the slug read-only)."""
        return self.pk is not None and self.published_at is not None

    def public_dependencies(self) -> list[PublicRecord]:
        """Records a reader must be able to open before this one is published (overridden)."""
        return []


def public_record_constraints(prefix: str) -> list[models.BaseConstraint]:
    """The status invariants, named per table (``prefix`` is the model's lower-case name)."""
    status = PublicRecord.Status
    return [
        models.CheckConstraint(
            condition=~Q(status=status.RETRACTED) | (~Q(retraction_note="") & Q(retracted_at__isnull=False)),
            name=f"{prefix}_retracted_has_note",
            violation_error_message="A retracted record needs a retraction note and a retraction date.",
        ),
        models.CheckConstraint(
            condition=Q(status=status.DRAFT) | Q(published_at__isnull=False),
            name=f"{prefix}_published_has_date",
            violation_error_message="A published or retracted record needs its publication date.",
        ),
    ]


def publish_permission(model_name: str, verbose_plural: str) -> tuple[str, str]:
    """The custom permission that lets an editor publish, unpublish and retract a model's records."""
    return (f"publish_{model_name}", f"Can publish, unpublish and retract {verbose_plural}")
