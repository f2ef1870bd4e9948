"""The public pages as a reader, an editor and a staff user without permission see them."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from claims import services
from claims.models import AIModel, Claim, Dispute, EditorProfile, EvidenceArtifact, FingerprintReport, Party
from provenance.fingerprint import readable
from provenance.fingerprint.headline import headline
from provenance.fingerprint.progress import CHARTS_PHASE, compare_phase, read_phase
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
from tests.site.conftest import DEMO_CLAIM, SYNTHETIC_CLAIM

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text_of(page: str) -> str:
    """The visible text, whitespace collapsed (good enough for "reads as" assertions)."""
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_every_page_renders_for_the_demo_data(client, demo_report):
    urls = ["/", "/about/", "/disputes/", "/search/?q=Pangu", "/robots.txt"]
    for model in (Dispute, Claim, Party, AIModel, EvidenceArtifact):
        urls += [record.get_absolute_url() for record in model.objects.public()]
    urls.append(demo_report.get_absolute_url())
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
    assert len(urls) > 25


def test_the_home_page_says_what_provenance_is_and_lists_the_latest_disputes(client, demo):
    page = html(client.get("/"))
    assert "recomputed from the model weights" in page
    assert demo.title in text_of(page)
    assert 'role="search"' in page and 'action="/search/"' in page


def test_the_dispute_page_tells_the_story_in_date_order(client, demo):
    page = text_of(html(client.get(demo.get_absolute_url())))
    for party, role in [("HonestAGI", "accuser"), ("Alibaba", "rights holder"), ("Reuters", "reporter")]:
        assert f"{party} — {role}" in page
    assert "Pangu Pro MoE" in page and "Qwen2.5-14B" in page
    # Timeline: the May 2025 technical report first, then July 2025, then 5 July 2025.
    timeline = page[page.index("Timeline") :]
    assert timeline.index("May 2025") < timeline.index("July 2025") < timeline.index("5 July 2025")
    assert "Counter-analysis by Engineers on the Pangu side" in page
    assert "Denial by Noah's Ark Lab" in page
    assert "Assessment: contested" in page
    assert "Alibaba did not respond to Reuters as of 7 July 2025." in page
    assert "last updated" in page


def test_the_timeline_merges_claims_evidence_and_replies_by_date():
    dispute = DisputeFactory(published=True)
    early = EvidenceArtifactFactory(published=True, title="Early paper", published_on=date(2024, 1, 10))
    claim = ClaimFactory(
        published=True, dispute=dispute, title="The claim", made_on=date(2024, 3, 1), source=early
    )
    late = EvidenceArtifactFactory(published=True, title="Late report", published_on=date(2024, 6, 1))
    EvidenceLinkFactory(claim=claim, evidence=late, stance="refutes")
    RightOfReplyFactory(
        claim=claim,
        party=PartyFactory(published=True),
        asked_on=date(2024, 4, 1),
        outcome="no_response",
        outcome_on=date(2024, 5, 1),
    )
    draft_evidence = EvidenceArtifactFactory(title="Draft memo", published_on=date(2024, 2, 1))
    EvidenceLinkFactory(claim=claim, evidence=draft_evidence)
    ClaimFactory(dispute=dispute, title="Unpublished claim")

    from claims.selectors import dispute_page

    page = dispute_page(dispute=dispute)
    assert [(e.type, e.date_display) for e in page.timeline] == [
        ("evidence", "10 January 2024"),
        ("claim", "1 March 2024"),
        ("right_of_reply", "1 May 2024"),
        ("evidence", "1 June 2024"),
    ]
    assert [c.title for c in page.claims] == ["The claim"]


def test_the_dispute_page_shows_the_public_change_log_of_assessments(client, demo):
    from tests.factories import editor

    claim = Claim.objects.get(slug=DEMO_CLAIM)
    claim.assessment, claim.assessment_rationale = (
        "refuted",
        "The statistic does not separate related models.",
    )
    grace = editor(username="grace", first_name="Grace", last_name="Hopper")
    EditorProfile.objects.create(user=grace, byline="Grace Hopper")
    services.record_save(
        record=claim, user=grace, reason="recomputed the statistic against its null", reason_public=True
    )
    page = text_of(html(client.get(demo.get_absolute_url())))
    assert "changed from contested to refuted by Grace Hopper" in page
    assert "Why: recomputed the statistic against its null" in page
    assert "load_demo" not in page  # the demo loader's reason is internal
    claim_page = text_of(html(client.get(claim.get_absolute_url())))
    assert "changed from contested to refuted by Grace Hopper" in claim_page


def test_the_claim_page_shows_statement_assessment_evidence_by_stance_and_responses(client, demo_report):
    claim = Claim.objects.get(slug=DEMO_CLAIM)
    page = html(client.get(claim.get_absolute_url()))
    text = text_of(page)
    assert "extraordinary correlation" in text and "By HonestAGI · 2 July 2025" in text
    assert "Our assessment" in text and "Noah's Ark Lab denies" in text
    assert text.index("Supporting the claim") < text.index("Against the claim") < text.index("Context")
    assert "The same statistic gives 0.91 for two unrelated models" in text
    assert f'href="{demo_report.get_absolute_url()}"' not in page  # nothing synthetic on the real case

    synthetic = html(client.get(Claim.objects.get(slug=SYNTHETIC_CLAIM).get_absolute_url()))
    assert f'href="{demo_report.get_absolute_url()}"' in synthetic


def test_party_and_model_pages_show_profile_lineage_disputes_and_claims(client, demo):
    party = html(client.get(Party.objects.get(slug="noahs-ark-lab").get_absolute_url()))
    assert "Part of" in party and 'href="/parties/huawei/"' in party and "Pangu Pro MoE" in party
    anonymous = text_of(html(client.get("/parties/honestagi/")))
    assert "not verified" in anonymous and "Honest AGI Community" in anonymous

    base = AIModelFactory(published=True, name="Base-7B")
    tuned = AIModelFactory(published=True, name="Tuned-7B", declared_base=base, declared_relation="fine_tune")
    assert "Declared as a fine-tune of" in text_of(html(client.get(tuned.get_absolute_url())))
    assert "Declared derivatives: Tuned-7B (fine-tune)" in text_of(html(client.get(base.get_absolute_url())))
    qwen = text_of(html(client.get("/models/qwen2-5-14b/")))
    assert "Pangu Pro MoE was derived from Qwen2.5-14B" in qwen and "September 2024" in qwen


def test_the_evidence_page_shows_the_archived_copy_with_its_hash_and_retrieval_time(
    client, tmp_path, settings
):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    evidence = EvidenceArtifactFactory(published=True, title="Archived paper")
    evidence.archived_file.save("paper.html", ContentFile(b"<script>alert(1)</script>"), save=False)
    evidence.save()
    claim = ClaimFactory(published=True, title="Claim it bears on")
    EvidenceLinkFactory(claim=claim, evidence=evidence, stance="refutes")
    page = text_of(html(client.get(evidence.get_absolute_url())))
    assert evidence.sha256 and evidence.sha256 in page and "retrieved" in page
    assert "refutes Claim it bears on" in page

    download = client.get(reverse("claims:evidence-archive", args=[evidence.slug]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"<script>alert(1)</script>"


def test_the_dispute_list_filters_by_status_party_model_and_year_and_paginates(client):
    accused = PartyFactory(published=True, slug="acme")
    model = AIModelFactory(published=True, slug="acme-7b")
    old = DisputeFactory(
        published=True, title="Old case", started_on=date(2023, 5, 1), ended_on=date(2023, 9, 1)
    )
    DisputePartyFactory(dispute=old, party=accused)
    new = DisputeFactory(published=True, title="New case", started_on=date(2025, 2, 1))
    new.models_at_stake.add(model)
    DisputeFactory(title="Draft case", started_on=date(2025, 3, 1))

    def titles(query: str) -> list[str]:
        return [d.title for d in client.get(f"/disputes/?{query}").context["page"]]

    assert titles("") == ["New case", "Old case"]
    assert titles("state=open") == ["New case"]
    assert titles("state=closed") == ["Old case"]
    # The old name (the API's status is a record's editorial status) is sent to the new one.
    old_link = client.get("/disputes/?status=closed&year=2023")
    assert old_link.status_code == 301 and old_link["Location"] == "/disputes/?year=2023&state=closed"
    assert titles("party=acme") == ["Old case"]
    assert titles("model=acme-7b") == ["New case"]
    assert titles("year=2023") == ["Old case"]
    assert titles("year=1999&party=<script>") == ["New case", "Old case"]  # unknown values are ignored

    DisputeFactory.create_batch(25, published=True, started_on=date(2020, 1, 1))
    first, second = client.get("/disputes/"), client.get("/disputes/?page=2")
    assert len(first.context["page"]) == 20 and len(second.context["page"]) == 7
    assert 'rel="next" href="?page=2"' in first.content.decode()


def test_drafts_are_not_found_for_readers(client):
    draft_claim = ClaimFactory()
    for record in (
        draft_claim,
        draft_claim.dispute,
        draft_claim.claimant,
        AIModelFactory(),
        EvidenceArtifactFactory(),
    ):
        assert client.get(record.get_absolute_url()).status_code == 404, record


def test_a_published_dispute_lists_no_draft_claim_or_party(client):
    dispute = DisputeFactory(published=True)
    ClaimFactory(dispute=dispute, title="Secret draft claim")
    DisputePartyFactory(dispute=dispute, party=PartyFactory(name="Unpublished Party"))
    page = html(client.get(dispute.get_absolute_url()))
    assert "Secret draft claim" not in page and "Unpublished Party" not in page
    assert "Secret draft claim" not in html(client.get("/search/?q=Secret"))


def test_an_editor_previews_a_draft_with_a_banner(editor_client):
    dispute = DisputeFactory(title="Draft dispute")
    ClaimFactory(dispute=dispute, title="Draft claim in it")
    page = html(editor_client.get(dispute.get_absolute_url()))
    assert "Preview." in page and "Draft claim in it" in page


def test_a_staff_user_without_view_permission_gets_a_404_for_a_draft(staff_without_permission_client):
    assert staff_without_permission_client.get(DisputeFactory().get_absolute_url()).status_code == 404


def test_a_published_page_has_no_preview_banner_even_for_an_editor(editor_client):
    assert "Preview." not in html(editor_client.get(DisputeFactory(published=True).get_absolute_url()))


def test_a_retracted_record_stays_visible_with_its_note(client):
    dispute = DisputeFactory(
        published=True,
        status="retracted",
        retracted_at=timezone.now(),
        retraction_note="Built on a *forged* memo.",
    )
    page = html(client.get(dispute.get_absolute_url()))
    assert "Record retracted by Provenance on" in page and "Built on a <em>forged</em> memo." in page
    feed = client.get("/feeds/disputes.rss").content.decode()
    assert "(record retracted by Provenance on" in feed and "Built on a &lt;em&gt;forged" in feed


def test_every_page_has_a_title_description_canonical_url_and_open_graph_tags(client, demo):
    claim = Claim.objects.get(slug=DEMO_CLAIM)
    page = html(client.get(claim.get_absolute_url()))
    assert f"<title>{claim.title} — Provenance</title>" in page
    assert f'<link rel="canonical" href="http://testserver{claim.get_absolute_url()}">' in page
    for prop in ("og:title", "og:type", "og:url", "og:description"):
        assert f'property="{prop}"' in page
    assert page.count("<h1") == 1 and "<main" in page and "<nav" in page and "<footer" in page


def test_headings_never_skip_a_level(client, demo_report):
    for url in (
        "/",
        "/about/",
        demo_report.get_absolute_url(),
        f"/claims/{DEMO_CLAIM}/",
        "/disputes/pangu-pro-moe-qwen/",
        *("/claims/", "/parties/", "/models/", "/evidence/", "/reports/"),
        *(m.get_absolute_url() for m in AIModel.objects.public().filter(declared_base__isnull=False)[:1]),
    ):
        levels = [int(level) for level in re.findall(r"<h([1-6])", html(client.get(url)))]
        assert levels[0] == 1, url
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (url, levels)


def test_the_feeds_list_published_disputes_and_claims(client, demo):
    ClaimFactory(title="Draft feed claim")
    for name in ("feed-disputes-rss", "feed-disputes-atom", "feed-claims-rss", "feed-claims-atom"):
        feed = client.get(reverse(f"claims:{name}")).content.decode()
        assert "Pangu" in feed and "Draft feed claim" not in feed
    assert "http://www.w3.org/2005/Atom" in client.get("/feeds/claims.atom").content.decode()


def test_unknown_pages_get_the_site_404_page(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "There is no public page at this address" in page.content.decode()


def test_static_files_and_the_favicon_are_linked(client):
    page = html(client.get("/about/"))
    assert 'href="/static/css/site.css"' in page and 'href="/static/favicon.svg"' in page


def test_the_about_page_explains_every_method_the_engine_runs_by_its_reports_title(client):
    from provenance.fingerprint.methods import TITLES

    page = html(client.get("/about/"))
    for name, title in TITLES.items():
        heading = f'<h3 id="{name}">{escape(title)} (<code>{name}</code>)</h3>'
        assert heading in page, name
    positions = [page.index(f'<h3 id="{name}">') for name in TITLES]
    assert positions == sorted(positions)  # in the order reports list them
    assert "SHA-256) and count" not in page  # tensors are hashed with BLAKE3, as reports say


def test_the_500_page_renders_without_a_database():
    from django.template.loader import render_to_string

    assert "Something went wrong" in render_to_string("500.html")


def test_the_report_page_puts_the_summary_first_and_each_score_beside_its_null(client, make_report):
    report = make_report()
    page = html(client.get(report.get_absolute_url()))
    text = text_of(page)
    said = headline(report.result)
    assert text.index(said.title) < text.index("The evidence at a glance") < text.index("What this shows")
    assert text.index("What this shows") < text.index("Details for specialists")
    assert text.index("Details for specialists") < text.index("Each score beside its null distribution")

    for name, result in report.result["results"].items():
        calibration = result["calibration"] or {}
        section = text[text.index(f" {name} Score ") :]  # the method's own section
        assert f"Score {readable.score_text(name, result['score'], calibration)}" in section
        assert f"Distance {readable.distance(calibration.get('z'))}" in section
        assert f"Chance {readable.chance(calibration)}" in section
        assert f"{calibration.get('size') or 'no'} pairs" in section
        if result.get("per_layer"):
            assert f"/reports/{report.slug}/layers/{name}.csv" in page
    report.refresh_from_db()  # the worker drew the charts with the result
    assert report.charts
    for chart in report.charts:
        assert f"/reports/{report.slug}/charts/{chart}.svg" in page
    assert re.search(r'<img src="[^"]+sigma_curves.svg" alt="[^"]{40,}"', page)
    assert "<caption>" in page and 'scope="col"' in page
    assert report.engine_version in text and report.library_versions["numpy"] in text
    assert report.checkpoint_a.content_hash in text
    assert (
        "python manage.py fingerprint base finetune --methods attn_std,tensor_identity,aligned_cosine" in text
    )
    assert "python -m provenance.fingerprint compare base finetune" in text


def test_the_report_page_says_cannot_tell_and_what_the_methods_could_see(client, make_report):
    # Issue 15: the engine's "cannot tell" summary and its coverage are shown as the engine wrote them.
    from provenance.fingerprint.methods.base import DERIVATIONS

    report = make_report("base", "independent")
    summary = "Cannot tell: no method that applies to base and independent could have seen copies."
    report.summary = summary
    report.result = {
        **report.result,
        "verdict": "cannot_tell",
        "summary": summary,
        "coverage": {
            "same_order": {
                "description": DERIVATIONS["same_order"],
                "seen_by": ["aligned_cosine"],
                "blind": {},
            },
            "moved_units": {"description": DERIVATIONS["moved_units"], "seen_by": [], "blind": {}},
        },
    }
    report.save(update_fields=["summary", "result"])
    text = text_of(html(client.get(report.get_absolute_url())))
    assert "Cannot tell: no method that applies" in text
    assert (
        "What the methods could see" in text
        and "visible to Centred cosine of aligned weight matrices" in text
    )
    assert (
        "Copies whose hidden units were permuted" in text
        and "no method that applies here could see them" in text
    )


def test_report_charts_and_downloads(client, make_report):
    report = make_report()
    chart = client.get(reverse("claims:report-chart", args=[report.slug, "sigma_curves"]))
    # The same response as the API's and the admin's (the SVG's own prolog declares UTF-8).
    assert chart["Content-Type"] == "image/svg+xml" and chart["Cache-Control"] == "public, max-age=3600"
    assert "sandbox" in chart["Content-Security-Policy"] and b"<svg" in chart.content
    assert client.get(reverse("claims:report-chart", args=[report.slug, "nope"])).status_code == 404

    csv_text = client.get(
        reverse("claims:report-layers-csv", args=[report.slug, "attn_std"])
    ).content.decode()
    header, *rows = csv_text.strip().splitlines()
    assert header.startswith("layer,σ A Q") and len(rows) == report.result["inputs"]["a"]["num_layers"]
    data = client.get(reverse("claims:report-json", args=[report.slug])).json()
    assert data["result"]["verdict"] == report.result["verdict"]


def test_a_report_is_public_only_through_its_evidence(make_report, editor_client):
    from django.test import Client

    client = Client()
    report = make_report(public=False)
    for url in (
        report.get_absolute_url(),
        reverse("claims:report-chart", args=[report.slug, "sigma_curves"]),
        reverse("claims:report-json", args=[report.slug]),
    ):
        assert client.get(url).status_code == 404
    assert "Preview." in html(editor_client.get(report.get_absolute_url()))


STALE = {"heartbeat_at": timezone.now() - timedelta(hours=1)}


@pytest.mark.parametrize(
    ("status", "extra", "expected"),
    [
        ("queued", {}, "Waiting for a worker"),
        ("running", {"progress_phase": read_phase("A", 400, 1000)}, "Now: reading model A: 40 %"),
        ("running", {"progress_phase": read_phase("B", 10, 40)}, "Now: reading model B: 25 %"),
        (
            "running",
            {"progress_phase": compare_phase("embedding_anchor", 3, 6)},
            "Now: computing Vocabulary-anchored CKA of W_Q/W_K (AWM) (method 3 of 6)",
        ),
        ("running", {"progress_phase": CHARTS_PHASE}, "Now: drawing charts"),
        (
            "running",
            {"progress_phase": CHARTS_PHASE, "attempts": 1, **STALE},
            "The worker stopped Now: the worker stopped; it will be retried",
        ),
        (
            "running",
            {"progress_phase": CHARTS_PHASE, "attempts": 3, **STALE},
            "Now: the worker stopped on the last of 3 attempts; the report will be marked failed",
        ),
        ("failed", {}, "The file is truncated"),
    ],
)
def test_an_unfinished_report_shows_its_status_progress_or_error(client, status, extra, expected):
    from tests.factories import FingerprintReportFactory

    report = FingerprintReportFactory(
        checkpoint_a__model__published=True,
        checkpoint_b__model__published=True,
        status=status,
        progress_bytes=400,
        progress_total=1000,
        finished_at=timezone.now() if status == "failed" else None,
        error_message="The file is truncated: download it again." if status == "failed" else "",
        **extra,
    )
    EvidenceArtifactFactory(published=True, kind="analysis", report=report)
    page = text_of(html(client.get(report.get_absolute_url())))
    assert expected in page
    assert ("Update this page every 15 seconds" in page) is (status != "failed")
    assert FingerprintReport.objects.get(pk=report.pk).status == status
    # Nothing to cite or embed until it has a result; byte counts read in units.
    assert "Cite this" not in page
    assert client.get(reverse("claims:report-embed", args=[report.slug])).status_code == 404
    if status != "failed":
        assert "400 bytes of 1.0 KB of weights read" in page
