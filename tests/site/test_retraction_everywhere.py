"""A retracted claim is shown as retracted wherever it appears (issue 26), in one wording:
"Record retracted by Provenance on <date>" (``claims.models.public_state``), never a bare
"Retracted" beside an assessment that reads as if the claimant had withdrawn their statement.

Each assertion here failed before the one rendering existed: the model, party and evidence pages
listed the claim with only "✗ Assessment: refuted", the claims feed said "(refuted)", the claim page
emitted a ClaimReview rated "Refuted", and the dispute's change log left the retraction out."""

from __future__ import annotations

import re

import pytest

from claims.models import Claim
from claims.services import record_retract
from claims.views.sharing import _claim_card
from tests.factories import (
    AIModelFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceArtifactFactory,
    EvidenceLinkFactory,
    PartyFactory,
    editor,
)

pytestmark = pytest.mark.django_db

TITLE = "Model X was copied from model Y"
NOTE = "Sourced to a **forged** memo."
SAID = "Record retracted by Provenance on"


@pytest.fixture
def retracted() -> Claim:
    dispute = DisputeFactory(published=True, title="The copying case")
    claim = ClaimFactory(
        published=True,
        dispute=dispute,
        title=TITLE,
        claimant=PartyFactory(published=True, name="Accuser Lab"),
        subject_model=AIModelFactory(published=True, name="Model X"),
        assessment=Claim.Assessment.REFUTED,
        assessment_rationale="It does not hold.",
    )
    EvidenceLinkFactory(claim=claim, evidence=EvidenceArtifactFactory(published=True, title="The memo"))
    return record_retract(record=claim, user=editor(), note=NOTE)


def _items_naming(html: str, name: str) -> list[str]:
    """Each list item (or heading) of ``html`` that names ``name``."""
    blocks = re.findall(r"<(li|h[1-3])\b[^>]*>(.*?)</\1>", html, re.S)
    return [body for _tag, body in blocks if name in body]


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_model_party_and_evidence_pages_say_the_listed_claim_was_retracted(client, retracted):
    evidence = retracted.evidence_links.get().evidence
    for url in (
        retracted.subject_model.get_absolute_url(),
        retracted.claimant.get_absolute_url(),
        evidence.get_absolute_url(),
    ):
        items = _items_naming(_page(client, url), TITLE)
        assert items, url
        assert all(SAID in item for item in items), (url, items)


def test_the_claims_feeds_say_so_in_the_item(client, retracted):
    for feed in ("/feeds/claims.rss", "/feeds/claims.atom"):
        body = client.get(feed).content.decode()
        item = re.search(r"<(item|entry)\b.*?</\1>", body, re.S).group(0)
        assert TITLE in item and "record retracted by Provenance on" in item, item
        assert "forged" in item  # the note travels with it


def test_a_retracted_claim_emits_no_claim_review_anywhere(client, retracted):
    page = _page(client, retracted.get_absolute_url())
    assert "application/ld+json" not in page
    assert "ClaimReview" not in page
    feed = client.get("/api/v1/export/claimreview/").json()
    assert feed["@graph"] == []
    assert client.get(f"/api/v1/claims/{retracted.slug}/").json()["claim_review_rating"] is None


def test_a_claim_in_a_retracted_dispute_emits_no_claim_review(client):
    claim = ClaimFactory(published=True)
    record_retract(record=claim.dispute, user=editor(), note="The case was misreported.")
    assert "application/ld+json" not in _page(client, claim.get_absolute_url())
    assert client.get("/api/v1/export/claimreview/").json()["@graph"] == []


def test_the_change_logs_record_the_retraction_with_its_note(client, retracted):
    dispute_page = _page(client, retracted.dispute.get_absolute_url())
    log = dispute_page.split('id="log-title"', 1)[1]
    assert SAID in log and "<strong>forged</strong> memo" in log
    claim_log = _page(client, retracted.get_absolute_url()).split('id="log-title"', 1)[1]
    assert SAID in claim_log and "forged" in claim_log


def test_the_timeline_says_provenance_retracted_its_record_not_that_the_party_retracted(client, retracted):
    from claims.models.public_state import retraction_of  # (new with the one wording)

    page = _page(client, retracted.dispute.get_absolute_url())
    timeline = page.split('id="timeline-title"', 1)[1].split('id="log-title"', 1)[0]
    label = retraction_of(retracted).label
    assert label in timeline and f"{SAID} " in label
    assert ">Retracted<" not in timeline


def test_the_embed_card_and_api_carry_the_same_words(client, retracted):
    from claims.models.public_state import retraction_of  # (new with the one wording)

    label = retraction_of(retracted).label
    assert label in _page(client, f"/claims/{retracted.slug}/embed/")
    assert _claim_card(retracted).headline.startswith(label)
    body = client.get(f"/api/v1/claims/{retracted.slug}/").json()
    assert body["retraction"]["label"] == label and body["retraction"]["note"] == NOTE
    # A link to it, from another record, says so too.
    link = client.get(f"/api/v1/evidence-links/{retracted.evidence_links.get().pk}/").json()["claim"]
    assert link["retraction"]["label"] == label
    timeline = client.get(f"/api/v1/disputes/{retracted.dispute.slug}/timeline/").json()
    entry = next(e for e in timeline["entries"] if e["title"] == TITLE)
    assert entry["retraction"]["label"] == label
