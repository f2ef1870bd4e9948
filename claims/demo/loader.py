"""Write the founding dispute idempotently: a second run changes no row and writes no history.

Records are matched by slug (link rows by their natural key); a row is saved only when a value
differs, so re-running never adds history entries. New records are created published; the status
of an existing record is left alone, so an editor's retraction survives a reload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

from django.db import models, transaction
from django.utils import timezone

from claims.demo import founding_dispute as data
from claims.models import (
    AIModel,
    Claim,
    Dispute,
    DisputeParty,
    EvidenceArtifact,
    EvidenceLink,
    Party,
    PublicRecord,
    RightOfReply,
)
from claims.services.records import record_save

REASON = "load_demo: the founding dispute"


@dataclass
class LoadStats:
    reason: str = REASON
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    touched: list[str] = field(default_factory=list)


def _save(obj: models.Model, stats: LoadStats, *, created: bool) -> None:
    record_save(record=obj, user=None, reason=stats.reason)
    if created:
        stats.created += 1
    else:
        stats.updated += 1
    stats.touched.append(f"{obj._meta.verbose_name}: {obj}")


def upsert(model: type[models.Model], lookup: dict, values: dict, stats: LoadStats) -> models.Model:
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        if isinstance(obj, PublicRecord):
            obj.status = PublicRecord.Status.PUBLISHED
            obj.published_at = timezone.now()
        _save(obj, stats, created=True)
        return obj
    changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
    if not changed:
        stats.unchanged += 1
        return obj
    for name, value in changed.items():
        setattr(obj, name, value)
    _save(obj, stats, created=False)
    return obj


def _resolve(row: dict, refs: dict[str, type[models.Model]], known: dict | None = None) -> dict:
    """Replace slugs in the reference fields of ``row`` by the records they name: the ones this load
    wrote or read already (``known``, by model and slug: no query), else from the database."""
    values = dict(row)
    for name, model in refs.items():
        slug = values.get(name)
        values[name] = _by_slug(model, slug, known) if slug else None
    return values


def _by_slug(model: type[models.Model], slug: str, known: dict | None) -> models.Model:
    if known is None:
        return model.objects.get(slug=slug)
    if (model, slug) not in known:
        known[model, slug] = model.objects.get(slug=slug)
    return known[model, slug]


def load_founding_dispute() -> LoadStats:
    return load_case(data)


@transaction.atomic
def load_case(data: ModuleType, *, reason: str = REASON) -> LoadStats:
    """Write one case (a module with PARTIES, EVIDENCE, AI_MODELS, DISPUTE, DISPUTE_ROLES, CLAIMS,
    EVIDENCE_LINKS, RIGHTS_OF_REPLY) idempotently."""
    stats = LoadStats(reason=reason)
    known: dict = {}  # (model, slug) -> the row, as written by this load (one transaction)

    def keep(obj: models.Model) -> models.Model:
        known[type(obj), obj.slug] = obj
        return obj

    for row in data.PARTIES:
        values = _resolve({"parent": None, **row}, {"parent": Party}, known)
        keep(upsert(Party, {"slug": values.pop("slug")}, values, stats))
    for row in data.EVIDENCE:
        values = _resolve(row, {"author": Party}, known)
        keep(upsert(EvidenceArtifact, {"slug": values.pop("slug")}, values, stats))
    for row in data.AI_MODELS:
        values = _resolve(
            row,
            {"developer": Party, "release_date_source": EvidenceArtifact, "declared_base": AIModel},
            known,
        )
        keep(upsert(AIModel, {"slug": values.pop("slug")}, values, stats))

    values = dict(data.DISPUTE)
    model_slugs = values.pop("models_at_stake")
    dispute = upsert(Dispute, {"slug": values.pop("slug")}, values, stats)
    wanted = set(AIModel.objects.filter(slug__in=model_slugs))
    if set(dispute.models_at_stake.all()) != wanted:
        dispute.models_at_stake.set(wanted)
    for party_slug, role, note in data.DISPUTE_ROLES:
        party = _by_slug(Party, party_slug, known)
        upsert(DisputeParty, {"dispute": dispute, "party": party, "role": role}, {"note": note}, stats)

    claim_refs = {
        "claimant": Party,
        "source": EvidenceArtifact,
        "subject_model": AIModel,
        "alleged_source_model": AIModel,
        "responds_to": Claim,
    }
    for row in data.CLAIMS:  # in order: a response comes after the claim it answers
        values = _resolve(dict.fromkeys(claim_refs) | row, claim_refs, known)
        values["dispute"] = dispute
        keep(upsert(Claim, {"slug": values.pop("slug")}, values, stats))

    for claim_slug, evidence_slug, stance, note in data.EVIDENCE_LINKS:
        lookup = {
            "claim": _by_slug(Claim, claim_slug, known),
            "evidence": _by_slug(EvidenceArtifact, evidence_slug, known),
        }
        upsert(EvidenceLink, lookup, {"stance": stance, "note": note}, stats)

    for row in data.RIGHTS_OF_REPLY:
        values = _resolve(row, {"party": Party, "asked_by": Party, "source": EvidenceArtifact}, known)
        values["claim"] = _by_slug(Claim, values["claim"], known)
        lookup = {name: values.pop(name) for name in ("claim", "party", "asked_by")}
        upsert(RightOfReply, lookup, values, stats)
    return stats
