"""The dispute list (filters, pagination) and the dispute page (its timeline).

The dispute page's body (parties, models, timeline, change log) is the costliest thing the site
renders (hundreds of claims with their evidence and replies). Readers get it from the cache, keyed by
the public content version (``claims.presentation.http_cache.public_cache_key``), so any write through the
services makes the next reader's copy fresh; an editor's preview is rendered every time, never stored.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views import View

from claims.models import Dispute
from claims.presentation.http_cache import public_cache_key
from claims.presentation.lineage import draw
from claims.selectors import dispute_filter_options, dispute_lineage, dispute_list, dispute_page, dispute_rows
from claims.views.base import PublicRecordView, can_preview

PAGE_SIZE = 20
STATES = [("open", "open"), ("closed", "closed"), ("retracted", "retracted")]


class DisputeList(View):
    """Disputes, newest first; filters by state (open, closed, retracted), party, model and year in
    the query string. ``state`` was ``status`` until the API's ``status`` (a record's editorial
    status: draft, published, retracted) made one word mean two things: an old ``?status=`` link is
    sent to the same list under ``?state=`` (301)."""

    query_parameters = frozenset({"state", "status", "party", "model", "year", "page"})  # claims.query_params

    def get(self, request):
        if "status" in request.GET:
            query = request.GET.copy()
            query.setlist("state", query.pop("status"))
            return HttpResponsePermanentRedirect(f"{request.path}?{query.urlencode()}")
        preview = can_preview(request, Dispute)
        options = dispute_filter_options(preview=preview)
        filters = {
            "state": _choice(request.GET.get("state"), [s for s, _ in STATES]),
            "party": _choice(request.GET.get("party"), [slug for slug, _ in options["parties"]]),
            "model": _choice(request.GET.get("model"), [slug for slug, _ in options["models"]]),
            "year": _choice(request.GET.get("year"), [str(y) for y in options["years"]]),
        }
        disputes = dispute_list(
            preview=preview,
            status=filters["state"],
            party=filters["party"],
            model=filters["model"],
            year=int(filters["year"]) if filters["year"] else None,
        )
        page = Paginator(disputes, PAGE_SIZE).get_page(request.GET.get("page"))
        active = {name: value for name, value in filters.items() if value}
        return render(
            request,
            "site/dispute_list.html",
            {
                "page": page,
                "filters": filters,
                "options": options,
                "states": STATES,
                "filter_query": urlencode(active),
                "page_title": "Disputes" + (f" — page {page.number}" if page.number > 1 else ""),
                "page_description": "Every published AI provenance dispute, newest first.",
                "canonical_path": request.path + (f"?{urlencode(active)}" if active else ""),
            },
        )


def _choice(value: str | None, allowed: list[str]) -> str:
    """``value`` if it is one of ``allowed``, else "" (an unknown filter value is ignored, not an error)."""
    return value if value in allowed else ""


class DisputeDetail(PublicRecordView):
    """A dispute's page: where it stands, its parties and models, and its timeline a page at a time
    (``?page=``: a number or "last"; not a number is page 1, past the end the last page, as on the
    lists), each entry with its own anchor."""

    model = Dispute
    shareable = True
    template_name = "site/dispute_detail.html"
    query_parameters = frozenset({"page"})  # claims.query_params

    def base_queryset(self):
        return dispute_rows()  # with its claim count: a small dispute's timeline is read whole

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        number = self.request.GET.get("page") or 1
        context["article"], page_number = dispute_article(
            self.request, self.object, preview=self.preview, timeline_page=number
        )
        if page_number > 1:
            context["page_title"] += f" — timeline page {page_number}"
            context["canonical_path"] += f"?page={page_number}"
        return context


# Entries are never stale (the key names the content version); this only bounds what old versions hold.
ARTICLE_CACHE_SECONDS = 24 * 3600


def dispute_article(request, dispute: Dispute, *, preview: bool, timeline_page=1) -> tuple[SafeString, int]:
    """The body of ``dispute``'s page as HTML with the number of the timeline page it shows: from
    the cache for readers' first page (later pages are kept whole by the page cache, which has a
    budget: a crawler's ever new ``?page=`` cannot fill this one), rendered otherwise."""

    def render_article() -> tuple[str, int]:
        page = dispute_page(dispute=dispute, preview=preview, timeline_page=timeline_page)
        lineage = dispute_lineage(models=page.models, claims=page.claims, preview=preview)
        # No request: the fragment is the same for every reader (nothing of the user, no CSRF token).
        # The lineage map is part of it: the cache key names the content version, which every
        # publish bumps, so a newly public report or model redraws it.
        html = render_to_string(
            "site/_dispute_article.html",
            {
                "page": page,
                "record": dispute,
                "preview": preview,
                "lineage": lineage,
                "lineage_svg": draw(lineage),
            },
        )
        return html, page.timeline.number

    if preview or timeline_page not in (1, "1"):
        html, number = render_article()
        return mark_safe(html), number
    key = public_cache_key(request, "dispute-article", dispute.pk)
    html = cache.get(key)
    if html is None:
        html, _number = render_article()
        cache.set(key, html, ARTICLE_CACHE_SECONDS)
    return mark_safe(html), 1
