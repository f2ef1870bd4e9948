"""Search (claims/search): the search box's syntax gives the same results on SQLite (FTS5) and on
PostgreSQL (tsvector), on the site and in the API. Run this file on both databases: the table of
cases is the same; nothing here depends on which database answers."""

from __future__ import annotations

import importlib
import itertools
import sqlite3

import pytest
from django.core.cache import caches
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connection

from claims import search
from claims.models import EvidenceArtifact
from claims.search import fts5, syntax
from tests.factories import EvidenceArtifactFactory

REPORT = "Pangu Pro MoE technical report"
RELEASE = "Qwen2.5 release notes"
COMPARED = "Pangu and Qwen compared"
TIPS = "Pro tips for MoE training"
CHINESE = "华为 盘古 大模型"
CORPUS = {
    REPORT: "Huawei describes the Pangu model.",
    RELEASE: "Alibaba releases Qwen models.",
    COMPARED: "Attention weights of pangu and qwen side by side.",
    TIPS: "How to train a mixture of experts.",
    CHINESE: "Chinese press coverage.",
}
NOTHING: set[str] = set()

# query → the titles it finds. Words are AND-ed; OR binds the two terms beside it; -term excludes;
# every other character is text; a query with nothing to require finds nothing.
CASES = [
    ("pangu qwen", {COMPARED}),
    ("PANGU Qwen", {COMPARED}),
    ('"Pangu Pro"', {REPORT}),
    ('"pro pangu"', NOTHING),  # a phrase keeps its order
    ("pangu OR qwen", {REPORT, RELEASE, COMPARED}),
    ("pangu or qwen", {REPORT, RELEASE, COMPARED}),
    ("moe pangu OR qwen", {REPORT}),  # moe AND (pangu OR qwen)
    ("pangu -qwen", {REPORT}),
    ('pangu -"side by side"', {REPORT}),
    ("pangu OR -qwen", {REPORT}),
    ("qwen OR", {RELEASE, COMPARED}),
    ("models", {REPORT, RELEASE}),  # stemmed: model, models
    ("model", {REPORT, RELEASE}),
    ("release", {RELEASE}),  # releases, release
    ("Qwen2.5", {RELEASE}),
    ("pang", {REPORT, COMPARED}),  # a bare word of 3+ letters also matches as a prefix
    ("pang*", {REPORT, COMPARED}),
    ('"pang"', NOTHING),  # a quoted word matches exactly
    ("pangu -pang", {REPORT, COMPARED}),  # an exclusion matches exactly
    ("pa", NOTHING),  # under three characters: no prefix
    ("pangu*", {REPORT, COMPARED}),
    ("盘古", {CHINESE}),
    ("华为盘古", NOTHING),
    ("Ünïcödé ☃ 🙂", NOTHING),
    ('"Pangu Pro', {REPORT}),  # an unclosed quote runs to the end
    ('pangu "', {REPORT, COMPARED}),
    ('pan"gu', NOTHING),
    ("", NOTHING),
    ("   ", NOTHING),
    ("OR", NOTHING),
    ("OR OR -", NOTHING),
    ('""', NOTHING),
    ("-pangu", NOTHING),  # only an exclusion: nothing to require
    ("--pangu", NOTHING),
    ("*", NOTHING),
    (":", NOTHING),
    ("^", NOTHING),
    ("(", NOTHING),
    (")", NOTHING),
    ("NEAR(", NOTHING),
    ("NEAR(pangu qwen)", NOTHING),  # near is a word here, and no record has it
    ("^pangu", {REPORT, COMPARED}),
    ("title:pangu", NOTHING),
    ("(pangu) (qwen)", {COMPARED}),
    ("pangu + qwen", {COMPARED}),
    ("{title description}: pangu", NOTHING),
    ("pangu'); DROP TABLE claims_evidenceartifact; --", NOTHING),
    ("OR " * 100, NOTHING),
]


