"""The index pages: every public record can be reached by browsing, with filters, sorting and pages.

Each page lists what readers may see and nothing else, applies the API's filters, offers only
values some visible row has, ignores a value it does not offer (a draft's slug filters nothing),
sorts by the orders it offers and pages by 20.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest

from claims.selectors.browse import PAGE_SIZE
from tests.factories import (
    AIModelFactory,
    ClaimFactory,
    DisputeFactory,
    DisputePartyFactory,
    EvidenceArtifactFactory,
    PartyFactory,
)
from tests.site.browse_world import public_report

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    """The linked titles of the listed rows, in page order."""
    assert response.status_code == 200
    rows = re.findall(r'<li class="card"><h2><a href="[^"]*">(.*?)</a>', response.content.decode(), re.S)
    return [html.unescape(" ".join(re.sub(r"<[^>]+>", " ", row).split())) for row in rows]


def options(response, name: str) -> list[str]:
    select = re.search(
        rf'<select id="f-{name}" name="{name}">(.*?)</select>', response.content.decode(), re.S
    )
    return [html.unescape(v) for v in re.findall(r'value="([^"]+)"', select.group(1))]


def links_in(page: str, element: str) -> set[str]:
    block = re.search(rf"<{element}\b.*?</{element}>", page, re.S).group(0)
    return set(re.findall(r'href="([^"]+)"', block))


def test_the_claims_index_lists_public_claims_and_filters_them_like_the_api(client):
    honest = PartyFactory(published=True, name="HonestAGI")
    hidden = PartyFactory(name="DRAFT-whistleblower")
    pangu = AIModelFactory(published=True, name="Pangu")
    ClaimFactory(
        published=True,
        title="Pangu copies Qwen",
        claimant=honest,
        subject_model=pangu,
        made_on=date(2025, 7, 4),
    )
    ClaimFactory(
        published=True,
        title="Code was copied",
        kind="copied_code",
        assessment="contested",
        assessment_rationale="Both sides published analyses.",
        made_on=date(2025, 7, 7),
    )
    ClaimFactory(published=True, title="Anonymous tip", claimant=hidden, made_on=date(2025, 6, 1))
    ClaimFactory(title="DRAFT claim")  # a draft in a draft dispute

    assert titles(client.get("/claims/")) == ["Code was copied", "Pangu copies Qwen", "Anonymous tip"]
    assert titles(client.get("/claims/", {"party": honest.slug})) == ["Pangu copies Qwen"]
    assert titles(client.get("/claims/", {"model": pangu.slug})) == ["Pangu copies Qwen"]
    assert titles(client.get("/claims/", {"kind": "copied_code"})) == ["Code was copied"]
    assert titles(client.get("/claims/", {"assessment": "contested"})) == ["Code was copied"]
    dated = {"made_after": "2025-07-01", "made_before": "2025-07-05"}
    assert titles(client.get("/claims/", dated)) == ["Pangu copies Qwen"]
    assert titles(client.get("/claims/", {"sort": "oldest"})) == [
        "Anonymous tip",
        "Pangu copies Qwen",
        "Code was copied",
    ]
    response = client.get("/claims/")
    # The claimant filter offers public parties only; the draft one is neither offered nor named.
    assert options(response, "party") == [honest.slug]
    assert b"DRAFT" not in response.content
    assert "(an unpublished record)" in response.content.decode()


def test_a_value_the_page_does_not_offer_filters_nothing_and_a_bad_date_is_ignored(client):
    draft_party = PartyFactory(name="DRAFT-party")
    ClaimFactory(published=True, title="Public claim", claimant=draft_party)
    # The draft claimant's slug would match, but the page does not offer it: the filter is ignored.
    response = client.get("/claims/", {"party": draft_party.slug, "made_after": "July", "sort": "nonsense"})
    assert titles(response) == ["Public claim"]
    page = response.content.decode()
    assert "match these filters" not in page and draft_party.slug not in page and 'value="July"' not in page


def test_the_parties_index_filters_by_kind_and_dispute(client):
    dispute = DisputeFactory(published=True, title="Pangu case")
    lab = PartyFactory(published=True, name="Noah's Ark Lab", kind="lab")
    person = PartyFactory(published=True, name="A. Person", kind="person")
    PartyFactory(name="DRAFT-party")
    DisputePartyFactory(dispute=dispute, party=lab)
    assert titles(client.get("/parties/")) == ["A. Person", "Noah's Ark Lab"]
    assert titles(client.get("/parties/", {"kind": "person"})) == ["A. Person"]
    assert titles(client.get("/parties/", {"dispute": dispute.slug})) == ["Noah's Ark Lab"]
    assert person.slug not in options(client.get("/parties/"), "dispute")


def test_the_models_index_filters_by_developer_family_and_release_date_and_sorts(client):
    huawei = PartyFactory(published=True, name="Huawei")
    AIModelFactory(
        published=True, name="Pangu", developer=huawei, family="Pangu", release_date=date(2025, 6, 30)
    )
    AIModelFactory(published=True, name="Qwen2.5", family="Qwen2.5", release_date=date(2024, 9, 19))
    AIModelFactory(published=True, name="Undated")
    AIModelFactory(name="DRAFT-model", developer=huawei, family="Secret")
    response = client.get("/models/")
    assert titles(response) == ["Pangu", "Qwen2.5", "Undated"]
    assert options(response, "family") == ["Pangu", "Qwen2.5"]
    assert titles(client.get("/models/", {"party": huawei.slug})) == ["Pangu"]
    assert titles(client.get("/models/", {"family": "Qwen2.5"})) == ["Qwen2.5"]
    assert titles(client.get("/models/", {"released_after": "2025-01-01"})) == ["Pangu"]
    # Undated models sort last in both directions.
    assert titles(client.get("/models/", {"sort": "newest"})) == ["Pangu", "Qwen2.5", "Undated"]
    assert titles(client.get("/models/", {"sort": "oldest"})) == ["Qwen2.5", "Pangu", "Undated"]


def test_the_evidence_index_filters_by_kind_author_and_date(client):
    outlet = PartyFactory(published=True, name="Outlet")
    EvidenceArtifactFactory(published=True, title="Paper", kind="paper", published_on=date(2025, 7, 1))
    EvidenceArtifactFactory(
        published=True, title="Article", kind="media_report", author=outlet, published_on=date(2025, 7, 9)
    )
    EvidenceArtifactFactory(title="DRAFT-evidence")
    assert titles(client.get("/evidence/")) == ["Article", "Paper"]
    assert titles(client.get("/evidence/", {"kind": "paper"})) == ["Paper"]
    assert titles(client.get("/evidence/", {"party": outlet.slug})) == ["Article"]
    assert titles(client.get("/evidence/", {"published_before": "2025-07-05"})) == ["Paper"]
    assert titles(client.get("/evidence/", {"sort": "title"})) == ["Article", "Paper"]


def test_the_reports_index_shows_public_reports_with_their_verdict_and_filters_them(client):
    a, b, c = (AIModelFactory(published=True, name=n) for n in ("Alpha", "Beta", "Gamma"))
    june, july = (datetime(2025, m, 1, tzinfo=UTC) for m in (6, 7))
    public_report(a, b, "lineage_supported", finished=june)
    public_report(a, c, "cannot_tell", finished=july)
    public_report(b, c, "no_evidence", public=False)  # its evidence record is a draft
    response = client.get("/reports/")
    assert titles(response) == ["Alpha vs Gamma", "Alpha vs Beta"]
    assert "Verdict: lineage supported" in response.content.decode()
    assert titles(client.get("/reports/", {"verdict": "cannot_tell"})) == ["Alpha vs Gamma"]
    assert titles(client.get("/reports/", {"model": b.slug})) == ["Alpha vs Beta"]
    assert titles(client.get("/reports/", {"finished_before": "2025-06-15"})) == ["Alpha vs Beta"]
    assert titles(client.get("/reports/", {"sort": "oldest"})) == ["Alpha vs Beta", "Alpha vs Gamma"]


def test_an_index_pages_by_twenty_and_keeps_its_filters_on_the_next_page(client):
    for i in range(PAGE_SIZE + 1):
        EvidenceArtifactFactory(published=True, kind="paper", title=f"Paper {i:02d}")
    first = client.get("/evidence/", {"kind": "paper", "sort": "title"})
    assert len(titles(first)) == PAGE_SIZE
    next_link = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1)
    assert html.unescape(next_link) == "?kind=paper&sort=title&page=2"
    assert titles(client.get("/evidence/", {"kind": "paper", "sort": "title", "page": "2"})) == ["Paper 20"]
    assert len(titles(client.get("/evidence/", {"page": "999"}))) == 1  # past the end: the last page


def test_every_index_is_linked_from_the_navigation_and_the_footer(client):
    page = client.get("/").content.decode()
    for element in ("header", "footer"):
        links = links_in(page, element)
        assert {"/claims/", "/parties/", "/models/", "/evidence/", "/reports/", "/disputes/"} <= links, (
            element
        )


def test_the_evidence_and_report_feeds_list_public_records_only(client):
    a, b = AIModelFactory(published=True, name="Alpha"), AIModelFactory(published=True, name="Beta")
    public_report(a, b, "lineage_supported")
    public_report(b, a, "no_evidence", public=False)
    EvidenceArtifactFactory(title="DRAFT-evidence")
    reports = client.get("/feeds/reports.atom")
    assert reports["Content-Type"].startswith("application/atom+xml")
    body = reports.content.decode()
    assert body.count("<entry>") == 1 and "Alpha vs Beta: lineage supported" in body
    evidence = client.get("/feeds/evidence.atom").content.decode()
    assert evidence.count("<entry>") == 1 and "Analysis Alpha vs Beta" in evidence and "DRAFT" not in evidence
