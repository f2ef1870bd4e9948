"""Lineage search, confirmation (issue 24): a new fingerprint's close relatives get full reports
asked for by themselves, as drafts the editors' desk lists; a downloaded checkpoint is fingerprinted
for the index; a model is found by its hub ID (command and API). Real fingerprints of the synthetic
lineage set; the real worker computes the automatic report end to end."""

from __future__ import annotations

import logging
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims.models import Checkpoint, EvidenceArtifact, FingerprintReport, ModelFingerprint, RelativesEntry
from claims.pipeline import fingerprint_store
from claims.pipeline.reports.index_pass import checkpoint_fingerprint_run
from claims.selectors.desk import relatives_to_confirm
from claims.selectors.relatives import checkpoint_relatives, checkpoints_of_hub_id
from claims.services import record_publish, relatives_confirm
from provenance.fingerprint.sources.errors import InvalidSourceError
from tests import factories as f
from tests.pipeline.worker_process import WorkerProcess

pytestmark = pytest.mark.django_db
Origin = FingerprintReport.Origin


@pytest.fixture
def kept(prints, register):
    """A registered checkpoint (real files in the store) per lineage model, fingerprints recorded in
    order base, finetune, independent with the automatic reports off."""
    out = {}
    for name, fp in prints.items():
        checkpoint = register(name)
        fingerprint_store.record(checkpoint, fp, signature={}, reason="test")
        out[name] = checkpoint
    return out


def _publish(model, editor) -> None:
    """Publish an AI model and its developer (what a reader needs to see its checkpoints)."""
    for record in (model.developer, model):
        if not record.is_public:
            record_publish(record=record, user=editor)


def _pair(report) -> set[int]:
    return {report.checkpoint_a_id, report.checkpoint_b_id}


def test_a_close_relative_gets_one_draft_report_and_is_never_suggested_twice(kept):
    base, finetune, independent = kept["base"], kept["finetune"], kept["independent"]
    tiers = {
        r.checkpoint.pk: r.candidate.tier
        for r in checkpoint_relatives(checkpoint=finetune, preview=True).relatives
    }
    assert tiers[base.pk] == "strong"
    created = relatives_confirm(checkpoint=finetune, top=3)
    expected = {pk for pk, tier in tiers.items() if tier in ("strong", "some")}
    assert {(_pair(r) - {finetune.pk}).pop() for r in created} == expected
    if tiers[independent.pk] not in ("strong", "some"):
        assert independent.pk not in expected  # an unrelated model is not sent for confirmation
    report = next(r for r in created if _pair(r) == {base.pk, finetune.pk})
    assert (report.checkpoint_a, report.checkpoint_b) == (base, finetune)  # the known relative first
    assert report.origin == Origin.RELATIVES and report.requested_by is None
    assert report.status == FingerprintReport.Status.QUEUED
    assert report.screening["verdict"] in ("shared_weights", "lineage_supported")
    assert "name" not in report.screening and "title" not in report.screening  # words rendered when read
    assert report.evidence.status == EvidenceArtifact.Status.DRAFT
    # Asked again (a second fingerprint, another worker): nothing new.
    assert relatives_confirm(checkpoint=finetune, top=3) == []
    assert relatives_confirm(checkpoint=base, top=3) == [] or all(
        _pair(r) != {base.pk, finetune.pk} for r in relatives_confirm(checkpoint=base, top=3)
    )
    assert FingerprintReport.objects.filter(checkpoint_a=base, checkpoint_b=finetune).count() == 1
    assert relatives_confirm(checkpoint=independent, top=0) == []