@pytest.fixture
def corpus(db):
    for title, description in CORPUS.items():
        EvidenceArtifactFactory(published=True, title=title, description=description)
    EvidenceArtifactFactory(title="Pangu Qwen draft", description="pangu qwen models release")


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[repr(q[:30]) for q, _ in CASES])
def test_the_site_and_the_api_find_the_same_records_on_either_database(client, corpus, query, expected):
    page = client.get("/search/", {"q": query})
    assert page.status_code == 200
    site = {str(r) for s in page.context["sections"] for r in s.results}
    assert site == expected

    caches["api_throttle"].clear()
    answer = client.get("/api/v1/evidence/", {"search": query})
    assert answer.status_code == 200, answer.content
    assert {r["title"] for r in answer.json()["results"]} == (expected if query.strip() else set(CORPUS))


def test_a_title_match_ranks_above_a_body_match(db):
    body = EvidenceArtifactFactory(published=True, title="Another paper", description="Mentions quokka once.")
    title = EvidenceArtifactFactory(published=True, title="The quokka paper", description="")
    found = search.search_model(EvidenceArtifact, "quokka")
    assert list(found) == [title, body]  # weight A (title) beats weight B (description)


COMPOUNDS = [
    "llama2-7b fine-tune notes",
    "Qwen2.5-14B weights",
    "all-MiniLM-L6-v2 int8 export",
    "Llama licence",
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("llama", ["Llama licence", "llama2-7b fine-tune notes"]),  # the exact match first
        ("Qwen", ["Qwen2.5-14B weights"]),
        ("minilm", ["all-MiniLM-L6-v2 int8 export"]),
        ("llama2", ["llama2-7b fine-tune notes"]),
        ('"llama"', ["Llama licence"]),
        ("llama -licence", ["llama2-7b fine-tune notes"]),
        ("qwe OR minilm", ["Qwen2.5-14B weights", "all-MiniLM-L6-v2 int8 export"]),
    ],
)
def test_words_inside_compound_model_names_are_found_on_either_database(client, db, query, expected):
    for title in COMPOUNDS:
        EvidenceArtifactFactory(published=True, title=title, description="")
    found = [str(record) for record in search.search_model(EvidenceArtifact, query)]
    if len(expected) == 2 and "OR" in query:
        assert sorted(found) == sorted(expected)
    else:
        assert found == expected
    answer = client.get("/api/v1/evidence/", {"search": query}).json()
    assert {r["title"] for r in answer["results"]} == set(expected)


def test_search_follows_every_write(db):
    record = EvidenceArtifactFactory(published=True, title="Okapi sighting", description="")
    EvidenceArtifact.objects.filter(pk=record.pk).update(title="Bongo sighting")
    assert list(search.search_model(EvidenceArtifact, "bongo")) == [record]
    assert list(search.search_model(EvidenceArtifact, "okapi")) == []
    record.description = "An okapi after all."
    record.save()
    assert list(search.search_model(EvidenceArtifact, "okapi")) == [record]
    record.delete()
    assert list(search.search_model(EvidenceArtifact, "okapi")) == []


def test_the_api_searches_the_rows_its_reader_may_see(client, corpus, django_user_model):
    editor = django_user_model.objects.create_superuser("chief", "chief@example.org", "x")
    client.force_login(editor)
    answer = client.get("/api/v1/evidence/", {"search": "pangu qwen"}).json()
    assert {r["title"] for r in answer["results"]} == {COMPARED, "Pangu Qwen draft"}


