"""Sentences the site writes itself read as English: articles and relation phrases."""

from __future__ import annotations

import pytest

from claims.models import AIModel
from claims.models.grammar import article, indefinite, quoted, relation_phrase
from tests.factories import AIModelFactory

EXPECTED = {
    "fine_tune": "a fine-tune of",
    "quantised": "a quantised version of",
    "merge": "a merge of",
    "distilled": "a distilled version of",
    "upcycled": "an upcycled version of",
    "pruned": "a pruned version of",
}


def test_every_relation_has_its_phrase():
    assert set(EXPECTED) == set(AIModel.Relation.values)


@pytest.mark.parametrize(("relation", "phrase"), EXPECTED.items())
def test_a_relation_reads_with_its_article(relation, phrase):
    assert relation_phrase(relation) == phrase


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("upcycled model", "an"),
        ("merge", "a"),
        ("unified model", "a"),
        ("hour", "an"),
        ("MoE", "a"),
        ("", "a"),
    ],
)
def test_the_article_follows_the_sound(phrase, expected):
    assert article(phrase) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("AI model", "an AI model"), ("evidence artifact", "an evidence artifact"), ("party", "a party"),
     ("draft", "a draft")],
)  # fmt: skip
def test_the_api_summaries_and_preview_banner_name_records_with_their_article(name, expected):
    assert indefinite(name) == expected


def test_no_relation_no_phrase():
    assert relation_phrase("") == ""
    assert indefinite("estimate") == "an estimate"


@pytest.mark.django_db
@pytest.mark.parametrize(("relation", "phrase"), EXPECTED.items())
def test_the_model_page_declares_each_relation_in_english(client, relation, phrase):
    base = AIModelFactory(published=True, name="Qwen2.5-14B")
    model = AIModelFactory(published=True, declared_base=base, declared_relation=relation)
    page = client.get(model.get_absolute_url()).content.decode()
    assert f'Declared as {phrase} <a href="{base.get_absolute_url()}">Qwen2.5-14B</a>.' in page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Title", "“Title”"),
        ("“Title”", "“Title”"),
        ('"Title"', '"Title"'),
        ("‘Title’", "‘Title’"),
        ("“Half” quoted", "““Half” quoted”"),
        ("", "“”"),
    ],
)
def test_a_text_is_quoted_once(text, expected):
    assert quoted(text) == expected
