"""A quote in its original language and its translation: validation, pages, API, search."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from claims import search
from claims.models import Claim, EvidenceArtifact
from claims.models.language import language_name, validate_language_tag
from tests.factories import ClaimFactory, EvidenceArtifactFactory, editor

pytestmark = pytest.mark.django_db

# A rebuttal of the kind the founding dispute saw, and a translation of it.
ORIGINAL = "盘古Pro MoE开源模型是基于昇腾硬件平台开发、训练的基础大模型，并非基于其他厂商模型增量训练而来。"
TRANSLATION = (
    "The Pangu Pro MoE open-source model is a foundation model developed and trained on the Ascend platform."
)
QUOTE = {
    "original_language": "zh-Hans",
    "original_text": ORIGINAL,
    "translation": TRANSLATION,
    "translator": "Ada Editor",
}


@pytest.mark.parametrize("tag", ["zh", "zh-Hans", "en", "en-GB", "es-419", "sr-Latn-RS", "de-CH-1901", "yue"])
def test_it_accepts_language_tags_pages_use(tag):
    validate_language_tag(tag)


@pytest.mark.parametrize("tag", ["chinese", "z", "zh_CN", "zh-", "-zh", "en-US-x-private", "zh Hans", "中文"])
def test_it_refuses_what_is_not_a_language_tag(tag):
    with pytest.raises(ValidationError, match="BCP 47"):
        validate_language_tag(tag)


def test_it_names_languages_in_english():
    assert language_name("zh-Hans") == "Simplified Chinese"
    assert language_name("zh") == "Chinese"
    assert language_name("de-CH") == "German"
    assert language_name("tlh") == "tlh"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"original_text": ORIGINAL}, "needs its language tag"),
        ({"original_language": "zh"}, "needs its language tag"),
        ({"translation": TRANSLATION, "translator": "Ada"}, "needs the original text"),
        ({**QUOTE, "translator": ""}, "Say who translated it"),
        (
            {"original_language": "zh", "original_text": ORIGINAL, "machine_translation": True},
            "Only a translation",
        ),
        ({**QUOTE, "original_language": "Chinese"}, "BCP 47"),
    ],
)
def test_a_quote_and_its_translation_are_complete_or_refused(fields, message):
    claim = ClaimFactory.build(dispute=ClaimFactory(published=True).dispute, **fields)
    claim.claimant.save()
    with pytest.raises(ValidationError, match=message):
        claim.full_clean()


def test_the_database_refuses_a_translation_without_its_translator():
    with transaction.atomic(), pytest.raises(IntegrityError):
        EvidenceArtifactFactory(**{**QUOTE, "translator": ""})


def test_the_claim_page_shows_the_original_in_its_language_and_who_translated_it(client):
    claim = ClaimFactory(published=True, **QUOTE)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert (
        f'<blockquote class="original-text" lang="zh-Hans" dir="auto"><p>{ORIGINAL}</p></blockquote>' in page
    )
    assert f'<blockquote class="translation-text" lang="en"><p>{TRANSLATION}</p></blockquote>' in page
    assert "Original, in Simplified Chinese" in page
    assert "Translation by Ada Editor." in page
    assert "Machine translation" not in page


def test_the_evidence_page_labels_a_machine_translation_as_such(client):
    evidence = EvidenceArtifactFactory(
        published=True, **{**QUOTE, "translator": "DeepL", "machine_translation": True}
    )
    page = client.get(evidence.get_absolute_url()).content.decode()
    assert 'lang="zh-Hans"' in page
    assert '<strong class="machine-translation-label">Machine translation</strong>, made with DeepL' in page
    assert "Translation by" not in page


def test_a_record_without_an_original_shows_no_such_section(client):
    page = client.get(ClaimFactory(published=True).get_absolute_url()).content.decode()
    assert "In the original language" not in page


def test_the_api_exposes_both_and_editors_write_them():
    claim = ClaimFactory(published=True, **{**QUOTE, "machine_translation": True, "translator": "DeepL"})
    data = APIClient().get(f"/api/v1/claims/{claim.slug}/").json()
    assert {k: data[k] for k in ("original_language", "original_text", "translation", "translator")} == {
        **QUOTE,
        "translator": "DeepL",
    }
    assert data["machine_translation"] is True

    evidence = EvidenceArtifactFactory(published=True)
    api = APIClient()
    api.force_authenticate(editor())
    response = api.patch(f"/api/v1/evidence/{evidence.slug}/", QUOTE, format="json")
    assert response.status_code == 200, response.content
    evidence.refresh_from_db()
    assert (evidence.original_language, evidence.translation) == ("zh-Hans", TRANSLATION)
    refused = api.patch(f"/api/v1/evidence/{evidence.slug}/", {"original_language": "Chinese"}, format="json")
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["original_language"]


def test_the_openapi_schema_documents_the_fields():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    claim = schema["components"]["schemas"]["Claim"]["properties"]
    assert "BCP 47" in claim["original_language"]["description"]
    assert claim["machine_translation"]["type"] == "boolean"
    assert "translation" in schema["components"]["schemas"]["Evidence"]["properties"]


@pytest.mark.parametrize(
    "model, factory", [(Claim, ClaimFactory), (EvidenceArtifact, EvidenceArtifactFactory)]
)
def test_search_finds_a_record_by_its_original_or_its_translation(model, factory):
    record = factory(published=True, **QUOTE)
    factory(published=True)  # another record, found by neither
    assert list(search.search_model(model, "Ascend foundation model")) == [record]  # the translation
    assert list(search.search_model(model, "并非基于其他厂商模型增量训练而来")) == [record]  # the original
    record.translation = "Rewritten without the platform's name."
    record.save()  # the index follows every write
    assert list(search.search_model(model, "Ascend")) == []
    assert list(search.search_model(model, "platform")) == [record]
    assert connection.vendor in {"sqlite", "postgresql"}