def test_recording_a_fingerprint_asks_for_the_reports_and_a_failure_there_never_fails_the_record(
    prints, register, settings, monkeypatch, caplog
):
    settings.RELATIVES_CONFIRM_TOP = 2
    base = register("base")
    fingerprint_store.record(base, prints["base"], signature={}, reason="test")
    assert not FingerprintReport.objects.exists()  # nothing to relate it to yet
    finetune = register("finetune")
    fingerprint_store.record(finetune, prints["finetune"], signature={}, reason="test")
    auto = FingerprintReport.objects.get(origin=Origin.RELATIVES)
    assert _pair(auto) == {base.pk, finetune.pk}

    import claims.services.relatives as relatives_service

    def broken(**_kwargs):
        raise RuntimeError("index unreadable")

    monkeypatch.setattr(relatives_service, "relatives_confirm", broken)
    independent = register("independent")
    with caplog.at_level(logging.ERROR, logger="claims.pipeline.fingerprint_store"):
        row = fingerprint_store.record(independent, prints["independent"], signature={}, reason="test")
    assert row.pk and RelativesEntry.objects.filter(checkpoint=independent).exists()  # kept all the same
    assert "could not suggest relatives" in caplog.text and "index unreadable" in caplog.text


def test_readers_never_see_an_automatic_report_until_an_editor_publishes_it(kept, client):
    base, finetune = kept["base"], kept["finetune"]
    editor = f.editor()
    for checkpoint in (base, finetune):
        _publish(checkpoint.model, editor)
    [report] = [
        r for r in relatives_confirm(checkpoint=finetune, top=3) if _pair(r) == {base.pk, finetune.pk}
    ]
    FingerprintReport.objects.filter(pk=report.pk).update(status="succeeded", finished_at=report.requested_at)
    assert client.get(report.get_absolute_url()).status_code == 404
    api = client.get(reverse("api:checkpoint-relatives", kwargs={"pk": finetune.pk})).json()
    assert api["relatives"] == []
    assert checkpoint_relatives(checkpoint=finetune).relatives == []
    record_publish(record=report.evidence, user=editor)
    assert [r.checkpoint for r in checkpoint_relatives(checkpoint=finetune).relatives] == [base]


def test_the_desk_lists_suggestions_until_published_or_dismissed(kept, client):
    import datetime as dt

    base, finetune = kept["base"], kept["finetune"]
    created = relatives_confirm(checkpoint=finetune, top=3)
    report = next(r for r in created if _pair(r) == {base.pk, finetune.pk})
    items = {i.key: i for i in relatives_to_confirm(today=dt.date.today(), limit=10)}
    item = items[f"relatives:{report.pk}:queued"]
    assert str(base) in item.title and str(finetune) in item.title
    assert "lineage supported" in item.detail and "full report queued" in item.detail
    assert item.url == reverse("admin:claims_evidenceartifact_change", args=[report.evidence.pk])
    client.force_login(f.editor())
    desk = client.get(reverse("admin:index")).content.decode()
    assert "Possible relatives to confirm" in desk and item.title in desk.replace("&amp;", "&")
    # Dismissed: the draft deleted. Gone from the desk, never suggested again (the report stays).
    EvidenceArtifact.objects.filter(pk=report.evidence.pk).delete()
    assert f"relatives:{report.pk}:queued" not in {
        i.key for i in relatives_to_confirm(today=dt.date.today(), limit=10)
    }
    assert all(_pair(r) != {base.pk, finetune.pk} for r in relatives_confirm(checkpoint=finetune, top=3))


def test_the_index_pass_fingerprints_a_downloaded_checkpoint_once(register, model_store):
    checkpoint = register("finetune")
    assert checkpoint_fingerprint_run(checkpoint_id=checkpoint.pk) == "done"
    assert ModelFingerprint.objects.filter(checkpoint=checkpoint).count() == 1
    assert RelativesEntry.objects.filter(checkpoint=checkpoint).exists()
    assert checkpoint_fingerprint_run(checkpoint_id=checkpoint.pk) == "kept"  # delivered twice: read once
    Checkpoint.objects.filter(pk=checkpoint.pk).update(acquisition_status=Checkpoint.Acquisition.FAILED)
    assert checkpoint_fingerprint_run(checkpoint_id=checkpoint.pk) == "skipped"
    assert checkpoint_fingerprint_run(checkpoint_id=999999) == "skipped"


def test_the_index_pass_of_unreadable_weights_ends_in_a_logged_sentence(register, copy_of, caplog):
    from tests.pipeline.conftest import truncate_last_shard

    location = copy_of("base")
    checkpoint = register("base", location=location)
    truncate_last_shard(location)
    with caplog.at_level(logging.WARNING, logger="claims.pipeline.reports.index_pass"):
        assert checkpoint_fingerprint_run(checkpoint_id=checkpoint.pk) == "failed"
    assert "could not be fingerprinted" in caplog.text
    assert not ModelFingerprint.objects.filter(checkpoint=checkpoint).exists()


