"""Claims: the claim page (evidence by stance, responses, rights of reply, the assessment log)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from claims.models import Claim, EvidenceLink, RightOfReply
from claims.models.base import format_date
from claims.models.claims import reviewable_q
from claims.models.visibility import public_name, public_or_none, visible
from claims.selectors.changes import AssessmentChange, claim_assessment_log
from claims.selectors.timeline import CLAIM_RELATED, LINK_RELATED, REPLY_RELATED


@dataclass
class ClaimPage:
    claim: Claim
    links: dict[str, list[EvidenceLink]]
    responses: list[Claim]
    replies: list[RightOfReply]
    change_log: list[AssessmentChange]


def claim_page(*, claim: Claim, preview: bool = False) -> ClaimPage:
    """The claim page: evidence by stance, responses, rights of reply, the assessment log."""
    claim.source = public_or_none(claim.source, preview=preview)
    links: dict[str, list[EvidenceLink]] = defaultdict(list)
    link_rows = visible(claim.evidence_links.select_related(*LINK_RELATED), preview=preview)
    for link in link_rows.order_by("evidence__published_on", "evidence__title"):
        links[link.stance].append(link)
    responses = list(
        visible(claim.responses.select_related(*CLAIM_RELATED), preview=preview).order_by("made_on", "pk")
    )
    replies = list(
        visible(claim.replies.select_related(*REPLY_RELATED), preview=preview).order_by("asked_on", "pk")
    )
    for reply in replies:
        reply.source = public_or_none(reply.source, preview=preview)
    return ClaimPage(
        claim=claim,
        links={stance: links[stance] for stance in EvidenceLink.Stance.values if links[stance]},
        responses=responses,
        replies=replies,
        change_log=list(reversed(claim_assessment_log(claim=claim))),
    )


def claim_detail_queryset(*, preview: bool = False) -> QuerySet:
    return visible(Claim.objects.all(), preview=preview).select_related(*CLAIM_RELATED)


def claim_collection(*, preview: bool = False) -> QuerySet:
    """Claims as the API renders them: with their public responses, evidence links and rights of
    reply (public whoever reads: the API's nested lists never show drafts)."""
    return claim_detail_queryset(preview=preview).prefetch_related(
        Prefetch(
            "responses", queryset=Claim.objects.public().select_related("dispute").order_by("made_on", "pk")
        ),
        Prefetch(
            "evidence_links",
            queryset=EvidenceLink.objects.public().select_related(*LINK_RELATED).order_by("stance", "pk"),
        ),
        Prefetch(
            "replies",
            queryset=RightOfReply.objects.public().select_related(*REPLY_RELATED).order_by("asked_on", "pk"),
        ),
    )


def claims_reviewed() -> QuerySet:
    """The claims a ClaimReview is published for (``reviewable_q``: a retraction is no review an
    aggregator should carry), by slug."""
    return Claim.objects.filter(reviewable_q()).select_related(*CLAIM_RELATED).order_by("slug")


def evidence_link_queryset(*, preview: bool = False) -> QuerySet:
    return visible(EvidenceLink.objects.select_related(*LINK_RELATED), preview=preview)


def reply_sentence(reply: RightOfReply, *, preview: bool = False) -> str:
    """A right-of-reply record as readers read it: "Alibaba did not respond as of July 2025".

    A party that is not public is never named (the reply itself is hidden when the party asked
    is; an unpublished outlet that asked reads as "(an unpublished record)").
    """
    party = public_name(reply.party, preview=preview)
    asked_by = public_name(reply.asked_by, preview=preview)
    asked = f" to {asked_by}" if asked_by else ""
    outcome_on = format_date(reply.outcome_on, reply.date_precision) if reply.outcome_on else ""
    Outcome = RightOfReply.Outcome
    if reply.outcome == Outcome.NO_RESPONSE:
        return f"{party} did not respond{asked} as of {outcome_on}."
    if reply.outcome == Outcome.DECLINED:
        return f"{party} declined to comment{asked}" + (f" ({outcome_on})." if outcome_on else ".")
    if reply.outcome == Outcome.ANSWERED:
        return f"{party} answered{asked}" + (f" on {outcome_on}:" if outcome_on else ":")
    asked_on = f" on {reply.asked_on_display}" if reply.asked_on else ""
    who = asked_by or "Provenance"
    return f"{who} asked {party} to reply{asked_on}; awaiting an answer."
