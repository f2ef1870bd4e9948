"""HTTP caching of public output: validators, ``304 Not Modified``, and who may keep a copy.

Every public page and API read is a function of the URL, the ``Accept`` header and the published
content, and the published content has one version (``claims.models.content``) that every write
bumps. So an anonymous reader's validators come from that version, before any view runs:

* ``ETag``: a digest of (content version, path and query, Accept); ``Last-Modified``: when the
  version last changed. A conditional request that matches is answered ``304`` at once, for the
  price of one one-row query; anything published, unpublished or edited since makes a new ETag.
* ``Cache-Control: public, max-age=0, s-maxage=HTTP_CACHE_SECONDS``: a browser revalidates every
  time (a cheap 304), a CDN or shared proxy may serve its copy for ``HTTP_CACHE_SECONDS``, so an
  unpublished record disappears from a CDN within that delay (0 turns shared caching off).
  ``Vary: Cookie, Authorization`` (and ``Accept`` on the API) keeps readers' and editors' copies apart.

Who counts as anonymous is decided from the request alone, never from the database: no session
cookie and no ``Authorization`` header. Anyone else (an editor, an API client with a token, the
admin) gets ``Cache-Control: private, no-store``, no validators, and a page computed for them: an
editor's preview is never stored anywhere, nor answered 304 from a reader's ETag.

The same key serves a server-side copy: an anonymous GET answered 200 is kept in the default cache
(``CACHE_URL``) under its ETag for ``PAGE_CACHE_SECONDS``, and the next reader of that URL gets it
without the view running (the page is rendered once per content version, not once per reader). A
key names the content version, so a write makes every copy unreachable at once; nothing is ever
served stale. Streaming responses, responses over ``PAGE_CACHE_MAX_BYTES`` and responses with
cookies are not kept, and the copies of one content version take at most ``PAGE_CACHE_BUDGET_BYTES``
together (a counter beside them): a crawler asking for ever new URLs (``?q=`` is free text, and
``claims.query_params`` refuses only unknown parameter names) gets pages rendered for it, uncached,
once the budget is spent, instead of filling the cache.

A view whose output can change without a content change (a report in progress shows the bytes read
so far) sets its own ``Cache-Control`` (``uncached_while_in_progress``: the one such rule); such a
response is passed on untouched and gets no ETag. Every ETag and content-named key is made by
``digest`` (``etag_for``): the API's body hash for clients with credentials, a card's key, a map's.
Only 200 responses to GET and HEAD get validators.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from claims.models import ContentVersion, FingerprintReport

PRIVATE = "private, no-store"


def digest(*parts: object) -> str:
    """The one digest behind every validator and every content-named key here: BLAKE2b (96 bits)
    of ``parts``, one per line, each as text (bytes as they are)."""
    h = hashlib.blake2b(digest_size=12)
    for i, part in enumerate(parts):
        if i:
            h.update(b"\n")
        h.update(part if isinstance(part, bytes) else str(part).encode())
    return h.hexdigest()


def etag_for(*parts: object, weak: bool) -> str:
    """An ETag naming ``parts``: weak when they name a content version rather than bytes (two
    renderings of one version are equivalent, not promised byte for byte), strong for a body's bytes."""
    return f'{"W/" if weak else ""}"{digest(*parts)}"'


def uncached_while_in_progress(
    response: HttpResponse, *, report: FingerprintReport | None = None
) -> HttpResponse:
    """Mark ``response`` as output that may change without a content change - no ETag, no copy kept
    without asking again - while ``report`` is queued or running, or (without ``report``: a list,
    the export) while any report is: its progress moves with no content change."""
    if report is not None:
        moving = report.in_progress
    else:
        moving = FingerprintReport.objects.filter(status__in=FingerprintReport.IN_PROGRESS).exists()
    if moving:
        response["Cache-Control"] = "no-cache"
    return response


def content_version(request: HttpRequest | None = None) -> tuple[int, float | None]:
    """(version, when it changed as a Unix time) of the public content; read once per request."""
    cached = getattr(request, "_content_version", None)
    if cached is not None:
        return cached
    version, changed_at = ContentVersion.current()
    value = (version, changed_at.timestamp() if changed_at else None)
    if request is not None:
        request._content_version = value
    return value


