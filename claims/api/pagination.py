"""Pagination: page numbers for the small collections, cursors for the large ones (claims, evidence).

Cursor pages stay fast and stable while records are added during a crawl (no OFFSET scan, no
duplicates or gaps); page numbers let a client jump around the short lists. Both give 50 records
by default and at most 200 (``?page_size=``).
"""

from __future__ import annotations

from rest_framework.pagination import CursorPagination, PageNumberPagination

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PagePagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = f"Records per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."
    page_query_description = "Page number, from 1."


class UpdatedCursorPagination(CursorPagination):
    """Newest change first; ``?ordering=updated_at`` walks oldest first (incremental sync)."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-updated_at"
    page_size_query_description = PagePagination.page_size_query_description
    cursor_query_description = "Opaque position, taken from a previous page's `next` or `previous` link."
