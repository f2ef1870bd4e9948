"""The site in a real browser: headless Chromium (Debian's package) driven by Playwright.

Playwright's own browser download is not used: ``.ci/run`` installs Debian's ``chromium`` and the
tests launch it by path. Pages are served by pytest-django's live server. Data is written before
the browser starts (Playwright's sync API runs an event loop in this thread, where Django refuses
database calls) and the browser is closed before the database is flushed.

Screenshots land in ``$VAR_DIR/screenshots`` (CI keeps ``var/`` as its artifacts).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page, sync_playwright

from claims.archive.browser import CHROMIUM, CHROMIUM_ARGS
from tests.site.conftest import SYNTHETIC_CLAIM, SYNTHETIC_DISPUTE
from tests.site.xss import build_world

# Records what a browser would otherwise only log: CSP violations and any script of the payload.
WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def screenshots() -> Path:
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def browser_page(**context_options):
    """A fresh page; yields (page, errors) where errors collects console errors and page errors."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**context_options)
            page = context.new_page()
            page.add_init_script(WATCH)
            errors: list[str] = []
            page.on(
                "console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None
            )
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            yield page, errors
        finally:
            browser.close()


def assert_clean(page: Page, errors: list[str]) -> None:
    assert errors == [], errors
    assert page.evaluate("window.__cspViolations") == []


def test_a_reader_goes_from_search_to_a_fingerprint_report(transactional_db, live_server, demo_report):
    shots = screenshots()
    with browser_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        page.goto(live_server.url + "/")
        assert page.locator("h1").inner_text() == "Who copied whom? The evidence, checked."
        page.screenshot(path=shots / "home.png", full_page=True)

        page.fill("#home-search", "Pangu")
        page.press("#home-search", "Enter")
        page.wait_for_url("**/search/?q=Pangu")
        assert "result" in page.locator("[role=status]").inner_text()
        page.screenshot(path=shots / "search.png", full_page=True)

        page.get_by_role(
            "link", name="Was Huawei's Pangu Pro MoE derived from Alibaba's Qwen2.5-14B?"
        ).first.click()
        page.wait_for_url("**/disputes/pangu-pro-moe-qwen/")
        timeline = page.locator("ol.timeline")
        assert timeline.is_visible()
        assert "Alibaba did not respond to Reuters as of 7 July 2025." in timeline.inner_text()
        page.screenshot(path=shots / "dispute.png", full_page=True)

        page.get_by_role(
            "link", name="Pangu Pro MoE was derived from Qwen2.5-14B by upcycling, not trained from scratch"
        ).first.click()
        page.wait_for_url("**/claims/honestagi-pangu-derived-from-qwen/")
        assert page.get_by_role("heading", name="Our assessment").is_visible()
        assert "Assessment: contested" in page.locator(".assessment").inner_text()
        page.screenshot(path=shots / "claim.png", full_page=True)

        # The real case has no report yet (its weights are not here): the synthetic example has.
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Synthetic example: detecting an upcycled model").first.click()
        page.wait_for_url(f"**/disputes/{SYNTHETIC_DISPUTE}/")
        page.get_by_role(
            "link", name="Synthetic MoE was upcycled from Synthetic Base (synthetic example)"
        ).first.click()
        page.wait_for_url(f"**/claims/{SYNTHETIC_CLAIM}/")
        page.get_by_role("link", name="fingerprint report").first.click()
        page.wait_for_url(f"**{demo_report.get_absolute_url()}")
        assert page.get_by_role("heading", name="What this shows").is_visible()
        assert page.get_by_role("table", name="Scores and their nulls").is_visible()
        chart = page.locator("img[src$='sigma_curves.svg']")
        chart.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
        headline = page.locator("section.headline")
        assert headline.locator("h2").inner_text() == "Strong evidence of a common origin"
        picture = page.locator("img[src$='/charts/evidence.svg']")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
        assert headline.bounding_box()["y"] < picture.bounding_box()["y"]
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=shots / "report.png", full_page=True)
        page.screenshot(path=shots / "report-top.png")  # what a reader sees first (the README's copy)
        assert_clean(page, errors)

        # A phone: 360 px, no horizontal scrolling, the scores table as stacked cards.
        page.set_viewport_size({"width": 360, "height": 740})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.locator("table.scores thead").bounding_box()["width"] <= 1  # headers hidden
        first = page.locator("table.scores tbody tr").first
        assert first.evaluate("row => getComputedStyle(row).display") == "block"
        assert page.evaluate(
            "getComputedStyle(document.querySelector('table.scores td'), '::before').content"
        ).startswith('"Score')  # each value says what it is
        page.screenshot(path=shots / "report-phone.png", full_page=True)
        assert_clean(page, errors)


CHART_TEXT_PT = 9  # provenance.fingerprint.charts: the smallest text a chart draws ("font.size")


def test_a_reports_charts_read_on_a_phone_in_dark_mode(transactional_db, live_server, demo_report):
    """390 px, dark: every chart keeps its drawn size (9 pt = 12 px text) and scrolls inside its figure,
    the page itself never scrolls sideways, the evidence picture gives way to its list, and no chart is
    a white slab (inverted with the page)."""
    with browser_page(viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True) as (
        page,
        errors,
    ):
        page.goto(live_server.url + demo_report.get_absolute_url())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not page.locator(".evidence-picture img").is_visible()
        assert page.locator(".evidence-picture .evidence-rows").is_visible()
        charts = page.locator("figure.chart img:not(.evidence-picture img)")
        assert charts.count() >= 3
        for i in range(charts.count()):
            chart = charts.nth(i)
            chart.evaluate("img => img.scrollIntoView()")  # lazy images load when near the view
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
            scale = chart.evaluate("img => img.getBoundingClientRect().width / img.naturalWidth")
            smallest_px = CHART_TEXT_PT * 4 / 3 * scale  # an SVG point is 4/3 CSS px
            assert smallest_px >= 11.99, (chart.get_attribute("src"), scale)  # px rounding of the pt size
            assert "invert" in chart.evaluate("img => getComputedStyle(img).filter")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=screenshots() / "report-phone-dark.png", full_page=True)
        assert_clean(page, errors)
    with browser_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        page.goto(live_server.url + demo_report.get_absolute_url())
        picture = page.locator(".evidence-picture img")
        assert picture.is_visible() and picture.evaluate("img => getComputedStyle(img).filter") == "none"


def test_the_dispute_page_fits_a_phone_and_has_a_dark_mode(transactional_db, live_server, demo):
    shots = screenshots()
    url = live_server.url + demo.get_absolute_url()
    with browser_page(viewport={"width": 375, "height": 740}, color_scheme="dark", is_mobile=True) as (
        page,
        errors,
    ):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(20, 22, 26)"  # the dark palette's --bg
        page.screenshot(path=shots / "dispute-phone-dark.png", full_page=True)
        assert_clean(page, errors)


def test_no_script_runs_from_any_markdown_field(transactional_db, live_server, make_report):
    world = build_world(make_report())
    urls = world.urls()
    dialogs: list[str] = []
    with browser_page() as (page, errors):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for url in urls:
            response = page.goto(live_server.url + url)
            assert response.status == 200, url
            page.wait_for_load_state("load")
            assert page.evaluate("window.__xss") is None, url
            assert_clean(page, errors)
            if "/search/" not in url:
                assert "click me" in page.content(), url  # the payload is there, as harmless text
        page.screenshot(path=screenshots() / "xss-claim.png", full_page=True)
    assert dialogs == []
