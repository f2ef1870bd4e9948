"""Running a capture of an evidence record's URL (queue ``archive``), and the sweep of captures.

``capture_run`` claims a queued capture (its lease, ``claims.jobs.CAPTURES``: running it twice is
harmless),
fetches the URL under the SSRF rules (``claims.archive.fetch``), renders an HTML page in headless
Chromium (``claims.archive.browser``) and stores the artefacts with their SHA-256 and size, all in
one transaction. Any failure - a refused address, a timeout, a size cap, a browser error, a bug -
ends as a ``failed`` capture whose ``error`` says why, with no file and no artefact row kept; the
task returns normally, so the worker carries on.

``captures_sweep`` (run with the reports sweep) fails captures stuck in ``running`` past the time
cap (their worker died) and sends again the queued ones whose message never reached a worker.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from claims.archive.browser import HTML_TYPES, render
from claims.archive.fetch import FetchFailed, FetchResult, Policy, WarcStream, fetch
from claims.archive.text import decode, html_text
from claims.jobs import CAPTURES
from claims.models import CaptureArtefact, SourceCapture
from claims.services.content import content_changed

logger = logging.getLogger(__name__)
Status = SourceCapture.Status
Kind = CaptureArtefact.Kind


def archive_policy() -> Policy:
    """The fetch rules, from settings (one place for the capture and the watch)."""
    return Policy(
        max_bytes=settings.ARCHIVE_MAX_BYTES,
        deadline_seconds=settings.ARCHIVE_TIMEOUT_SECONDS,
        max_redirects=settings.ARCHIVE_MAX_REDIRECTS,
        max_capture_bytes=settings.ARCHIVE_CAPTURE_MAX_BYTES,
        allow=frozenset(settings.ARCHIVE_ALLOW_HOSTS),
    )


@dataclass
class Taken:
    """What a capture took, before anything is stored: the WARC in a temporary file (what the page
    loaded was written there as it arrived), the other artefacts in memory."""

    result: FetchResult
    # kind → (name, content type, the bytes or the temporary file holding them)
    files: dict[str, tuple[str, str, bytes | BinaryIO]] = field(default_factory=dict)
    blocked: list[dict] = field(default_factory=list)
    source_text: str = ""

    def close(self) -> None:
        for _name, _type, data in self.files.values():
            if not isinstance(data, bytes):
                data.close()


def take(url: str, *, policy: Policy) -> Taken:
    """Fetch and render ``url`` (no database access: the browser runs an event loop in this thread).
    Raises ``FetchFailed`` with the reason."""
    deadline = time.monotonic() + policy.deadline_seconds
    result = fetch(url, policy=policy, deadline=deadline)
    final = result.final
    if final.status >= 400:
        raise FetchFailed(
            f"The source answered {final.status} {final.reason}".rstrip() + ": nothing to archive."
        )
    taken = Taken(result=result)
    # The WARC holds the document's exchanges (redirects included), then what the page loaded.
    warc = tempfile.TemporaryFile(prefix="capture-", suffix=".warc.gz")  # noqa: SIM115 - Taken.close()
    taken.files[Kind.WARC] = ("capture.warc.gz", "application/warc", warc)
    try:
        _take(taken, WarcStream(warc), policy=policy, deadline=deadline)
        taken.files[Kind.WARC] = taken.files.pop(Kind.WARC)  # stored last, as it always was
    except BaseException:
        taken.close()
        raise
    return taken


def _take(taken: Taken, warc: WarcStream, *, policy: Policy, deadline: float) -> None:
    result = taken.result
    final = result.final
    for exchange in result.exchanges:
        warc.add(exchange)
    content_type = result.content_type
    header = final.header("content-type")
    if content_type in HTML_TYPES:
        rendering = render(final, policy=policy, deadline=deadline, warc=warc)
        taken.files[Kind.SCREENSHOT] = ("screenshot.png", "image/png", rendering.png)
        taken.files[Kind.PDF] = ("page.pdf", "application/pdf", rendering.pdf)
        taken.files[Kind.TEXT] = ("text.txt", "text/plain; charset=utf-8", rendering.text.encode())
        taken.blocked = rendering.blocked
        taken.source_text = html_text(final.body, header)
    else:
        # Not a web page (a PDF, an image, a dataset): kept as received, never rendered.
        extension = mimetypes.guess_extension(content_type or "") or ".bin"
        taken.files[Kind.ORIGINAL] = (
            f"original{extension}",
            content_type or "application/octet-stream",
            final.body,
        )
        if content_type.startswith("text/"):
            text = " ".join(decode(final.body, header).split())
            taken.files[Kind.TEXT] = ("text.txt", "text/plain; charset=utf-8", text.encode())
            taken.source_text = text


def capture_run(*, capture_id: int) -> str:
    """Run one capture; returns its outcome. Never raises for a source's fault."""
    if not CAPTURES.claim(capture_id):
        return "not queued (already taken, or gone)"
    capture = SourceCapture.objects.get(pk=capture_id)
    try:
        taken = take(capture.url, policy=archive_policy())
    except FetchFailed as exc:
        return _fail(capture_id, str(exc))
    except Exception as exc:  # a bug or a browser crash: a failed capture, not a dead worker
        logger.exception("Capture %s of %s failed unexpectedly", capture_id, capture.url)
        return _fail(capture_id, f"The capture stopped on an unexpected error ({exc.__class__.__name__}).")
    try:
        _store(capture, taken)
    except Exception as exc:
        logger.exception("Capture %s could not be stored", capture_id)
        return _fail(capture_id, f"The capture could not be stored ({exc.__class__.__name__}).")
    finally:
        taken.close()
    return "succeeded"


