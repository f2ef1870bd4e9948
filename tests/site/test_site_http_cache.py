"""HTTP caching and the dispute page's cached body (claims/presentation/http_cache.py, claims/views/disputes.py).

Readers get validators and a 304 for an unchanged page or API read; any write through the services
makes every validator and cached fragment stale; editors and token clients get private, unstored
pages; a report's charts are drawn by the worker (or a rename) and served from the row: no read draws.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework.authtoken.models import Token

from claims.models import Claim, EvidenceLink, FingerprintReport, RightOfReply
from claims.services import (
    content_changed,
    record_create,
    record_delete,
    record_publish,
    record_retract,
    record_unpublish,
    record_update,
    report_draw_charts,
)
from provenance.env import env_cache
from tests.factories import (
    AIModelFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceArtifactFactory,
    EvidenceLinkFactory,
    FingerprintReportFactory,
    PartyFactory,
    editor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache(settings):
    """Readers' pages kept server-side, as in production (every change here goes through a service)."""
    settings.PAGE_CACHE_SECONDS = 3600


@pytest.fixture
def story():
    """A published dispute with one claim (by a named party) citing one piece of evidence."""
    dispute = DisputeFactory(published=True, title="The dispute")
    claimant = PartyFactory(published=True, name="Accuser Lab")
    claim = ClaimFactory(published=True, dispute=dispute, claimant=claimant, title="First claim")
    EvidenceLinkFactory(claim=claim, evidence=EvidenceArtifactFactory(published=True, title="A paper"))
    content_changed()  # the factories write around the services; the story starts at a version
    return claim


