"""The dispute's timeline a page at a time (``claims.selectors.timeline_pages``): the pages add up to
the whole timeline in order, on the site and in the API alike; each entry has its anchor; a bad page
number is answered as the rest of the site and the API answer it; a page's queries do not grow."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims.models import Claim, EvidenceArtifact
from claims.selectors import dispute_page, dispute_rows, dispute_story
from claims.selectors import timeline_pages as tp
from claims.services import content_changed
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
PER_PAGE = 4
ENTRY = re.compile(r'<li class="event event-([a-z_]+)" id="entry-([^"]+)">')


def anchor(entry) -> str:
    if entry.type == "right_of_reply":
        return f"reply-{entry.record.pk}"
    return f"{'evidence' if entry.type == 'evidence' else 'claim'}-{entry.record.slug}"


@pytest.fixture
def story(monkeypatch):
    """A dispute whose timeline needs every rule of the order: same-day entries of every type, slugs
    that sort differently by byte and by dictionary (case, hyphen), undated claims, drafts."""
    monkeypatch.setattr(tp, "TIMELINE_PAGE_SIZE", PER_PAGE)
    dispute = DisputeFactory(published=True)
    day = date(2025, 7, 4)
    claims = [
        ClaimFactory(published=True, dispute=dispute, made_on=day, slug=slug)
        for slug in ("b-claim", "B-claim", "a_claim", "a-claim", "ab")
    ]
    ClaimFactory(published=True, dispute=dispute, made_on=day, responds_to=claims[0], slug="answer")
    for slug in ("undated-z", "Undated-a"):
        ClaimFactory(published=True, dispute=dispute, made_on=None, slug=slug)
    ClaimFactory(dispute=dispute, made_on=day, slug="draft-claim")  # in neither
    for slug, on in (("z-paper", day), ("A-paper", day), ("late", date(2025, 8, 1)), ("none", None)):
        EvidenceLinkFactory(
            claim=claims[1], evidence=EvidenceArtifactFactory(published=True, slug=slug, published_on=on)
        )
    EvidenceLinkFactory(claim=claims[1], evidence=EvidenceArtifactFactory(published_on=day))  # a draft
    claims[2].source = EvidenceArtifactFactory(published=True, slug="source", published_on=date(2025, 6, 1))
    claims[2].save()
    for claim in claims[:3]:
        RightOfReplyFactory(claim=claim, party=PartyFactory(published=True), asked_on=day)
    return dispute


def site_pages(client, dispute) -> list[list[tuple[str, str]]]:
    pages, number = [], 1
    while True:
        body = client.get(f"{dispute.get_absolute_url()}?page={number}").content.decode()
        pages.append(ENTRY.findall(body))
        if f'href="?page={number + 1}#timeline-title"' not in body:
            return pages
        number += 1


def api_entries(dispute, page_size: int) -> list[dict]:
    entries, url = [], f"/api/v1/disputes/{dispute.slug}/timeline/?page_size={page_size}"
    while url:
        data = APIClient().get(url).json()
        entries += data["entries"]
        url = data["next"]
    return entries


def test_the_pages_add_up_to_the_whole_timeline_in_order_on_the_site_and_in_the_api(client, story):
    whole = dispute_story(dispute=story).timeline  # ordered in Python: the reference
    assert len(whole) == 8 + 5 + 3  # claims and the rebuttal, evidence, replies; no draft
    expected = [(e.type, anchor(e)) for e in whole]
    pages = site_pages(client, story)
    assert [len(p) for p in pages] == [4, 4, 4, 4]
    assert [entry for page in pages for entry in page] == expected
    for size in (3, 200):
        api = api_entries(story, size)
        assert [(e["type"], e["date"]) for e in api] == [
            (e.type, e.date.isoformat() if e.date else None) for e in whole
        ]
        assert [e["title"] for e in api if e["record"]] == [
            e.record.title for e in whole if e.type != "right_of_reply"
        ]
    first = APIClient().get(f"/api/v1/disputes/{story.slug}/timeline/?page_size=5").json()
    assert first["count"] == 16 and first["previous"] is None and "page=2" in first["next"]


def test_the_order_is_bytewise_on_ties_and_puts_undated_entries_last(story):
    whole = tp.dispute_timeline(dispute=story)
    same_day_claims = [e.record.slug for e in whole if e.type == "claim" and e.date == date(2025, 7, 4)]
    assert same_day_claims == ["B-claim", "a-claim", "a_claim", "ab", "b-claim"]  # code point order
    assert [e.record.slug for e in whole[-3:]] == ["none", "Undated-a", "undated-z"]


def test_every_entry_has_its_anchor_and_the_page_links_to_every_other(client, story):
    body = client.get(f"{story.get_absolute_url()}?page=2").content.decode()
    ids = re.findall(r'id="(entry-[^"]+)"', body)
    assert len(ids) == PER_PAGE == len(set(ids))
    assert "Entries 5–8 of 16" in body and '<span aria-current="page">2</span>' in body
    for number in (1, 3, 4):
        assert f'href="?page={number}#timeline-title"' in body
    assert "Where things stand" in body  # on every page, not only the first
    assert '<link rel="canonical" href="' in body and f"{story.get_absolute_url()}?page=2" in body


@pytest.mark.parametrize(
    ("asked", "shown"), [("abc", 1), ("0", 4), ("-3", 4), ("99", 4), ("last", 4), ("2", 2), ("", 1)]
)
def test_a_bad_page_number_gets_the_first_or_the_last_page_never_an_error(client, story, asked, shown):
    response = client.get(f"{story.get_absolute_url()}?page={asked}")
    assert response.status_code == 200
    assert f'<span aria-current="page">{shown}</span>' in response.content.decode()


@pytest.mark.parametrize(("asked", "status"), [("abc", 404), ("0", 404), ("99", 404), ("last", 200)])
def test_the_api_answers_a_bad_page_number_404_as_its_other_lists(story, asked, status):
    assert APIClient().get(f"/api/v1/disputes/{story.slug}/timeline/?page={asked}").status_code == status


def count_queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def units(n: int):
    """A dispute of ``n`` units of five entries on their own days: a claim's source and the evidence
    it links, the claim, a reply, a rebuttal; so a page of 5 or of 25 has every kind of entry."""
    dispute = DisputeFactory(published=True)
    for i in range(n):
        day = date(2024, 1, 1) + timedelta(days=5 * i)
        claim = ClaimFactory(
            published=True,
            dispute=dispute,
            made_on=day,
            source=EvidenceArtifactFactory(published=True, published_on=day),
        )
        EvidenceLinkFactory(claim=claim, evidence=EvidenceArtifactFactory(published=True, published_on=day))
        RightOfReplyFactory(claim=claim, party=PartyFactory(published=True), asked_on=day + timedelta(days=1))
        ClaimFactory(published=True, dispute=dispute, responds_to=claim, made_on=day + timedelta(days=2))
    return dispute


def test_a_timeline_page_takes_the_same_queries_for_5_entries_as_for_20(client, monkeypatch):
    dispute = units(12)
    counts = {}
    for size in (5, 20):  # 24 claims: more than a page's worth, so read a page at a time in SQL
        monkeypatch.setattr(tp, "TIMELINE_PAGE_SIZE", size)
        page = client.get(f"{dispute.get_absolute_url()}?page=2").content.decode()
        assert len(ENTRY.findall(page)) == size
        counts[size] = (
            count_queries(client, f"{dispute.get_absolute_url()}?page=2"),
            count_queries(client, f"/api/v1/disputes/{dispute.slug}/timeline/?page=2&page_size={size}"),
        )
    assert counts[5] == counts[20]
    assert counts[5][0] <= 12 and counts[5][1] <= 9, counts  # the site's page, the API's


def shown(page) -> dict:
    """What a ``DisputePage`` shows: its timeline page, the box's rows, the change log, the date."""
    standing = page.standing
    return {
        "timeline": [(e.type, anchor(e), e.date) for e in page.timeline],
        "page": (page.timeline.number, page.timeline.paginator.num_pages, page.timeline.paginator.count),
        "claims": [c.pk for c in page.claims],
        "analyses": [e.pk for e in page.evidence],
        "replies": sorted(r.pk for r in page.replies),
        "change_log": [(change.claim_id, change.changed_at) for change in page.change_log],
        "last_updated": page.last_updated,
        "standing": (
            standing.allegation.pk,
            [c.pk for c in standing.central],
            standing.strongest.pk,
            [(w.role.pk, w.claim and w.claim.pk, w.reply and w.reply.pk) for w in standing.words],
        ),
    }


