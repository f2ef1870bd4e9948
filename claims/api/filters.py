"""What the API adds to the FilterSets it shares with the site (``claims.selectors.filters``): the
largest id a path may name, and ``?search=`` answered by the site's search.
"""

from __future__ import annotations

from rest_framework.filters import SearchFilter

from claims import search

MAX_ID = 2**63 - 1  # the largest id a BIGINT column holds; larger numbers are a 400, not a 500


class RecordSearchFilter(SearchFilter):
    """``?search=`` on the searchable records goes through the site's search (``claims.search``):
    the same fields, syntax and matches as /search/, within the rows the viewset lets this reader
    see, in the list's own order. Other collections keep DRF's ``search_fields``."""

    search_description = (
        'Full-text search: every word must match; "a phrase" in quotes; OR between alternatives; '
        "-word leaves a word out. English stemming (model matches models)."
    )

    def filter_queryset(self, request, queryset, view):
        if queryset.model not in search.FIELDS:
            return super().filter_queryset(request, queryset, view)
        text = request.query_params.get(self.search_param, "")
        if not text.strip():
            return queryset
        return search.matching(queryset, text)
