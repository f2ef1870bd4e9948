"""Content-Security-Policy header on every response (a few lines instead of a dependency).

The public site needs no inline script or style at all: scripts only from this origin (there are
none today; JSON-LD blocks are data, never executed, so they need no permission), styles from the
site's stylesheet, images from this origin (the report charts). The admin (and the API's docs UI) write ``style="..."``
attributes in their own templates, so their pages also allow inline *styles* - never inline scripts.
A view that sets its own header (the SVG chart view does) keeps it. The embed routes of reports and
claims set ``embed_policy``: the site's policy with ``frame-ancestors`` listing the origins of
``EMBED_ALLOWED_ORIGINS`` (still ``'none'`` when it is empty); nothing else is relaxed.
"""

from __future__ import annotations

from django.conf import settings

_COMMON = (
    "default-src 'self'; script-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SITE_POLICY = f"{_COMMON}; style-src 'self'"
ADMIN_POLICY = f"{_COMMON}; style-src 'self' 'unsafe-inline'"


def embed_policy(origins: list[str]) -> str:
    """The site's policy for a page other sites may frame: only ``origins`` (already validated as
    ``scheme://host[:port]`` by ``provenance.env.env_origins``) may be its ancestors."""
    ancestors = " ".join(origins) or "'none'"
    return SITE_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.relaxed_prefixes = tuple(getattr(settings, "CSP_INLINE_STYLE_PATHS", ["/admin/", "/api/"]))

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(self.relaxed_prefixes)
            response["Content-Security-Policy"] = ADMIN_POLICY if relaxed else SITE_POLICY
        return response
