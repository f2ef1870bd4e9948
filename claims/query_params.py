"""Which query parameters each public route accepts; any other is a 400, before a page is computed or kept.

Every anonymous page and API read is kept server-side under its full URL (``claims.presentation.http_cache``),
so a parameter nobody reads made a new copy per request: 300 requests with unique junk parameters
kept 300 copies. A route's parameters are known where they are read, and derived from there:

* API views (DRF): the FilterSet's filters, the search and ordering parameters of their filter
  backends, the pagination's page, page-size and cursor parameters, ``format``, and ``expand``
  where the view has expansions; an ``@action`` with its own ``filter_backends`` or
  ``pagination_class`` counts those, and one that reads a parameter itself names it
  (``query_parameters``).
* Site views: ``query_parameters`` on the view (``accepts(...)`` for a function view; the index
  pages derive theirs from their index, ``claims.selectors.browse.parameters``); a view that
  declares nothing accepts nothing.
* The OpenAPI schema and its docs page (drf-spectacular) read ``lang``, ``version`` and ``script``.

Links shared on social media come back with tracking parameters (``utm_*``, ``fbclid``...): a page
asked for with nothing unknown but those is redirected (301) to its address without them, so the
shared link works and the kept copy is the page's own. The admin is not checked (it is never kept).
"""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from provenance.query_guard import API_PREFIX, refuse_parameter

PAGINATION_PARAMETERS = (
    "page_query_param",
    "page_size_query_param",
    "cursor_query_param",
    "limit_query_param",
    "offset_query_param",
)
THIRD_PARTY = {
    SpectacularAPIView: frozenset({"lang", "version"}),
    SpectacularSwaggerSplitView: frozenset({"lang", "version", "script"}),
}
TRACKING_PREFIXES = ("utm_",)
TRACKING = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "twclid"})


def accepts(*names: str):
    """Declare the query parameters a function view reads."""

    def mark(view):
        view.query_parameters = frozenset(names)
        return view

    return mark


def accepts_any(view):
    """A view that reads no parameter but answers any request the same way (the API's 404)."""
    view.query_parameters = None
    return view


def is_tracking(name: str) -> bool:
    return name in TRACKING or name.startswith(TRACKING_PREFIXES)


def accepted_parameters(path: str, urlconf=None) -> frozenset[str] | None:
    """The parameters the route of ``path`` accepts; ``None``: not checked (no route: a 404)."""
    try:
        func = resolve(path, urlconf).func
    except Resolver404:
        return None
    cls = getattr(func, "cls", None)
    if isinstance(cls, type) and issubclass(cls, APIView):
        return _api_parameters(cls, getattr(func, "initkwargs", {}) or {})
    holder = getattr(func, "view_class", func)
    return getattr(holder, "query_parameters", frozenset())


def _api_parameters(cls: type, initkwargs: dict) -> frozenset[str]:
    def setting(name: str):
        return initkwargs[name] if name in initkwargs else getattr(cls, name, None)

    names = {api_settings.URL_FORMAT_OVERRIDE}
    names |= THIRD_PARTY.get(cls, frozenset())
    for backend in setting("filter_backends") or ():
        if issubclass(backend, DjangoFilterBackend) and setting("filterset_class") is not None:
            names |= _filterset_parameters(setting("filterset_class"))
        if issubclass(backend, SearchFilter):
            names.add(backend.search_param)
        if issubclass(backend, OrderingFilter):
            names.add(backend.ordering_param)
    pagination = setting("pagination_class")
    for attribute in PAGINATION_PARAMETERS if pagination else ():
        if getattr(pagination, attribute, None):
            names.add(getattr(pagination, attribute))
    if getattr(cls, "expand_options", None) is not None:
        names.add("expand")
    names |= set(setting("query_parameters") or ())
    return frozenset(name for name in names if name)


def _filterset_parameters(filterset_class) -> set[str]:
    """A FilterSet's parameter names: a filter's name, or name_<suffix> for a multi-part widget."""
    names = set()
    for name, flt in filterset_class.base_filters.items():
        suffixes = getattr(flt.field_class.widget, "suffixes", None) if hasattr(flt, "field_class") else None
        names |= {f"{name}_{s}" if s else name for s in suffixes} if suffixes else {name}
    return names


class UnknownParameterMiddleware:
    """The rule of the module docstring, for GET and HEAD outside the admin, before the page cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or not request.GET
            or request.path_info.startswith("/admin/")
        ):
            return self.get_response(request)
        accepted = accepted_parameters(request.path_info, getattr(request, "urlconf", None))
        unknown = [] if accepted is None else sorted(set(request.GET) - accepted)
        if not unknown:
            return self.get_response(request)
        if all(is_tracking(name) for name in unknown) and not request.path_info.startswith(API_PREFIX):
            kept = request.GET.copy()
            for name in unknown:
                del kept[name]
            query = kept.urlencode()
            return HttpResponsePermanentRedirect(request.path + (f"?{query}" if query else ""))
        name = unknown[0]
        known = ", ".join(sorted(accepted)) or "none"
        return refuse_parameter(
            request, name, f"Unknown query parameter {name!r}; this address takes: {known}."
        )
