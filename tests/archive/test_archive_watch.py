"""The watch against the local source server (in the test process: it is a plain function the
beat task calls), the suggestions it makes for an editor, the sweep of stuck captures, what
readers may see of captures, and the desk's list of sources needing attention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from claims.archive.text import html_text, similarity
from claims.models import CaptureArtefact, SourceCapture, SourceCheck, SourceSuggestion
from claims.pipeline.captures.runner import captures_sweep
from claims.pipeline.captures.watch import sources_watch
from claims.selectors import sources_needing_attention
from claims.services import suggestion_confirm, suggestion_dismiss
from tests.archive.source_server import ORIGINAL_TEXT, STATEMENT
from tests.factories import EvidenceArtifactFactory, editor

pytestmark = pytest.mark.django_db
Outcome = SourceCheck.Outcome


def captured(evidence, text: str = ORIGINAL_TEXT) -> SourceCapture:
    """A succeeded capture whose text is the statement's (the browser is exercised elsewhere)."""
    body = STATEMENT.format(text=text).encode()
    return SourceCapture.objects.create(
        evidence=evidence,
        url=evidence.url,
        status=SourceCapture.Status.SUCCEEDED,
        finished_at=timezone.now(),
        source_text=html_text(body, "text/html"),
    )


def watch_again(evidence) -> SourceCheck:
    """Make the record due (its last check a day old) and run the watch."""
    evidence.source_checks.update(checked_at=timezone.now() - timedelta(days=2))
    sources_watch()
    return evidence.source_checks.first()


def test_the_watch_flags_a_source_that_starts_answering_404(source_server, archive_settings):
    source_server.pages["/repo"] = source_server.pages["/statement"]
    evidence = EvidenceArtifactFactory(
        published=True, title="The accuser's repository", url=source_server.url("/repo")
    )
    captured(evidence)

    sources_watch()
    first = evidence.source_checks.get()
    assert (first.outcome, first.http_status, first.similarity, first.etag) == (
        Outcome.UNCHANGED,
        200,
        1.0,
        '"v1"',
    )
    assert sources_watch() == dict.fromkeys(Outcome.values, 0)  # not due again before the interval

    second = watch_again(evidence)  # a conditional request: the server answers 304
    assert source_server.requests[-1][1]["If-None-Match"] == '"v1"'
    assert (second.outcome, second.http_status) == (Outcome.NOT_MODIFIED, 304)

    source_server.pages["/repo"] = (404, "text/html", b"<h1>This repository is gone</h1>", {})
    gone = watch_again(evidence)
    assert (gone.outcome, gone.http_status) == (Outcome.GONE, 404)
    suggestion = evidence.source_suggestions.get()
    today = timezone.localdate()
    assert suggestion.sentence == f"Removed at source on {today.day} {today:%B %Y}"
    evidence.refresh_from_db()
    assert not evidence.removed_at_source  # a suggestion, never applied by itself
    watch_again(evidence)
    assert evidence.source_suggestions.count() == 1  # one open suggestion, not one per check

    [item] = sources_needing_attention()
    assert item.kind == "source_removed" and item.evidence == evidence and "accuser" in item.sentence
    user = editor(username="desk")
    suggestion_confirm(suggestion=suggestion, user=user)
    evidence.refresh_from_db()
    assert evidence.removed_at_source
    assert evidence.history.latest().history_change_reason.startswith("Removed at source on")
    assert sources_needing_attention() == []


def next_day() -> dict[str, int]:
    """Age every check by 25 hours (so each record is due again) and run the watch."""
    SourceCheck.objects.update(checked_at=F("checked_at") - timedelta(hours=25))
    return sources_watch()


def test_a_host_that_does_not_resolve_is_never_removed_while_nothing_else_answers(archive_settings):
    """Offline (nothing answers, here because no other source is cited): an arXiv paper whose
    host does not resolve is recorded as unreachable, day after day, and never suggested removed."""
    paper = EvidenceArtifactFactory(published=True, url="http://arxiv-paper.invalid/abs/2409.12186")
    sources_watch()
    check = paper.source_checks.get()
    assert check.outcome == Outcome.UNREACHABLE and check.http_status is None
    assert "does not resolve" in check.error and check.host == "arxiv-paper.invalid"
    for _day in range(archive_settings.ARCHIVE_GONE_AFTER_FAILURES + 4):
        next_day()
    assert paper.source_checks.filter(outcome=Outcome.UNREACHABLE).count() == (
        archive_settings.ARCHIVE_GONE_AFTER_FAILURES + 5
    )
    assert not paper.source_suggestions.exists() and sources_needing_attention() == []


