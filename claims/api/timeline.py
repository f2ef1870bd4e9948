"""A dispute's timeline: its public claims, rebuttals, evidence and requests for reply, in date order.

Four queries whatever the dispute's size. Undated entries come last (a date unknown is not "the
beginning"); ties keep a stable order (kind, then slug or id), so the same data gives the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from claims.models import Claim, Dispute, EvidenceArtifact, EvidenceLink, RightOfReply
from claims.models.base import DatePrecision, PublicRecord, format_date

_ORDER = {"claim": 0, "rebuttal": 1, "evidence": 2, "right_of_reply": 3}


@dataclass(frozen=True)
class TimelineEntry:
    type: str  # claim, rebuttal, evidence, right_of_reply
    date: date | None
    date_precision: str
    record: object  # Claim, EvidenceArtifact or RightOfReply

    @property
    def date_display(self) -> str:
        return format_date(self.date, self.date_precision)

    def sort_key(self):
        tie = getattr(self.record, "slug", None) or f"{self.record.pk:012d}"
        return (self.date is None, self.date or date.min, _ORDER[self.type], tie)


def dispute_timeline(*, dispute: Dispute) -> list[TimelineEntry]:
    """Every public entry of ``dispute``'s story, oldest first."""
    visible = PublicRecord.Status.visible()
    claims = list(
        Claim.objects.public()
        .filter(dispute=dispute)
        .select_related("claimant", "responds_to", "source", "subject_model", "alleged_source_model")
    )
    claim_ids = [c.pk for c in claims]
    # Two id sets instead of a join with DISTINCT (which made PostgreSQL sort every linked row).
    linked = EvidenceLink.objects.filter(claim_id__in=claim_ids).values("evidence_id")
    sources = {c.source_id for c in claims if c.source_id}
    evidence = list(
        EvidenceArtifact.objects.public()
        .filter(Q(pk__in=linked) | Q(pk__in=sources))
        .select_related("author")
    )
    replies = list(
        RightOfReply.objects.filter(claim_id__in=claim_ids).select_related(
            "claim", "party", "asked_by", "source"
        )
    )
    entries = [
        TimelineEntry("rebuttal" if c.responds_to_id else "claim", c.made_on, c.date_precision, c)
        for c in claims
    ]
    entries += [TimelineEntry("evidence", e.published_on, e.date_precision, e) for e in evidence]
    entries += [
        TimelineEntry("right_of_reply", r.outcome_on or r.asked_on, r.date_precision or DatePrecision.DAY, r)
        for r in replies
        if r.party.status in visible
    ]
    return sorted(entries, key=TimelineEntry.sort_key)
