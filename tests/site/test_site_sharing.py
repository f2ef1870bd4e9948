"""Cite and share: the "Cite this" block, the Open Graph card (PNG) and the embed routes' framing
rules, for readers; drafts get none of them (404, even for an editor)."""

from __future__ import annotations

import itertools
import re
import struct

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from claims.cards import Card, fit, render_card, text_boxes
from claims.models import Claim, Dispute
from claims.services import record_unpublish
from claims.views import sharing
from provenance.env import env_origins
from tests.factories import ClaimFactory, DisputeFactory
from tests.site.conftest import DEMO_CLAIM, SYNTHETIC_DISPUTE, evidence_for

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


def test_the_dispute_card_cite_block_and_embed_say_where_things_stand(client, demo, demo_report):
    page = client.get(demo.get_absolute_url()).content.decode()
    cite = page[page.index('<section class="cite"') :]
    embed_url = reverse("claims:dispute-embed", args=[demo.slug])
    assert f"http://testserver{embed_url}" in cite  # the embed's iframe snippet
    card = client.get(meta(page, "og:image"))
    assert card.status_code == 200 and png_size(card.content) == (1200, 630)
    founding = sharing._dispute_card(demo)  # no recomputed evidence on the real case (yet)
    assert founding.kicker == "Dispute · Open since 2 July 2025"
    assert founding.headline == "No fingerprint report yet" and founding.tone == "neutral"
    assert founding.footer == "Our assessment of the allegation: contested"  # HonestAGI's, not the vaguer one
    synthetic = sharing._dispute_card(Dispute.objects.get(slug=SYNTHETIC_DISPUTE))
    assert synthetic.headline == "Strongest evidence: Strong evidence of a common origin"
    assert synthetic.tone == "strong"

    embed = client.get(embed_url)
    assert embed.status_code == 200
    text = embed.content.decode()
    assert '<section class="standing"' in text and "Where things stand" in text
    assert 'target="_blank" rel="noopener"' in text


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
        reverse("claims:dispute-embed", args=[dispute.slug]),
        reverse("claims:dispute-embed", args=["no-such-dispute"]),
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


LONG = (
    "Was Huawei's Pangu Pro MoE derived from Alibaba's Qwen2.5-14B through upcycling, continued training "
    "and a re-tokenised vocabulary, as an anonymous whistleblower and a research group both alleged?"
)
CJK = "华为盘古大模型是否由阿里巴巴通义千问二点五十四B模型升级改造而来？诺亚方舟实验室否认了这一说法，并发表了详细的技术声明"
RTL = "האם המודל נגזר מ-Qwen2.5-14B? טענה ארוכה מאוד בעברית עם הרבה מילים שחייבות לשבור שורות רבות ועוד"
UNBROKEN = "Pangu" * 60


@pytest.mark.parametrize("title", [LONG, CJK, RTL, UNBROKEN, "هل نموذج بانغو مشتق من كوين؟ " * 6])
@pytest.mark.parametrize("bars", [[], [("Attention std", 12.0, True), ("Aligned cosine", 300.0, True)]])
def test_card_text_stays_in_its_box_whatever_the_script_or_length(title, bars):
    """Measured on the drawn card (matplotlib's own extents): no text runs past its box (clipped at
    the card's edge or into the chart), and no two boxes overlap (no overprinting)."""
    card = Card(kicker=f"Claim · by {title}", title=title, headline=title, footer=title, bars=bars)
    boxes = text_boxes(card)
    assert {"brand", "kicker", "title", "headline", "footer"} <= set(boxes)
    assert ("bars_title" in boxes) == bool(bars)
    for name, (drawn, box) in boxes.items():
        x0, y0, x1, y1 = drawn
        assert box[0] - 1 <= x0 and x1 <= box[2] + 1 and box[1] - 1 <= y0 and y1 <= box[3] + 1, (
            name,
            drawn,
            box,
        )
        assert x0 >= 0 and x1 <= 1200 and y0 >= 0 and y1 <= 630, name
    placed = sorted(box for _drawn, box in boxes.values())
    for a, b in itertools.combinations(placed, 2):
        overlap_x = min(a[2], b[2]) - max(a[0], b[0])
        overlap_y = min(a[3], b[3]) - max(a[1], b[1])
        assert overlap_x <= 0 or overlap_y <= 0, (a, b)
    assert png_size(render_card(card)) == (1200, 630)


def test_fitting_breaks_at_words_shortens_with_an_ellipsis_and_keeps_cjk_punctuation_off_line_starts():
    def measure(text: str) -> float:  # one unit a character, two for a CJK one
        return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)

    assert fit("one two three four", width_px=9, lines=3, measure=measure) == ["one two", "three", "four"]
    assert fit("one two three four five", width_px=9, lines=2, measure=measure) == ["one two", "three …"]
    assert fit("abcdefghijkl", width_px=5, lines=3, measure=measure) == ["abcde", "fghij", "kl"]
    assert fit("一二三？四五", width_px=5, lines=3, measure=measure) == ["一二", "三？", "四五"]
    assert fit("", width_px=5, lines=1, measure=measure) == [""]
