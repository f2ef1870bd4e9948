"""Acquisition under faults, through the knowledge base's doors: the preview API against a hub that
answers oddly or never, ``manage.py fingerprint`` when a download fails, the model cache's use by
folder and its reservations, git LFS names and sizes. Against the local test hub
(claims/demo/hub_server.py) and real git repositories."""

from __future__ import annotations

import logging
import socket
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.demo.hub_server import HubRepo
from claims.models import AIModel, Checkpoint, FingerprintReport, Party
from provenance.fingerprint.sources import Hub
from tests.factories import editor

pytestmark = pytest.mark.django_db
Acquisition = Checkpoint.Acquisition
PREVIEW = "/api/v1/checkpoints/preview/"


def _client():
    from tests.api.conftest import token_client

    return token_client(editor())


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"sha": "0" * 40, "siblings": [{"size": 1}]},
        {"sha": "0" * 40, "siblings": [{"rfilename": "a", "lfs": 3}]},
    ],
)
def test_the_preview_api_answers_a_hub_listing_in_an_odd_shape_with_a_400(hub, body):
    hub.add(HubRepo("Org/odd", {"model.safetensors": b"\0" * 16}, info_body=body))
    response = _client().post(PREVIEW, {"source": {"hub": "testhub", "repo": "Org/odd"}}, format="json")
    assert response.status_code == 400, response.content
    assert "is not a Hugging Face-compatible hub's" in str(response.json())


def test_the_preview_api_answers_a_hub_that_never_answers_after_its_timeout(settings):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    try:
        settings.HUBS = {"silent": Hub("silent", f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=1)}
        response = _client().post(PREVIEW, {"source": {"hub": "silent", "repo": "Org/x"}}, format="json")
    finally:
        sock.close()
    assert response.status_code == 400 and "could not be read" in str(response.json())


def test_a_failed_fingerprint_command_leaves_nothing_behind_and_says_one_sentence(hub, caplog):
    hub.repos["Org/finetune"].faults.add("corrupt")
    before = (AIModel.objects.count(), Party.objects.count(), Checkpoint.objects.count())
    args = (
        "fingerprint",
        "hub:testhub:Org/base@main",
        "hub:testhub:Org/finetune@main",
        "--methods",
        "attn_std",
    )
    with caplog.at_level(logging.INFO), pytest.raises(CommandError) as failed:
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    assert str(failed.value).startswith("hub:testhub:Org/finetune@main: model") and "does not match" in str(
        failed.value
    )
    assert "\n" not in str(failed.value)
    assert not [r for r in caplog.records if "Traceback" in r.getMessage() or r.exc_info]
    # No draft model, checkpoint or report stays behind ...
    assert (AIModel.objects.count(), Party.objects.count(), Checkpoint.objects.count()) == before
    assert not FingerprintReport.objects.exists()
    # ... so once the hub serves the right bytes, the same command succeeds.
    hub.repos["Org/finetune"].faults.clear()
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    assert "Report " in out.getvalue()


def _acquire(name: str, *, repo: str | None = None) -> Checkpoint:
    from claims.services import checkpoint_acquire
    from tests.factories import AIModelFactory

    checkpoint, _created = checkpoint_acquire(
        model=AIModelFactory(name=f"Hub {name}"),
        source={"hub": "testhub", "repo": repo or f"Org/{name}", "revision": "main"},
        user=None,
    )
    return checkpoint


def _downloaded(*checkpoints: Checkpoint) -> None:
    from claims.pipeline.downloads.runner import acquisition_run

    for checkpoint in checkpoints:
        assert acquisition_run(checkpoint_id=checkpoint.pk) == "done"
        checkpoint.refresh_from_db()


