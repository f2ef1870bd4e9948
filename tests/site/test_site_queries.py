"""Query counts: a page makes the same number of queries for 2 related rows and for 30.

Each test builds the same shape at two sizes and asserts the same bound for both; the bound is
the count at the small size, so a query per row fails at the large one.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AIModelFactory,
    ClaimFactory,
    DisputeFactory,
    DisputePartyFactory,
    EvidenceArtifactFactory,
    EvidenceLinkFactory,
    PartyFactory,
    RightOfReplyFactory,
)
from tests.site.browse_world import public_report

pytestmark = pytest.mark.django_db
SMALL, LARGE = 2, 30


def count_queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def dispute_with(n: int):
    """A public dispute with ``n`` claims, each with a response, two evidence links and a reply."""
    dispute = DisputeFactory(published=True, summary="Pangu case")
    model = AIModelFactory(published=True)
    dispute.models_at_stake.add(model)
    party = PartyFactory(published=True)
    for i in range(n):
        DisputePartyFactory(dispute=dispute, party=PartyFactory(published=True))
        claim = ClaimFactory(
            published=True,
            dispute=dispute,
            claimant=party,
            made_on=date(2025, 1, 1 + i % 28),
            subject_model=model,
        )
        claim.source = EvidenceArtifactFactory(published=True, author=party)
        claim.save()
        ClaimFactory(
            published=True, dispute=dispute, responds_to=claim, kind="denial", title=f"Pangu answer {i}"
        )
        for stance in ("supports", "refutes"):
            EvidenceLinkFactory(claim=claim, evidence=EvidenceArtifactFactory(published=True), stance=stance)
        RightOfReplyFactory(
            claim=claim, party=party, asked_by=party, outcome="no_response", outcome_on=date(2025, 2, 1)
        )
    return dispute, model, party


def queries_at_both_sizes(client, url_for) -> tuple[int, int]:
    small = count_queries(client, url_for(*dispute_with(SMALL)))
    large = count_queries(client, url_for(*dispute_with(LARGE)))
    return small, large


@pytest.mark.parametrize(
    "url_for",
    [
        pytest.param(lambda d, m, p: d.get_absolute_url(), id="dispute"),
        pytest.param(
            lambda d, m, p: d.claims.filter(responds_to=None).first().get_absolute_url(), id="claim"
        ),
        pytest.param(lambda d, m, p: p.get_absolute_url(), id="party"),
        pytest.param(lambda d, m, p: m.get_absolute_url(), id="model"),
        pytest.param(
            lambda d, m, p: d.claims.filter(responds_to=None).first().source.get_absolute_url(), id="evidence"
        ),
        pytest.param(lambda d, m, p: "/disputes/", id="dispute-list"),
        pytest.param(lambda d, m, p: "/", id="home"),
        pytest.param(lambda d, m, p: "/search/?q=Pangu", id="search"),
        pytest.param(lambda d, m, p: "/feeds/claims.atom", id="feed"),
    ],
)
def test_a_page_makes_a_fixed_number_of_queries(client, url_for, django_assert_max_num_queries):
    small, large = queries_at_both_sizes(client, url_for)
    assert large == small
    url = url_for(*dispute_with(LARGE))
    with django_assert_max_num_queries(12):
        client.get(url)


def test_the_claim_page_does_not_grow_with_its_evidence_links_and_responses(client):
    def claim_with(n: int):
        claim = ClaimFactory(published=True)
        for _ in range(n):
            EvidenceLinkFactory(claim=claim, evidence=EvidenceArtifactFactory(published=True))
            ClaimFactory(published=True, dispute=claim.dispute, responds_to=claim, kind="clarification")
            RightOfReplyFactory(claim=claim, asked_by=PartyFactory(published=True))
        return claim.get_absolute_url()

    assert count_queries(client, claim_with(SMALL)) == count_queries(client, claim_with(LARGE))


def test_the_report_page_makes_a_fixed_number_of_queries(client, make_report, django_assert_max_num_queries):
    report = make_report()
    client.get(report.get_absolute_url())
    with django_assert_max_num_queries(3):
        assert client.get(report.get_absolute_url()).status_code == 200


INDEXES = [
    "/claims/",
    "/claims/?assessment=unverified&sort=oldest&made_after=2025-01-01",
    "/parties/",
    "/parties/?sort=updated",
    "/models/",
    "/evidence/",
    "/evidence/?kind=paper",
    "/feeds/evidence.atom",
]


def test_the_index_pages_make_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    dispute_with(SMALL)
    small = [count_queries(client, url) for url in INDEXES]
    dispute_with(LARGE)  # adds claims, parties, evidence and models: every index grows
    large = [count_queries(client, url) for url in INDEXES]
    assert small == large
    for url in INDEXES:
        with django_assert_max_num_queries(8):
            client.get(url)


LINEAGE_LARGE = 12  # each step adds a model, a claim, a report with two checkpoints and its evidence


def lineage_with(n: int):
    """A public dispute over a model with ``n`` declared derivatives, ``n`` lineage claims about it
    and ``n`` public reports comparing it, each with a verdict."""
    model = AIModelFactory(
        published=True, declared_base=AIModelFactory(published=True), declared_relation="merge"
    )
    dispute = DisputeFactory(published=True)
    dispute.models_at_stake.add(model)
    for i in range(n):
        other = AIModelFactory(published=True, declared_base=model, declared_relation="pruned")
        dispute.models_at_stake.add(other)
        ClaimFactory(published=True, dispute=dispute, subject_model=model, alleged_source_model=other)
        public_report(model, other, ["lineage_supported", "no_evidence", "cannot_tell"][i % 3])
    return model, dispute


@pytest.mark.parametrize("which", ["model", "dispute"])
def test_the_lineage_map_does_not_grow_the_page_s_queries(client, which):
    def url(n):
        model, dispute = lineage_with(n)
        return (model if which == "model" else dispute).get_absolute_url()

    assert count_queries(client, url(SMALL)) == count_queries(client, url(LINEAGE_LARGE))


def test_the_reports_index_and_feed_make_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    def reports(n: int) -> None:
        for _ in range(n):
            public_report(AIModelFactory(published=True), AIModelFactory(published=True))

    reports(SMALL)
    small = [
        count_queries(client, u)
        for u in ("/reports/", "/reports/?verdict=no_evidence", "/feeds/reports.atom")
    ]
    reports(LARGE)
    large = [
        count_queries(client, u)
        for u in ("/reports/", "/reports/?verdict=no_evidence", "/feeds/reports.atom")
    ]
    assert small == large
    with django_assert_max_num_queries(6):
        client.get("/reports/")