def test_a_hub_id_names_its_checkpoints_for_the_command_and_the_api(kept, client):
    base, finetune = kept["base"], kept["finetune"]
    finetune.model.hub_id = "Demo/finetune"
    finetune.model.save()
    assert checkpoints_of_hub_id(hub_id="demo/FINETUNE", preview=True) == [finetune]
    assert checkpoints_of_hub_id(hub_id="hf:Demo/finetune@main", preview=True) == [finetune]
    assert checkpoints_of_hub_id(hub_id="Demo/finetune", preview=False) == []  # a draft model
    with pytest.raises(InvalidSourceError):
        checkpoints_of_hub_id(hub_id="not a hub id", preview=True)
    out = StringIO()
    call_command("relatives", "Demo/finetune", stdout=out)
    assert out.getvalue().splitlines()[1].startswith(f"1. {base}")  # the base first
    with pytest.raises(CommandError, match="No checkpoint of Org/nothing"):
        call_command("relatives", "Org/nothing")
    with pytest.raises(CommandError, match="is not a repository ID"):
        call_command("relatives", "not/a/hub id")

    url = reverse("api:checkpoint-relatives-by-hub-id")
    assert client.get(url).status_code == 400
    bad = client.get(url, {"hub_id": "../etc"})
    assert bad.status_code == 400 and "is not a repository ID" in bad.json()["error"]["fields"]["hub_id"][0]
    hidden, unknown = (
        client.get(url, {"hub_id": "Demo/finetune"}),
        client.get(url, {"hub_id": "Demo/unknown"}),
    )
    assert hidden.status_code == unknown.status_code == 404  # a draft model answers like an unknown one
    assert "Synthetic" not in hidden.content.decode()
    _publish(finetune.model, f.editor())
    seen = client.get(url, {"hub_id": "Demo/finetune"})
    assert seen.status_code == 200 and seen.json()["checkpoint"]["id"] == finetune.pk
    assert seen.json()["relatives"] == []  # no published report backs a relative yet


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_queues")
def test_a_new_checkpoint_is_fingerprinted_by_the_worker_and_its_relative_confirmed_end_to_end(
    register, model_store, settings
):
    """The real worker: an editor's report fingerprints base and independent; then the fingerprint pass
    of a new checkpoint (what a finished download sends) places finetune next to base, which asks for
    the confirming report by itself; the worker computes it, and it stays a draft."""
    from claims import tasks
    from claims.services import report_request
    from tests.pipeline.test_pipeline_worker import wait_for

    settings.RELATIVES_CONFIRM_TOP = 3
    base, independent = register("base"), register("independent")
    asked, _ = report_request(
        checkpoint_a=base, checkpoint_b=independent, methods=None, parameters=None, user=None
    )
    finetune = register("finetune")
    with WorkerProcess(model_store=model_store) as worker:
        wait_for(asked, worker=worker)
        tasks.checkpoint_fingerprint.delay(checkpoint_id=finetune.pk)
        deadline = time.monotonic() + 120
        while not FingerprintReport.objects.filter(origin=Origin.RELATIVES).exists():
            assert time.monotonic() < deadline, worker.log()[-3000:]
            time.sleep(0.5)
        auto = FingerprintReport.objects.get(origin=Origin.RELATIVES)
        wait_for(auto, worker=worker)
        log = worker.log()
    assert asked.status == auto.status == FingerprintReport.Status.SUCCEEDED, (
        asked.error_detail,
        auto.error_detail,
    )
    assert (auto.checkpoint_a, auto.checkpoint_b) == (base, finetune)
    assert auto.result["verdict"] == "lineage_supported"
    assert auto.evidence.status == EvidenceArtifact.Status.DRAFT
    assert f"Checkpoint {finetune.pk} fingerprint: done" in log
    assert ModelFingerprint.objects.filter(checkpoint=finetune).count() == 1  # read once: by the pass
    assert auto.timings["fingerprint_b"]["cached"] is True
