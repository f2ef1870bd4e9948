"""An evidence record's admin page follows a capture of its source without a reload, and says what to
do after a failure: the overview's own address (a fragment, never cached) and, in Chromium, the page
changing while the worker's outcome is written (here by the test, as the archive worker would)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from claims.models import SourceCapture
from tests.factories import EvidenceArtifactFactory, SourceCaptureFactory, UserFactory, editor
from tests.site.test_site_browser import assert_clean, browser_page


def _fragment_url(evidence) -> str:
    return reverse("admin:claims_evidenceartifact_captures", args=[evidence.pk])


@pytest.mark.django_db
def test_the_overview_fragment_follows_a_capture_and_explains_a_failure(client):
    evidence = EvidenceArtifactFactory(url="https://example.org/post")
    capture = SourceCaptureFactory(evidence=evidence, status=SourceCapture.Status.QUEUED)
    assert client.get(_fragment_url(evidence)).status_code == 302  # to the admin's login
    client.force_login(editor())
    page = client.get(reverse("admin:claims_evidenceartifact_change", args=[evidence.pk])).content.decode()
    assert f'data-captures-url="{_fragment_url(evidence)}"' in page and "js/admin-captures.js" in page
    SourceCapture.objects.filter(pk=capture.pk).update(
        status=SourceCapture.Status.FAILED, finished_at=timezone.now(), error="The host did not answer."
    )
    response = client.get(_fragment_url(evidence))
    text = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "The host did not answer." in text and "What to do:" in text and "Archive now" in text
    assert "data-captures-url" not in text  # finished: the page stops asking
    assert client.get(reverse("admin:claims_evidenceartifact_captures", args=[999999])).status_code == 404


def _fail(pk: int) -> None:
    SourceCapture.objects.filter(pk=pk).update(
        status=SourceCapture.Status.FAILED, finished_at=timezone.now(), error="The host did not answer."
    )
    connection.close()


def test_the_change_page_shows_the_outcome_without_a_reload(transactional_db, live_server):
    evidence = EvidenceArtifactFactory(title="Example post", url="https://example.org/post")
    capture = SourceCaptureFactory(evidence=evidence, status=SourceCapture.Status.RUNNING)
    user = UserFactory(username="capture-editor", is_superuser=True)
    with browser_page(viewport={"width": 1280, "height": 900}) as (page, errors):
        page.goto(live_server.url + "/admin/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "a-long-test-password")
        page.click("input[type=submit]")
        page.goto(live_server.url + reverse("admin:claims_evidenceartifact_change", args=[evidence.pk]))
        page.evaluate("window.__notReloaded = true")
        assert "running" in page.locator(".captures-overview").inner_text()
        # The archive worker's write, from another thread (Playwright's loop runs in this one).
        writer = threading.Thread(target=_fail, args=(capture.pk,))
        writer.start()
        writer.join()
        page.wait_for_selector("text=What to do:", timeout=15_000)
        assert page.evaluate("window.__notReloaded") is True
        assert "The host did not answer." in page.locator(".captures-overview").inner_text()
        assert_clean(page, [e for e in errors if "Failed to load resource" not in e])