def _fail(capture_id: int, reason: str) -> str:
    CAPTURES.fail(SourceCapture.objects.filter(pk=capture_id, status=Status.RUNNING), message=reason[:2000])
    return f"failed: {reason}"


def _store(capture: SourceCapture, taken: Taken) -> None:
    """Every artefact and the capture's outcome in one transaction; the files written are removed
    again if anything fails, so a capture has all its artefacts or none."""
    written: list[CaptureArtefact] = []
    final = taken.result.final
    try:
        with transaction.atomic():
            content_changed()  # the evidence page shows its archived copies (claims.services.content)
            locked = SourceCapture.objects.select_for_update().get(pk=capture.pk)
            if locked.status != Status.RUNNING:  # the sweep gave up on it meanwhile
                raise FetchFailed("The capture was given up while it ran.")
            for kind, (name, content_type, data) in taken.files.items():
                sha256, size, content = _content(name, data)
                artefact = CaptureArtefact(
                    capture=locked, kind=kind, content_type=content_type, sha256=sha256, size=size
                )
                artefact.file.save(name, content, save=False)
                written.append(artefact)
                artefact.save()
            locked.status = Status.SUCCEEDED
            locked.finished_at = timezone.now()
            locked.final_url = taken.result.final_url[:2000]
            locked.http_status = final.status
            locked.content_type = taken.result.content_type[:200]
            locked.retrieved_at = final.fetched_at.astimezone(UTC)
            locked.blocked_requests = taken.blocked
            locked.source_text = taken.source_text
            locked.save()
    except BaseException:
        for artefact in written:
            artefact.file.storage.delete(artefact.file.name)
        raise


def _content(name: str, data: bytes | BinaryIO) -> tuple[str, int, File]:
    """SHA-256, size and a file to store of an artefact in memory or in a temporary file (read in
    blocks, never whole)."""
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest(), len(data), ContentFile(data)
    data.seek(0)
    digest = hashlib.sha256()
    while block := data.read(1 << 20):
        digest.update(block)
    size = data.tell()
    data.seek(0)
    return digest.hexdigest(), size, File(data, name=name)


def captures_sweep() -> dict[str, int]:
    """Fail captures stuck in ``running`` (their worker died), send again queued ones never taken."""
    cap = timedelta(seconds=settings.ARCHIVE_TIMEOUT_SECONDS * 2 + 60)
    result = CAPTURES.sweep(
        overdue_after=cap,
        overdue={
            "message": "The capture was interrupted (its worker stopped) and was given up; press “Archive now” to try again."
        },
        unsent_after=timedelta(seconds=60),
        resend_after=cap,
    )
    return {"captures_failed": result.failed, "captures_sent": result.sent}
