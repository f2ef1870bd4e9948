"""Reads that span rows: what the public pages show, each in a fixed number of queries.

Every selector takes ``preview``: False for readers (only published and retracted records, at every
level: a public dispute never lists a draft claim), True for an editor previewing drafts. Each
returns plain objects or evaluated lists, so a template cannot trigger a query per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from claims.models import (
    AIModel,
    Claim,
    Dispute,
    DisputeParty,
    EvidenceArtifact,
    EvidenceLink,
    FingerprintReport,
    Party,
    PublicRecord,
    RightOfReply,
)
from claims.models.base import format_date

VISIBLE = PublicRecord.Status.visible()


def _visible(queryset: QuerySet, *, preview: bool, prefix: str = "") -> QuerySet:
    """``queryset`` limited to public rows (of the relation ``prefix``), unless previewing."""
    if preview:
        return queryset
    return queryset.filter(**{f"{prefix}status__in": VISIBLE})


# -- Assessment change log -----------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentChange:
    """One change of a claim's assessment: who changed what, when, and why."""

    changed_at: datetime
    changed_by: str
    old: str | None
    new: str
    reason: str
    rationale: str
    claim_id: int = 0

    @property
    def old_display(self) -> str:
        return Claim.Assessment(self.old).label if self.old else ""

    @property
    def new_display(self) -> str:
        return Claim.Assessment(self.new).label


_LOG_FIELDS = (
    "id",
    "history_date",
    "history_user",
    "assessment",
    "assessment_rationale",
    "history_change_reason",
)


def _assessment_changes(entries) -> list[AssessmentChange]:
    """The assessment changes in ``entries`` (history rows ordered by claim, then date)."""
    log: list[AssessmentChange] = []
    previous: dict[int, str] = {}
    for entry in entries:
        old = previous.get(entry.id)
        if entry.id not in previous or entry.assessment != old:
            user = entry.history_user
            log.append(
                AssessmentChange(
                    changed_at=entry.history_date,
                    changed_by=(user.get_full_name() or user.get_username()) if user else "",
                    old=old,
                    new=entry.assessment,
                    reason=entry.history_change_reason or "",
                    rationale=entry.assessment_rationale,
                    claim_id=entry.id,
                )
            )
        previous[entry.id] = entry.assessment
    return log


def claim_assessment_log(*, claim: Claim) -> list[AssessmentChange]:
    """Every change of ``claim``'s assessment, oldest first (the first entry is the initial one).

    Other edits (typo fixes, new links) are left out: readers want the verdict's story, not every save.
    """
    entries = claim.history.select_related("history_user").order_by("history_date", "history_id")
    return _assessment_changes(entries.only(*_LOG_FIELDS))


def claims_assessment_log(*, claim_ids: list[int]) -> list[AssessmentChange]:
    """The assessment changes of several claims in one query, newest first."""
    entries = (
        Claim.history.filter(id__in=claim_ids)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
        .only(*_LOG_FIELDS)
    )
    return sorted(_assessment_changes(entries), key=lambda c: c.changed_at, reverse=True)


# -- Disputes ------------------------------------------------------------------------------------


def dispute_list(
    *, preview: bool = False, status: str = "", party: str = "", model: str = "", year: int | None = None
):
    """Disputes for the list page, newest first, with parties, models and claim counts prefetched.

    ``status`` is "open" (no end date), "closed" or "retracted"; ``party`` and ``model`` are slugs.
    """
    disputes = _visible(Dispute.objects.all(), preview=preview)
    if status == "open":
        disputes = disputes.filter(ended_on__isnull=True).exclude(status=PublicRecord.Status.RETRACTED)
    elif status == "closed":
        disputes = disputes.filter(ended_on__isnull=False).exclude(status=PublicRecord.Status.RETRACTED)
    elif status == "retracted":
        disputes = disputes.filter(status=PublicRecord.Status.RETRACTED)
    # Filters by membership (IN subqueries), not joins: no duplicate rows, so no DISTINCT to sort
    # away, and the paginator's COUNT stays a plain count.
    if party:
        disputes = disputes.filter(pk__in=DisputeParty.objects.filter(party__slug=party).values("dispute_id"))
    if model:
        disputes = disputes.filter(
            pk__in=Dispute.models_at_stake.through.objects.filter(aimodel__slug=model).values("dispute_id")
        )
    if year:
        disputes = disputes.filter(started_on__year=year)
    claim_count = (
        Claim.objects.filter(dispute=OuterRef("pk"), status__in=VISIBLE)
        .order_by()
        .values("dispute")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        disputes.annotate(claim_count=Coalesce(Subquery(claim_count), 0))
        .prefetch_related(_roles_prefetch(preview=preview), _models_prefetch(preview=preview))
        .order_by("-started_on", "-pk")
    )


