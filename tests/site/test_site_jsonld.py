"""The claim page's schema.org ClaimReview: it parses, has the required properties, and is inert."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from claims.models import Claim
from tests.factories import ClaimFactory, EvidenceArtifactFactory, PartyFactory
from tests.site.conftest import DEMO_CLAIM

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def claim_review(client, claim: Claim) -> dict:
    page = client.get(claim.get_absolute_url()).content.decode()
    blocks = SCRIPT.findall(page)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_the_claim_review_carries_the_required_properties(client, demo):
    claim = Claim.objects.get(slug=DEMO_CLAIM)
    data = claim_review(client, claim)
    assert data["@context"] == "https://schema.org" and data["@type"] == "ClaimReview"
    assert data["url"] == f"http://testserver{claim.get_absolute_url()}"
    assert data["claimReviewed"] == claim.title
    assert data["author"] == {"@type": "Organization", "name": "Provenance", "url": "http://testserver/"}
    assert date.fromisoformat(data["datePublished"]) == claim.published_at.date()

    item = data["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"]["name"] == "HonestAGI" and item["author"]["@type"] == "Organization"
    assert item["datePublished"] == "2025-07-02"  # the paper's arXiv submission, known to the day
    assert item["appearance"][0]["url"] == "https://arxiv.org/abs/2507.03014"

    rating = data["reviewRating"]
    assert rating == {
        "@type": "Rating",
        "ratingValue": 3,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Contested",
    }


def test_an_unverified_claim_gets_a_rating_name_but_no_number(client):
    claimant = PartyFactory(published=True, kind="person", name="Jane Doe")
    claim = ClaimFactory(published=True, claimant=claimant, made_on=date(2025, 7, 5))
    data = claim_review(client, claim)
    assert data["reviewRating"]["alternateName"] == "Unverified" and "ratingValue" not in data["reviewRating"]
    assert (
        data["itemReviewed"]["author"]["@type"] == "Person"
        and data["itemReviewed"]["datePublished"] == "2025-07-05"
    )


def test_text_that_closes_the_script_element_is_escaped(client):
    source = EvidenceArtifactFactory(published=True, title="</script><script>alert(1)</script>", url="")
    claim = ClaimFactory(published=True, title="A </script><b>bold</b> & claim", source=source)
    page = client.get(claim.get_absolute_url()).content.decode()
    block = SCRIPT.search(page).group(1)
    assert "</" not in block and "<" not in block
    data = json.loads(block)
    assert data["claimReviewed"] == "A </script><b>bold</b> & claim"
    assert data["itemReviewed"]["appearance"][0]["name"] == source.title


def test_a_draft_previewed_by_an_editor_has_no_claim_review(editor_client):
    page = editor_client.get(ClaimFactory().get_absolute_url()).content.decode()
    assert "Preview." in page and "application/ld+json" not in page
