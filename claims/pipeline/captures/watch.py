"""The watch: re-check each cited URL, record what it answers, suggest what an editor should know.

Run by Celery beat (``claims.tasks.sources_watch``, queue ``archive``) every
``ARCHIVE_WATCH_SWEEP_SECONDS``; each run checks up to ``ARCHIVE_WATCH_BATCH`` public evidence records
with a URL whose last check is older than ``ARCHIVE_WATCH_INTERVAL_HOURS`` (never-checked first).
Politeness: requests to one host are spaced by ``ARCHIVE_WATCH_HOST_DELAY_SECONDS``, and each check
is conditional (``If-None-Match``/``If-Modified-Since`` from the last answer), so an unchanged page
costs the source a 304. The fetch follows the same SSRF rules as a capture.

Outcomes (one ``SourceCheck`` row each):

* 404 or 410 → suggestion "removed at source on <date>": the origin itself says so;
* no answer (the name does not resolve, no connection, silence until the deadline) → recorded as
  ``unreachable``. That alone says nothing about the source: the archive may be offline, or its DNS
  down. It becomes the suggestion "removed at source" only when the source has given no answer for
  long enough (``unreachable_for_long``): ``ARCHIVE_GONE_AFTER_FAILURES`` checks in a row, the first
  and the last ``ARCHIVE_GONE_AFTER_DAYS`` days apart or more, each of them *witnessed*, i.e. another
  host answered the watch within ``WITNESS_WINDOW`` of it (so this machine was online);
* 200 whose text (``claims.archive.text``) has a shingle similarity to the last capture's text
  below ``ARCHIVE_CHANGE_SIMILARITY_PERCENT`` → suggestion "changed since archived", and a new
  capture is queued while the page still answers (also when the record has no capture yet);
* 304 → not modified; other statuses and fetch errors → recorded, no suggestion (often passing).

Suggestions wait for an editor (``claims.services.sources``); nothing is changed or published here.
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from claims.archive.fetch import FetchFailed, NoAnswer, fetch
from claims.archive.text import html_text, similarity, text_sha256
from claims.models import EvidenceArtifact, SourceCapture, SourceCheck, SourceSuggestion
from claims.pipeline.captures.runner import archive_policy

Outcome = SourceCheck.Outcome
# A check without an answer counts towards "removed" only when another host answered the watch
# within this time of it: the archive was online, so the silence is the source's.
WITNESS_WINDOW = timedelta(hours=1)
# How far back a run of unanswered checks is read (daily checks: about three months).
MAX_RUN = 100


def evidence_due(*, now=None) -> list[EvidenceArtifact]:
    now = now or timezone.now()
    interval = timedelta(hours=settings.ARCHIVE_WATCH_INTERVAL_HOURS)
    return list(
        EvidenceArtifact.objects.public()
        .exclude(url="")
        .annotate(last_checked=Max("source_checks__checked_at"))
        .filter(Q(last_checked__isnull=True) | Q(last_checked__lt=now - interval))
        .order_by(F("last_checked").asc(nulls_first=True), "pk")[: settings.ARCHIVE_WATCH_BATCH]
    )


def sources_watch(*, sleep=time.sleep) -> dict[str, int]:
    counts = dict.fromkeys(Outcome.values, 0)
    last_hit: dict[str, float] = {}
    delay = settings.ARCHIVE_WATCH_HOST_DELAY_SECONDS
    for evidence in evidence_due():
        host = _host(evidence.url)
        if host in last_hit:
            wait = last_hit[host] + delay - time.monotonic()
            if wait > 0:
                sleep(wait)
        check = source_check(evidence=evidence)
        last_hit[host] = time.monotonic()
        counts[check.outcome] += 1
    return counts


def source_check(*, evidence: EvidenceArtifact) -> SourceCheck:
    """Check one record's URL now; record the check and any suggestion."""
    previous = evidence.source_checks.exclude(etag="", last_modified="").first()
    headers = []
    if previous and previous.etag:
        headers.append(("If-None-Match", previous.etag))
    if previous and previous.last_modified:
        headers.append(("If-Modified-Since", previous.last_modified))
    check = SourceCheck(
        evidence=evidence, url=evidence.url, host=_host(evidence.url), checked_at=timezone.now()
    )
    suggest = None
    try:
        result = fetch(evidence.url, policy=archive_policy(), headers=headers)
    except NoAnswer as exc:
        check.outcome, check.error = Outcome.UNREACHABLE, str(exc)
    except FetchFailed as exc:
        check.outcome, check.error = Outcome.ERROR, str(exc)
    else:
        final = result.final
        check.http_status = final.status
        check.etag = final.header("etag")[:500]
        check.last_modified = final.header("last-modified")[:100]
        if final.status in (404, 410):
            check.outcome, suggest = Outcome.GONE, SourceSuggestion.Kind.REMOVED
        elif final.status == 304:
            check.outcome = Outcome.NOT_MODIFIED
            check.etag = check.etag or (previous.etag if previous else "")
            check.last_modified = check.last_modified or (previous.last_modified if previous else "")
        elif final.status >= 300:
            check.outcome, check.error = Outcome.ERROR, f"The source answered {final.status} {final.reason}."
        else:
            text = html_text(final.body, final.header("content-type"))
            check.text_sha256 = text_sha256(text)
            last = evidence.captures.filter(status=SourceCapture.Status.SUCCEEDED).first()
            if last is not None:
                check.similarity = round(similarity(text, last.source_text), 4)
            threshold = settings.ARCHIVE_CHANGE_SIMILARITY_PERCENT / 100
            if check.similarity is not None and check.similarity < threshold:
                check.outcome, suggest = Outcome.CHANGED, SourceSuggestion.Kind.CHANGED
            else:
                check.outcome = Outcome.UNCHANGED
            if last is None or suggest:
                _capture_again(evidence)
    with transaction.atomic():
        check.save()
        if check.outcome == Outcome.UNREACHABLE and unreachable_for_long(check):
            suggest = SourceSuggestion.Kind.REMOVED
        if suggest == SourceSuggestion.Kind.REMOVED and evidence.removed_at_source:
            suggest = None  # already recorded as removed
        if suggest:
            _suggest(evidence, suggest, check)
    return check


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def unreachable_for_long(check: SourceCheck) -> bool:
    """Whether the source of ``check`` (saved, without an answer) has given no answer for long
    enough to suggest "removed at source": its latest checks are unanswered back to at least
    ``ARCHIVE_GONE_AFTER_FAILURES`` witnessed ones (``_witnessed``), the newest and the oldest of
    those ``ARCHIVE_GONE_AFTER_DAYS`` days apart or more. Unwitnessed checks (the archive itself
    was offline) neither count nor break the run; any answer (a 200, a 304, a 500) ends it."""
    needed, span = settings.ARCHIVE_GONE_AFTER_FAILURES, timedelta(days=settings.ARCHIVE_GONE_AFTER_DAYS)
    checks = check.evidence.source_checks.filter(url=check.url).order_by("-checked_at", "-pk")
    newest = None
    count = 0
    for earlier in checks.only("outcome", "checked_at", "host")[:MAX_RUN]:
        if earlier.outcome != Outcome.UNREACHABLE:
            return False
        if not _witnessed(earlier):
            continue
        newest = newest or earlier.checked_at
        count += 1
        if count >= needed and newest - earlier.checked_at >= span:
            return True
    return False


