"""The one Markdown renderer: Markdown → HTML → nh3 allow-list sanitiser → SafeString.

Every long text an editor writes is rendered through ``render_markdown``, by the template filter
(``{% load markdown %}{{ text|markdown }}``) and by the API alike. Sanitising happens *after*
rendering, so raw HTML inside the Markdown cannot smuggle anything past it.
"""

from __future__ import annotations

import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
# No style, no class, no src: nothing that loads, runs or restyles the page.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
_EXTENSIONS = ["extra", "sane_lists"]
# One converter per thread, reset before each text: building one (its extensions and their
# processors) cost 1 ms, paid per text (a search page renders a hundred).
_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown_lib.Markdown(extensions=_EXTENSIONS, output_format="html")
    return converter


def render_markdown(text: str | None) -> SafeString:
    """Markdown ``text`` as sanitised HTML, safe to insert into a page. ``None`` gives ``""``."""
    return sanitise_html(_converter().reset().convert(text or ""))


def sanitise_html(html: str) -> SafeString:
    """``html`` through the allow-lists above (what ``render_markdown`` does after rendering)."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener",
        # Drop the content of these tags entirely instead of keeping their text.
        clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math", "template"},
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 with the allow-lists above