def test_a_host_silent_for_days_while_other_hosts_answer_is_suggested_removed(
    source_server, archive_settings
):
    archive_settings.ARCHIVE_GONE_AFTER_FAILURES = 3
    archive_settings.ARCHIVE_GONE_AFTER_DAYS = 3
    EvidenceArtifactFactory(published=True, url=source_server.url("/statement"))  # answers every day
    blog = EvidenceArtifactFactory(published=True, url="http://deleted-blog.invalid/post")
    sources_watch()
    next_day()
    next_day()  # three unanswered checks, but only 50 hours apart: not yet
    assert blog.source_checks.filter(outcome=Outcome.UNREACHABLE).count() == 3
    assert not blog.source_suggestions.exists()
    next_day()  # the fourth: 75 hours between the first and the last
    suggestion = blog.source_suggestions.get()
    assert (
        suggestion.kind == SourceSuggestion.Kind.REMOVED and suggestion.state == SourceSuggestion.State.OPEN
    )
    assert "while other hosts answered" in suggestion.detail and "does not resolve" in suggestion.detail
    [item] = sources_needing_attention()
    assert item.kind == "source_removed" and item.evidence == blog


def test_an_answer_ends_a_run_of_unanswered_checks(source_server, archive_settings):
    archive_settings.ARCHIVE_GONE_AFTER_FAILURES = 2
    archive_settings.ARCHIVE_GONE_AFTER_DAYS = 1
    EvidenceArtifactFactory(published=True, url=source_server.url("/statement"))
    flaky = EvidenceArtifactFactory(published=True, url="http://flaky.invalid/post")
    sources_watch()
    # The host answered (a 503) in between: the silence before it does not count any more.
    answered = flaky.source_checks.get()
    answered.outcome, answered.http_status = Outcome.ERROR, 503
    answered.save()
    next_day()
    assert not flaky.source_suggestions.exists()
    next_day()
    assert flaky.source_suggestions.get().kind == SourceSuggestion.Kind.REMOVED


def test_unanswered_checks_while_the_archive_was_offline_do_not_count(source_server, archive_settings):
    archive_settings.ARCHIVE_GONE_AFTER_FAILURES = 2
    archive_settings.ARCHIVE_GONE_AFTER_DAYS = 1
    other = EvidenceArtifactFactory(published=True, url=source_server.url("/statement"))
    paper = EvidenceArtifactFactory(published=True, url="http://paper.invalid/abs/1")
    sources_watch()
    for _day in range(3):  # offline: the other host's checks got no answer either
        SourceCheck.objects.filter(evidence=other).update(outcome=Outcome.UNREACHABLE, http_status=None)
        next_day()
    assert paper.source_checks.count() == 4 and not paper.source_suggestions.exists()


def test_a_substantial_change_is_suggested_and_captured_again(source_server, archive_settings):
    source_server.pages["/post"] = source_server.pages["/statement"]
    evidence = EvidenceArtifactFactory(published=True, url=source_server.url("/post"))
    captured(evidence)
    source_server.set_statement(
        "This post has been replaced. Nothing of the earlier statement remains here.", etag='"v2"'
    )
    source_server.pages["/post"] = source_server.pages["/statement"]
    sources_watch()
    check = evidence.source_checks.get()
    assert check.outcome == Outcome.CHANGED and check.similarity < 0.7
    suggestion = evidence.source_suggestions.get()
    assert (
        suggestion.kind == SourceSuggestion.Kind.CHANGED and suggestion.state == SourceSuggestion.State.OPEN
    )
    assert evidence.captures.filter(status="queued", trigger="watch").count() == 1
    suggestion_dismiss(suggestion=suggestion, user=editor(username="desk2"))
    assert evidence.source_suggestions.get().state == SourceSuggestion.State.DISMISSED


def test_requests_to_one_host_are_spaced(source_server, archive_settings):
    archive_settings.ARCHIVE_WATCH_HOST_DELAY_SECONDS = 7
    for path in ("/statement", "/paper.pdf", "/figure.png"):
        EvidenceArtifactFactory(published=True, url=source_server.url(path))
    waits = []
    sources_watch(sleep=waits.append)
    assert len(waits) == 2 and all(0 < wait <= 7 for wait in waits)


def test_only_public_records_are_watched(source_server, archive_settings):
    EvidenceArtifactFactory(url=source_server.url("/statement"))  # a draft
    assert sum(sources_watch().values()) == 0