def page(client, claim: Claim) -> str:
    response = client.get(claim.dispute.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_an_unchanged_page_is_answered_304_and_a_change_through_a_service_makes_a_new_etag(client, story):
    url = story.dispute.get_absolute_url()
    time.sleep(1)  # Last-Modified is given once the second of the last change is over
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=30"
    assert first["ETag"].startswith('W/"') and first["Last-Modified"]
    assert "Cookie" in first["Vary"] and "Authorization" in first["Vary"]

    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and not again.content
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    record_update(record=story, data={"title": "Renamed claim"}, user=None)
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "Renamed claim" in changed.content.decode()


def test_api_reads_have_validators_that_vary_with_accept(client, story):
    listing = client.get("/api/v1/disputes/", HTTP_ACCEPT="application/json")
    assert listing.status_code == 200 and listing["ETag"]
    assert "Accept" in listing["Vary"] and listing["Cache-Control"].startswith("public")
    assert (
        client.get(
            "/api/v1/disputes/", HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=listing["ETag"]
        ).status_code
        == 304
    )
    browsable = client.get("/api/v1/disputes/", HTTP_ACCEPT="text/html")
    assert browsable["ETag"] != listing["ETag"]


def test_editors_and_token_clients_get_private_unstored_answers_never_a_readers_304(client, story):
    reader = client.get(story.dispute.get_absolute_url())
    user = editor()
    client.force_login(user)
    response = client.get(story.dispute.get_absolute_url(), HTTP_IF_NONE_MATCH=reader["ETag"])
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store" and "ETag" not in response
    assert "no-store" in client.get("/admin/")["Cache-Control"]
    client.logout()
    token = Token.objects.create(user=user)
    api = client.get(
        "/api/v1/disputes/", HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_IF_NONE_MATCH=reader["ETag"]
    )
    # (A token client still gets the API's own ETag, a hash of its own body: exact, never shared.)
    assert api.status_code == 200 and api["Cache-Control"] == "private, no-store"


def test_a_readers_page_is_kept_and_served_without_running_the_view_until_a_service_writes(
    client, story, django_assert_num_queries
):
    url = story.dispute.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(1):  # the content version; no view, no template
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"] and "Content-Security-Policy" in again
    record_update(record=story, data={"title": "First claim, renamed"}, user=editor())
    assert "First claim, renamed" in page(client, story)
    # An editor never gets the readers' kept copy, nor leaves one.
    client.force_login(editor())
    ClaimFactory(dispute=story.dispute, title="Draft claim, not for readers")
    assert "Draft claim, not for readers" in page(client, story)
    client.logout()
    assert "Draft claim, not for readers" not in page(client, story)


def test_a_response_over_the_size_limit_is_not_kept(client, story, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_MAX_BYTES = 100
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) > 1  # the view ran again


def test_an_editors_preview_never_reaches_the_readers_cached_page(client, story):
    ClaimFactory(dispute=story.dispute, title="Draft claim, not for readers")
    client.force_login(editor())
    assert "Draft claim, not for readers" in page(client, story)  # the preview
    client.logout()
    assert "Draft claim, not for readers" not in page(client, story)


def test_publish_then_unpublish_takes_the_record_off_the_cached_page(client, story):
    user = editor()
    draft = ClaimFactory(dispute=story.dispute, claimant=story.claimant, title="Second claim")
    before = client.get(story.dispute.get_absolute_url())
    assert "Second claim" not in before.content.decode()
    record_publish(record=draft, user=user)
    assert "Second claim" in page(client, story)
    record_unpublish(record=draft, user=user)
    after = client.get(story.dispute.get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "Second claim" not in after.content.decode()


def test_the_cached_dispute_page_follows_every_kind_of_change(client, story):
    """Each write goes through a service; the next reader sees it, from a fresh fragment."""
    user = editor()
    dispute, claimant = story.dispute, story.claimant
    link = EvidenceLink.objects.get(claim=story)
    assert "First claim" in page(client, story)

    record_update(record=story, data={"title": "Claim, edited"}, user=user)
    assert "Claim, edited" in page(client, story)

    record_update(record=link.evidence, data={"title": "The paper, renamed"}, user=user)
    assert "The paper, renamed" in page(client, story)

    other = EvidenceArtifactFactory(published=True, title="A second source")
    record_create(
        model=EvidenceLink, data={"claim": story, "evidence": other, "stance": "refutes"}, user=user
    )
    assert "A second source" in page(client, story)
    record_delete(record=EvidenceLink.objects.get(claim=story, evidence=other), user=user)
    assert "A second source" not in page(client, story)

    record_create(
        model=RightOfReply,
        data={
            "claim": story,
            "party": claimant,
            "asked_on": date(2025, 7, 1),
            "outcome": "answered",
            "outcome_on": date(2025, 7, 2),
            "answer": "We deny it firmly.",
        },
        user=user,
    )
    assert "We deny it firmly." in page(client, story)

    record_update(record=claimant, data={"name": "Accuser Lab, renamed"}, user=user)
    assert "Accuser Lab, renamed" in page(client, story)

    record_update(record=dispute, data={"title": "The dispute, retitled"}, user=user)
    assert "The dispute, retitled" in page(client, story)

    record_retract(record=story, user=user, note="Sourced to a forged document.")
    assert "Record retracted by Provenance on" in page(client, story)


def test_a_report_in_progress_gets_no_validators(client, story):
    report = FingerprintReportFactory()
    response = client.get("/api/v1/reports/")
    assert report.status == FingerprintReport.Status.QUEUED
    # No validator from the content version (the API's own body hash is exact, so it may stay).
    assert response["Cache-Control"] == "no-cache" and not response.get("ETag", "").startswith("W/")


def computed_report() -> FingerprintReport:
    """A public succeeded report whose stored result has σ series (what the worker leaves: no chart)."""
    sigma = {role: [1.0, 1.5, 2.0] for role in "qkvo"}
    report = FingerprintReportFactory(
        checkpoint_a__model=AIModelFactory(published=True, developer=PartyFactory(published=True)),
        checkpoint_b__model=AIModelFactory(published=True, developer=PartyFactory(published=True)),
        status=FingerprintReport.Status.SUCCEEDED,
        result={"results": {"attn_std": {"score": 0.9, "per_layer": {"sigma_a": sigma, "sigma_b": sigma}}}},
        timings={"total_seconds": 1.0},
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    EvidenceArtifactFactory(published=True, kind="analysis", report=report)
    content_changed()
    return report


def test_a_reports_charts_are_drawn_by_a_write_and_no_read_draws_them(client, monkeypatch):
    report = computed_report()  # stored as a worker that drew no chart would leave it
    import provenance.fingerprint.charts as engine_charts

    calls = []
    draw = engine_charts.report_charts
    monkeypatch.setattr(engine_charts, "report_charts", lambda *a, **k: calls.append(1) or draw(*a, **k))
    assert "sigma_curves.svg" not in client.get(report.get_absolute_url()).content.decode()
    assert client.get(f"/reports/{report.slug}/charts/sigma_curves.svg").status_code == 404
    assert not calls and FingerprintReport.objects.get(pk=report.pk).charts == {}  # a GET writes nothing

    report_draw_charts(report=report)  # what the worker does with the result, and a rename again
    report.refresh_from_db()
    assert "sigma_curves" in report.charts and report.timings["charts_seconds"] >= 0
    page_html = client.get(report.get_absolute_url()).content.decode()  # a new content version
    assert "sigma_curves.svg" in page_html
    chart = client.get(f"/reports/{report.slug}/charts/sigma_curves.svg")
    assert chart.status_code == 200 and b"<svg" in chart.content
    assert client.get(f"/api/v1/reports/{report.slug}/").json()["charts"]
    assert len(calls) == 1  # drawn once, then read from the row


@pytest.mark.parametrize(
    ("value", "backend", "location"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache", ""),
        ("locmem://pages", "django.core.cache.backends.locmem.LocMemCache", "pages"),
        ("redis://127.0.0.1:6379/3", "provenance.cache.DegradingRedisCache", "redis://127.0.0.1:6379/3"),
        (
            "rediss://cache.example.org:6380/0",
            "provenance.cache.DegradingRedisCache",
            "rediss://cache.example.org:6380/0",
        ),
    ],
)
def test_cache_url_names_the_backend(monkeypatch, value, backend, location):
    monkeypatch.setenv("CACHE_URL", value)
    cache = env_cache("CACHE_URL")
    assert cache["BACKEND"] == backend
    assert cache.get("LOCATION", "") == location


@pytest.mark.parametrize("value", ["memcached://127.0.0.1:11211", "redis://", "127.0.0.1:6379", "dummy://x"])
def test_a_bad_cache_url_fails_loudly_with_a_fix(monkeypatch, value):
    monkeypatch.setenv("CACHE_URL", value)
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL=.*redis://127.0.0.1:6379/2"):
        env_cache("CACHE_URL")