def _witnessed(check: SourceCheck) -> bool:
    """Whether another host answered the watch (any HTTP status) within ``WITNESS_WINDOW`` of ``check``."""
    return (
        SourceCheck.objects.filter(
            http_status__isnull=False,
            checked_at__gte=check.checked_at - WITNESS_WINDOW,
            checked_at__lte=check.checked_at + WITNESS_WINDOW,
        )
        .exclude(host=check.host)
        .exists()
    )


def _suggest(evidence: EvidenceArtifact, kind: str, check: SourceCheck) -> None:
    if evidence.source_suggestions.filter(kind=kind, state=SourceSuggestion.State.OPEN).exists():
        return
    if check.outcome == Outcome.UNREACHABLE:
        detail = (
            f"No answer at {settings.ARCHIVE_GONE_AFTER_FAILURES} or more checks in a row over "
            f"{settings.ARCHIVE_GONE_AFTER_DAYS} or more days, while other hosts answered. The last: {check.error}"
        )
    else:
        detail = check.error or (
            f"HTTP {check.http_status}"
            + (f", text similarity {check.similarity:.0%}" if check.similarity is not None else "")
        )
    try:
        with transaction.atomic():
            SourceSuggestion.objects.create(
                evidence=evidence,
                kind=kind,
                observed_on=timezone.localdate(check.checked_at),
                check_result=check,
                detail=detail,
            )
    except IntegrityError:
        pass  # another run suggested it at the same moment


def _capture_again(evidence: EvidenceArtifact) -> None:
    from claims.services.sources import capture_request

    capture_request(evidence=evidence, user=None, trigger=SourceCapture.Trigger.WATCH)
