"""Accessibility and framing in a real browser (Debian's chromium through Playwright).

* **axe-core** (vendored under ``tests/vendor/axe-core/``) runs on every public HTML page of the site,
  in light and dark mode, on a desktop and a 360 px phone screen, and must find no violation of
  WCAG 2.1 A/AA. The pages are derived from the public URLconf (every ``claims:`` route, filled
  with a public record of the demo world, kept when it answers HTML), so a page added later is
  checked without anyone listing it; a parametrised route whose record kind is unknown fails until
  it is mapped in the leak fuzzer's ``ROUTE_MODELS``. The 404 and 500 templates are checked too.
* **Embeds**: a page on an origin listed in ``EMBED_ALLOWED_ORIGINS`` frames a claim's embed; the
  same page on another origin is refused by the embed's CSP (two small HTTP servers on 127.0.0.1).

axe is evaluated through the DevTools protocol (``page.evaluate``), which the page's CSP does not
govern, so the site's policy stays exactly as served.
"""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from claims.models import Claim
from tests.site.conftest import DEMO_CLAIM
from tests.site.test_site_browser import assert_clean, browser_page, screenshots
from tests.test_leak_fuzzer import ROUTE_MODELS, ROUTES, _values

AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MODES = [  # (name, viewport, colour scheme)
    ("desktop light", {"width": 1280, "height": 900}, "light"),
    ("desktop dark", {"width": 1280, "height": 900}, "dark"),
    ("phone light", {"width": 360, "height": 740}, "light"),
    ("phone dark", {"width": 360, "height": 740}, "dark"),
]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ` +
    v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' [' + (n.failureSummary || '').replace(/\\s+/g, ' ') + ']').join('; '));
}"""
# Query variants that render other branches of the same templates.
EXTRA_PAGES = [
    "/search/?q=Pangu",
    "/search/?q=nothing-matches-this",
    "/disputes/?state=open",
    "/no-such-page/",
]
# Parametrised routes that are files, not pages, and whose record kind the leak fuzzer does not map.
NOT_PAGES = {"claims:capture-artefact": "a capture's files (WARC, screenshot, PDF, text): downloads"}


def public_html_pages() -> list[str]:
    """Every public route of the site (``claims:`` namespace) filled with the demo world's public
    records, kept when it answers HTML: the pages axe checks. Run before the browser starts."""
    client = Client()
    urls = []
    for name, params in ROUTES:
        namespace, short = name.split(":", 1)
        if namespace != "claims" or name in NOT_PAGES:
            continue
        if not params:
            candidates = [reverse(name)]
        else:
            model = ROUTE_MODELS[namespace][short.split("-")[0]]  # KeyError: map the new route there
            candidates = []
            for record in model.objects.public():
                for value in _values(record):
                    kwargs = {p: value.get(p) for p in params}
                    if all(v is not None for v in kwargs.values()):
                        candidates.append(reverse(name, kwargs=kwargs))
        for url in candidates:  # the first that answers (a download the demo lacks is a 404)
            response = client.get(url)
            if response.status_code == 200:
                if response["Content-Type"].startswith("text/html"):
                    urls.append(url)
                break
    return urls + EXTRA_PAGES


def test_every_public_page_passes_axe_in_light_and_dark_on_desktop_and_phone(
    transactional_db, live_server, demo_report
):
    computed = [demo_report.get_absolute_url(), reverse("claims:report-embed", args=[demo_report.slug])]
    pages = list(dict.fromkeys([*public_html_pages(), *computed]))  # a succeeded report's branches too
    assert {"/", "/about/", "/disputes/", "/no-such-page/"} <= set(pages)
    server_error = render_to_string("500.html")
    violations: list[str] = []
    with browser_page() as (page, errors):
        # A report being computed updates itself every 15 s (static/js/auto-refresh.js): not mid-check.
        page.add_init_script("sessionStorage.setItem('provenance:auto-refresh-off', '1')")
        page.route(
            f"{live_server.url}/__500__",
            lambda route: route.fulfill(status=500, body=server_error, content_type="text/html"),
        )
        for url in [*pages, "/__500__"]:
            page.set_viewport_size(MODES[0][1])
            page.emulate_media(color_scheme="light")
            page.goto(live_server.url + url)
            page.wait_for_load_state("load")
            page.evaluate(AXE)
            for mode, viewport, scheme in MODES:
                page.set_viewport_size(viewport)
                page.emulate_media(color_scheme=scheme)
                violations += [f"{url} [{mode}] {v}" for v in page.evaluate(RUN_AXE, WCAG_21_AA)]
        page.screenshot(path=screenshots() / "axe-last-page-phone-dark.png", full_page=True)
        # The 404 page and the framed embeds log their own refusals: only page errors count here.
        assert [e for e in errors if e.startswith("pageerror")] == []
    assert violations == [], "\n".join(violations)


@contextlib.contextmanager
def origin_serving(pages: dict[str, str]):
    """A tiny web server on 127.0.0.1 (its own origin) answering ``pages`` (path → HTML)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_listed_origin_frames_an_embed_and_another_origin_is_refused(
    transactional_db, live_server, demo, settings
):
    claim = Claim.objects.get(slug=DEMO_CLAIM)
    embed = live_server.url + reverse("claims:claim-embed", args=[claim.slug])

    def article(src: str) -> str:
        return f'<!doctype html><html lang="en"><title>News</title><h1>Our article</h1><iframe src="{src}" title="claim"></iframe></html>'

    pages = {"/embed": article(embed), "/page": article(live_server.url + claim.get_absolute_url())}
    with origin_serving(pages) as newsroom, origin_serving(pages) as stranger:
        settings.EMBED_ALLOWED_ORIGINS = [newsroom]
        with browser_page() as (page, errors):
            page.goto(newsroom + "/embed")
            frame = page.frame_locator("iframe")
            assert frame.locator("h1").inner_text() == claim.title
            assert "Assessment:" in frame.locator("main").inner_text()
            page.screenshot(path=screenshots() / "embed-allowed.png")
            assert_clean(page, errors)

            for origin, path in ((stranger, "/embed"), (newsroom, "/page")):
                refusals: list[str] = []
                page.on("console", lambda msg, refusals=refusals: refusals.append(msg.text))
                page.goto(origin + path)
                page.wait_for_load_state("load")
                assert page.locator("h1").inner_text() == "Our article"
                # Chromium replaces a refused frame by its error page: nothing of ours is rendered.
                assert page.frames[1].url == "chrome-error://chromewebdata/", (origin, path)
                assert any("frame-ancestors" in text for text in refusals), (origin, path, refusals)
