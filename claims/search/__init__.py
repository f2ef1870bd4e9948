"""Full-text search over the public records, with the same syntax and results on both databases.

The reader's text is parsed once (``claims.search.syntax``: words AND-ed, "phrases", OR, -word)
and rendered for the database in use, every term quoted or bound, never raw:

* PostgreSQL: a weighted ``SearchVector`` per model (A: title or name, B: the main text, C: the
  rest), stored by the database in a generated ``search_vector`` column with a GIN index
  (migration 0006), matched with ``phraseto_tsquery`` terms combined by ``&``, ``|`` and ``!``,
  ordered by ``SearchRank`` over the stored vector. A test checks that the plan uses the index.
* SQLite: an FTS5 table per model kept current by triggers (migration 0007, ``fts5.py``),
  matched with an FTS5 expression and ordered by ``bm25`` with the same A/B/C weights.

Both stem English words (plural and singular match). :func:`matching` narrows any queryset, so
visibility stays with the caller: the site searches ``objects.public()``; the API (``?search=``)
its own viewset's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import FloatField, QuerySet
from django.db.models.expressions import RawSQL

from claims.models import AIModel, Claim, Dispute, EvidenceArtifact, Party
from claims.models.visibility import public_related
from claims.search import fts5, syntax

CONFIG = "english"
VECTOR_COLUMN = "search_vector"
MAX_QUERY_LENGTH = 200
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}  # PostgreSQL's default SearchRank weights

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


def search(query: str, *, per_section: int = 20) -> list[SearchSection]:
    """Up to ``per_section`` matches of each kind of record, in one query per kind."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    return [
        SearchSection(key, title, list(search_model(model, query)[:per_section]))
        for model, key, title in SECTIONS
    ]


# PostgreSQL ---------------------------------------------------------------------------------------


def stored_vector(model: type) -> RawSQL:
    """The table's stored ``search_vector`` column (PostgreSQL only; see migration 0006)."""
    return RawSQL(f'"{model._meta.db_table}"."{VECTOR_COLUMN}"', [], output_field=SearchVectorField())


def ts_query(parsed: syntax.ParsedQuery) -> SearchQuery:
    """``parsed`` as one tsquery; each term a bound ``phraseto_tsquery`` parameter."""

    def term(text: str) -> SearchQuery:
        return SearchQuery(text, search_type="phrase", config=CONFIG)

    query = reduce(and_, (reduce(or_, map(term, group)) for group in parsed.required))
    for text in parsed.excluded:
        query &= ~term(text)
    return query


def _postgresql_match(queryset: QuerySet, parsed: syntax.ParsedQuery, *, ranked: bool) -> QuerySet:
    # Matching uses the column's GIN index; ranking reads the stored vector instead of running
    # ``to_tsvector`` again on every matching row.
    query = ts_query(parsed)
    vector = stored_vector(queryset.model)
    queryset = queryset.alias(search=vector).filter(search=query)
    if not ranked:
        return queryset
    return queryset.annotate(rank=SearchRank(vector, query)).order_by("-rank", "pk")


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
    rank = RawSQL(
        f'SELECT -bm25("{index.name}", {weights}) FROM "{index.name}" '
        f'WHERE "{index.name}" MATCH %s AND rowid = "{index.table}"."{index.pk}"',
        [expression],
        output_field=FloatField(),
    )
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
