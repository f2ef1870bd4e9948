"""The one Markdown renderer: Markdown → HTML → nh3 allow-list sanitiser → SafeString.

Every long text an editor writes is rendered through ``render_markdown``, by the template filter
(``{% load markdown %}{{ text|markdown }}``) and by the API alike. Sanitising happens *after*
rendering, so raw HTML inside the Markdown cannot smuggle anything past it.
"""

from __future__ import annotations

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


def render_markdown(text: str | None) -> SafeString:
    """Markdown ``text`` as sanitised HTML, safe to insert into a page. ``None`` gives ``""``."""
    html = markdown_lib.markdown(text or "", extensions=_EXTENSIONS, output_format="html")
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
