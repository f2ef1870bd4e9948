"""Where things stand: the box at the top of a dispute page (claims.selectors.standing)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from claims import services
from claims.models import RightOfReply
from claims.selectors import dispute_page
from claims.selectors.standing import dispute_standing
from tests.factories import (
    AIModelFactory,
    ClaimFactory,
    DisputeFactory,
    DisputePartyFactory,
    EvidenceLinkFactory,
    PartyFactory,
    RightOfReplyFactory,
    editor,
)
from tests.site.browse_world import public_report
from tests.site.test_site_pages import html, text_of

pytestmark = pytest.mark.django_db


def box_of(client, dispute) -> str:
    page = html(client.get(dispute.get_absolute_url()))
    box = re.search(r'<section class="standing".*?</section>', page, re.S)
    assert box, "no 'Where things stand' box"
    return text_of(box.group(0))


@pytest.fixture
def world():
    dispute = DisputeFactory(published=True, title="Example Lab's model")
    accuser = PartyFactory(published=True, name="Example Accuser")
    accused = PartyFactory(published=True, name="Example Lab")
    holder = PartyFactory(published=True, name="Rights Holder Inc")
    silent = PartyFactory(published=True, name="Quiet Analyst")
    for party, role in [
        (accuser, "accuser"),
        (accused, "accused"),
        (holder, "rights_holder"),
        (silent, "analyst"),
    ]:
        DisputePartyFactory(dispute=dispute, party=party, role=role)
    base, derived = (
        AIModelFactory(published=True, name="Base-7B"),
        AIModelFactory(published=True, name="Derived-7B"),
    )
    allegation = ClaimFactory(
        subject_model=derived,
        alleged_source_model=base,
        published=True,
        dispute=dispute,
        claimant=accuser,
        kind="derived_from",
        title="The model was derived from Base-7B",
        made_on=date(2025, 7, 2),
        assessment="contested",
        assessment_rationale="Both sides have published analyses.",
    )
    ClaimFactory(
        published=True,
        dispute=dispute,
        claimant=accuser,
        kind="other",
        title="The licence was breached",
        made_on=date(2025, 7, 3),
        assessment="unverified",
    )
    denial = ClaimFactory(
        published=True,
        dispute=dispute,
        claimant=accused,
        kind="denial",
        responds_to=allegation,
        title="We trained it from scratch",
        made_on=date(2025, 7, 5),
    )
    RightOfReplyFactory(
        claim=allegation,
        party=holder,
        asked_on=date(2025, 7, 4),
        outcome=RightOfReply.Outcome.NO_RESPONSE,
        outcome_on=date(2025, 7, 7),
    )
    base, derived = (
        AIModelFactory(published=True, name="Base-7B"),
        AIModelFactory(published=True, name="Derived-7B"),
    )
    weak = public_report(base, derived, "suggestive")
    strong = public_report(base, derived, "lineage_supported")
    public_report(base, derived, "shared_weights", public=False)  # a draft analysis: never shown
    EvidenceLinkFactory(claim=allegation, evidence=weak.evidence)
    EvidenceLinkFactory(claim=allegation, evidence=strong.evidence)
    return {"dispute": dispute, "allegation": allegation, "denial": denial, "strong": strong}


def test_the_box_states_the_allegation_assessments_strongest_evidence_and_each_partys_latest_word(
    client, world
):
    box = box_of(client, world["dispute"])
    assert box.strip().startswith("Where things stand")
    assert "Allegation The model was derived from Base-7B — Example Accuser, 2 July 2025" in box
    assert "Assessment: contested The model was derived from Base-7B" in box
    assert "Assessment: unverified The licence was breached" in box
    assert "We trained it from scratch" not in box.split("Latest word")[0]  # a denial is no allegation
    assert "Strongest evidence Strong evidence of a common origin: Analysis Base-7B vs Derived-7B" in box
    assert "Verdict: lineage supported" in box and "shared weights" not in box
    words = box.split("Latest word of each party")[1]
    assert "Example Accuser, 3 July 2025: “The licence was breached”" in words
    assert "Example Lab, 5 July 2025: denial, “We trained it from scratch”" in words
    assert "Rights Holder Inc did not respond as of 7 July 2025." in words
    assert "Quiet Analyst (analyst): nothing on record yet." in words
    assert words.index("Example Accuser") < words.index("Example Lab") < words.index("Rights Holder")
    assert "Last change" in box


def test_a_retracted_claim_is_no_longer_a_central_claim_but_the_box_says_so_when_it_was_the_allegation(
    client, world
):
    services.record_retract(record=world["allegation"], user=editor(), note="It misquoted its source.")
    box = box_of(client, world["dispute"])
    assert "Allegation The model was derived from Base-7B Record retracted by Provenance" in box
    central = box.split("Assessment ")[1].split("Strongest evidence")[0]  # "Assessment" alone: one claim
    assert "The licence was breached" in central and "derived from Base-7B" not in central


def test_the_box_costs_no_query_and_says_what_is_missing_on_an_empty_dispute(
    client, django_assert_num_queries
):
    dispute = DisputeFactory(published=True)
    page = dispute_page(dispute=dispute)
    with django_assert_num_queries(0):
        standing = dispute_standing(page)
    assert standing.allegation is None and standing.strongest is None and standing.words == []
    box = box_of(client, dispute)
    assert "No claim is published yet." in box and "No fingerprint report on record yet." in box


def test_the_allegation_is_the_derivation_claim_even_when_a_vaguer_claim_sorts_first(client, world):
    """A claim dated only to its month sorts as the 1st: it must not displace the dispute's
    allegation that a model was derived from another."""
    ClaimFactory(
        published=True,
        dispute=world["dispute"],
        kind="misrepresented_training",
        title="Someone trained on other models",
        made_on=date(2025, 7, 1),
        date_precision="month",
    )
    box = box_of(client, world["dispute"])
    assert "Allegation The model was derived from Base-7B" in box
    central = box.split("Assessments ")[1].split("Strongest evidence")[0]
    assert central.index("derived from Base-7B") < central.index("Someone trained") < central.index("licence")
