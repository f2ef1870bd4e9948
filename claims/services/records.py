"""Writing a knowledge-base row, and the editorial transitions of public records.

* ``record_save`` is the one place a row is written: it sets the history entry's user and change
  reason (internal unless the caller says an editor wrote it for readers), validates the whole row (``full_clean``: fields, ``clean()`` rules such as the fixed slug of
  a published record, and constraints), then saves. ``record_create``/``record_update`` apply a dict
  of values first (the API); the admin's forms apply their fields themselves and call ``record_save``.
  ``record_delete`` removes a row with its history entry naming who did it (``records_delete``: several
  rows in one transaction, as the admin's "delete selected" does).
* ``record_publish``/``record_unpublish``/``record_retract`` lock the row, check the transition and
  write who and when.

Every interface (admin, API, management commands) calls these; none re-implements a rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from claims.errors import ProvenanceError
from claims.models import AIModel, EvidenceArtifact, PublicRecord
from claims.services.content import content_changed
from claims.services.reports import (
    analysis_titles_to_follow,
    model_renamed,
    report_charts_follow,
    report_titles_follow,
)

Status = PublicRecord.Status
Row = TypeVar("Row", bound=models.Model)


def _locked(record: PublicRecord) -> PublicRecord:
    """The current row, locked until the transaction ends, so two editors cannot race a transition.
    The content version is locked first (``claims.services.content``: one lock order for all)."""
    content_changed()
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


def _attribute(
    record: models.Model, *, user: AbstractBaseUser | None, reason: str, reason_public: bool = False
) -> None:
    """Who makes the change and why, for the history entry the next write or delete records. Set on
    the row itself: API requests are authenticated by DRF, which the history middleware never sees.
    ``reason_public``: an editor wrote the reason for readers (``claims.models.base.ReasonAudience``)."""
    if user is not None:  # None: a command, or the request's user that the history middleware saw
        record._history_user = user
    if reason:
        record._change_reason = reason
    # Only this call's own reason may be public (a reason left on the row by an earlier save is not).
    record._reason_public = bool(reason) and reason_public


def record_save(
    *, record: Row, user: AbstractBaseUser | None, reason: str = "", reason_public: bool = False
) -> Row:
    """Validate and save ``record`` as it stands (new or changed), with history. Raises Django's
    ``ValidationError`` (field errors keyed by field) and writes nothing when the row is invalid.
    ``reason_public``: ``reason`` was written by an editor for readers (the public change log may
    show it); every other reason stays internal."""
    _attribute(record, user=user, reason=reason, reason_public=reason_public)
    record.full_clean()
    with transaction.atomic():
        content_changed()
        # A renamed model's name carries over to the generated titles of its analyses and their charts.
        renamed = isinstance(record, AIModel) and model_renamed(model=record)
        retitle = analysis_titles_to_follow(model=record) if renamed else []
        record.save()
        report_titles_follow(evidence=retitle, user=user)
        if renamed:
            report_charts_follow(model=record)
    return record


@transaction.atomic
def record_create(
    *,
    model: type[Row],
    data: Mapping[str, Any],
    user: AbstractBaseUser | None,
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
    reason: str = "",
) -> Row:
    """A new ``model`` row from ``data`` (field name → value), then its many-to-many sets."""
    return _write(model(), data=data, user=user, m2m=m2m, reason=reason)


@transaction.atomic
def record_update(
    *,
    record: Row,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None,
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
    reason: str = "",
) -> Row:
    """``record`` with the fields in ``data`` changed (the others kept), then the many-to-many sets
    in ``m2m`` replaced. Nothing is written when validation fails."""
    return _write(record, data=data, user=user, m2m=m2m, reason=reason)


def _write(record, *, data, user, m2m, reason):
    for name, value in data.items():
        setattr(record, name, value)
    record_save(record=record, user=user, reason=reason)
    for name, values in (m2m or {}).items():
        getattr(record, name).set(values)
    return record


def record_delete(*, record: models.Model, user: AbstractBaseUser | None, reason: str = "") -> None:
    """Delete a row that may be deleted (a link, a role; public records are retracted instead),
    recording who did it on its history entry."""
    _attribute(record, user=user, reason=reason)
    with transaction.atomic():
        content_changed()
        record.delete()


@transaction.atomic
def records_delete(
    *, records: Iterable[models.Model], user: AbstractBaseUser | None, reason: str = ""
) -> int:
    """Delete ``records`` (a queryset or rows) one by one through ``record_delete``, so each history
    entry names who did it, all or none; returns how many."""
    count = 0
    for record in records:
        record_delete(record=record, user=user, reason=reason)
        count += 1
    return count


@transaction.atomic
def record_publish(*, record: PublicRecord, user: AbstractBaseUser) -> PublicRecord:
    """Publish a draft. Everything it refers to (dispute, claimant, source, ...) must be public first,
    so a reader never follows a link to a page that does not exist."""
    current = _locked(record)
    if current.status != Status.DRAFT:
        raise ProvenanceError(
            f"“{current}” is {current.get_status_display()}; only a draft can be published."
        )
    hidden = [dep for dep in current.public_dependencies() if not dep.is_public]
    if hidden:
        names = ", ".join(f"“{dep}” ({dep._meta.verbose_name})" for dep in hidden)
        raise ProvenanceError(f"Publish {names} first: “{current}” refers to it.")
    current.status = Status.PUBLISHED
    current.published_at = timezone.now()
    current.published_by = user
    record_save(record=current, user=user, reason="Published")
    if isinstance(current, EvidenceArtifact):
        from claims.services.sources import capture_on_publish  # it imports this module

        capture_on_publish(evidence=current, user=user)
    return current


@transaction.atomic
def record_unpublish(*, record: PublicRecord, user: AbstractBaseUser) -> PublicRecord:
    """Take a published record back to draft (a mistake caught early). Once readers may have relied
    on it, retract it instead: a retraction stays visible with its note."""
    current = _locked(record)
    if current.status != Status.PUBLISHED:
        raise ProvenanceError(
            f"“{current}” is {current.get_status_display()}; only a published record can be unpublished."
        )
    current.status = Status.DRAFT
    current.published_at = None
    current.published_by = None
    record_save(record=current, user=user, reason="Unpublished")
    return current


@transaction.atomic
def record_retract(*, record: PublicRecord, user: AbstractBaseUser, note: str) -> PublicRecord:
    """Retract a published record. It stays public, with ``note`` (Markdown) saying why."""
    note = (note or "").strip()
    if not note:
        raise ProvenanceError("Write a retraction note: readers see it in place of a silent removal.")
    current = _locked(record)
    if current.status != Status.PUBLISHED:
        raise ProvenanceError(
            f"“{current}” is {current.get_status_display()}; only a published record can be retracted."
        )
    current.status = Status.RETRACTED
    current.retracted_at = timezone.now()
    current.retracted_by = user
    current.retraction_note = note
    record_save(record=current, user=user, reason=f"Retracted: {note}")
    return current
