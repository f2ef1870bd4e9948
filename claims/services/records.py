"""Writes that enforce editorial rules: publishing, unpublishing and retracting public records.

Every interface (admin actions, API, management commands) calls these; none re-implements a rule.
Each service locks the row, checks the transition, writes who and when, and records the history
entry with the acting user and a change reason.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from claims.errors import ProvenanceError
from claims.models import PublicRecord

Status = PublicRecord.Status


def _locked(record: PublicRecord) -> PublicRecord:
    """The current row, locked until the transaction ends, so two editors cannot race a transition."""
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


def _save(record: PublicRecord, *, user: AbstractBaseUser, reason: str) -> None:
    record._history_user = user
    record._change_reason = reason
    record.full_clean()
    record.save()


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
    _save(current, user=user, reason="Published")
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
    _save(current, user=user, reason="Unpublished")
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
    _save(current, user=user, reason=f"Retracted: {note}")
    return current
