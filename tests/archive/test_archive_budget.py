"""A capture's total byte budget (``ARCHIVE_CAPTURE_MAX_MB``): a page whose sub-resources together
exceed it is archived up to the budget and says what was left out; what the page loaded goes to the
WARC on disk as it arrives, never all held in memory."""

from __future__ import annotations

import os

import pytest
from warcio.archiveiterator import ArchiveIterator

from claims.models import SourceCapture
from claims.pipeline.captures.runner import capture_run
from tests.factories import EvidenceArtifactFactory

pytestmark = pytest.mark.django_db
BLOB = 512 * 1024


@pytest.fixture
def heavy_page(source_server):
    """/heavy: a page of 30 images of 512 KB each (15 MB together)."""
    images = "".join(f"<img src='/blob/{i}.png'>" for i in range(30))
    page = f"<!doctype html><html><body><p>Heavy page</p>{images}</body></html>".encode()
    source_server.pages["/heavy"] = (200, "text/html; charset=utf-8", page, {})
    for i in range(30):
        source_server.pages[f"/blob/{i}.png"] = (200, "image/png", os.urandom(BLOB), {})
    return source_server.url("/heavy")


def test_sub_resources_beyond_the_capture_budget_are_left_out_and_listed(heavy_page, archive_settings):
    archive_settings.ARCHIVE_CAPTURE_MAX_BYTES = 4 * 2**20
    archive_settings.ARCHIVE_TIMEOUT_SECONDS = 30
    capture = SourceCapture.objects.create(evidence=EvidenceArtifactFactory(published=True), url=heavy_page)
    assert capture_run(capture_id=capture.pk) == "succeeded"
    capture.refresh_from_db()
    spent = [
        e
        for e in capture.blocked_requests
        if "budget of 4,194,304 bytes (ARCHIVE_CAPTURE_MAX_MB) is spent" in e["reason"]
    ]
    assert len(spent) >= 30 - 8, capture.blocked_requests  # at most 8 images of 512 KB fit in 4 MB
    warc = capture.artefacts.get(kind="warc")
    with warc.file.open("rb") as stream:
        bodies = [
            len(record.content_stream().read())
            for record in ArchiveIterator(stream)
            if record.rec_type == "response"
        ]
    assert sum(bodies) <= 4 * 2**20 and len(bodies) == 1 + 30 - len(spent)
    assert warc.size == warc.file.size
