"""Full-text search over the public records.

PostgreSQL: a weighted ``SearchVector`` per model (A: title or name, B: the main text, C: the rest),
stored by the database in a generated ``search_vector`` column with a GIN index (migration 0006),
matched with ``websearch_to_tsquery`` (quotes, OR and -minus work as readers expect) and ordered by
``SearchRank`` over the stored vector. A test checks that the plan uses the index.

SQLite (local runs, tests): a plain ``icontains`` over the same fields, ordered by title.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from claims.models import AIModel, Claim, Dispute, EvidenceArtifact, Party

CONFIG = "english"
VECTOR_COLUMN = "search_vector"
MAX_QUERY_LENGTH = 200

# model → [(field, weight)]. Changing one means a new migration for its stored vector (see 0006).
FIELDS: dict[type, list[tuple[str, str]]] = {
    Dispute: [("title", "A"), ("summary", "B")],
    Claim: [("title", "A"), ("statement", "B"), ("venue", "C")],
    Party: [("name", "A"), ("aliases", "A"), ("note", "B")],
    AIModel: [("name", "A"), ("hub_id", "B"), ("family", "B"), ("description", "C")],
    EvidenceArtifact: [("title", "A"), ("description", "B")],
}
SECTIONS = [
    (Dispute, "disputes", "Disputes"),
    (Claim, "claims", "Claims"),
    (Party, "parties", "Parties"),
    (AIModel, "models", "AI models"),
    (EvidenceArtifact, "evidence", "Evidence"),
]
RELATED = {
    Claim: ["dispute", "claimant"],
    EvidenceArtifact: ["author", "report__checkpoint_a__model", "report__checkpoint_b__model"],
    AIModel: ["developer"],
}


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


@dataclass
class SearchSection:
    key: str
    title: str
    results: list


def stored_vector(model: type) -> RawSQL:
    """The table's stored ``search_vector`` column (PostgreSQL only; see migration 0006)."""
    return RawSQL(f'"{model._meta.db_table}"."{VECTOR_COLUMN}"', [], output_field=SearchVectorField())


def full_text_match(queryset: QuerySet, query: str) -> QuerySet:
    """``queryset`` (PostgreSQL) narrowed to rows whose stored vector matches ``query``, ranked.

    Matching uses the column's GIN index; ranking reads the stored vector instead of running
    ``to_tsvector`` again on every matching row.
    """
    ts_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    vector = stored_vector(queryset.model)
    return (
        queryset.annotate(search=vector)
        .filter(search=ts_query)
        .annotate(rank=SearchRank(vector, ts_query))
        .order_by("-rank", "pk")
    )


def search_model(model: type, query: str) -> QuerySet:
    """Public records of ``model`` that match ``query``, best first."""
    records = model.objects.public().select_related(*RELATED.get(model, []))
    if uses_full_text():
        return full_text_match(records, query)
    condition = Q()
    for name, _weight in FIELDS[model]:
        condition |= Q(**{f"{name}__icontains": query})
    return records.filter(condition).order_by("pk")


def search(query: str, *, per_section: int = 20) -> list[SearchSection]:
    """Up to ``per_section`` matches of each kind of record, in one query per kind."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    return [
        SearchSection(key, title, list(search_model(model, query)[:per_section]))
        for model, key, title in SECTIONS
    ]
