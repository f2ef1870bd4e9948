"""What readers may see: the one rule, declared once per model, used by every reader.

A record is **public** when

1. its own editorial status is published or retracted (for the models that have a status), and
2. every record it *requires* is public too. Each model declares those relations in
   ``public_requires``, a tuple of relation paths:

   ====================  =================================================================
   Claim                 its dispute
   EvidenceArtifact      for an analysis: both models of the report's checkpoints
   FingerprintReport     its evidence record (so: that record, and both models)
   Checkpoint            its model
   EvidenceLink          its claim and its evidence record
   RightOfReply          its claim and the party asked
   DisputeParty          its dispute and its party
   SourceCapture         its evidence record
   CaptureArtefact       its capture's evidence record
   ====================  =================================================================

   A path through a nullable relation is satisfied when the relation is empty (an evidence record
   without a report).

From that one declaration come both the database filter (``public_q``, ``Model.objects.public()``,
and ``public_q(Model, "prefix__")`` to filter rows through a relation) and the check on a loaded
row (``is_public``). Every reader (site, API, feeds, export, search, sitemap, charts) goes through
them; no other module lists statuses.

An *optional* relation to a record that is not public (a party's parent, a model's declared base,
a claim's subject model, a reply's outlet) never makes its holder invisible: readers get the
holder, and the relation rendered as "(an unpublished record)" on pages and ``null`` in the API.

Who may see drafts is decided here too, once, for the site's previews and the API's editor reads
alike (``can_view_drafts``): an active staff account with the model's ``view`` permission.
"""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q

from claims.models.public_state import stated_name

VISIBLE_STATUSES = ("published", "retracted")
STANDING_STATUS = "published"
"""Of the visible statuses, the one whose record Provenance still stands by (not retracted)."""

UNPUBLISHED_LABEL = "(an unpublished record)"


def _requirements(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(getattr(model, "public_requires", ()))


def _has_status(model: type[models.Model]) -> bool:
    """Whether ``status`` is an editorial status (a report's ``status`` is its computation's)."""
    return getattr(model, "has_editorial_status", False)


@cache
def _path_steps(
    model: type[models.Model], path: str
) -> tuple[tuple[tuple[str, bool], ...], type[models.Model]]:
    """``path``'s segments, each with whether that relation may be empty, and the model it ends at."""
    steps = []
    target = model
    for part in path.split("__"):
        field = target._meta.get_field(part)
        nullable = bool(getattr(field, "null", False)) and not field.auto_created
        steps.append((part, nullable))
        target = field.related_model
    return tuple(steps), target


def public_q(model: type[models.Model], prefix: str = "") -> Q:
    """The condition "a ``model`` row reached through ``prefix`` is public", as a ``Q``."""
    condition = Q(**{f"{prefix}status__in": VISIBLE_STATUSES}) if _has_status(model) else Q()
    for path in _requirements(model):
        steps, target = _path_steps(model, path)
        required = public_q(target, f"{prefix}{path}__")
        # The first nullable segment may be empty instead (an evidence record without a report).
        walked = []
        for part, nullable in steps:
            walked.append(part)
            if nullable:
                required = Q(**{f"{prefix}{'__'.join(walked)}__isnull": True}) | required
                break
        condition &= required
    return condition


@cache
def public_related(model: type[models.Model], prefix: str = "") -> tuple[str, ...]:
    """The ``select_related`` paths ``is_public`` follows from a ``model`` row (its
    ``public_requires``, and theirs), each after ``prefix``: joined, the check costs no query."""
    paths: list[str] = []
    for path in _requirements(model):
        _steps, target = _path_steps(model, path)
        paths.extend(public_related(target, f"{prefix}{path}__") or (f"{prefix}{path}",))
    return tuple(paths)


def is_public(record: models.Model | None) -> bool:
    """Whether readers may see ``record``: the same rule as ``public_q``, on a loaded row.

    Follows the declared relations; callers ``select_related`` them (the selectors do) so this
    costs no query.
    """
    if record is None:
        return False
    model = type(record)
    if _has_status(model) and record.status not in VISIBLE_STATUSES:
        return False
    for path in _requirements(model):
        steps, _target = _path_steps(model, path)
        current = record
        may_be_empty = False
        for part, nullable in steps:
            may_be_empty = may_be_empty or nullable
            try:
                current = getattr(current, part)
            except ObjectDoesNotExist:
                current = None
            if current is None:
                break
        if current is None:
            if not may_be_empty:
                return False
        elif not is_public(current):
            return False
    return True


class PublicQuerySet(models.QuerySet):
    """``public()``: what readers may see (module docstring). Every model that readers reach has it."""

    def public(self) -> PublicQuerySet:
        return self.filter(public_q(self.model))

    def standing(self) -> PublicQuerySet:
        """Public rows Provenance still stands by (``standing_q``)."""
        return self.filter(standing_q(self.model))

    def drafts(self) -> PublicQuerySet:
        """Rows whose own status keeps them from readers (not yet published): the complement of the
        statuses ``public_q`` lets through, so the two can never disagree."""
        return self.exclude(status__in=VISIBLE_STATUSES)


def can_view_drafts(user, model: type[models.Model]) -> bool:
    """Whether ``user`` may see ``model``'s drafts (site previews, the API's editor reads): an active
    staff account (an editor: ``claims.services.accounts``) with the model's ``view`` permission.
    Anyone else - anonymous, inactive, or a non-staff account whatever its permissions - is a reader."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    opts = model._meta
    return bool(
        user.is_active and user.is_staff and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    )


def standing_q(model: type[models.Model], prefix: str = "") -> Q:
    """Public and not retracted (a retracted record stays public, with its note, but is no longer
    Provenance's word): ``public_q`` and the row's own status published."""
    return public_q(model, prefix) & Q(**{f"{prefix}status": STANDING_STATUS})


def is_standing(record: models.Model) -> bool:
    """``standing_q`` on a loaded row."""
    return is_public(record) and getattr(record, "status", None) == STANDING_STATUS


def visible(queryset: models.QuerySet, *, preview: bool) -> models.QuerySet:
    """``queryset`` for a reader: its public rows, unless ``preview`` (an editor previewing drafts
    sees everything)."""
    return queryset if preview else queryset.filter(public_q(queryset.model))


def public_or_none(record: models.Model | None, *, preview: bool = False) -> models.Model | None:
    """``record`` when the viewer may see it, else None (for an optional relation to render)."""
    if record is None or preview or is_public(record):
        return record
    return None


def public_name(record: models.Model | None, *, preview: bool = False) -> str:
    """``record``'s name for a reader: itself when visible (followed by its retraction, if retracted:
    ``claims.models.public_state``), "(an unpublished record)" otherwise."""
    if record is None:
        return ""
    if public_or_none(record, preview=preview) is None:
        return UNPUBLISHED_LABEL
    return stated_name(str(record), record)
