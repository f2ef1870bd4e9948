"""The search page. The query is only ever rendered through the template's autoescaping."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from claims import search as site_search
from claims.query_params import accepts


@require_safe
@accepts("q")
def search(request):
    query = request.GET.get("q", "").strip()[: site_search.MAX_QUERY_LENGTH]
    sections = site_search.search(query) if query else []
    total = sum(len(s.results) for s in sections)
    return render(
        request,
        "site/search.html",
        {
            "query": query,
            "sections": [s for s in sections if s.results],
            "total": total,
            "page_title": f"Search: {query}" if query else "Search",
            "page_description": "Search the disputes, claims, parties, AI models, evidence and fingerprint reports.",
            "canonical_path": request.path,
            "noindex": bool(query),
        },
    )
