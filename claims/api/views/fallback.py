"""The answer to an address under ``/api/`` that no route matches: the API's JSON 404 (the error
shape of ``claims.api.exceptions``), never the site's HTML page.

Being a catch-all, it also stands in for ``APPEND_SLASH``: ``CommonMiddleware`` redirects only paths
that match no route, and now every API path matches this one. So a path that names a route once a
slash is added is redirected here, with the middleware's own redirect.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.middleware.common import CommonMiddleware
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from claims.api.exceptions import error_body
from claims.query_params import accepts_any


@csrf_exempt  # any method gets the 404, a POST without a CSRF cookie included
@accepts_any  # whatever the query: it is the same 404 (claims.query_params)
def unknown_route(request, *args, **kwargs):
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/", getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        if match is not None and match.func is not unknown_route:
            common = CommonMiddleware(lambda _request: None)
            return common.response_redirect_class(common.get_full_path_with_slash(request))
    return JsonResponse(
        error_body("not_found", "No API route matches this address; /api/docs/ lists the routes."),
        status=404,
    )
