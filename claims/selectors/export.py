"""What the public export (``claims.api.export``) contains: each model's public rows, ordered so that
two exports of the same knowledge base are byte-identical. Built from the selectors every other face
reads through, with only the export's order and the joins its rows need added."""

from __future__ import annotations

from django.db import models

from claims.models import (
    AIModel,
    Checkpoint,
    Claim,
    Dispute,
    DisputeParty,
    EvidenceArtifact,
    EvidenceLink,
    FingerprintReport,
    Party,
    RightOfReply,
)
from claims.models.visibility import visible
from claims.selectors.claims import claim_detail_queryset, evidence_link_queryset
from claims.selectors.records import (
    aimodel_queryset,
    checkpoint_queryset,
    evidence_queryset,
    party_queryset,
    report_queryset,
)
from claims.selectors.timeline import REPLY_RELATED


def export_querysets() -> dict[type[models.Model], models.QuerySet]:
    """Per model, the rows an anonymous reader may see, in the export's order."""
    return {
        Party: party_queryset().order_by("slug"),
        AIModel: aimodel_queryset().select_related("release_date_source").order_by("slug"),
        Checkpoint: checkpoint_queryset().order_by("model__slug", "revision"),
        FingerprintReport: report_queryset().order_by("slug"),
        EvidenceArtifact: evidence_queryset().order_by("slug"),
        Dispute: visible(Dispute.objects.all(), preview=False)
        .prefetch_related(
            "models_at_stake",
            models.Prefetch("roles", queryset=DisputeParty.objects.select_related("party")),
        )
        .order_by("slug"),
        Claim: claim_detail_queryset().order_by("slug"),
        EvidenceLink: evidence_link_queryset().order_by("claim__slug", "evidence__slug"),
        RightOfReply: visible(RightOfReply.objects.select_related(*REPLY_RELATED), preview=False).order_by(
            "claim__slug", "party__slug", "asked_on", "outcome", "pk"
        ),
    }
