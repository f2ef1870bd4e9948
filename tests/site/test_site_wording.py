"""Wording a reader cannot misread (issue 23): plural agreement, claim lines that say who claimed,
feed titles that name the claimant once, and no whole claim title set in capitals."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.factories import ClaimFactory, DisputeFactory, DisputePartyFactory, PartyFactory
from tests.site.test_site_pages import html, text_of

pytestmark = pytest.mark.django_db


def test_the_dispute_list_agrees_in_number_with_its_count(client):
    party = PartyFactory(published=True, slug="lab")
    first = DisputeFactory(published=True)
    DisputePartyFactory(dispute=first, party=party)
    assert "1 dispute matches these filters." in text_of(html(client.get("/disputes/?party=lab")))
    DisputePartyFactory(dispute=DisputeFactory(published=True), party=party)
    assert "2 disputes match these filters." in text_of(html(client.get("/disputes/?party=lab")))


def test_a_claim_line_says_who_made_the_claim_not_who_did_the_deed(client):
    ClaimFactory(
        published=True,
        kind="misrepresented_training",
        claimant=PartyFactory(published=True, name="Anonymous whistleblower"),
        title="The lab trained on other companies' models",
    )
    page = text_of(html(client.get("/claims/")))
    assert "Claim (misrepresented training), made by Anonymous whistleblower" in page
    assert "misrepresented training by Anonymous whistleblower" not in page


def test_a_feed_names_the_claimant_once(client):
    claimant = PartyFactory(published=True, name="HonestAGI")
    ClaimFactory(published=True, claimant=claimant, title="HonestAGI: Pangu was upcycled from Qwen")
    ClaimFactory(published=True, claimant=claimant, title="The weights correlate")
    feed = client.get("/feeds/claims.rss").content.decode()
    titles = re.findall(r"<title>(.*?)</title>", feed)
    assert "HonestAGI: Pangu was upcycled from Qwen (assessment: unverified)" in titles
    assert "HonestAGI: The weights correlate (assessment: unverified)" in titles
    assert not any(t.count("HonestAGI") > 1 for t in titles)


def test_the_timeline_sets_only_the_kind_word_in_capitals_never_a_title(client):
    allegation = ClaimFactory(published=True, title="Pangu was derived from Qwen", made_on=date(2025, 7, 2))
    ClaimFactory(
        published=True,
        dispute=allegation.dispute,
        kind="denial",
        responds_to=allegation,
        claimant=PartyFactory(published=True, name="Noah's Ark Lab"),
        title="We trained it ourselves",
        made_on=date(2025, 7, 5),
    )
    page = html(client.get(allegation.dispute.get_absolute_url()))
    kinds = re.findall(r'<span class="kind">(.*?)</span>', page)
    assert kinds == ["Claim", "Denial"]  # nothing else is in the uppercase span
    css = (Path(__file__).parents[2] / "static/css/site.css").read_text()
    rule = re.search(r"\.event-kind \{[^}]*\}", css).group(0)
    assert "uppercase" not in rule  # the line with "in answer to <title>" is not capitalised
    assert "— in answer to Pangu was derived from Qwen" in text_of(page)


def test_a_models_description_comes_before_its_lineage_map(client):
    from tests.factories import AIModelFactory

    model = AIModelFactory(published=True, description="A model described in its own words.")
    page = html(client.get(model.get_absolute_url()))
    assert page.index("A model described in its own words.") < page.index("Declared lineage")
