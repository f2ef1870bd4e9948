"""Where a dispute stands: the box at the top of its page, in its embed and on its share card.

Read from the dispute page's rows (``disputes.DisputePage``), so it costs no query of its own and
shows exactly what the page below it shows:

* the **allegation**: the oldest claim that says a model was derived from another (``derived_from``:
  what a provenance dispute is about), else the oldest claim that answers no other - a claim dated
  only to its month sorts as the month's first day, so a vaguer, lesser claim must not take its place;
* the **central claims**: every claim that answers no other, the allegation first, with its
  assessment (the newsroom's tier word: supported by evidence, contested, refuted, unverified,
  withdrawn); retracted ones are left out (they stay on the timeline with their note), unless every
  one is retracted;
* the **strongest evidence**: the analysis whose report has the strongest verdict tier
  (``headline.VERDICT_TIERS``: strong, then some, none, cannot tell), newest first within a tier;
* the **latest word of each party**, in the order of the parties' roles: the later of its latest
  claim and its latest settled right of reply (answered, declined or no response);
* the date of the **last change** (the page's ``last_updated``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from claims.models import Claim, DisputeParty, EvidenceArtifact, RightOfReply
from claims.models.visibility import is_standing
from provenance.fingerprint.headline import TIERS, VERDICT_TIERS

TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS)}  # strong first


@dataclass(frozen=True)
class PartyWord:
    """A party's latest word: a claim it made, or a right of reply it was asked (one of the two)."""

    role: DisputeParty
    claim: Claim | None = None
    reply: RightOfReply | None = None

    @property
    def on(self) -> date | None:
        if self.claim is not None:
            return self.claim.made_on
        return self.reply.outcome_on or self.reply.asked_on if self.reply is not None else None


@dataclass(frozen=True)
class Standing:
    allegation: Claim | None
    central: list[Claim]
    strongest: EvidenceArtifact | None
    words: list[PartyWord]
    last_change: datetime

    @property
    def strongest_tier(self) -> str:
        """The strongest evidence's tier title ("Strong evidence of a common origin"), or ""."""
        if self.strongest is None:
            return ""
        return TIERS[VERDICT_TIERS[self.strongest.report.result["verdict"]]]


def _dated(on: date | None, pk: int) -> tuple:
    return (on is not None, on or date.min, pk)


def _tier_rank(evidence: EvidenceArtifact) -> int | None:
    report = evidence.report
    if evidence.kind != EvidenceArtifact.Kind.ANALYSIS or report is None or report.status != "succeeded":
        return None
    tier = VERDICT_TIERS.get((report.result or {}).get("verdict") or "")
    return TIER_RANK.get(tier) if tier else None


def dispute_standing(page) -> Standing:
    """Where ``page``'s dispute stands (``disputes.DisputePage``; module docstring), without a query."""
    claims = [c for c in page.claims if c.responds_to_id is None]  # page.claims: oldest first
    derivations = [c for c in claims if c.kind == Claim.Kind.DERIVED_FROM]
    allegation = (derivations or claims or [None])[0]
    allegations = sorted(claims, key=lambda c: c is not allegation)  # stable: the rest oldest first
    central = [c for c in allegations if is_standing(c)] or allegations
    ranked = [(rank, e) for e in page.evidence if (rank := _tier_rank(e)) is not None]
    strongest = None
    if ranked:
        best = min(rank for rank, _e in ranked)
        strongest = max((e for rank, e in ranked if rank == best), key=lambda e: _dated(e.published_on, e.pk))
    words = []
    seen = set()
    for role in page.roles:  # in role order; a party with two roles speaks once, under its first
        if role.party_id in seen:
            continue
        seen.add(role.party_id)
        claims = [c for c in page.claims if c.claimant_id == role.party_id]
        replies = [
            r
            for r in page.replies
            if r.party_id == role.party_id and r.outcome != RightOfReply.Outcome.PENDING
        ]
        claim = max(claims, key=lambda c: _dated(c.made_on, c.pk), default=None)
        reply = max(replies, key=lambda r: _dated(r.outcome_on or r.asked_on, r.pk), default=None)
        if reply is not None and (
            claim is None or _dated(reply.outcome_on or reply.asked_on, 0) > _dated(claim.made_on, 0)
        ):
            words.append(PartyWord(role, reply=reply))
        elif claim is not None:
            words.append(PartyWord(role, claim=claim))
        else:
            words.append(PartyWord(role))
    return Standing(
        allegation=allegation,
        central=central,
        strongest=strongest,
        words=words,
        last_change=page.last_updated,
    )