def public_cache_key(request: HttpRequest | None, *parts: object) -> str:
    """A cache key for public output made of ``parts``, stale as soon as any content changes."""
    version, changed_at = content_version(request)
    # changed_at too: a database rebuilt from scratch starts counting again, at another time.
    return ":".join(["public", str(version), f"{changed_at or 0:.6f}", *map(str, parts)])


def is_anonymous(request: HttpRequest) -> bool:
    """No session and no credentials: the request cannot be anybody's but the public's."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "HTTP_AUTHORIZATION" not in request.META


class HttpCacheMiddleware:
    """The rules of the module docstring, for every response but the static files'."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.private_prefixes = ("/admin/",)
        self.api_prefix = "/api/"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cacheable = (
            request.method in ("GET", "HEAD")
            and is_anonymous(request)
            and not request.path.startswith(self.private_prefixes)
        )
        if not cacheable:
            response = self.get_response(request)
            if "Cache-Control" not in response:
                response["Cache-Control"] = PRIVATE
            return response
        etag, last_modified = self._validators(request)
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return self._public(request, not_modified, etag, last_modified)
        kept = self._kept(request, etag)
        if kept is not None:
            return self._public(request, kept, etag, last_modified)
        response = self.get_response(request)
        if response.status_code != 200 or "Cache-Control" in response or response.cookies:
            if response.cookies and "Cache-Control" not in response:
                response["Cache-Control"] = PRIVATE
            return response
        self._keep(request, etag, response)
        return self._public(request, response, etag, last_modified)

    @staticmethod
    def _page_key(etag: str) -> str:
        return f"page:{etag}"

    def _kept(self, request: HttpRequest, etag: str) -> HttpResponse | None:
        if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
            return None
        stored = cache.get(self._page_key(etag))
        if stored is None:
            return None
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response

    def _keep(self, request: HttpRequest, etag: str, response: HttpResponse) -> None:
        if (
            request.method != "GET"
            or not settings.PAGE_CACHE_SECONDS
            or response.streaming
            or len(response.content) > settings.PAGE_CACHE_MAX_BYTES
        ):
            return
        if not self._within_budget(request, len(response.content)):
            return
        headers = [(k, v) for k, v in response.items() if k.lower() not in ("set-cookie", "vary")]
        cache.set(self._page_key(etag), (response.content, headers), settings.PAGE_CACHE_SECONDS)

    @staticmethod
    def _within_budget(request: HttpRequest, size: int) -> bool:
        """Count ``size`` bytes against this content version's budget; False once it is spent."""
        key = public_cache_key(request, "kept-bytes")
        cache.add(key, 0, settings.PAGE_CACHE_SECONDS)
        try:
            total = cache.incr(key, size)
        except ValueError:  # evicted between add and incr: count afresh
            cache.add(key, size, settings.PAGE_CACHE_SECONDS)
            total = size
        return total <= settings.PAGE_CACHE_BUDGET_BYTES

    def _validators(self, request: HttpRequest) -> tuple[str, int | None]:
        """The ETag, and Last-Modified as whole seconds: rounded up, and only once that second is
        over, so that a second change within the same second can never look "not modified"."""
        version, changed_at = content_version(request)
        last_modified = math.ceil(changed_at) if changed_at else None
        if last_modified is not None and time.time() < last_modified:
            last_modified = None
        path, accept = request.get_full_path(), request.META.get("HTTP_ACCEPT", "")
        return etag_for(version, f"{changed_at or 0:.6f}", path, accept, weak=True), last_modified

    def _public(self, request, response: HttpResponse, etag: str, last_modified: int | None) -> HttpResponse:
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
        seconds = settings.HTTP_CACHE_SECONDS
        response["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}" if seconds else "no-cache"
        patch_vary_headers(
            response,
            ("Cookie", "Authorization", "Accept")
            if request.path.startswith(self.api_prefix)
            else ("Cookie", "Authorization"),
        )
        return response