@pytest.mark.parametrize("number", [1, 2, "last", "abc", 99])
def test_a_small_dispute_read_whole_shows_what_its_page_read_in_sql_shows(story, monkeypatch, number):
    monkeypatch.setattr(tp, "TIMELINE_PAGE_SIZE", 10)  # 9 claims (a draft among them): read whole
    DisputePartyFactory(dispute=story, party=Claim.objects.get(slug="ab").claimant)
    report = public_report(
        AIModelFactory(published=True), AIModelFactory(published=True), "lineage_supported"
    )
    EvidenceLinkFactory(
        claim=Claim.objects.get(slug="ab"), evidence=EvidenceArtifact.objects.get(report=report)
    )
    sized = dispute_rows().get(pk=story.pk)
    assert sized.claim_total == 9
    with CaptureQueriesContext(connection) as whole_queries:
        whole = shown(dispute_page(dispute=sized, timeline_page=number))
    with CaptureQueriesContext(connection) as paged_queries:
        paged = shown(dispute_page(dispute=story, timeline_page=number))  # no claim count: a page in SQL
    assert whole == paged
    assert whole["page"][1:] == (2, 17)  # 17 entries on two pages of 10
    assert len(whole_queries) < len(paged_queries)


@pytest.mark.parametrize("units_of_five", [2, 10])
def test_an_ordinary_dispute_page_takes_nine_queries_after_a_write(client, units_of_five):
    """The page of a dispute whose timeline fits on one page, rendered after a write (nothing kept):
    the content version, the dispute, its roles, its models, its claims, their links, their replies,
    the change log, the lineage map's reports; the same for 10 records as for 50."""
    dispute = units(units_of_five)
    model = AIModelFactory(published=True)
    dispute.models_at_stake.add(model)
    DisputePartyFactory(dispute=dispute, party=PartyFactory(published=True))
    public_report(model, AIModelFactory(published=True), "lineage_supported")
    client.get(dispute.get_absolute_url())  # warm per-process caches (templates, the lineage drawing)
    content_changed()  # as after any write: the kept fragment is stale
    with CaptureQueriesContext(connection) as captured:
        body = client.get(dispute.get_absolute_url()).content.decode()
    assert len(ENTRY.findall(body)) == 5 * units_of_five
    assert len(captured) == 9, [q["sql"][:80] for q in captured]
