"""The one Markdown helper: formatting survives, active content never does."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from claims.markdown import render_markdown

XSS_PAYLOADS = {
    "script": "<script>alert('x')</script>",
    "script-in-markdown": "Hello\n\n<script>document.cookie</script>",
    "onerror": '<img src=x onerror="alert(1)">',
    "onerror-attribute-on-allowed-tag": '<a href="https://example.org" onerror="alert(1)">x</a>',
    "onclick": '<p onclick="alert(1)">click</p>',
    "javascript-link": "[click](javascript:alert(1))",
    "javascript-link-html": '<a href="javascript:alert(1)">click</a>',
    "javascript-link-obfuscated": '<a href="jav&#x09;ascript:alert(1)">click</a>',
    "javascript-uppercase": "[click](JAVASCRIPT:alert(1))",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "data-url": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data-url-image": "![x](data:image/svg+xml;base64,PHN2Zz4=)",
    "svg-onload": "<svg onload=alert(1)>",
    "style-attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "style-tag": "<style>body{background:url('https://evil.example/x')}</style>",
    "object": '<object data="https://evil.example/x.swf"></object>',
    "form": '<form action="https://evil.example"><input name=x></form>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "vbscript": "[x](vbscript:msgbox(1))",
}
DANGEROUS = [
    "<script", "onerror", "onclick", "onload", "javascript:", "vbscript:", "<iframe", "data:", "<svg",
    "style=", "<style", "<object", "<form", "<input", "<meta", "<img",
]  # fmt: skip


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_active_content_never_survives(payload):
    html = render_markdown(payload).lower()
    for needle in DANGEROUS:
        assert needle not in html, f"{needle!r} survived in {html!r}"


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_the_template_filter_sanitises_the_same_way(payload):
    rendered = Template("{% load markdown %}{{ text|markdown }}").render(Context({"text": payload}))
    assert rendered == render_markdown(payload)


def test_formatting_and_safe_links_survive():
    html = render_markdown("**bold** and [a paper](https://arxiv.org/abs/2507.03014)\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://arxiv.org/abs/2507.03014" rel="nofollow noopener">a paper</a>' in html
    assert "<li>one</li>" in html


def test_mailto_links_are_allowed():
    assert 'href="mailto:desk@example.org"' in render_markdown("[write](mailto:desk@example.org)")


def test_the_result_is_marked_safe_and_empty_input_is_empty():
    assert isinstance(render_markdown("x"), SafeString)
    assert render_markdown(None) == "" and render_markdown("") == ""


def test_a_reused_converter_renders_each_text_as_a_fresh_one_would():
    """The renderer keeps one converter per thread: nothing of a text (footnotes, abbreviations,
    reference links) carries over to the next."""
    import markdown as markdown_lib

    from claims.markdown import sanitise_html

    texts = [
        "A claim[^1] about *HTML*.\n\n[^1]: The note.\n\n*[HTML]: Hyper Text Markup Language",
        "Another[^1] with a [link][ref].\n\n[^1]: Its own note.\n\n[ref]: https://example.org",
        "HTML again, with no abbreviation defined; [ref] is no longer a link.",
    ]
    rendered = [render_markdown(text) for text in texts * 2]
    for text, html in zip(texts * 2, rendered, strict=True):
        fresh = markdown_lib.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
        assert html == sanitise_html(fresh)
    assert "<abbr" in rendered[0] and "<abbr" not in rendered[2] and "href" not in rendered[2]
