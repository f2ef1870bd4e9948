"""A dispute's timeline: one list of dated entries, one vocabulary, rendered by the site and the API.

Entry types: ``evidence``, ``claim``, ``rebuttal`` (a claim that answers another), ``right_of_reply``.
Oldest first; undated entries last (a date unknown is not "the beginning"). On the same day the
source comes before the claim made in it, a claim before its rebuttal, and replies last; ties keep a
stable order (slug or id), so the same data gives the same list everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from claims.models import Claim, Dispute, EvidenceArtifact, EvidenceLink, RightOfReply
from claims.models.base import DatePrecision, format_date
from claims.models.visibility import public_or_none, public_related, visible

ENTRY_TYPES = ("evidence", "claim", "rebuttal", "right_of_reply")
_ORDER = {name: i for i, name in enumerate(ENTRY_TYPES)}


@dataclass(frozen=True)
class TimelineEntry:
    type: str  # one of ENTRY_TYPES
    date: date | None
    date_precision: str
    record: Any  # Claim, EvidenceArtifact or RightOfReply

    @property
    def date_display(self) -> str:
        return format_date(self.date, self.date_precision)

    @property
    def sort_key(self) -> tuple:
        tie = getattr(self.record, "slug", None) or f"{self.record.pk:012d}"
        return (self.date is None, self.date or date.min, _ORDER[self.type], tie)


@dataclass
class DisputeStory:
    """A dispute's visible claims (with their links and replies loaded), evidence, replies, timeline."""

    claims: list[Claim]
    evidence: list[EvidenceArtifact]
    replies: list[RightOfReply]
    timeline: list[TimelineEntry]


def choice_order(field: str, values: list[str]) -> Case:
    """Order rows by the position of ``field``'s value in ``values`` (a choices order, not A-Z)."""
    whens = [When(**{field: value}, then=Value(i)) for i, value in enumerate(values)]
    return Case(*whens, default=Value(len(whens)), output_field=IntegerField())


def stance_order() -> Case:
    """Supporting evidence first, then refuting, then context (the order readers weigh them)."""
    return choice_order("stance", EvidenceLink.Stance.values)


# Long texts of a claim's joined rows that the timeline does not show.
_TIMELINE_DEFERRED = [
    "claimant__note",
    "responds_to__statement",
    "responds_to__assessment_rationale",
    "responds_to__claimant__note",
    "subject_model__description",
    "alleged_source_model__description",
]

# What ``is_public`` follows from an evidence record: an analysis's report and both its models.
REPORT_MODELS = public_related(EvidenceArtifact)
# An evidence link and what ``is_public`` follows from it (its claim's dispute, its evidence's
# report and models), with the evidence's author.
LINK_RELATED = (*public_related(EvidenceLink), "evidence__author")
# A right of reply, what ``is_public`` follows from it, and its outlet and source.
REPLY_RELATED = (*public_related(RightOfReply), "asked_by", *public_related(EvidenceArtifact, "source__"))

# Everything ``is_public`` follows from a claim row that the timeline renders.
CLAIM_RELATED = (
    "dispute",
    "claimant",
    "source__author",
    *(f"source__{path}" for path in REPORT_MODELS),
    "subject_model",
    "alleged_source_model",
    "responds_to__dispute",
    "responds_to__claimant",
)


def claim_queryset(*, preview: bool) -> QuerySet:
    """Claims with what a timeline or a list shows of them, related rows joined or prefetched."""
    links = visible(EvidenceLink.objects.select_related(*LINK_RELATED), preview=preview)
    replies = visible(RightOfReply.objects.select_related(*REPLY_RELATED), preview=preview)
    return (
        visible(Claim.objects.defer(*_TIMELINE_DEFERRED), preview=preview)
        .select_related(*CLAIM_RELATED)
        .prefetch_related(
            Prefetch("evidence_links", queryset=links.order_by(stance_order(), "evidence__title")),
            Prefetch("replies", queryset=replies.order_by("asked_on", "pk")),
        )
    )


def dispute_story(*, dispute: Dispute, preview: bool = False) -> DisputeStory:
    """Everything of ``dispute``'s story a reader (or a previewing editor) may see, in four queries,
    ordered in Python (``TimelineEntry.sort_key``). The pages read their timeline a page at a time
    (``timeline_pages``, ordered in SQL); this whole list is what their pages must add up to."""
    claims = list(claim_queryset(preview=preview).filter(dispute=dispute).order_by("made_on", "pk"))
    evidence: dict[int, EvidenceArtifact] = {}
    replies: list[RightOfReply] = []
    for claim in claims:
        claim.source = public_or_none(claim.source, preview=preview)
        if claim.source:
            evidence[claim.source.pk] = claim.source
        for link in claim.evidence_links.all():
            evidence[link.evidence.pk] = link.evidence
        for reply in claim.replies.all():
            reply.source = public_or_none(reply.source, preview=preview)
            replies.append(reply)
    entries = [
        TimelineEntry("rebuttal" if c.responds_to_id else "claim", c.made_on, c.date_precision, c)
        for c in claims
    ]
    entries += [TimelineEntry("evidence", e.published_on, e.date_precision, e) for e in evidence.values()]
    entries += [
        TimelineEntry("right_of_reply", r.dated_on, r.date_precision or DatePrecision.DAY, r) for r in replies
    ]
    ordered = sorted(evidence.values(), key=lambda e: (e.published_on is None, e.published_on or date.min))
    return DisputeStory(
        claims=claims,
        evidence=ordered,
        replies=replies,
        timeline=sorted(entries, key=lambda entry: entry.sort_key),
    )