def _roles_prefetch(*, preview: bool) -> Prefetch:
    roles = _visible(DisputeParty.objects.select_related("party"), preview=preview, prefix="party__")
    return Prefetch("roles", queryset=roles.order_by(_role_order(), "party__name"))


def _models_prefetch(*, preview: bool) -> Prefetch:
    models = _visible(AIModel.objects.select_related("developer"), preview=preview)
    return Prefetch("models_at_stake", queryset=models)


def dispute_filter_options(*, preview: bool = False) -> dict[str, list]:
    """Choices for the dispute list's filters: only values that some visible dispute has."""
    disputes = _visible(Dispute.objects.all(), preview=preview)
    parties = _visible(Party.objects.filter(dispute_roles__dispute__in=disputes), preview=preview)
    models = _visible(AIModel.objects.filter(disputes__in=disputes), preview=preview)
    years = disputes.filter(started_on__isnull=False).dates("started_on", "year", order="DESC")
    return {
        "parties": list(parties.distinct().order_by("name").values_list("slug", "name")),
        "models": list(models.distinct().order_by("name").values_list("slug", "name")),
        "years": [d.year for d in years],
    }


@dataclass
class TimelineEntry:
    """One dated event of a dispute: a claim (or a response to one), an evidence record, a reply."""

    kind: str  # "claim", "evidence" or "reply"
    on: date | None
    when: str
    record: Any
    order: int = 0

    @property
    def sort_key(self) -> tuple:
        # Unknown dates last; on the same day the source comes before the claim made in it.
        return (self.on is None, self.on or date.min, self.order)


@dataclass
class DisputePage:
    dispute: Dispute
    roles: list[DisputeParty]
    models: list[AIModel]
    claims: list[Claim]
    evidence: list[EvidenceArtifact]
    replies: list[RightOfReply]
    timeline: list[TimelineEntry]
    change_log: list[AssessmentChange]
    last_updated: datetime
    claims_by_id: dict[int, Claim] = field(default_factory=dict)


def _choice_order(field: str, values: list[str]) -> Case:
    """Order rows by the position of ``field``'s value in ``values`` (a choices order, not A-Z)."""
    whens = [When(**{field: value}, then=Value(i)) for i, value in enumerate(values)]
    return Case(*whens, default=Value(len(whens)), output_field=IntegerField())


def _role_order() -> Case:
    """Accusers, then the accused, rights holders, analysts, reporters (the order of the story)."""
    return _choice_order("role", DisputeParty.Role.values)


def _stance_order() -> Case:
    """Supporting evidence first, then refuting, then context (the order readers weigh them)."""
    return _choice_order("stance", EvidenceLink.Stance.values)


# Long texts of a claim and its joined rows that the timeline does not show (the claim page does).
_TIMELINE_DEFERRED = [
    "statement",
    "assessment_rationale",
    "source__description",
    "claimant__note",
    "responds_to__statement",
    "responds_to__assessment_rationale",
    "responds_to__claimant__note",
    "subject_model__description",
    "alleged_source_model__description",
]


