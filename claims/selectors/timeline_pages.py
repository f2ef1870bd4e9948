"""A dispute's timeline a page at a time: ordered and cut in SQL, only the page's records loaded.

The order is ``timeline.TimelineEntry.sort_key``'s: undated entries last, then by date, by entry type
(evidence, claim, rebuttal, right of reply) and by tie (a slug; a reply's id, zero-padded), the tie
compared byte for byte (PostgreSQL's "C" collation, SQLite's default), as Python compares strings.
So the pages of ``timeline_rows``, one after another, are ``timeline.dispute_story``'s timeline,
and the site's pages and the API's are the same entries in the same order (one query for both).

A page costs a count, the page's keys (one query of the three kinds, ``UNION ALL``) and the page's
records: its claims with their evidence links, its evidence, its replies, whatever the dispute's size.
"""

from __future__ import annotations

from datetime import date

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Collate, LPad

from claims.models import Claim, Dispute, EvidenceArtifact, EvidenceLink, RightOfReply
from claims.models.base import DatePrecision
from claims.models.visibility import public_or_none, visible
from claims.selectors.timeline import (
    _TIMELINE_DEFERRED,
    CLAIM_RELATED,
    ENTRY_TYPES,
    LINK_RELATED,
    REPLY_RELATED,
    REPORT_MODELS,
    TimelineEntry,
    stance_order,
)

TIMELINE_PAGE_SIZE = 100  # entries per page of the site's timeline (the API's pages are its own)
RANKS = {name: i for i, name in enumerate(ENTRY_TYPES)}
KEYS = ("t_undated", "t_on", "t_rank", "t_tie")


def _bytewise(expression):
    """``expression`` compared byte for byte (code point order, as Python compares ``str``)."""
    return Collate(expression, "C") if connection.vendor == "postgresql" else expression


def dispute_claims(*, dispute: Dispute, preview: bool) -> QuerySet:
    """The claims of ``dispute`` the viewer may see (unordered)."""
    return visible(Claim.objects.filter(dispute=dispute), preview=preview)


def dispute_evidence(*, dispute: Dispute, preview: bool) -> QuerySet:
    """The evidence on ``dispute``'s timeline: its visible claims' visible sources and the visible
    evidence their visible links cite, each once (unordered)."""
    claims = dispute_claims(dispute=dispute, preview=preview)
    # A link is visible when its claim and its evidence are: the claim is one of ``claims``, and the
    # evidence is filtered below (a link's own rule here made PostgreSQL scan every link).
    linked = EvidenceLink.objects.filter(claim__in=claims).order_by().values("evidence_id")
    cited = claims.order_by().values("source_id").union(linked)
    return visible(EvidenceArtifact.objects.filter(pk__in=cited), preview=preview)


def dispute_replies(*, dispute: Dispute, preview: bool) -> QuerySet:
    """The rights of reply on ``dispute``'s visible claims the viewer may see (unordered)."""
    claims = dispute_claims(dispute=dispute, preview=preview)
    return visible(RightOfReply.objects.filter(claim__in=claims), preview=preview)