def test_small_edits_keep_a_high_similarity_and_rewrites_a_low_one():
    edited = ORIGINAL_TEXT.replace("four months", "five months")
    assert similarity(ORIGINAL_TEXT, ORIGINAL_TEXT) == 1.0
    assert similarity(ORIGINAL_TEXT, edited) > 0.7
    assert (
        similarity(ORIGINAL_TEXT, "An unrelated page about something else entirely, with other words.") < 0.1
    )


def test_the_sweep_fails_a_capture_whose_worker_died(archive_settings):
    evidence = EvidenceArtifactFactory(published=True)
    stuck = SourceCapture.objects.create(
        evidence=evidence, url=evidence.url, status="running", started_at=timezone.now() - timedelta(hours=1)
    )
    assert captures_sweep()["captures_failed"] == 1
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "interrupted" in stuck.error
    [item] = sources_needing_attention()
    assert item.kind == "capture_failed" and "interrupted" in item.sentence
    captured(evidence)  # a later capture succeeded: the failure no longer needs attention
    assert sources_needing_attention() == []


def test_captures_are_public_only_with_their_record(client):
    draft = EvidenceArtifactFactory()
    capture = captured(draft)
    CaptureArtefact.objects.create(
        capture=capture, kind="text", content_type="text/plain", sha256="0" * 64, size=0
    )
    assert not SourceCapture.objects.public().exists() and not CaptureArtefact.objects.public().exists()
    url = reverse("claims:capture-artefact", args=[draft.slug, capture.pk, "text"])
    assert client.get(url).status_code == 404


UNRESOLVED = "The host “qwenlm.invalid” does not resolve ([Errno -2] Name or service not known)."


def test_readers_see_the_last_good_capture_never_a_failed_one_which_editors_see(client):
    evidence = EvidenceArtifactFactory(published=True, title="Qwen2.5 announcement")
    good = captured(evidence)
    SourceCapture.objects.create(
        evidence=evidence, url=evidence.url, status="failed", finished_at=timezone.now(), error=UNRESOLVED
    )
    page = client.get(evidence.get_absolute_url()).content.decode()
    assert f'id="capture-{good.pk}"' in page
    assert "does not resolve" not in page and "failed" not in page.lower()
    api = client.get(reverse("api:evidence-detail", args=[evidence.slug])).json()
    assert [c["id"] for c in api["captures"]] == [good.pk] and "does not resolve" not in str(api)
    [item] = sources_needing_attention()  # the editors' desk has it, with the reason
    assert item.kind == "capture_failed" and UNRESOLVED in item.sentence


def test_a_record_whose_only_capture_failed_has_no_capture_yet_for_readers(client):
    evidence = EvidenceArtifactFactory(published=True)
    SourceCapture.objects.create(
        evidence=evidence, url=evidence.url, status="failed", finished_at=timezone.now(), error=UNRESOLVED
    )
    SourceCapture.objects.create(evidence=evidence, url=evidence.url)  # queued: not a capture yet either
    page = client.get(evidence.get_absolute_url()).content.decode()
    assert "No capture exists yet." in page and "does not resolve" not in page
    assert client.get(reverse("api:evidence-detail", args=[evidence.slug])).json()["captures"] == []


def test_a_record_without_a_capture_says_so(client):
    evidence = EvidenceArtifactFactory(published=True)
    assert "No capture exists yet." in client.get(evidence.get_absolute_url()).content.decode()


def test_the_migration_withdraws_removals_suggested_from_a_host_that_did_not_resolve():
    """Checks made before issue 26 recorded "no DNS" as gone: they become unreachable, and the open
    "removed" suggestions they made are withdrawn; a 404's suggestion stays."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("claims.migrations.0019_sources_unreachable")
    paper = EvidenceArtifactFactory(published=True, url="https://arXiv.invalid/abs/2409.12186")
    repo = EvidenceArtifactFactory(published=True, url="https://example.org/repo")
    for evidence, status in ((paper, None), (repo, 404)):
        check = SourceCheck.objects.create(
            evidence=evidence, url=evidence.url, checked_at=timezone.now(), outcome="gone", http_status=status
        )
        SourceSuggestion.objects.create(
            evidence=evidence, kind="removed", observed_on=timezone.localdate(), check_result=check
        )
    migration.forwards(apps, None)
    assert paper.source_checks.get().outcome == Outcome.UNREACHABLE and not paper.source_suggestions.exists()
    assert paper.source_checks.get().host == "arxiv.invalid"
    assert repo.source_checks.get().outcome == Outcome.GONE and repo.source_suggestions.count() == 1