def _claim_queryset(*, preview: bool) -> QuerySet:
    """Claims with what a timeline or a list shows of them, related rows joined or prefetched."""
    links = _visible(EvidenceLink.objects.select_related("evidence"), preview=preview, prefix="evidence__")
    replies = RightOfReply.objects.select_related("party", "asked_by", "source")
    return (
        _visible(Claim.objects.defer(*_TIMELINE_DEFERRED), preview=preview)
        .select_related(
            "claimant",
            "source",
            "subject_model",
            "alleged_source_model",
            "responds_to",
            "responds_to__claimant",
        )
        .prefetch_related(
            Prefetch("evidence_links", queryset=links.order_by(_stance_order(), "evidence__title")),
            Prefetch("replies", queryset=replies.order_by("asked_on", "pk")),
        )
    )


def _public_or_none(record: PublicRecord | None, *, preview: bool) -> PublicRecord | None:
    if record is None or preview or record.is_public:
        return record
    return None


def dispute_page(*, dispute: Dispute, preview: bool = False) -> DisputePage:
    """Everything the dispute page shows, in seven queries whatever the size of the dispute."""
    roles = _visible(dispute.roles.select_related("party"), preview=preview, prefix="party__")
    roles = list(roles.order_by(_role_order(), "party__name"))
    models = list(_visible(dispute.models_at_stake.select_related("developer"), preview=preview))
    claims = list(_claim_queryset(preview=preview).filter(dispute=dispute).order_by("made_on", "pk"))

    evidence: dict[int, EvidenceArtifact] = {}
    replies: list[RightOfReply] = []
    for claim in claims:
        claim.source = _public_or_none(claim.source, preview=preview)
        if claim.source:
            evidence[claim.source.pk] = claim.source
        for link in claim.evidence_links.all():
            evidence[link.evidence.pk] = link.evidence
        for reply in claim.replies.all():
            reply.source = _public_or_none(reply.source, preview=preview)
            replies.append(reply)

    timeline = [
        *(TimelineEntry("claim", c.made_on, c.made_on_display, c, order=1) for c in claims),
        *(TimelineEntry("evidence", e.published_on, e.published_on_display, e) for e in evidence.values()),
        *(
            TimelineEntry("reply", r.outcome_on or r.asked_on, reply_date_display(r), r, order=2)
            for r in replies
        ),
    ]
    timeline.sort(key=lambda entry: entry.sort_key)
    stamps = [dispute.updated_at, *(c.updated_at for c in claims), *(e.updated_at for e in evidence.values())]
    return DisputePage(
        dispute=dispute,
        roles=roles,
        models=models,
        claims=claims,
        evidence=sorted(
            evidence.values(), key=lambda e: (e.published_on is None, e.published_on or date.min)
        ),
        replies=replies,
        timeline=timeline,
        change_log=claims_assessment_log(claim_ids=[c.pk for c in claims]),
        last_updated=max(stamps),
        claims_by_id={c.pk: c for c in claims},
    )


def reply_date_display(reply: RightOfReply) -> str:
    return format_date(reply.outcome_on or reply.asked_on, reply.date_precision)


def reply_sentence(reply: RightOfReply) -> str:
    """A right-of-reply record as readers read it: "Alibaba did not respond as of July 2025"."""
    party = reply.party.name
    asked = f" to {reply.asked_by.name}" if reply.asked_by else ""
    outcome_on = format_date(reply.outcome_on, reply.date_precision) if reply.outcome_on else ""
    Outcome = RightOfReply.Outcome
    if reply.outcome == Outcome.NO_RESPONSE:
        return f"{party} did not respond{asked} as of {outcome_on}."
    if reply.outcome == Outcome.DECLINED:
        return f"{party} declined to comment{asked}" + (f" ({outcome_on})." if outcome_on else ".")
    if reply.outcome == Outcome.ANSWERED:
        return f"{party} answered{asked}" + (f" on {outcome_on}:" if outcome_on else ":")
    asked_on = f" on {reply.asked_on_display}" if reply.asked_on else ""
    who = reply.asked_by.name if reply.asked_by else "Provenance"
    return f"{who} asked {party} to reply{asked_on}; awaiting an answer."


def disputes_recent(*, limit: int = 5) -> dict[str, list[Dispute]]:
    """For the home page: the newest disputes and the most recently updated ones."""
    base = dispute_list()
    latest = list(base[:limit])
    updated = list(base.order_by("-updated_at", "-pk")[:limit])
    return {"latest": latest, "updated": updated}


