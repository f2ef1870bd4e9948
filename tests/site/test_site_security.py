"""Safety of the public pages: sanitised Markdown everywhere, a strict CSP, nothing reflected."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from claims import models as m
from tests.site.xss import PAYLOAD, build_world, executable_parts, markdown_fields

pytestmark = pytest.mark.django_db


def test_every_public_model_has_its_markdown_fields_covered_by_the_payload_world():
    # If a Markdown field is added, the payload world (and the browser test) fill it automatically.
    assert markdown_fields(m.Claim) == ["retraction_note", "statement", "assessment_rationale"]
    assert "summary" in markdown_fields(m.FingerprintReport) and "answer" in markdown_fields(m.RightOfReply)
    assert "note" in markdown_fields(m.EvidenceLink) and "note" in markdown_fields(m.DisputeParty)


def test_no_page_contains_anything_executable_from_an_editor_s_text(client, make_report):
    world = build_world(make_report())
    checked = 0
    for url in world.urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert executable_parts(response.content.decode()) == [], url
        checked += 1
    assert checked == len(world.urls())


def test_feed_entries_carry_sanitised_html_only(client, make_report):
    build_world(make_report())
    for feed, tag in (
        ("/feeds/disputes.rss", "description"),
        ("/feeds/claims.atom", "{http://www.w3.org/2005/Atom}summary"),
    ):
        root = ElementTree.fromstring(client.get(feed).content)
        bodies = [element.text or "" for element in root.iter(tag)]
        assert any("click me" in body for body in bodies), feed  # the payload's harmless text survives
        for body in bodies:  # feed readers render these as HTML
            assert executable_parts(body) == [], feed


def test_the_checker_does_find_executable_html():
    # The safety test above is only as good as this detector.
    assert executable_parts(PAYLOAD) != []
    assert executable_parts('<a href=" JavaScript:x">') and executable_parts('<p onclick="x">')
    assert executable_parts('<script type="application/ld+json">{}</script>') == []


def test_public_pages_send_a_csp_without_inline_script(client, demo):
    for url in ("/", demo.get_absolute_url(), "/search/?q=x", "/no-such-page/"):
        csp = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_the_admin_keeps_working_under_its_csp(admin_client):
    response = admin_client.get("/admin/claims/dispute/add/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self' 'unsafe-inline'" in csp
    # The admin's own scripts are files, not inline code, so script-src 'self' lets them run.
    page = response.content.decode()
    assert "<script src=" in page and "<script>" not in page


def test_pages_send_the_other_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
