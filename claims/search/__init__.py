"""Full-text search over the public records, with the same syntax and results on both databases.

The reader's text is parsed once (``claims.search.syntax``: words AND-ed, "phrases", OR, -word)
and rendered for the database in use, every term quoted or bound, never raw:

* PostgreSQL: a weighted ``SearchVector`` per model (A: title or name, B: the main text, C: the
  rest), stored by the database in a generated ``search_vector`` column with a GIN index
  (migration 0006), matched with ``phraseto_tsquery`` terms combined by ``&``, ``|`` and ``!``,
  ordered by ``SearchRank`` over the stored vector. A test checks that the plan uses the index.
* SQLite: an FTS5 table per model kept current by triggers (migration 0007, ``fts5.py``),
  matched with an FTS5 expression and ordered by ``bm25`` with the same A/B/C weights.

Both stem English words (plural and singular match), and both match a bare word of three or more
letters or digits as the start of a word too, so that ``llama`` finds ``llama2-7b`` (model names are
compounds the tokenizers keep whole; ``syntax.prefix_of``); the ranking puts the records that match
exactly above those that match only through a prefix. :func:`matching` narrows any queryset, so
visibility stays with the caller: the site searches ``objects.public()``; the API (``?search=``)
its own viewset's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from claims.models import AIModel, Claim, Dispute, EvidenceArtifact, FingerprintReport, Party
from claims.models.visibility import public_related
from claims.search import fts5, syntax
from provenance.fingerprint.headline import TIERS, VERDICT_TIERS

CONFIG = "english"
VECTOR_COLUMN = "search_vector"
MAX_QUERY_LENGTH = 200
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}  # PostgreSQL's default SearchRank weights
PREFIX_ONLY = 0.1  # a match through a prefix alone counts a tenth of an exact one

# model → [(field, weight)]. Changing one means a new migration for its stored vector (see 0006)
# and its FTS5 table (see 0007); 0012 added the original text and translation of claims and evidence.
FIELDS: dict[type, list[tuple[str, str]]] = {
    Dispute: [("title", "A"), ("summary", "B")],
    Claim: [("title", "A"), ("statement", "B"), ("original_text", "B"), ("translation", "B"), ("venue", "C")],
    Party: [("name", "A"), ("aliases", "A"), ("note", "B")],
    AIModel: [("name", "A"), ("hub_id", "B"), ("family", "B"), ("description", "C")],
    EvidenceArtifact: [("title", "A"), ("description", "B"), ("original_text", "B"), ("translation", "B")],
}
SECTIONS = [
    (Dispute, "disputes", "Disputes"),
    (Claim, "claims", "Claims"),
    (Party, "parties", "Parties"),
    (AIModel, "models", "AI models"),
    (EvidenceArtifact, "evidence", "Evidence"),
]
# What a result shows, and what ``is_public`` follows (an analysis's report and both its models).
RELATED = {
    Claim: ["dispute", "claimant"],
    EvidenceArtifact: ["author", *public_related(EvidenceArtifact)],
    AIModel: ["developer"],
}


@dataclass
class SearchSection:
    key: str
    title: str
    results: list


def matching(queryset: QuerySet, text: str, *, ranked: bool = False) -> QuerySet:
    """``queryset`` narrowed to the rows that match the reader's ``text`` (any string: see
    ``syntax``); with ``ranked``, best first (annotated ``rank``, higher is better). Text with
    nothing to require gives ``queryset.none()``, without a query."""
    parsed = syntax.parse(text[:MAX_QUERY_LENGTH])
    if not parsed:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        return _postgresql_match(queryset, parsed, ranked=ranked)
    return _sqlite_match(queryset, parsed, ranked=ranked)


def search_model(model: type, query: str) -> QuerySet:
    """Public records of ``model`` that match ``query``, best first."""
    records = model.objects.public().select_related(*RELATED.get(model, []))
    return matching(records, query, ranked=True)


def search_reports(query: str) -> QuerySet:
    """Public finished reports that compared a model the ``query`` finds (by the models' search
    fields, the same syntax) and, where the query names a verdict tier (``strong``, ``some``,
    ``none``: ``headline.TIERS``), whose verdict is in that tier; newest first. A query of tier
    words alone lists every report of those tiers."""
    from claims.selectors.records import report_queryset  # selectors import the models, as this does

    words = query.split()
    tiers = {word.lower() for word in words if word.lower() in TIERS}
    rest = " ".join(word for word in words if word.lower() not in TIERS)
    reports = report_queryset().filter(status=FingerprintReport.Status.SUCCEEDED)
    if tiers:
        reports = reports.filter(
            result__verdict__in=[v for v, tier in VERDICT_TIERS.items() if tier in tiers]
        )
    if syntax.parse(rest):
        models = matching(AIModel.objects.public(), rest)
        reports = reports.filter(Q(checkpoint_a__model__in=models) | Q(checkpoint_b__model__in=models))
    elif not tiers:
        return reports.none()
    return reports.order_by("-finished_at", "-pk")


def search(query: str, *, per_section: int = 20) -> list[SearchSection]:
    """Up to ``per_section`` matches of each kind of record, in one query per kind, then the
    reports (``search_reports``)."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    sections = [
        SearchSection(key, title, list(search_model(model, query)[:per_section]))
        for model, key, title in SECTIONS
    ]
    sections.append(
        SearchSection("reports", "Fingerprint reports", list(search_reports(query)[:per_section]))
    )
    return sections


