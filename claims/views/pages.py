"""Pages that are not one record: home, about/methods, robots.txt."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from claims.selectors import disputes_recent
from provenance.fingerprint.evidence import Z_STRONG
from provenance.fingerprint.methods import TITLES
from provenance.fingerprint.parameters import NULL_SIZE


@require_safe
def home(request):
    recent = disputes_recent(limit=6)
    return render(
        request,
        "site/home.html",
        {
            **recent,
            "page_title": "Provenance — AI model provenance disputes, with the evidence",
            "page_description": "Who claimed an AI model was copied from another, what the evidence shows, "
            "and the fingerprint numbers recomputed from the weights, each beside its null.",
            "canonical_path": "/",
            "og_type": "website",
        },
    )


@require_safe
def about(request):
    return render(
        request,
        "site/about.html",
        {
            "page_title": "About Provenance and its methods",
            "page_description": "How Provenance records disputes and how its fingerprint methods work, "
            "in plain words, with their limits.",
            "canonical_path": request.path,
            # The engine's figures, so the page cannot drift from them: "5", 32 and "1/33 ≈ 0.03".
            "strong_z": f"{Z_STRONG:g}",
            "null_size": NULL_SIZE.default,
            "p_floor": f"1/{NULL_SIZE.default + 1} ≈ {1 / (NULL_SIZE.default + 1):.2f}",
            # Every method the engine runs, by the title its reports use (``methods.TITLES``).
            "titles": TITLES,
        },
    )


@require_safe
def robots_txt(request):
    """The crawlers' rules; also the benchmark's baseline (a view that does no work)."""
    return HttpResponse("User-agent: *\nDisallow: /admin/\n", content_type="text/plain; charset=utf-8")
