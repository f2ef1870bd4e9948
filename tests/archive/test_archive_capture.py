"""Capturing a cited URL end to end: the editor's "Archive now", a real Celery worker consuming the
``archive`` queue, real headless Chromium, the local source server, the public evidence page and
the API. Then every fault of issue 14 through the same worker: each ends as a failed capture that
says why, with nothing stored, and the worker goes on to the next capture.

The rows are committed (``transaction=True``) so the worker, another process, sees them.
"""

from __future__ import annotations

import hashlib
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims.models import CaptureArtefact, SourceCapture
from claims.pipeline.captures.runner import capture_run
from claims.services import capture_request, record_publish
from tests.factories import EvidenceArtifactFactory, UserFactory
from tests.pipeline.conftest import empty_queues  # noqa: F401 - fixture
from tests.pipeline.worker_process import WorkerProcess

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_queues")]
Status = SourceCapture.Status


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, source_server, archive_media, tmp_path_factory):
    env = {
        "MEDIA_ROOT": str(archive_media),
        "ARCHIVE_ALLOW_HOSTS": source_server.host,
        "ARCHIVE_TIMEOUT_SECONDS": "20",
        "ARCHIVE_MAX_MB": "1",
        "ARCHIVE_MAX_REDIRECTS": "5",
    }
    with (
        django_db_blocker.unblock(),
        WorkerProcess(model_store=tmp_path_factory.mktemp("store"), env=env) as process,
    ):
        yield process