# PostgreSQL ---------------------------------------------------------------------------------------


def stored_vector(model: type) -> RawSQL:
    """The table's stored ``search_vector`` column (PostgreSQL only; see migration 0006)."""
    return RawSQL(f'"{model._meta.db_table}"."{VECTOR_COLUMN}"', [], output_field=SearchVectorField())


def ts_query(parsed: syntax.ParsedQuery, *, prefixes: bool = True) -> SearchQuery:
    """``parsed`` as one tsquery; each term a bound ``phraseto_tsquery`` parameter, or with
    ``prefixes`` each ``syntax.prefix_of`` word a bound ``to_tsquery('word:*')`` (letters and digits
    only, so nothing in it is an operator)."""

    def phrase(text: str) -> SearchQuery:
        return SearchQuery(text, search_type="phrase", config=CONFIG)

    def required(text: str) -> SearchQuery:
        word = syntax.prefix_of(parsed, text) if prefixes else None
        return phrase(text) if word is None else SearchQuery(f"{word}:*", search_type="raw", config=CONFIG)

    query = reduce(and_, (reduce(or_, map(required, group)) for group in parsed.required))
    for text in parsed.excluded:
        query &= ~phrase(text)
    return query


def _postgresql_match(queryset: QuerySet, parsed: syntax.ParsedQuery, *, ranked: bool) -> QuerySet:
    # Matching uses the column's GIN index; ranking reads the stored vector instead of running
    # ``to_tsvector`` again on every matching row.
    query = ts_query(parsed)
    vector = stored_vector(queryset.model)
    queryset = queryset.alias(search=vector).filter(search=query)
    if not ranked:
        return queryset
    rank = SearchRank(vector, query)
    if syntax.has_prefixes(parsed):
        rank = SearchRank(vector, ts_query(parsed, prefixes=False)) + PREFIX_ONLY * rank
    return queryset.annotate(rank=rank).order_by("-rank", "pk")


# SQLite -------------------------------------------------------------------------------------------


def fts_index(model: type) -> fts5.FtsIndex:
    columns = tuple(model._meta.get_field(name).column for name, _weight in FIELDS[model])
    return fts5.FtsIndex(model._meta.db_table, model._meta.pk.column, columns)


def _sqlite_match(queryset: QuerySet, parsed: syntax.ParsedQuery, *, ranked: bool) -> QuerySet:
    model = queryset.model
    index = fts_index(model)
    expression = syntax.to_fts5(parsed)
    hits = RawSQL(f'SELECT rowid FROM "{index.name}" WHERE "{index.name}" MATCH %s', [expression])
    queryset = queryset.filter(pk__in=hits)
    if not ranked:
        return queryset
    # bm25 is lower-is-better: negated, so that ``rank`` orders the same way as on PostgreSQL.
    weights = ", ".join(str(WEIGHTS[weight]) for _name, weight in FIELDS[model])

    def rank_of(match: str) -> RawSQL:
        return RawSQL(
            f'SELECT -bm25("{index.name}", {weights}) FROM "{index.name}" '
            f'WHERE "{index.name}" MATCH %s AND rowid = "{index.table}"."{index.pk}"',
            [match],
            output_field=FloatField(),
        )

    rank = rank_of(expression)
    if syntax.has_prefixes(parsed):
        rank = Coalesce(rank_of(syntax.to_fts5(parsed, prefixes=False)), 0.0) + PREFIX_ONLY * rank
    return queryset.annotate(rank=rank).order_by("-rank", "pk")


def repair_sqlite_index(using: str = DEFAULT_DB_ALIAS, **_signal) -> None:
    """Restore the FTS5 triggers a table rebuild dropped, and re-index that table (``post_migrate``).

    One query when nothing is missing; nothing at all on PostgreSQL or before migration 0007.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(fts5.EXISTING_NAMES_SQL)
        existing = {name for (name,) in cursor.fetchall()}
        for model in FIELDS:
            index = fts_index(model)
            if index.lost_triggers(existing):
                # The index as the migrations left it, which after migrating backwards has fewer
                # columns than the current FIELDS (e.g. below 0012).
                cursor.execute(f'SELECT name FROM pragma_table_info("{index.name}")')
                index = fts5.FtsIndex(index.table, index.pk, tuple(name for (name,) in cursor.fetchall()))
                for statement in index.repair():
                    cursor.execute(statement)
