"""Absolute URLs: every one the site, the feeds, the API and the cards print starts with ``SITE_URL``.

Never with the request's ``Host``: a client chooses that header (``ALLOWED_HOSTS`` ignores the
port), and an anonymous page is kept and served to every later reader (``claims.presentation.http_cache``), so
one request with ``Host: 127.0.0.1:6666`` put that address into everybody's canonical link, Open
Graph tags, cite block, embed code, feeds and API ``url`` fields. A page is a function of its path,
its query and the published content; the address it is served under is configuration.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_url(path: str = "/") -> str:
    """The public address of ``path`` (as ``reverse()`` or ``get_absolute_url()`` give it)."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"site_url() takes a path from the site's root, not {path!r}")
    return settings.SITE_URL + path


def on_site(url: str | None) -> str | None:
    """An absolute URL a library built from the request (DRF's page links and API root) moved to
    ``SITE_URL``: its path and query kept, the request's scheme and host dropped."""
    if url is None:
        return None
    parts = urlsplit(url)
    return site_url((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
