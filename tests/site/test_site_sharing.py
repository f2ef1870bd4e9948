"""Cite and share: the "Cite this" block, the Open Graph card (PNG) and the embed routes' framing
rules, for readers; drafts get none of them (404, even for an editor)."""

from __future__ import annotations

import re
import struct

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from claims.models import Claim
from claims.services import record_unpublish
from provenance.env import env_origins
from tests.factories import ClaimFactory, DisputeFactory
from tests.site.conftest import DEMO_CLAIM, evidence_for

pytestmark = pytest.mark.django_db
NEWSROOM = "https://news.example.org"


def png_size(body: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, after checking the signature."""
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    assert body[12:16] == b"IHDR"
    return struct.unpack(">II", body[16:24])


def meta(page: str, prop: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', page)
    assert found, prop
    return found.group(1)


def test_a_claim_page_has_a_cite_block_and_an_og_image_that_is_a_png_card(client, demo, settings):
    claim = Claim.objects.get(slug=DEMO_CLAIM)
    page = client.get(claim.get_absolute_url()).content.decode()
    cite = page[page.index('<section class="cite"') :]
    permanent = f"http://testserver{claim.get_absolute_url()}"
    assert "Cite this" in cite and claim.title in cite
    assert f'<a href="{permanent}">{permanent}</a>' in cite
    assert f"{claim.published_at:%-d %B %Y}" in cite
    embed = f"http://testserver{reverse('claims:claim-embed', args=[claim.slug])}"
    assert f"&lt;iframe src=&quot;{embed}&quot;" in cite or f'&lt;iframe src="{embed}"' in cite

    image = meta(page, "og:image")
    assert image == f"http://testserver{reverse('claims:claim-card', args=[claim.slug])}"  # absolute
    assert meta(page, "twitter:card") == "summary_large_image"
    card = client.get(image)
    assert card.status_code == 200 and card["Content-Type"] == "image/png"
    assert png_size(card.content) == (1200, 630)
    # Every public read's cache rule (claims.presentation.http_cache): shared caches drop it with the page.
    assert card["Cache-Control"] == f"public, max-age=0, s-maxage={settings.HTTP_CACHE_SECONDS}"
    again = client.get(image, HTTP_IF_NONE_MATCH=card["ETag"])
    assert again.status_code == 304


def test_the_dispute_card_and_cite_block(client, demo):
    page = client.get(demo.get_absolute_url()).content.decode()
    assert '<section class="cite"' in page and "Embed it" not in page  # disputes have no embed
    card = client.get(meta(page, "og:image"))
    assert card.status_code == 200 and png_size(card.content) == (1200, 630)


def test_a_report_cites_its_engine_version_and_its_card_shows_the_verdict(client, demo_report):
    page = client.get(demo_report.get_absolute_url()).content.decode()
    cite = page[page.index('<section class="cite"') :]
    assert "Engine version" in cite and f"Fingerprint engine {demo_report.engine_version}." in cite
    card = client.get(meta(page, "og:image"))
    assert card.status_code == 200 and png_size(card.content) == (1200, 630)
    embed = client.get(reverse("claims:report-embed", args=[demo_report.slug])).content.decode()
    assert "Strong evidence of a common origin" in embed or "Shared weights" in embed

    # Its evidence record back to draft: the report is no longer public, nor its card and embed.
    evidence = evidence_for(demo_report)
    evidence.status, evidence.published_at = "draft", None
    evidence.save()
    assert client.get(reverse("claims:report-card", args=[demo_report.slug])).status_code == 404
    assert client.get(reverse("claims:report-embed", args=[demo_report.slug])).status_code == 404


def test_a_card_leaves_shared_caches_as_the_page_does_and_is_gone_once_unpublished(client, settings):
    """A card once said ``public, max-age=3600``: an unpublished claim's card stayed in browsers and
    CDNs for an hour, while HTTP_CACHE_SECONDS promises the page's delay (issue 22, item 7)."""
    settings.HTTP_CACHE_SECONDS = 12
    claim = ClaimFactory(published=True, dispute=DisputeFactory(published=True))
    url = reverse("claims:claim-card", args=[claim.slug])
    card = client.get(url)
    assert card.status_code == 200 and card["Cache-Control"] == "public, max-age=0, s-maxage=12"
    assert "max-age=3600" not in card["Cache-Control"]
    record_unpublish(record=claim, user=None)
    assert client.get(url, HTTP_IF_NONE_MATCH=card["ETag"]).status_code == 404


@pytest.mark.parametrize(
    "title", [r"Costs $\frac{$ more", r"$\alpha$ and $\nosuchcommand$", r"A $\sqrt{$ root", "$x^2$ $"]
)
def test_a_card_draws_dollar_signs_and_backslashes_literally(client, title):
    """A title with ``$…$`` was parsed as matplotlib mathtext: an unbalanced one was a 500 (issue 22,
    item 18). The card's text is drawn as written."""
    dispute = DisputeFactory(published=True, title=title)
    claim = ClaimFactory(published=True, dispute=dispute, title=title)
    for url in (
        reverse("claims:dispute-card", args=[dispute.slug]),
        reverse("claims:claim-card", args=[claim.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert png_size(response.content) == (1200, 630)


def test_drafts_have_no_card_no_embed_and_no_cite_block_even_for_an_editor(editor_client):
    claim = ClaimFactory()  # a draft
    dispute = DisputeFactory()
    for url in (
        reverse("claims:claim-card", args=[claim.slug]),
        reverse("claims:claim-embed", args=[claim.slug]),
        reverse("claims:dispute-card", args=[dispute.slug]),
    ):
        assert editor_client.get(url).status_code == 404, url
    preview = editor_client.get(claim.get_absolute_url()).content.decode()
    assert "Cite this" not in preview and "og:image" not in preview


def test_embeds_may_be_framed_only_by_the_listed_origins_and_other_pages_never(client, demo, settings):
    claim = Claim.objects.get(slug=DEMO_CLAIM)
    embed_url = reverse("claims:claim-embed", args=[claim.slug])

    settings.EMBED_ALLOWED_ORIGINS = []  # the default: nobody may frame anything
    closed = client.get(embed_url)
    assert "frame-ancestors 'none'" in closed["Content-Security-Policy"]
    assert closed["X-Frame-Options"] == "DENY"

    settings.EMBED_ALLOWED_ORIGINS = [NEWSROOM, "http://127.0.0.1:8001"]
    embed = client.get(embed_url)
    assert embed.status_code == 200
    policy = embed["Content-Security-Policy"]
    assert f"frame-ancestors {NEWSROOM} http://127.0.0.1:8001;" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy  # nothing else relaxed
    assert "X-Frame-Options" not in embed
    assert 'target="_blank" rel="noopener"' in embed.content.decode()  # links leave the frame

    for url in (claim.get_absolute_url(), demo.get_absolute_url(), "/", "/about/"):
        page = client.get(url)
        assert "frame-ancestors 'none'" in page["Content-Security-Policy"], url
        assert page["X-Frame-Options"] == "DENY", url


@pytest.mark.parametrize(
    "value",
    [
        "news.example.org",  # no scheme
        "ftp://news.example.org",
        "https://news.example.org/articles",  # a path
        "https://news.example.org/",
        "https://*.example.org",
        "https://user@news.example.org",
        "https://news.example.org:99999",
        "'self'",
    ],
)
def test_embed_origins_that_are_not_web_origins_fail_loudly(monkeypatch, value):
    monkeypatch.setenv("EMBED_ALLOWED_ORIGINS", f"{NEWSROOM},{value}")
    with pytest.raises(ImproperlyConfigured, match="is not a web origin: write scheme://host"):
        env_origins("EMBED_ALLOWED_ORIGINS")


def test_embed_origins_are_normalised(monkeypatch):
    monkeypatch.setenv("EMBED_ALLOWED_ORIGINS", " HTTPS://News.Example.org , http://127.0.0.1:8001,")
    assert env_origins("EMBED_ALLOWED_ORIGINS") == [NEWSROOM, "http://127.0.0.1:8001"]