def test_eviction_keeps_a_folder_another_checkpoint_needs(hub, settings):
    """Two checkpoints of one repository and commit share a folder: evicting the least recently used
    one may not remove the folder a queued report needs through the other."""
    from claims.pipeline.reports.runner import report_run
    from claims.services import report_request

    old, shared, other = (
        _acquire("old", repo="Org/base"),
        _acquire("shared", repo="Org/base"),
        _acquire("finetune"),
    )
    _downloaded(old, shared, other)
    assert old.location == shared.location
    size = sum(f["size"] for f in old.source_files)
    settings.MODEL_CACHE_MAX_BYTES = 2 * size + 100_000  # room for two of the three models
    report = report_request(checkpoint_a=shared, checkpoint_b=other, methods=["attn_std"], parameters=None,
                            user=None)[0]  # fmt: skip
    independent = _acquire("independent")
    # Base's folder is needed (through "shared"), finetune's too: nothing can be evicted.
    from claims.pipeline.downloads.runner import acquisition_run

    assert acquisition_run(checkpoint_id=independent.pk) == "failed"
    independent.refresh_from_db()
    assert "cannot make room" in independent.acquisition_error
    for checkpoint in (old, shared, other):
        checkpoint.refresh_from_db()
        assert checkpoint.acquisition_status == Acquisition.DONE
    assert list(Path(shared.location).glob("*.safetensors"))
    assert report_run(report_id=report.pk) == "succeeded"
    # Once no report needs it, the folder goes, and both checkpoints using it say so.
    settings.MODEL_CACHE_MAX_BYTES = 2 * size + 100_000
    independent = _acquire("independent")
    assert acquisition_run(checkpoint_id=independent.pk) == "done"
    old.refresh_from_db()
    shared.refresh_from_db()
    assert old.acquisition_status == shared.acquisition_status == Acquisition.EVICTED
    assert not list(Path(shared.location).glob("*.safetensors"))


def test_two_downloads_checked_at_once_are_not_both_admitted_beyond_the_budget(hub, settings):
    from claims.pipeline.downloads.cache import cache_make_room, cache_release
    from claims.pipeline.downloads.runner import acquisition_claim
    from provenance.fingerprint.sources import SourceError

    first, second = _acquire("base"), _acquire("finetune")
    size = sum(len(d) for d in hub.repos["Org/base"].files.values())
    settings.MODEL_CACHE_MAX_BYTES = size + size // 2  # one of them fits, not both
    for checkpoint in (first, second):
        acquisition_claim(checkpoint_id=checkpoint.pk)  # both downloads under way ...
    assert cache_make_room(needed=size, for_checkpoint=first) == []  # ... the first admitted
    with pytest.raises(SourceError, match=r"is reserved by downloads under way"):
        cache_make_room(needed=size, for_checkpoint=second)
    cache_release(first)  # the first ended (its bytes never arrived): the second fits now
    assert cache_make_room(needed=size, for_checkpoint=second) == []
    cache_release(second)


def test_a_git_lfs_pointer_declaring_ten_petabytes_is_refused_before_anything_downloads(
    hub, settings, tmp_path
):
    from claims.pipeline.downloads.runner import acquisition_run
    from claims.services import checkpoint_acquire
    from tests.factories import AIModelFactory
    from tests.fingerprint.test_sources_git import git

    work = tmp_path / "huge-work"
    work.mkdir()
    (work / "config.json").write_text("{}")
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{'ab' * 32}\nsize {10 * 10**15}\n"
    (work / "model.safetensors").write_text(pointer)
    git("init", "-q", "-b", "main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-qm", "a pointer to 10 PB", cwd=work)
    remote = tmp_path / "remote" / "huge.git"
    remote.parent.mkdir()
    git("clone", "-q", "--bare", str(work), str(remote), cwd=tmp_path)
    settings.GIT_HOSTS = [remote.parent.as_uri() + "/"]
    checkpoint, _ = checkpoint_acquire(
        model=AIModelFactory(), source={"kind": "git", "url": remote.as_uri()}, user=None
    )
    assert acquisition_run(checkpoint_id=checkpoint.pk) == "failed"
    checkpoint.refresh_from_db()
    assert "needs 10000.0 TB more on disk" in checkpoint.acquisition_error, checkpoint.acquisition_error
    assert "nothing was downloaded" in checkpoint.acquisition_error
