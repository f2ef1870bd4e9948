"""Refuse a request whose query string holds a control character, before any view or database sees it.

PostgreSQL text cannot hold NUL (a search or filter with one fails in the database: a 500), and no
search term, filter, page number or admin autocomplete term needs a control character. So one rule
for the site, the admin and the API: a C0 control other than tab, line feed and carriage return
(which a pasted search may carry), or DEL, in any parameter's name or value after percent-decoding,
is a 400: the API's error shape under ``/api/``, the site's 400 page (``handler400``) elsewhere.

The same rule for the other inputs that reach a query: a cookie holding a control character (a
session key with a NUL, quoted as ``"\\000…"``) is dropped before the session is loaded, as if it had
not been sent; a numeric id in a path is matched by ``IdConverter`` (at most 18 digits, so that it
fits a 64-bit column: SQLite raises on a larger integer instead of finding nothing). The API's
cursors, which carry a position of their own, are checked by ``claims.api.pagination``.
"""

from __future__ import annotations

import re

from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.urls import get_resolver

from claims.api.exceptions import error_body

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
API_PREFIX = "/api/"


def parameter_with_control_character(query) -> str | None:
    """The name of the first parameter of ``query`` (a ``QueryDict``) whose name or a value holds a
    control character, with those characters removed; ``None`` if there is none."""
    for name, values in query.lists():
        if CONTROL_CHARACTERS.search(name) or any(CONTROL_CHARACTERS.search(v) for v in values):
            return CONTROL_CHARACTERS.sub("", name)
    return None


class ControlCharacterQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for cookie, value in list(request.COOKIES.items()):
            if CONTROL_CHARACTERS.search(cookie) or CONTROL_CHARACTERS.search(value):
                del request.COOKIES[cookie]
        name = parameter_with_control_character(request.GET)
        if name is None:
            return self.get_response(request)
        return refuse_parameter(
            request, name, "Control characters (such as NUL) are not allowed in query parameters."
        )


def refuse_parameter(request, name: str, message: str):
    """The 400 for query parameter ``name``: the API's error shape under ``/api/``, naming the
    parameter; the site's 400 page (``handler400``) elsewhere."""
    if request.path_info.startswith(API_PREFIX):
        field = name or "non_field_errors"
        text = message if field == "non_field_errors" else f"{field}: {message}"
        return JsonResponse(error_body("invalid", text, {field: [message]}), status=400)
    handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(400)
    return handler(request, SuspiciousOperation(message))


class IdConverter:
    """``<id:name>`` in a URL pattern: a database id, 1 to 18 digits (any such number fits a signed
    64-bit integer column); a longer one matches no route, a 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