def wait_for(captures: list[SourceCapture], worker: WorkerProcess, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    pending = list(captures)
    while pending and time.monotonic() < deadline:
        for capture in list(pending):
            capture.refresh_from_db()
            if capture.is_finished:
                pending.remove(capture)
        time.sleep(0.3)
    assert not pending, f"captures still running: {pending}\n{worker.log()[-3000:]}"


def stored_files(capture: SourceCapture) -> list:
    folder = settings.MEDIA_ROOT / "captures" / str(capture.evidence_id)
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_an_editor_archives_now_and_readers_see_the_capture(client, worker, source_server, archive_settings):
    evidence = EvidenceArtifactFactory(
        published=True, title="Statement", url=source_server.url("/redirect-to-statement")
    )
    # The Editors group comes from a data migration, which the flush of an earlier test of this
    # module removed: the editor's permissions are given directly.
    user = UserFactory(username="archivist")
    # A serialized-rollback test's flush (which skips post_migrate) may also have removed the
    # permission rows: they are made again first, as `migrate` makes them.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    create_permissions(apps.get_app_config("claims"), verbosity=0)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_evidenceartifact", "change_evidenceartifact"])
    )
    client.force_login(user)
    change_page = client.get(reverse("admin:claims_evidenceartifact_change", args=[evidence.pk]))
    assert 'name="_archive_now"' in change_page.content.decode()
    response = client.post(
        reverse("admin:claims_evidenceartifact_changelist"),
        {"action": "archive_now", "_selected_action": [evidence.pk]},
    )
    assert response.status_code == 302
    capture = evidence.captures.get()
    assert capture.requested_by == user
    wait_for([capture], worker)

    assert capture.status == Status.SUCCEEDED, capture.error
    assert capture.final_url == source_server.url("/statement")
    assert capture.http_status == 200
    artefacts = {a.kind: a for a in capture.artefacts.all()}
    assert set(artefacts) == {"screenshot", "pdf", "text", "warc"}
    for artefact in artefacts.values():
        data = artefact.file.open("rb").read()
        assert hashlib.sha256(data).hexdigest() == artefact.sha256 and len(data) == artefact.size > 0
    assert artefacts["screenshot"].file.open("rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert artefacts["pdf"].file.open("rb").read(5) == b"%PDF-"
    assert "trained the model from scratch" in artefacts["text"].file.open("rb").read().decode()
    # The page's script reached for the metadata service and a private address: refused, noted.
    blocked = {entry["url"]: entry["reason"] for entry in capture.blocked_requests}
    assert "169.254.169.254" in blocked["http://169.254.169.254/latest/meta-data/"]
    assert "10.0.0.0/8" in blocked["http://10.0.0.7/track.gif"]
    assert not any(path.startswith("/latest") or "track" in path for path, _ in source_server.requests)

    client.logout()
    page = client.get(evidence.get_absolute_url()).content.decode()
    for artefact in artefacts.values():
        assert artefact.sha256 in page
    assert (
        capture.final_url in page and "HTTP 200" in page and "2 requests the page made were refused" in page
    )
    shot = client.get(reverse("claims:capture-artefact", args=[evidence.slug, capture.pk, "screenshot"]))
    assert shot["Content-Type"] == "image/png" and f'src="{shot.request["PATH_INFO"]}"' in page
    for kind in ("screenshot", "pdf", "text", "warc"):
        download = client.get(reverse("claims:capture-artefact", args=[evidence.slug, capture.pk, kind]))
        assert download["Content-Security-Policy"].startswith("sandbox")
        assert download["X-Content-Type-Options"] == "nosniff"
        assert ("attachment" in download.get("Content-Disposition", "")) is (kind != "screenshot")
    api = client.get(reverse("api:evidence-detail", args=[evidence.slug])).json()
    assert [a["sha256"] for a in api["captures"][0]["artefacts"]] == [
        a.sha256 for a in capture.artefact_list()
    ]


FAULTS = {
    "/redirect-to-loopback": "127.0.0.0/8",
    "/redirect-to-metadata": "169.254.169.254",
    "/loop-a": "Endless redirect loop",
    "/chain/1": "More than 5 redirects",
    "/five-gigabytes": "announces 5,368,709,120 bytes",
    "/endless": "more than the archive's cap of 1,048,576 bytes",
    "/wrong-length": "Content-Length",
    "/missing": "answered 404",
}


def test_every_fault_ends_as_a_failed_capture_with_nothing_stored(worker, source_server, archive_settings):
    urls = {source_server.url(path): reason for path, reason in FAULTS.items()}
    urls["http://exa mple.org/"] = "not a valid host name"
    urls["http://no-such-host.invalid/paper"] = "does not resolve"
    urls["http://169.254.169.254/latest/meta-data/"] = "169.254.0.0/16"
    captures = {}
    for url, reason in urls.items():
        evidence = EvidenceArtifactFactory(published=True, url=url)
        captures[reason] = capture_request(evidence=evidence, user=None)
    # After all the faults, the same worker still captures: a PDF and an image, kept as received.
    pdf = EvidenceArtifactFactory(published=True, url=source_server.url("/paper.pdf"))
    image = EvidenceArtifactFactory(published=True, url=source_server.url("/figure.png"))
    good = [capture_request(evidence=pdf, user=None), capture_request(evidence=image, user=None)]
    wait_for([*captures.values(), *good], worker)

    for reason, capture in captures.items():
        assert capture.status == Status.FAILED, (capture.url, capture.status)
        assert reason in capture.error, (capture.url, capture.error)
        assert not capture.artefacts.exists() and not stored_files(capture)
    for capture, content_type in zip(good, ("application/pdf", "image/png"), strict=True):
        assert capture.status == Status.SUCCEEDED, capture.error
        assert {a.kind for a in capture.artefacts.all()} == {"original", "warc"}
        original = capture.artefacts.get(kind="original")
        assert original.content_type == content_type
        assert (
            original.file.open("rb").read()
            == source_server.pages[capture.url.removeprefix(source_server.base)][2]
        )
    assert worker.process.poll() is None


def test_publishing_a_record_with_a_url_captures_it(worker, source_server, archive_settings):
    archive_settings.ARCHIVE_CAPTURE_ON_PUBLISH = True
    evidence = EvidenceArtifactFactory(url=source_server.url("/paper.pdf"))
    record_publish(record=evidence, user=UserFactory(username="publisher"))
    capture = evidence.captures.get()
    assert capture.trigger == SourceCapture.Trigger.PUBLISH
    wait_for([capture], worker)
    assert capture.status == Status.SUCCEEDED, capture.error


@pytest.mark.django_db
def test_a_page_that_never_finishes_loading_fails_at_the_time_cap(source_server, archive_settings):
    archive_settings.ARCHIVE_TIMEOUT_SECONDS = 1
    capture = SourceCapture.objects.create(
        evidence=EvidenceArtifactFactory(published=True), url=source_server.url("/never-finishes")
    )
    assert capture_run(capture_id=capture.pk).startswith("failed")
    capture.refresh_from_db()
    assert capture.status == Status.FAILED and "within 1 seconds" in capture.error
    assert not CaptureArtefact.objects.filter(capture=capture).exists() and not stored_files(capture)
