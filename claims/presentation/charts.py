"""Serving a report's stored charts over HTTP: one response for the site, the API and the admin.

The charts themselves are drawn by the engine (``provenance.fingerprint.charts``) when the worker
stores the result, and again after a compared model is renamed (``claims.services.report_draw_charts``),
and stored as SVG text on the report; readers serve ``FingerprintReport.charts_as_read``.
"""

from __future__ import annotations

from django.http import HttpResponse

# Matplotlib's SVG has no script, but an SVG opened on its own is a document: the sandbox makes sure
# a stored file never runs one and loads nothing; it may only style itself.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def svg_response(svg: str, *, cache_seconds: int | None = None) -> HttpResponse:
    """``svg`` as ``image/svg+xml`` under a sandboxing Content-Security-Policy; publicly cacheable
    for ``cache_seconds`` when given (only for charts anyone may see)."""
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_CSP
    if cache_seconds is not None:
        response["Cache-Control"] = f"public, max-age={cache_seconds}"
    return response
