"""A report a lay reader understands: the headline verdict of each tier, the evidence picture, the
evidence page that cites a report, the API's headline and progress, and fixed query counts.

Reports here carry the engine's own result documents of each verdict (``tests.fingerprint.
test_headline.CASES``) and the evidence picture the engine draws from them, so every tier is shown
without computing four comparisons; the real computed report is covered by ``test_site_pages`` and
``test_site_browser``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import EvidenceArtifact, FingerprintReport
from provenance.fingerprint.charts import evidence_svg
from provenance.fingerprint.headline import TIERS, VERDICT_TIERS, evidence_rows
from provenance.fingerprint.progress import compare_phase
from tests.factories import EvidenceArtifactFactory, FingerprintReportFactory, editor
from tests.fingerprint.test_headline import CASES
from tests.site.test_site_browser import assert_clean, browser_page, screenshots
from tests.site.test_site_queries import count_queries

TITLES = {
    "shared_weights": "Strong evidence of a common origin",
    "lineage_supported": "Strong evidence of a common origin",
    "suggestive": "Some evidence of a common origin",
    "no_evidence": "No evidence of a common origin",
    "cannot_tell": "Cannot tell: no method here could see permuted or rotated hidden units",
}


def crafted_report(verdict: str, **fields) -> FingerprintReport:
    """A public, succeeded report whose result is the engine's document for ``verdict``."""
    result = CASES[verdict]
    now = timezone.now()
    report = FingerprintReportFactory(
        checkpoint_a__model__published=True,
        checkpoint_b__model__published=True,
        status="succeeded",
        started_at=now,
        finished_at=now,
        result=result,
        summary=f"The engine's summary for {verdict}.",
        charts={"evidence": evidence_svg(evidence_rows(result))},
        methods=list(result["results"]),
        **fields,
    )
    report.charts_labels = list(report.labels)  # drawn with the inputs' names as they are
    report.save(update_fields=["charts_labels"])
    EvidenceArtifactFactory(published=True, kind="analysis", report=report)
    return report


def text_of(response) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.django_db
def test_every_tier_heads_the_report_and_the_evidence_page_that_cites_it(client):
    for verdict, title in TITLES.items():
        report = crafted_report(verdict)
        page = text_of(client.get(report.get_absolute_url()))
        assert page.index(title) < page.index("The evidence at a glance") < page.index("What this shows")
        assert page.index("What this shows") < page.index("Details for specialists")
        evidence = text_of(client.get(EvidenceArtifact.objects.get(report=report).get_absolute_url()))
        assert f"What the fingerprint report found {title}" in evidence and "Open the report" in evidence
    strong = text_of(client.get(crafted_report("lineage_supported", slug="strong").get_absolute_url()))
    # The picture's text equivalent: every method, its score and distance in words.
    assert (
        "HonestAGI attention σ correlation : r = 0.927: 0.6 standard deviations above unrelated pairs"
        in strong
    )
    assert "more than 100 standard deviations from unrelated pairs — counts as evidence" in strong
    assert "fewer than 1 in 33 — the smallest this null can show" in strong


@pytest.mark.django_db
def test_the_api_gives_the_same_headline_and_the_phase_in_words(client):
    client.force_login(editor())
    report = crafted_report("cannot_tell")
    body = client.get(f"/api/v1/reports/{report.slug}/").json()
    assert body["headline"] == {
        "tier": "cannot_tell",
        "title": TITLES["cannot_tell"],
        "sentence": body["headline"]["sentence"],
        "caveat": "",
    }
    assert body["caveat"] == ""
    assert body["headline"]["sentence"].startswith(
        "The methods that could have seen such a copy did not apply"
    )
    running = FingerprintReportFactory(
        status="running", progress_phase=compare_phase("aligned_cosine", 2, 4), heartbeat_at=timezone.now()
    )
    progress = client.get(f"/api/v1/reports/{running.slug}/").json()["progress"]
    assert progress["phase"] == "compare" and progress["phase_fraction"] == 0.25
    assert progress["text"] == "computing Centred cosine of aligned weight matrices (method 2 of 4)"
    assert progress["stale"] is False
    FingerprintReport.objects.filter(pk=running.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    progress = client.get(f"/api/v1/reports/{running.slug}/").json()["progress"]
    assert progress["stale"] is True and progress["text"] == "the worker stopped; it will be retried"
    assert client.get(f"/api/v1/reports/{running.slug}/").json()["headline"] is None


@pytest.mark.django_db
def test_the_report_and_evidence_pages_do_not_grow_with_the_methods(client):
    one, many = crafted_report("suggestive"), crafted_report("lineage_supported")
    assert len(many.result["results"]) > len(one.result["results"])
    for page in (lambda r: r.get_absolute_url(), lambda r: r.evidence.get_absolute_url()):
        assert count_queries(client, page(one)) == count_queries(client, page(many))


def test_each_tier_reads_in_a_browser_with_its_picture_first(transactional_db, live_server):
    urls = {verdict: crafted_report(verdict).get_absolute_url() for verdict in TITLES}
    shots = screenshots()
    with browser_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        for verdict, url in urls.items():
            page.goto(live_server.url + url)
            headline = page.locator("section.headline")
            assert headline.locator("h2").inner_text() == TITLES[verdict]
            assert f"tier-{VERDICT_TIERS[verdict]}" in headline.get_attribute("class")
            picture = page.locator("img[src$='/charts/evidence.svg']")
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
            )
            top = headline.bounding_box()["y"]
            assert top < picture.bounding_box()["y"] < page.locator("#summary-title").bounding_box()["y"]
            assert top < 400  # the verdict is the first thing on screen
            page.screenshot(path=shots / f"report-{VERDICT_TIERS[verdict]}-{verdict}.png")
            assert_clean(page, errors)
    assert set(VERDICT_TIERS.values()) == set(TIERS)


@pytest.mark.django_db
def test_the_caveat_travels_with_every_no_evidence_headline(client):
    """Issue 26: "absence of evidence is not independence" on the page, the evidence page, the embed, the
    share card, the feed and the API, wherever "No evidence" is said; never with another verdict."""
    from claims.views.sharing import _report_card
    from provenance.fingerprint.headline import CAVEAT

    none, strong = (
        crafted_report("no_evidence", slug="none"),
        crafted_report("lineage_supported", slug="strong"),
    )
    for url in (none.get_absolute_url(), none.evidence.get_absolute_url(), f"/reports/{none.slug}/embed/"):
        page = text_of(client.get(url))
        assert page.index("No evidence of a common origin") < page.index(CAVEAT), url
    strong_page = text_of(client.get(strong.get_absolute_url()))
    assert CAVEAT not in strong_page
    assert "Every method counts as evidence at the same rarity: a chance of at most 2.9e-07" in strong_page
    assert CAVEAT in _report_card(none).footer and CAVEAT not in _report_card(strong).footer
    feed = client.get("/feeds/reports.atom").content.decode()
    assert feed.count("Absence of evidence is not independence.") == 1
    client.force_login(editor())
    body = client.get(f"/api/v1/reports/{none.slug}/").json()
    assert body["headline"]["caveat"] == body["caveat"] == CAVEAT
    assert client.get(f"/api/v1/reports/{strong.slug}/").json()["caveat"] == ""
