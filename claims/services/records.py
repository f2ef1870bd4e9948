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
from django.utils.text import slugify

from claims.errors import ProvenanceError
from claims.models import AIModel, EvidenceArtifact, PublicRecord
from claims.services.content import public_write
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
    The content version is locked first (``public_write``: one lock order for all)."""
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


@public_write
def record_save(
    *, record: Row, user: AbstractBaseUser | None, reason: str = "", reason_public: bool = False
) -> Row:
    """Validate and save ``record`` as it stands (new or changed), with history. Raises Django's
    ``ValidationError`` (field errors keyed by field) and writes nothing when the row is invalid.
    ``reason_public``: ``reason`` was written by an editor for readers (the public change log may
    show it); every other reason stays internal."""
    _attribute(record, user=user, reason=reason, reason_public=reason_public)
    _fill_slug(record)
    record.full_clean()
    # A renamed model's name carries over to the generated titles of its analyses and their charts.
    renamed = isinstance(record, AIModel) and model_renamed(model=record)
    retitle = analysis_titles_to_follow(model=record) if renamed else []
    record.save()
    report_titles_follow(evidence=retitle, user=user)
    if renamed:
        report_charts_follow(model=record)
    return record


def _fill_slug(record: models.Model) -> None:
    """A new row without a slug gets one from its name or title (``qwen2-5-14b``), made unique in
    its table with a number (``-2``, ``-3``…), as the admin's form does in the browser."""
    if record.pk is not None or getattr(record, "slug", None) != "":
        return
    field = record._meta.get_field("slug")
    base = slugify(getattr(record, "name", "") or getattr(record, "title", ""))[: field.max_length - 4].strip(
        "-"
    )
    if not base:
        return  # nothing to make it from: full_clean names the missing slug
    taken = set(type(record)._default_manager.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    record.slug = slug


@public_write
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


@public_write
@transaction.atomic
def record_get_or_create(
    *,
    model: type[Row],
    lookup: Mapping[str, Any],
    defaults: Mapping[str, Any],
    user: AbstractBaseUser | None,
    reason: str = "",
) -> tuple[Row, bool]:
    """The ``model`` row matching ``lookup``, or a new one from ``lookup`` and ``defaults`` made by
    ``record_create`` (validated, with history, the public content version bumped); ``created``
    says which."""
    existing = model._default_manager.filter(**lookup).first()
    if existing is not None:
        return existing, False
    return record_create(model=model, data={**lookup, **defaults}, user=user, reason=reason), True


@public_write
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


@public_write
def record_delete(*, record: models.Model, user: AbstractBaseUser | None, reason: str = "") -> None:
    """Delete a row that may be deleted (a link, a role; public records are retracted instead),
    recording who did it on its history entry."""
    _attribute(record, user=user, reason=reason)
    record.delete()


@public_write
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


@public_write
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
        raise PublishBlocked(current, hidden)
    current.status = Status.PUBLISHED
    current.published_at = timezone.now()
    current.published_by = user
    record_save(record=current, user=user, reason="Published")
    if isinstance(current, EvidenceArtifact):
        from claims.services.sources import capture_on_publish  # it imports this module

        capture_on_publish(evidence=current, user=user)
    return current


class PublishBlocked(ProvenanceError):
    """A draft refers to records readers cannot open yet: ``hidden`` (its own references), and
    ``needed`` (every draft to publish first, in order: see :func:`publish_requirements`)."""

    def __init__(self, record: PublicRecord, hidden: list[PublicRecord]):
        self.record, self.hidden = record, hidden
        self.needed = publish_requirements(record)
        names = join_words([f"“{dep}” ({dep._meta.verbose_name})" for dep in hidden])
        them = "it" if len(hidden) == 1 else "them"
        super().__init__(f"Publish {names} first: “{record}” refers to {them}.")


def join_words(words: list[str]) -> str:
    """["a"] → "a"; ["a", "b", "c"] → "a, b and c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def publish_requirements(record: PublicRecord) -> list[PublicRecord]:
    """The drafts ``record`` needs published before readers may open it, each after what it needs
    itself (a claim's draft dispute before the claim, the dispute's draft party before the dispute).
    A dependency that is published but not yet public (a published claim in a draft dispute) is not
    published again: its own drafts are."""
    order: list[PublicRecord] = []
    seen: set[tuple[type, int]] = set()

    def visit(current: PublicRecord) -> None:
        for dep in current.public_dependencies():
            key = (type(dep), dep.pk)
            if dep.is_public or key in seen:
                continue
            seen.add(key)
            visit(dep)
            if dep.status == Status.DRAFT:
                order.append(dep)

    visit(record)
    return order


@public_write
@transaction.atomic
def record_publish_with_requirements(*, record: PublicRecord, user: AbstractBaseUser) -> list[PublicRecord]:
    """Publish ``record`` and every draft it needs (:func:`publish_requirements`), in order, in one
    transaction: all of them or none. Each goes through :func:`record_publish` with its checks.
    Returns what was published, ``record`` last."""
    needed = publish_requirements(record)
    for dep in needed:
        record_publish(record=dep, user=user)
    record_publish(record=record, user=user)
    return [*needed, record]


@public_write
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


@public_write
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