# -- Claims --------------------------------------------------------------------------------------


@dataclass
class ClaimPage:
    claim: Claim
    links: dict[str, list[EvidenceLink]]
    responses: list[Claim]
    replies: list[RightOfReply]
    change_log: list[AssessmentChange]


def claim_page(*, claim: Claim, preview: bool = False) -> ClaimPage:
    """The claim page: evidence by stance, responses, rights of reply, the assessment log."""
    claim.source = _public_or_none(claim.source, preview=preview)
    links: dict[str, list[EvidenceLink]] = defaultdict(list)
    link_rows = _visible(
        claim.evidence_links.select_related("evidence", "evidence__report"),
        preview=preview,
        prefix="evidence__",
    )
    for link in link_rows.order_by("evidence__published_on", "evidence__title"):
        links[link.stance].append(link)
    responses = list(
        _visible(claim.responses.select_related("claimant", "source"), preview=preview).order_by(
            "made_on", "pk"
        )
    )
    replies = list(claim.replies.select_related("party", "asked_by", "source").order_by("asked_on", "pk"))
    for reply in replies:
        reply.source = _public_or_none(reply.source, preview=preview)
    return ClaimPage(
        claim=claim,
        links={stance: links[stance] for stance in EvidenceLink.Stance.values if links[stance]},
        responses=responses,
        replies=replies,
        change_log=list(reversed(claim_assessment_log(claim=claim))),
    )


def claim_detail_queryset(*, preview: bool = False) -> QuerySet:
    return _visible(Claim.objects.all(), preview=preview).select_related(
        "dispute", "claimant", "source", "subject_model", "alleged_source_model", "responds_to__claimant"
    )


# -- Parties, models, evidence, reports ----------------------------------------------------------


def party_page(*, party: Party, preview: bool = False) -> dict[str, Any]:
    roles = _visible(party.dispute_roles.select_related("dispute"), preview=preview, prefix="dispute__")
    return {
        "subsidiaries": list(_visible(party.subsidiaries.all(), preview=preview)),
        "roles": list(roles.order_by("-dispute__started_on", "role")),
        "claims": list(
            _visible(party.claims.select_related("dispute"), preview=preview).order_by("-made_on", "pk")
        ),
        "models": list(_visible(party.models_developed.all(), preview=preview)),
        "evidence": list(_visible(party.evidence_authored.all(), preview=preview).order_by("-published_on")),
    }


def aimodel_page(*, model: AIModel, preview: bool = False) -> dict[str, Any]:
    claims = _visible(Claim.objects.select_related("dispute", "claimant"), preview=preview).filter(
        Q(subject_model=model) | Q(alleged_source_model=model)
    )
    reports = FingerprintReport.objects.select_related(
        "evidence", "checkpoint_a__model", "checkpoint_b__model"
    ).filter(Q(checkpoint_a__model=model) | Q(checkpoint_b__model=model))
    if not preview:
        reports = reports.public()
    return {
        "derivatives": list(
            _visible(model.declared_derivatives.select_related("developer"), preview=preview)
        ),
        "disputes": list(_visible(model.disputes.all(), preview=preview)),
        "claims": list(claims.order_by("-made_on", "pk")),
        "reports": list(reports.order_by("-requested_at")),
    }


def evidence_page(*, evidence: EvidenceArtifact, preview: bool = False) -> dict[str, Any]:
    links = _visible(
        evidence.links.select_related("claim", "claim__dispute", "claim__claimant"),
        preview=preview,
        prefix="claim__",
    )
    sourced = _visible(evidence.claims_sourced.select_related("dispute", "claimant"), preview=preview)
    return {
        "links": list(links.order_by("claim__made_on", "claim__pk")),
        "sourced": list(sourced.order_by("made_on", "pk")),
    }


def report_queryset(*, preview: bool = False) -> QuerySet:
    reports = FingerprintReport.objects.select_related(
        "evidence", "checkpoint_a__model__developer", "checkpoint_b__model__developer"
    )
    return reports if preview else reports.public()