def _keys(queryset: QuerySet, *, on, rank, tie, updated) -> QuerySet:
    """One kind's entries as key rows (module docstring; ``ROW``): the columns the union sorts on,
    the record's id and when it last changed."""
    return (
        queryset.order_by()
        .annotate(t_on=on)
        .annotate(
            t_undated=Case(
                When(t_on__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            t_rank=rank,
            t_tie=_bytewise(tie),
            t_updated=updated,
        )
        .values_list(*KEYS, "pk", "t_updated")
    )


# A key row: (undated 0/1, date, type rank, tie, the record's id, its updated_at or None).
RANK, PK, UPDATED = 2, 4, 5


def timeline_rows(*, dispute: Dispute, preview: bool = False) -> QuerySet:
    """Every entry of ``dispute``'s timeline as a key row, in order."""
    claims = _keys(
        dispute_claims(dispute=dispute, preview=preview),
        on=F("made_on"),
        rank=Case(
            When(responds_to__isnull=True, then=Value(RANKS["claim"])),
            default=Value(RANKS["rebuttal"]),
            output_field=IntegerField(),
        ),
        tie=F("slug"),
        updated=F("updated_at"),
    )
    evidence = _keys(
        dispute_evidence(dispute=dispute, preview=preview),
        on=F("published_on"),
        rank=Value(RANKS["evidence"], output_field=IntegerField()),
        tie=F("slug"),
        updated=F("updated_at"),
    )
    replies = _keys(
        dispute_replies(dispute=dispute, preview=preview),
        on=Coalesce("outcome_on", "asked_on"),  # RightOfReply.dated_on
        rank=Value(RANKS["right_of_reply"], output_field=IntegerField()),
        tie=LPad(Cast("pk", CharField()), 12, Value("0")),
        updated=Value(None, output_field=DateTimeField()),  # not counted in "last updated"
    )
    return claims.union(evidence, replies, all=True).order_by(*KEYS)


def loaded_rows(*, claims, replies, evidence_keys) -> list[tuple]:
    """The key rows of ``timeline_rows``, in its order, from records the dispute page has loaded
    already: its visible ``claims`` (``made_on``, ``responds_to_id``, ``slug``, ``updated_at``), their
    visible ``replies``, and ``evidence_keys`` (``evidence_keys``). Sorted in Python as
    ``TimelineEntry.sort_key`` sorts (a ``str`` compares by code point, as the "C" collation)."""
    rows = [
        (
            c.made_on is None,
            c.made_on,
            RANKS["rebuttal" if c.responds_to_id else "claim"],
            c.slug,
            c.pk,
            c.updated_at,
        )
        for c in claims
    ]
    rows += [
        (on is None, on, RANKS["evidence"], slug, pk, updated)
        for on, slug, pk, updated, _kind in evidence_keys
    ]
    for reply in replies:
        on = reply.dated_on
        rows.append((on is None, on, RANKS["right_of_reply"], f"{reply.pk:012d}", reply.pk, None))
    rows.sort(key=lambda row: (row[0], row[1] or date.min, row[2], row[3]))
    return [(int(undated), *rest) for undated, *rest in rows]


def evidence_keys(*, claims, preview: bool) -> QuerySet:
    """(published_on, slug, id, updated_at, kind) of the visible evidence on the timeline of loaded
    ``claims`` (with ``source_id``): what ``dispute_evidence`` selects, by the claims' ids (an index
    lookup; the subquery of ``dispute_evidence`` made PostgreSQL scan every evidence row)."""
    ids = [c.pk for c in claims]
    linked = EvidenceLink.objects.filter(claim_id__in=ids).values("evidence_id")
    sources = [c.source_id for c in claims if c.source_id is not None]
    cited = EvidenceArtifact.objects.filter(Q(pk__in=sources) | Q(pk__in=linked))
    return (
        visible(cited, preview=preview)
        .order_by()
        .values_list("published_on", "slug", "pk", "updated_at", "kind")
    )


def _store(row) -> str:
    """Which records a key row names: "claim" (claims and rebuttals), "evidence", "right_of_reply"."""
    kind = ENTRY_TYPES[row[RANK]]
    return "claim" if kind == "rebuttal" else kind


def ids_of(rows, store: str) -> list[int]:
    """The ids of the ``store`` records (``_store``) among key ``rows``."""
    return [row[PK] for row in rows if _store(row) == store]


def rows_page(rows: list, number: int | str | None = 1, per_page: int | None = None) -> Page:
    """Page ``number`` of ``rows`` (key rows, or a whole timeline's entries; ``TIMELINE_PAGE_SIZE`` a
    page unless ``per_page``). As every page of the site: not a number is page 1, past the end is the
    last page ("last" names it too)."""
    paginator = Paginator(rows, per_page or TIMELINE_PAGE_SIZE)
    return paginator.get_page(paginator.num_pages if number == "last" else number)


def timeline_entries(rows, *, preview: bool = False, known: dict | None = None) -> list[TimelineEntry]:
    """The entries of key ``rows`` (``timeline_rows``, or a page of them), in their order: at most
    three queries of records (claims with their links, evidence, replies) whatever the number of
    rows, fewer when ``known`` (store name -> {id: record}, loaded as here) has them already."""
    rows = list(rows)
    records = {}
    for store, load in (("claim", _claims), ("evidence", _evidence), ("right_of_reply", _replies)):
        have = (known or {}).get(store, {})
        records[store] = {
            **have,
            **load([pk for pk in ids_of(rows, store) if pk not in have], preview=preview),
        }
    entries = []
    for row in rows:
        kind = ENTRY_TYPES[row[RANK]]
        record = records[_store(row)].get(row[PK])
        if record is None:  # deleted between the two queries
            continue
        if kind == "right_of_reply":
            entries.append(
                TimelineEntry(kind, record.dated_on, record.date_precision or DatePrecision.DAY, record)
            )
        elif kind == "evidence":
            entries.append(TimelineEntry(kind, record.published_on, record.date_precision, record))
        else:
            entries.append(TimelineEntry(kind, record.made_on, record.date_precision, record))
    return entries


def _claims(ids: list[int], *, preview: bool) -> dict[int, Claim]:
    if not ids:
        return {}
    links = visible(EvidenceLink.objects.select_related(*LINK_RELATED), preview=preview)
    claims = (
        Claim.objects.defer(*_TIMELINE_DEFERRED)
        .select_related(*CLAIM_RELATED)
        .prefetch_related(
            Prefetch("evidence_links", queryset=links.order_by(stance_order(), "evidence__title"))
        )
        .filter(pk__in=ids)
    )
    found = {}
    for claim in claims:
        claim.source = public_or_none(claim.source, preview=preview)
        found[claim.pk] = claim
    return found


def evidence_rows(queryset: QuerySet) -> QuerySet:
    """Evidence with what the timeline shows of it (its author; what ``is_public`` follows)."""
    return queryset.select_related("author", *REPORT_MODELS)


def _evidence(ids: list[int], *, preview: bool) -> dict[int, EvidenceArtifact]:
    return evidence_rows(EvidenceArtifact.objects.all()).in_bulk(ids) if ids else {}


def reply_rows(queryset: QuerySet, *, preview: bool) -> list[RightOfReply]:
    """Rights of reply with what the timeline shows of them (party, outlet, a visible source)."""
    replies = list(queryset.select_related(*REPLY_RELATED))
    for reply in replies:
        reply.source = public_or_none(reply.source, preview=preview)
    return replies


def _replies(ids: list[int], *, preview: bool) -> dict[int, RightOfReply]:
    if not ids:
        return {}
    return {r.pk: r for r in reply_rows(RightOfReply.objects.filter(pk__in=ids), preview=preview)}


def timeline_page(
    *,
    dispute: Dispute,
    preview: bool = False,
    number: int | str | None = 1,
    per_page: int | None = None,
) -> Page:
    """Page ``number`` of ``dispute``'s timeline (``rows_page``), its entries loaded."""
    page = rows_page(list(timeline_rows(dispute=dispute, preview=preview)), number, per_page)
    page.object_list = timeline_entries(page.object_list, preview=preview)
    return page


def dispute_timeline(*, dispute: Dispute, preview: bool = False) -> list[TimelineEntry]:
    """Every entry of ``dispute``'s timeline the viewer may see, in order (every page together)."""
    return timeline_entries(timeline_rows(dispute=dispute, preview=preview), preview=preview)
