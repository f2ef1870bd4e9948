"""The desk digest as Celery runs it: a real worker process reads ``EMAIL_URL`` and sends the mail.

The rows are committed (``transaction=True``) so the worker, another process, sees them; the mail
goes to a ``file://`` folder the test reads, so nothing is mocked between the task and the backend.
"""

from __future__ import annotations

import re
import time

import pytest
from django.utils import timezone

from claims.models import DeskNotice, FingerprintReport
from claims.tasks import desk_digest
from tests.factories import FingerprintReportFactory, editor
from tests.pipeline.worker_process import WorkerProcess

# A real worker reads what this test writes: committed rows (transaction=True). The Editors group
# comes from a data migration that an earlier test's flush may have removed: it is made here.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_queues")]


def test_a_worker_emails_the_digest_through_email_url_once(tmp_path):
    from django.contrib.auth.models import Group

    outbox = tmp_path / "mail"
    Group.objects.get_or_create(name="Editors")
    editor(email="ada@example.org")
    FingerprintReportFactory(
        status=FingerprintReport.Status.FAILED,
        finished_at=timezone.now(),
        error_message="Shard 3 is truncated.",
    )
    env = {"EMAIL_URL": f"file://{outbox}", "SITE_URL": "https://provenance.example.org"}
    with WorkerProcess(model_store=tmp_path, env=env) as worker:
        desk_digest.delay()
        desk_digest.delay()  # a second run finds nothing new
        deadline = time.monotonic() + 60
        while len(re.findall(r"desk_digest\[[^]]+\] succeeded", worker.log())) < 2:
            assert time.monotonic() < deadline, worker.log()[-3000:]
            time.sleep(0.3)
    [message] = [path.read_text() for path in outbox.iterdir()]
    assert "To: ada@example.org" in message and "Shard 3 is truncated." in message
    assert "https://provenance.example.org/admin/claims/fingerprintreport/" in message
    assert DeskNotice.objects.count() == 1
