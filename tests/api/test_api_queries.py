"""Every list endpoint makes the same number of queries for a small and a larger data set
(with and without ``?expand=``): no query per row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.api.conftest import World
from tests.api.test_api_visibility import EXPANDS

pytestmark = pytest.mark.django_db

LISTS = [f"/api/v1/{name}/" for name in EXPANDS] + [
    f"/api/v1/{name}/?expand={expand}" for name, expand in EXPANDS.items() if expand
]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(captured)


def world_of(n: int) -> World:
    world = World(n=n)
    for i in range(n):  # more reports too, each cited by a public analysis
        report = f.FingerprintReportFactory(
            checkpoint_a=world.ckpt_a, checkpoint_b=world.ckpt_b, methods=["attn_std"], parameters={"i": i}
        )
        f.EvidenceArtifactFactory(kind="analysis", report=report, published=True)
    return world


def test_list_queries_do_not_grow_with_the_data(anon):
    world_of(2)
    small = {url: count_queries(anon, url) for url in LISTS}
    for i in range(8):  # a larger batch, every relation filled
        dispute = f.DisputeFactory(published=True)
        claim = f.ClaimFactory(
            dispute=dispute, published=True, source=f.EvidenceArtifactFactory(published=True)
        )
        f.ClaimFactory(dispute=dispute, responds_to=claim, kind="denial", published=True)
        f.EvidenceLinkFactory(claim=claim, evidence=f.EvidenceArtifactFactory(published=True))
        f.RightOfReplyFactory(claim=claim, party=f.PartyFactory(published=True))
        f.DisputePartyFactory(
            dispute=dispute, party=f.PartyFactory(published=True, parent=f.PartyFactory(published=True))
        )
        model = f.AIModelFactory(published=True, developer=f.PartyFactory(published=True))
        dispute.models_at_stake.add(model)
        f.CheckpointFactory(model=model)
        report = f.FingerprintReportFactory(methods=["attn_std"], parameters={"j": i})
        f.EvidenceArtifactFactory(kind="analysis", report=report, published=True)
    large = {url: count_queries(anon, url) for url in LISTS}
    assert large == small
    assert max(small.values()) <= 8, small


def test_a_dispute_timeline_takes_a_fixed_number_of_queries(anon):
    world = World(n=1)
    small = count_queries(anon, "/api/v1/disputes/case-0/timeline/")
    for _ in range(10):
        claim = f.ClaimFactory(
            dispute=world.disputes[0], published=True, source=f.EvidenceArtifactFactory(published=True)
        )
        f.RightOfReplyFactory(claim=claim, party=f.PartyFactory(published=True))
    assert count_queries(anon, "/api/v1/disputes/case-0/timeline/") == small
