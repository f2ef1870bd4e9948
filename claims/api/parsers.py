"""The API's request parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``): DRF's JSON parser, with
every body it cannot turn into data answered as 400 ``malformed_body`` instead of a 500.

DRF's parser turns invalid JSON into a ``ParseError`` but lets through a ``RecursionError`` (a body
nested about 1,000 levels deep) and a body that parses yet nests so deep that the serializers and
the error renderer would recurse on it. No record needs more than a few levels, so anything deeper
than ``MAX_DEPTH`` is refused outright.
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def json_depth(data, *, limit: int = MAX_DEPTH) -> int:
    """How many arrays/objects are nested in ``data`` (0 for a scalar), counted without recursion;
    stops counting once past ``limit``."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = f"JSON parse error - the body nests more than {MAX_DEPTH} levels of arrays and objects."
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep) from None
        if json_depth(data) > MAX_DEPTH:
            raise ParseError(too_deep)
        return data
