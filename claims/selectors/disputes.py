"""Disputes: the list with its filters, the dispute page, the home page's selections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.paginator import Page
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from claims.models import AIModel, Claim, Dispute, DisputeParty, EvidenceArtifact, Party, RightOfReply
from claims.models.base import PublicRecord
from claims.models.public_state import STATE_FIELDS, named_choices
from claims.models.visibility import public_q, visible
from claims.selectors import timeline_pages
from claims.selectors.changes import AssessmentChange, claims_assessment_log
from claims.selectors.standing import dispute_standing
from claims.selectors.timeline import choice_order, dispute_story
from claims.selectors.timeline_pages import (
    UPDATED,
    dispute_claims,
    evidence_keys,
    evidence_rows,
    ids_of,
    loaded_rows,
    reply_rows,
    rows_page,
    timeline_entries,
)


def dispute_list(
    *, preview: bool = False, status: str = "", party: str = "", model: str = "", year: int | None = None
):
    """Disputes for the list page, newest first, with parties, models and claim counts prefetched.

    ``status`` is "open" (``Dispute.open_q``), "closed" or "retracted": three that do not overlap,
    as on the dispute's card, so a retracted dispute is "retracted" whatever its dates. ``party`` and
    ``model`` are slugs.
    """
    disputes = visible(Dispute.objects.all(), preview=preview)
    if status in ("open", "closed"):
        disputes = disputes.exclude(status=PublicRecord.Status.RETRACTED)
        disputes = (
            disputes.filter(Dispute.open_q()) if status == "open" else disputes.exclude(Dispute.open_q())
        )
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
        visible(Claim.objects.filter(dispute=OuterRef("pk")), preview=preview)
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


def dispute_collection(*, preview: bool = False, with_claims: bool = False):
    """Disputes as the API renders them: models at stake by name, and the roles whose party is
    public (the dispute itself may be an editor's draft); ``with_claims``: its public claims too."""
    roles = DisputeParty.objects.filter(public_q(Party, "party__")).select_related("party")
    disputes = Dispute.objects.prefetch_related(
        Prefetch("models_at_stake", queryset=AIModel.objects.order_by("name")),
        Prefetch("roles", queryset=roles.order_by(role_order(), "party__name")),
    )
    if with_claims:
        disputes = disputes.prefetch_related(
            Prefetch(
                "claims",
                queryset=Claim.objects.public().select_related("dispute").order_by("made_on", "pk"),
            )
        )
    return visible(disputes, preview=preview)


def role_order():
    """Accusers, then the accused, rights holders, analysts, reporters (the order of the story)."""
    return choice_order("role", DisputeParty.Role.values)


def _roles(preview: bool):
    roles = visible(DisputeParty.objects.select_related("party", "dispute"), preview=preview)
    return roles.order_by(role_order(), "party__name")


def _roles_prefetch(*, preview: bool) -> Prefetch:
    return Prefetch("roles", queryset=_roles(preview))


def _models_prefetch(*, preview: bool) -> Prefetch:
    models = visible(AIModel.objects.select_related("developer"), preview=preview)
    return Prefetch("models_at_stake", queryset=models)


def dispute_filter_options(*, preview: bool = False) -> dict[str, list]:
    """Choices for the dispute list's filters: only values that some visible dispute has."""
    disputes = visible(Dispute.objects.all(), preview=preview)
    # By IN subqueries, not joins: no DISTINCT over every (party, dispute) row to sort away.
    roles = DisputeParty.objects.filter(dispute__in=disputes).values("party_id")
    at_stake = Dispute.models_at_stake.through.objects.filter(dispute__in=disputes).values("aimodel_id")
    parties = visible(Party.objects.filter(pk__in=roles), preview=preview)
    models = visible(AIModel.objects.filter(pk__in=at_stake), preview=preview)
    years = disputes.filter(started_on__isnull=False).dates("started_on", "year", order="DESC")
    return {
        "parties": named_choices(parties),
        "models": named_choices(models),
        "years": [d.year for d in years],
    }


@dataclass
class DisputePage:
    """What the dispute page shows. ``claims`` and ``replies``: every one the viewer may see (the
    box "Where things stand", the change log, the lineage map read them; no evidence links loaded);
    ``evidence``: the analyses on the timeline (with their reports: the strongest evidence);
    ``timeline``: one page of the timeline (``timeline_pages.timeline_page``), or None when not asked."""

    dispute: Dispute
    roles: list[DisputeParty]
    models: list[AIModel]
    claims: list[Claim]
    evidence: list[EvidenceArtifact]
    replies: list[RightOfReply]
    timeline: Page | None
    change_log: list[AssessmentChange]
    last_updated: datetime
    claims_by_id: dict[int, Claim] = field(default_factory=dict)

    @property
    def standing(self):
        """Where the dispute stands (``claims.selectors.standing``), from these rows."""
        return dispute_standing(self)


# What the box, the change log and the lineage map read of a claim and its claimant: five hundred
# claims' other columns (timestamps above all, each parsed) cost more than the page's queries.
_PAGE_CLAIM_RELATED = ("claimant", "subject_model", "alleged_source_model")
_PAGE_CLAIM_FIELDS = (
    *STATE_FIELDS, "slug", "title", "made_on", "date_precision", "kind", "assessment", "updated_at",
    "dispute", "responds_to", "subject_model", "alleged_source_model", "source",
    "claimant", *(f"claimant__{name}" for name in (*STATE_FIELDS, "slug", "name")),
)  # fmt: skip


def dispute_rows() -> QuerySet:
    """Disputes as their page reads them: each with ``claim_total``, the number of its claims in any
    state (one count by an index), which tells ``dispute_page`` whether to read its timeline whole."""
    total = Claim.objects.filter(dispute=OuterRef("pk")).order_by().values("dispute").annotate(n=Count("pk"))
    return Dispute.objects.annotate(claim_total=Coalesce(Subquery(total.values("n")), 0))


def dispute_page(
    *, dispute: Dispute, preview: bool = False, timeline_page: int | str | None = 1
) -> DisputePage:
    """Everything the dispute page shows, in a number of queries that does not grow with the
    dispute: its claims and replies without their evidence, its analyses, and one page of the
    timeline (``timeline_page``: a page number, "last", or None for none: the embed and the card).

    A dispute of at most ``TIMELINE_PAGE_SIZE`` claims (``claim_total``, from ``dispute_rows``) is
    read whole in three queries (``dispute_story``: its claims with their links, its replies), and
    its timeline paged in Python in the same order: fewer queries than a page read in SQL beside the
    rows the box reads, and the same page."""
    roles = list(_roles(preview).filter(dispute=dispute))
    models = list(
        visible(dispute.models_at_stake.select_related("developer", "declared_base"), preview=preview)
    )
    small = (
        getattr(dispute, "claim_total", None) is not None
        and dispute.claim_total <= timeline_pages.TIMELINE_PAGE_SIZE
    )
    if timeline_page is not None and small:
        claims, evidence, replies, page, stamps = _whole(
            dispute=dispute, preview=preview, number=timeline_page
        )
    else:
        claims, evidence, replies, page, stamps = _paged(
            dispute=dispute, preview=preview, number=timeline_page
        )
    analyses = [e for e in evidence if e.kind == EvidenceArtifact.Kind.ANALYSIS]
    return DisputePage(
        dispute=dispute,
        roles=roles,
        models=models,
        claims=claims,
        evidence=sorted(analyses, key=lambda e: (e.published_on is None, e.published_on or date.min, e.pk)),
        replies=replies,
        timeline=page,
        change_log=claims_assessment_log(claim_ids=[c.pk for c in claims]),
        last_updated=max([dispute.updated_at, *(stamp for stamp in stamps if stamp is not None)]),
        claims_by_id={c.pk: c for c in claims},
    )


def _whole(*, dispute: Dispute, preview: bool, number):
    """A small dispute's claims, evidence, replies, timeline page and change stamps, read whole."""
    story = dispute_story(dispute=dispute, preview=preview)
    replies = sorted(story.replies, key=lambda r: (r.asked_on is None, r.asked_on or date.min, r.pk))
    stamps = [*(c.updated_at for c in story.claims), *(e.updated_at for e in story.evidence)]
    return story.claims, story.evidence, replies, rows_page(story.timeline, number), stamps


def _paged(*, dispute: Dispute, preview: bool, number):
    """The same as ``_whole``, for a dispute of any size: its claims and replies without their
    evidence, its analyses, and one page of the timeline (``number`` None: no page), ordered from
    the keys of the claims and replies loaded here and of the evidence (``evidence_keys``)."""
    claims = list(
        dispute_claims(dispute=dispute, preview=preview)
        .select_related(*_PAGE_CLAIM_RELATED)
        .only(*_PAGE_CLAIM_FIELDS)
        .order_by("made_on", "pk")
    )
    for claim in claims:
        claim.dispute = dispute  # the row the claims were filtered by: no join, no query
    # By the claims' ids (a subquery of the claims made PostgreSQL scan every claim).
    replies = visible(RightOfReply.objects.filter(claim_id__in=[c.pk for c in claims]), preview=preview)
    replies = reply_rows(replies.order_by("asked_on", "pk"), preview=preview)
    keys = list(evidence_keys(claims=claims, preview=preview))
    rows = loaded_rows(claims=claims, replies=replies, evidence_keys=keys)
    page = rows_page(rows, number) if number is not None else None
    # The analyses (the strongest evidence) and the page's evidence, in one query by their ids.
    wanted = [pk for _on, _slug, pk, _updated, kind in keys if kind == EvidenceArtifact.Kind.ANALYSIS]
    wanted += ids_of(page.object_list, "evidence") if page else []
    evidence = list(evidence_rows(EvidenceArtifact.objects.filter(pk__in=wanted))) if wanted else []
    if page is not None:
        known = {"evidence": {e.pk: e for e in evidence}, "right_of_reply": {r.pk: r for r in replies}}
        page.object_list = timeline_entries(page.object_list, preview=preview, known=known)
    return claims, evidence, replies, page, [row[UPDATED] for row in rows]


def disputes_recent(*, limit: int = 5) -> dict[str, list[Dispute]]:
    """For the home page: the newest disputes and the most recently updated ones."""
    base = dispute_list()
    latest = list(base[:limit])
    updated = list(base.order_by("-updated_at", "-pk")[:limit])
    return {"latest": latest, "updated": updated}
