"""Absolute URLs come from SITE_URL, never from the request's Host header (claims/site_url.py).

Issue 22, item 5: ``ALLOWED_HOSTS`` ignores the port, so one anonymous GET with ``Host:
127.0.0.1:6666`` was allowed, and the page it was answered with, kept server-side for every later
reader, carried that address in its canonical link, Open Graph tags, cite block, embed code, feed
links and API ``url`` fields. Here a crawler walks every public door (site pages, cards, embeds,
feeds, the API and its export) with such a Host, following the links it reads, with the page cache
on as in production, and no answer may carry the forged address; then a reader with the real Host
gets the configured one.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured

from claims.services import content_changed
from provenance.env import env_origin
from tests.api.conftest import World

pytestmark = pytest.mark.django_db

FORGED = "127.0.0.1:6666"
SITE = "https://provenance.example.org"
SEEDS = [
    "/",
    "/about/",
    "/search/?q=Case",
    "/robots.txt",
    "/feeds/disputes.rss",
    "/feeds/disputes.atom",
    "/feeds/claims.rss",
    "/feeds/claims.atom",
    "/feeds/evidence.atom",
    "/feeds/reports.atom",
    "/api/v1/",
    "/api/v1/export/",
    "/api/v1/export/claimreview/",
    "/api/v1/claims/?page_size=1",
    "/api/v1/parties/?page_size=1",
]
LINK = re.compile(
    r"""(?:href|src)="(/[^"]*)"|"(https://provenance\.example\.org/[^"]*)"|>(https://provenance\.example\.org/[^<]*)<"""
)


def links(body: str) -> set[str]:
    """Same-site paths named by a page, a feed or a JSON answer."""
    found = set()
    for match in LINK.finditer(body):
        url = next(g for g in match.groups() if g).replace("&amp;", "&")
        parts = urlsplit(url)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != SITE:
            continue
        if not parts.path.startswith("/") or parts.path.startswith(
            ("/admin/", "/static/", "/api/docs", "/api/schema")
        ):
            continue
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(client, *, host: str, limit: int = 400) -> dict[str, str]:
    """{path: body} of every same-site page reachable from SEEDS, asked for with ``Host: host``."""
    seen: dict[str, str] = {}
    queue = list(SEEDS)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code in (200, 404), (path, response.status_code)
        body = (
            response.content.decode("utf-8", "replace")
            if not response.get("Content-Type", "").startswith("image/")
            else ""
        )
        seen[path] = body
        queue += sorted(links(body) - seen.keys())
    return seen


def test_a_forged_host_never_reaches_any_answer_nor_a_later_readers_copy(client, settings):
    settings.SITE_URL = SITE
    settings.PAGE_CACHE_SECONDS = 3600  # kept pages, as in production: what poisoned later readers
    World(2, drafts=False)
    content_changed()
    forged = crawl(client, host=FORGED)
    poisoned = {path for path, body in forged.items() if FORGED in body or "6666" in body}
    assert not poisoned, sorted(poisoned)
    assert len(forged) > 40, sorted(forged)  # the crawl reached pages, cards, feeds and the API
    for kind in (
        "/disputes/case-0/",
        "/claims/claim-0/card.png",
        "/claims/claim-0/embed/",
        "/api/v1/disputes/",
    ):
        assert kind in forged, kind

    # A later reader with the real Host gets the kept copies: the configured address, nothing else.
    later = crawl(client, host="testserver")
    assert not {path for path, body in later.items() if FORGED in body}
    dispute = later["/disputes/case-0/"]
    assert f'<link rel="canonical" href="{SITE}/disputes/case-0/">' in dispute
    assert f'content="{SITE}/disputes/case-0/card.png"' in dispute
    claim = later["/claims/claim-0/"]
    assert f"{SITE}/claims/claim-0/embed/" in claim
    assert f"<link>{SITE}/disputes/</link>" in later["/feeds/disputes.rss"]
    assert later["/api/v1/"].count(SITE) >= 8
    assert f'"next":"{SITE}/api/v1/claims/?cursor=' in later["/api/v1/claims/?page_size=1"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://provenance.example.org", "https://provenance.example.org"),
        ("https://Provenance.Example.org/", "https://provenance.example.org"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ],
)
def test_site_url_is_an_origin(monkeypatch, value, expected):
    monkeypatch.setenv("SITE_URL", value)
    assert env_origin("SITE_URL", "http://127.0.0.1:8000") == expected


@pytest.mark.parametrize(
    "value",
    ["provenance.example.org", "ftp://example.org", "https://example.org/site/", "https://u@example.org",
     "https://example.org?x=1", "https://*.example.org", "https://example.org:0", "http://"],
)  # fmt: skip
def test_a_site_url_that_is_not_an_origin_fails_loudly(monkeypatch, value):
    monkeypatch.setenv("SITE_URL", value)
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        env_origin("SITE_URL", "http://127.0.0.1:8000")