def test_an_index_that_lost_its_triggers_is_repaired_after_migrate(db):
    """Django rebuilds a SQLite table (copy, drop, rename) for many schema changes, and the drop
    takes the table's triggers with it; the next ``migrate`` puts them back and re-indexes."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in search.fts_index(EvidenceArtifact).drop_triggers():
                cursor.execute(statement)
    record = EvidenceArtifactFactory(published=True, title="Okapi sighting", description="")
    if connection.vendor == "sqlite":
        assert list(search.search_model(EvidenceArtifact, "okapi")) == []  # the write went unseen
    emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    assert list(search.search_model(EvidenceArtifact, "okapi")) == [record]


def test_the_fts5_tables_have_the_search_fields_and_the_plan_uses_them(db):
    migration = importlib.import_module("claims.migrations.0007_search_fts5")
    later = importlib.import_module("claims.migrations.0012_original_language_desk")  # claims, evidence
    migrated = {**migration.SEARCH_FIELDS, **{k: [n for n, _w in f] for k, f in later.SEARCH_FIELDS.items()}}
    assert {m._meta.model_name: [n for n, _w in f] for m, f in search.FIELDS.items()} == migrated
    tables = connection.introspection.table_names()
    if connection.vendor == "sqlite":
        assert "claims_evidenceartifact_fts" in tables
        sql, params = search.search_model(EvidenceArtifact, "pangu").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert "SCAN claims_evidenceartifact_fts VIRTUAL TABLE" in plan, plan
    else:
        assert "claims_evidenceartifact_fts" not in tables  # 0007 does nothing on PostgreSQL


# The parser, without a database.

PARSED = [
    ("pangu qwen", (("pangu",), ("qwen",)), ()),
    ('"Pangu  Pro" moe', (("Pangu Pro",), ("moe",)), ()),
    ("a OR b c", (("a", "b"), ("c",)), ()),
    ("a or b OR c", (("a", "b", "c"),), ()),
    ("OR a OR OR b OR", (("a", "b"),), ()),
    ('a -b -"c d" e', (("a",), ("e",)), ("b", "c d")),
    ("-b OR a", (("a",),), ("b",)),
    ("gpt-4", (("gpt-4",),), ()),
    ('say "unclosed phrase', (("say",), ("unclosed phrase",)), ()),
    ("* : ^ ( ) - _ --", (), ()),
    ("NEAR(a b)", (("NEAR(a",), ("b)",)), ()),
]


@pytest.mark.parametrize(("text", "required", "excluded"), PARSED)
def test_the_parser_reads_words_phrases_or_and_minus(text, required, excluded):
    assert syntax.parse(text) == syntax.ParsedQuery(required, excluded)


def test_bare_words_reach_fts5_as_quoted_prefixes_and_quoted_words_as_words():
    parsed = syntax.parse('llama* "qwen" OR ab -pangu')
    assert syntax.to_fts5(parsed) == '(("llama" *) AND ("qwen" OR "ab")) NOT ("pangu")'
    assert syntax.to_fts5(parsed, prefixes=False) == '(("llama*") AND ("qwen" OR "ab")) NOT ("pangu")'


def test_every_term_reaches_fts5_as_a_quoted_string():
    parsed = syntax.parse('NEAR(a b) -"c*" OR d:e')
    assert syntax.to_fts5(parsed) == '(("NEAR(a") AND ("b)") AND ("d:e")) NOT ("c*")'


def test_no_text_makes_fts5_raise():
    """Every string of up to three pieces of FTS5's syntax is a valid MATCH once parsed."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='{fts5.TOKENIZE}')")
    db.execute("INSERT INTO t VALUES ('pangu and qwen', 'near 5')")
    pieces = [
        '"',
        "-",
        "*",
        ":",
        "^",
        "(",
        ")",
        "+",
        "{",
        "}",
        "NEAR",
        "AND",
        "NOT",
        "OR",
        "a",
        "5",
        " ",
        "'",
    ]
    tried = 0
    for size in (1, 2, 3):
        for combination in itertools.product(pieces, repeat=size):
            parsed = syntax.parse("".join(combination))
            if parsed:
                db.execute("SELECT rowid FROM t WHERE t MATCH ?", [syntax.to_fts5(parsed)]).fetchall()
                tried += 1
    assert tried > 1000
