"""The editors' desk in a real browser (Debian's chromium through Playwright), on a fictional world:
an editor signs in, sees one item of each kind, and confirms "no response" from the desk.
Screenshot: ``$VAR_DIR/screenshots/desk.png`` (README's ``docs/screenshots/desk.png``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from claims.models import FingerprintReport, RightOfReply, SourceCapture
from tests.factories import (
    ClaimFactory,
    EvidenceArtifactFactory,
    FingerprintReportFactory,
    PartyFactory,
    RightOfReplyFactory,
    SourceCaptureFactory,
    SourceSuggestionFactory,
    UserFactory,
)
from tests.site.test_site_browser import assert_clean, browser_page, screenshots


def test_an_editor_sees_what_needs_attention_and_confirms_no_response_from_the_desk(
    transactional_db, live_server
):
    today = timezone.localdate()
    lab = PartyFactory(published=True, name="Example Lab")
    claim = ClaimFactory(published=True, title="Example Model B was copied from Example Model A")
    reply = RightOfReplyFactory(
        claim=claim, party=lab, asked_on=today - dt.timedelta(days=10), reply_by=today - dt.timedelta(days=2)
    )
    page_gone = EvidenceArtifactFactory(published=True, title="Example blog post (since removed)")
    SourceSuggestionFactory(evidence=page_gone)
    SourceCaptureFactory(
        evidence=EvidenceArtifactFactory(published=True, title="Example technical report"),
        status=SourceCapture.Status.FAILED,
        finished_at=timezone.now(),
        error="The host did not answer within 60 s.",
    )
    FingerprintReportFactory(
        status=FingerprintReport.Status.FAILED,
        finished_at=timezone.now(),
        error_message="The checkpoint folder is empty: download the weights or check MODEL_STORE.",
    )
    stale = ClaimFactory(title="Draft: a follow-up on Example Lab's answer")
    type(stale).objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(days=30))
    # The Editors group and its permissions come from a data migration that an earlier test's flush
    # may have removed: a superuser sees the desk the same way (it needs claims.change_claim).
    user = UserFactory(username="desk-editor", is_superuser=True)

    with browser_page(viewport={"width": 900, "height": 1100}) as (page, errors):
        missing: list[str] = []
        page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
        page.goto(live_server.url + "/admin/login/?next=/admin/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "a-long-test-password")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        desk = page.locator(".desk")
        text = desk.inner_text()
        for expected in (
            "Example technical report",
            "Example blog post (since removed)",
            "The checkpoint folder is empty",
            f"no response as of {today:%-d %B %Y}",
            "Draft: a follow-up on Example Lab's answer",
        ):
            assert expected in text, expected
        page.screenshot(path=screenshots() / "desk.png", full_page=True)
        page.click("text=Confirm “no response”")
        page.wait_for_load_state()
        # The admin has no favicon link: Chromium's own /favicon.ico request (not a page request,
        # so not in ``missing``) logs a 404; every request the page made was answered.
        assert missing == [], missing
        assert_clean(page, [e for e in errors if "Failed to load resource" not in e])
    reply.refresh_from_db()
    assert reply.outcome == RightOfReply.Outcome.NO_RESPONSE and reply.outcome_on == today
