"""Browsing and the lineage map in a real browser (Debian's chromium through Playwright): a reader
filters the claims index, opens a model and sees its lineage drawn, in light and dark mode, with
the map's words below it. Screenshots: ``$VAR_DIR/screenshots/lineage-*.png``, ``claims-index.png``."""

from __future__ import annotations

from django.core.cache import cache

from tests.site.browse_world import lineage_world
from tests.site.test_site_browser import assert_clean, browser_page, screenshots


def test_a_reader_filters_the_claims_and_sees_the_lineage_map(transactional_db, live_server):
    cache.clear()
    world = lineage_world()
    pangu = world["pangu"]
    shots = screenshots()
    with browser_page(viewport={"width": 1100, "height": 900}) as (page, errors):
        page.goto(live_server.url + "/")
        page.click("header nav >> text=Claims")
        page.wait_for_url("**/claims/")
        page.select_option("#f-assessment", "contested")
        page.click("form.filters button")
        page.wait_for_url("**/claims/?*assessment=contested*")
        assert page.locator(".index-list li h2").all_inner_texts() == ["The MoE was derived from the base"]
        page.screenshot(path=shots / "claims-index.png", full_page=True)

        page.goto(live_server.url + pangu.get_absolute_url())
        drawing = page.locator(".lineage-drawing svg")
        assert drawing.is_visible()
        box = drawing.bounding_box()
        assert box["width"] > 200 and box["height"] > 80
        assert drawing.get_attribute("role") == "img"
        label = page.evaluate(
            "document.getElementById(document.querySelector('.lineage-drawing svg')"
            ".getAttribute('aria-labelledby')).textContent"
        )
        assert "solid arrows" in label
        words = page.locator(".lineage-edges li").all_inner_texts()
        assert len(words) == 3 and any("an upcycled version of Base-14B" in w for w in words)
        light = page.evaluate("getComputedStyle(document.querySelector('.lineage-drawing text')).fill")
        page.locator(".lineage-map").screenshot(path=shots / "lineage-light.png")
        assert_clean(page, errors)

    with browser_page(viewport={"width": 375, "height": 740}, color_scheme="dark", is_mobile=True) as (
        page,
        errors,
    ):
        page.goto(live_server.url + world["dispute"].get_absolute_url())
        assert page.locator(".lineage-drawing svg").is_visible()
        dark = page.evaluate("getComputedStyle(document.querySelector('.lineage-drawing text')).fill")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        # The labels follow the theme: light text on the dark page, unlike the light theme's.
        assert dark != light and dark == "rgb(230, 232, 236)", (dark, background)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        page.locator(".lineage-map").screenshot(path=shots / "lineage-dark-phone.png")
        assert_clean(page, errors)
