"""Search on the site: full text with weights and rank, tsvector (GIN-indexed) on PostgreSQL, FTS5 on
SQLite. The syntax and its table of cases: tests/test_search.py."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from claims import search
from claims.models import Claim
from tests.factories import (
    AIModelFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceArtifactFactory,
    PartyFactory,
)
from tests.site.browse_world import public_report

pytestmark = pytest.mark.django_db


def results(client, query: str) -> dict[str, list[str]]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return {s.key: [str(r) for r in s.results] for s in response.context["sections"]}


def test_searching_pangu_finds_the_demo_dispute_claims_models_and_evidence(client, demo):
    found = results(client, "Pangu")
    assert found["disputes"] == [demo.title]
    assert "Pangu Pro MoE" in found["models"]
    assert any("Pangu Pro MoE was derived" in title for title in found["claims"])
    assert any("technical report" in title for title in found["evidence"])


def test_search_covers_parties_by_alias(client, demo):
    assert results(client, "Honest AGI Community")["parties"] == ["HonestAGI"]


def test_search_leaves_out_drafts(client):
    ClaimFactory(title="Zanzibar draft")
    ClaimFactory(published=True, title="Zanzibar published")
    assert results(client, "Zanzibar") == {"claims": ["Zanzibar published"]}


def test_the_query_is_never_reflected_unescaped(client):
    payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    page = client.get("/search/", {"q": payload}).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_empty_or_overlong_query_is_harmless(client):
    assert client.get("/search/?q=").status_code == 200
    assert client.get("/search/", {"q": "x" * 10_000}).status_code == 200


def test_a_title_match_ranks_above_a_body_match(client):
    body = DisputeFactory(published=True, title="Another case", summary="Mentions quokka once.")
    title = DisputeFactory(published=True, title="The quokka case", summary="")
    assert results(client, "quokka")["disputes"] == [title.title, body.title]  # weight A beats weight B


def test_both_databases_stem_english_words(client):
    EvidenceArtifactFactory(published=True, title="Models were upcycled", description="")
    assert results(client, "upcycling") == {"evidence": ["Models were upcycled"]}  # both: upcycl
    assert results(client, "upcycled") == {"evidence": ["Models were upcycled"]}


def test_multi_word_queries_find_the_demo_records(client, demo):
    """The defect: on SQLite these found nothing (the whole text was one icontains)."""
    whistleblower = (
        "Anonymous whistleblower alleges continued training from other companies' models, Qwen among them"
    )
    assert results(client, "pangu moe")["models"] == ["Pangu Pro MoE"]
    assert results(client, '"Pangu Pro"')["models"] == ["Pangu Pro MoE"]
    assert results(client, '"Pro Pangu"') == {}
    either = results(client, "Pangu OR Qwen")["claims"]
    assert whistleblower in either and any("Pangu Pro MoE was derived" in title for title in either)
    assert whistleblower not in results(client, "Pangu OR Qwen -whistleblower")["claims"]


def test_the_stored_vectors_match_the_search_fields_and_are_gin_indexed():
    migration = importlib.import_module("claims.migrations.0006_search_vector_columns")
    later = importlib.import_module("claims.migrations.0012_original_language_desk")  # claims, evidence
    migrated = {**migration.SEARCH_FIELDS, **later.SEARCH_FIELDS}
    assert {m._meta.model_name: f for m, f in search.FIELDS.items()} == migrated
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Claim._meta.db_table)
    if connection.vendor == "postgresql":
        assert indexes["claim_search_gin"]["type"] == "gin"
        # The expression alone (without the status filter, whose own index wins on a tiny table).
        query = search.matching(Claim.objects.all(), "pangu qwen OR -llama").query
        sql, params = query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "claim_search_gin" in plan, plan
    else:
        assert "claim_search_gin" not in indexes
        assert "MATCH" in str(search.search_model(Claim, "pangu").query)


def test_the_party_search_uses_its_own_vector(client):
    PartyFactory(published=True, name="Plain name", note="Known as the quokka lab.")
    assert results(client, "quokka") == {"parties": ["Plain name"]}


def test_reports_are_found_by_their_models_names_and_verdict_tier(client):
    """A word inside a compound model name finds the model and its public reports; a tier word narrows
    them; a report that is not public (its evidence a draft) is never listed."""
    llama = AIModelFactory(published=True, name="llama2-7b")
    tuned = AIModelFactory(published=True, name="Vicuna-7B")
    qwen = AIModelFactory(published=True, name="Qwen2.5-14B")
    other = AIModelFactory(published=True, name="Mistral-7B")
    strong = public_report(llama, tuned, "lineage_supported")
    none = public_report(qwen, other, "no_evidence")
    public_report(llama, other, "lineage_supported", public=False)

    page = client.get("/search/", {"q": "llama"})
    reports = {s.key: s.results for s in page.context["sections"]}["reports"]
    assert reports == [strong]
    assert "llama2-7b" in {s.key: [str(r) for r in s.results] for s in page.context["sections"]}["models"]
    text = page.content.decode()
    assert strong.get_absolute_url() in text and "Verdict: lineage supported" in text

    assert search.search_reports("qwen").count() == 1
    assert list(search.search_reports("Qwen strong")) == []
    assert list(search.search_reports("strong")) == [strong]
    assert list(search.search_reports("none")) == [none]
    assert list(search.search_reports("zanzibar")) == []


def test_a_search_for_a_model_family_counts_its_results_in_words(client):
    AIModelFactory(published=True, name="llama2-7b")
    page = client.get("/search/", {"q": "llama"}).content.decode()
    assert "1 result for" in page
