"""Parties, AI models, evidence records and fingerprint reports: what their pages list."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from claims.models import AIModel, Checkpoint, Claim, EvidenceArtifact, FingerprintReport, Party
from claims.models.visibility import public_related, visible
from claims.selectors.sources import captures_queryset, evidence_captures
from claims.selectors.timeline import CLAIM_RELATED

# What ``is_public`` follows from a report (its evidence record and both models) and the page shows.
REPORT_RELATED = (
    "evidence__report",
    "checkpoint_a__model__developer",
    "checkpoint_b__model__developer",
)


def party_page(*, party: Party, preview: bool = False) -> dict[str, Any]:
    roles = visible(party.dispute_roles.select_related("dispute", "party"), preview=preview)
    return {
        "subsidiaries": list(visible(party.subsidiaries.all(), preview=preview)),
        "roles": list(roles.order_by("-dispute__started_on", "role")),
        "claims": list(
            visible(party.claims.select_related(*CLAIM_RELATED), preview=preview).order_by("-made_on", "pk")
        ),
        "models": list(visible(party.models_developed.all(), preview=preview)),
        "evidence": list(
            visible(
                party.evidence_authored.select_related(*public_related(EvidenceArtifact)),
                preview=preview,
            ).order_by("-published_on")
        ),
    }


def aimodel_page(*, model: AIModel, preview: bool = False) -> dict[str, Any]:
    claims = visible(Claim.objects.select_related(*CLAIM_RELATED), preview=preview).filter(
        Q(subject_model=model) | Q(alleged_source_model=model)
    )
    reports = report_queryset(preview=preview).filter(
        Q(checkpoint_a__model=model) | Q(checkpoint_b__model=model)
    )
    return {
        "derivatives": list(visible(model.declared_derivatives.select_related("developer"), preview=preview)),
        "disputes": list(visible(model.disputes.all(), preview=preview)),
        "claims": list(claims.order_by("-made_on", "pk")),
        "reports": list(reports.order_by("-requested_at")),
    }


def evidence_page(*, evidence: EvidenceArtifact, preview: bool = False) -> dict[str, Any]:
    links = visible(
        evidence.links.select_related(*(f"claim__{p}" for p in CLAIM_RELATED), "evidence"), preview=preview
    )
    sourced = visible(evidence.claims_sourced.select_related(*CLAIM_RELATED), preview=preview)
    return {
        "links": list(links.order_by("claim__made_on", "claim__pk")),
        "sourced": list(sourced.order_by("made_on", "pk")),
        "captures": evidence_captures(evidence=evidence, preview=preview),
    }


def party_queryset(*, preview: bool = False) -> QuerySet:
    """Parties with their parent organisation (the index page and the API's collection)."""
    return visible(Party.objects.select_related("parent"), preview=preview)


def aimodel_queryset(*, preview: bool = False) -> QuerySet:
    """AI models with their developer and declared base (the index page)."""
    return visible(AIModel.objects.select_related("developer", "declared_base"), preview=preview)


def aimodel_collection(*, preview: bool = False) -> QuerySet:
    """AI models as the API renders them: also the release date's source, and the checkpoints by
    revision (a checkpoint is public with its model, so the model's rule covers them)."""
    return (
        aimodel_queryset(preview=preview)
        .select_related("release_date_source")
        .prefetch_related(Prefetch("checkpoints", queryset=Checkpoint.objects.order_by("revision")))
    )


def checkpoint_queryset(*, preview: bool = False) -> QuerySet:
    return visible(Checkpoint.objects.select_related("model"), preview=preview)


def evidence_collection(*, preview: bool = False) -> QuerySet:
    """Evidence records as the API renders them: also their captures. Captures are public exactly
    when their record is (visibility.py): the record's rule covers them, so they are taken as in
    preview; only the succeeded ones, as on the site."""
    return evidence_queryset(preview=preview).prefetch_related(
        Prefetch("captures", queryset=captures_queryset(preview=True))
    )


def evidence_queryset(*, preview: bool = False) -> QuerySet:
    """Evidence records with what ``is_public`` follows (an analysis's report and its models)."""
    return visible(EvidenceArtifact.objects.all(), preview=preview).select_related(
        "author", *public_related(EvidenceArtifact)
    )


def report_queryset(*, preview: bool = False) -> QuerySet:
    return visible(FingerprintReport.objects.select_related(*REPORT_RELATED), preview=preview)
