"""Hub checkpoints in the knowledge base: every door (service, API, admin) queues a download that
the acquisition worker does through the unmodified huggingface_hub client against the local test
hub (claims/demo/hub_server.py); a report waits for its checkpoints' downloads, shows their progress, and
fails with the download's reason when one fails."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.demo.hub_server import HubRepo
from claims.models import Checkpoint, FingerprintReport
from claims.pipeline.downloads.runner import acquisition_run
from claims.pipeline.reports.runner import report_run
from claims.services import checkpoint_acquire, report_request
from tests.factories import AIModelFactory, editor

pytestmark = pytest.mark.django_db
Acquisition = Checkpoint.Acquisition
Status = FingerprintReport.Status


def acquire(name: str, *, repo: str | None = None, **kwargs) -> Checkpoint:
    checkpoint, _created = checkpoint_acquire(
        model=AIModelFactory(name=f"Hub {name}"),
        source={"hub": "testhub", "repo": repo or f"Org/{name}", "revision": "main"},
        user=None,
        **kwargs,
    )
    return checkpoint


def request(a, b) -> FingerprintReport:
    return report_request(checkpoint_a=a, checkpoint_b=b, methods=None, parameters=None, user=None)[0]


def test_a_report_on_hub_checkpoints_waits_for_their_downloads_then_names_commit_and_hashes(
    hub, lineage_store, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as sent:
        base, finetune = acquire("base"), acquire("finetune")
    assert len(sent) == 2 and base.acquisition_status == Acquisition.QUEUED and not base.location
    report = request(base, finetune)
    assert report_run(report_id=report.pk) == "waiting"
    report.refresh_from_db()
    assert report.status == Status.QUEUED and report.download["text"].startswith("waiting for the download")

    assert acquisition_run(checkpoint_id=base.pk) == "done"
    assert report_run(report_id=report.pk) == "waiting"  # finetune is still to come
    assert acquisition_run(checkpoint_id=finetune.pk) == "done"
    assert report_run(report_id=report.pk) == "succeeded"

    base.refresh_from_db()
    assert base.acquisition_status == Acquisition.DONE and base.source_commit == hub.repos["Org/base"].commit
    assert base.location.startswith(str(hub_cache(base))) and base.layout_family
    for f in base.source_files:
        published = (lineage_store / "lineage" / "base" / f["name"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(published).hexdigest()
    # The fingerprint worker hashed the same files the download verified.
    assert base.file_hashes == {
        f["name"]: f["sha256"] for f in base.source_files if f["name"].endswith(".safetensors")
    }
    report.refresh_from_db()
    assert report.result["verdict"] == "lineage_supported"


def hub_cache(checkpoint: Checkpoint):
    from django.conf import settings

    return settings.MODEL_CACHE_DIR / "testhub" / "Org--base"


def test_a_failed_download_fails_the_waiting_report_with_its_reason(hub):
    hub.repos["Org/base"].faults.add("gated")
    base, finetune = acquire("base"), acquire("finetune")
    report = request(base, finetune)
    assert acquisition_run(checkpoint_id=base.pk) == "failed"
    base.refresh_from_db()
    assert base.acquisition_status == Acquisition.FAILED and "set HF_TOKEN" in base.acquisition_error
    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert report.error_message.startswith(
        f"The weights of “{base}” could not be downloaded: Org/base on testhub"
    )
    assert not list(hub_cache(base).rglob("*.safetensors"))


def test_a_report_asked_after_the_download_failed_fails_with_its_reason(hub):
    base = acquire("nothing", repo="Org/nothing")
    assert acquisition_run(checkpoint_id=base.pk) == "failed"
    report = request(base, acquire("finetune"))
    acquisition_run(checkpoint_id=report.checkpoint_b_id)
    assert report_run(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert "Org/nothing on testhub" in report.error_message and "does not exist" in report.error_message


def test_a_hash_mismatch_fails_the_download_and_keeps_no_file(hub):
    hub.repos["Org/base"].faults.add("corrupt")
    base = acquire("base")
    assert acquisition_run(checkpoint_id=base.pk) == "failed"
    base.refresh_from_db()
    assert "does not match what testhub publishes: SHA-256" in base.acquisition_error
    assert not base.location and not list(hub_cache(base).rglob("*.safetensors*"))


def test_a_failed_download_is_queued_again_by_asking_again(hub, django_capture_on_commit_callbacks):
    hub.repos["Org/base"].faults.add("html")
    base = acquire("base")
    assert acquisition_run(checkpoint_id=base.pk) == "failed"
    hub.repos["Org/base"].faults.clear()
    with django_capture_on_commit_callbacks() as sent:
        again, created = checkpoint_acquire(
            model=base.model, source={"hub": "testhub", "repo": "Org/base"}, user=None
        )
    assert (
        not created
        and again.pk == base.pk
        and again.acquisition_status == Acquisition.QUEUED
        and len(sent) == 1
    )
    assert acquisition_run(checkpoint_id=base.pk) == "done"


def test_a_hub_not_in_the_operators_list_is_refused_at_the_door(hub):
    with pytest.raises(ValidationError) as info:
        checkpoint_acquire(model=AIModelFactory(), source={"hub": "elsewhere", "repo": "Org/base"}, user=None)
    assert (
        "not one this server may download from (configured: testhub)" in info.value.message_dict["source"][0]
    )
    assert not Checkpoint.objects.exists()


def test_the_download_progress_shows_on_the_report_in_the_admin(hub, client):
    base, finetune = acquire("base"), acquire("finetune")
    report = request(base, finetune)
    Checkpoint.objects.filter(pk=base.pk).update(
        acquisition_status=Acquisition.RUNNING,
        acquisition_bytes=2_500_000_000,
        acquisition_total=5_000_000_000,
    )
    Checkpoint.objects.filter(pk=finetune.pk).update(acquisition_total=1_000_000_000)
    client.force_login(editor())
    page = client.get(reverse("admin:claims_fingerprintreport_change", args=[report.pk])).content.decode()
    assert "downloading 2.5 GB of 6.0 GB (41 %)" in page


def test_the_api_registers_a_hub_checkpoint_from_a_source_object(hub):
    from tests.api.conftest import token_client

    client = token_client(editor())
    model = AIModelFactory()
    response = client.post(
        "/api/v1/checkpoints/",
        {"model": model.slug, "source": {"hub": "testhub", "repo": "Org/base", "revision": "main"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["revision"] == "main"
    assert body["acquisition"] | {"files": []} == {
        "source": "hub:testhub:Org/base@main", "commit": "", "files": [], "status": "queued", "bytes_done": 0,
        "bytes_total": None, "error": "",
    }  # fmt: skip
    source = {"hub": "testhub", "repo": "Org/base", "file": "m-Q4_K.gguf"}  # one GGUF of a repo
    gguf = client.post(
        "/api/v1/checkpoints/", {"model": model.slug, "revision": "Q4_K", "source": source}, format="json"
    )
    assert (
        gguf.status_code == 201
        and gguf.json()["acquisition"]["source"] == "hub:testhub:Org/base@main:m-Q4_K.gguf"
    )
    refused = client.post(
        "/api/v1/checkpoints/",
        {"model": model.slug, "source": {"hub": "evil", "repo": "Org/x"}},
        format="json",
    )
    assert refused.status_code == 400 and "not one this server may download from" in str(refused.json())
    both = client.post(
        "/api/v1/checkpoints/",
        {"model": model.slug, "revision": "v2", "location": "lineage/base", "source": {"repo": "Org/base"}},
        format="json",
    )
    assert both.status_code == 400 and "not both" in str(both.json())


def test_the_api_previews_a_source_before_anything_downloads(hub, settings):
    from rest_framework.test import APIClient

    from tests.api.conftest import token_client

    url = "/api/v1/checkpoints/preview/"
    source = {"hub": "testhub", "repo": "Org/base", "revision": "main"}
    assert APIClient().post(url, {"source": source}, format="json").status_code == 401
    client = token_client(editor())
    repo = hub.repos["Org/base"]
    body = client.post(url, {"source": source}, format="json").json()
    assert body["commit"] == repo.commit and body["mode"] == "download" and body["range_reads"] is None
    assert body["total_bytes"] == sum(len(d) for n, d in repo.files.items() if not n.endswith(".md"))
    assert {f["name"] for f in body["files"]} >= {"config.json", "model-00001-of-00003.safetensors"}
    assert "neuron_matching" in body["methods"] and body["skipped"] == {}
    # Larger than the cache: shard by shard, and the hub is asked whether it answers ranges.
    settings.MODEL_CACHE_MAX_BYTES = 3_000_000
    body = client.post(url, {"source": source}, format="json").json()
    assert body["mode"] == "shard_by_shard" and body["range_reads"] is True
    assert (
        body["disk_needed"] < body["total_bytes"] and "fingerprinted and deleted in turn" in body["summary"]
    )
    repo.faults.add("no_ranges")
    body = client.post(url, {"source": source}, format="json").json()
    assert body["range_reads"] is False and "neuron_matching" in body["skipped"]
    assert "neuron_matching" not in body["methods"] and "attn_std" in body["methods"]
    missing = client.post(url, {"source": {**source, "repo": "Org/missing"}}, format="json")
    assert missing.status_code == 400 and "does not exist" in str(missing.json())
    assert not Checkpoint.objects.exists()


def test_the_admin_adds_a_checkpoint_from_a_hub(hub, client):
    client.force_login(editor())
    url = reverse("admin:claims_checkpoint_add_from_hub")
    page = client.get(url)
    assert page.status_code == 200 and "testhub (http://127.0.0.1:" in page.content.decode()
    assert url in client.get(reverse("admin:claims_checkpoint_changelist")).content.decode()
    model = AIModelFactory()
    bad = client.post(url, {"model": model.pk, "hub": "testhub", "repo": "../etc", "source_revision": "main"})
    assert bad.status_code == 200 and "is not a repository ID" in bad.content.decode()
    fields = {"model": model.pk, "hub": "testhub", "repo": "Org/base", "source_revision": "main"}
    gguf = client.post(url, {**fields, "gguf_file": "m-Q4_K.gguf", "_preview": "Preview"}).content.decode()
    assert "names m-Q4_K.gguf, which the repository does not hold: it holds no GGUF file" in gguf
    # First the preview: the commit, the files and their size, what will run; nothing saved or downloaded.
    served = hub.bytes_served
    preview = client.post(url, {**fields, "_preview": "Preview"})
    text = preview.content.decode()
    repo = hub.repos["Org/base"]
    assert preview.status_code == 200 and not Checkpoint.objects.filter(model=model).exists()
    assert f"is commit {repo.commit[:12]}: 4.7 MB in " in text and "They fit the model cache" in text
    assert "model-00001-of-00003.safetensors" in text and "neuron_matching" in text
    assert 'name="_add"' in text
    assert hub.bytes_served - served < 100_000  # the listing, not the weights
    response = client.post(url, {**fields, "_add": "Add and download"})
    checkpoint = Checkpoint.objects.get(model=model)
    assert response.status_code == 302 and response["Location"].endswith(f"/{checkpoint.pk}/change/")
    assert checkpoint.source_display == "hub:testhub:Org/base@main"
    assert checkpoint.acquisition_status == Acquisition.QUEUED


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_queues")
def test_a_real_worker_downloads_both_checkpoints_then_computes_their_report(hub, lineage_store, settings):
    from claims.views.reports import reproduce_commands
    from tests.pipeline.test_pipeline_worker import wait_for
    from tests.pipeline.worker_process import WorkerProcess

    base, finetune = acquire("base"), acquire("finetune")  # committed: the downloads are sent
    report = request(base, finetune)
    env = {"HUBS": hub.hubs_setting(), "MODEL_CACHE_DIR": str(settings.MODEL_CACHE_DIR)}
    with WorkerProcess(model_store=lineage_store, env=env) as worker:
        wait_for(report, worker=worker)
    assert report.status == Status.SUCCEEDED, report.error_message
    base.refresh_from_db()
    assert base.acquisition_status == Acquisition.DONE and base.content_hash
    commit = hub.repos["Org/base"].commit
    assert (
        f"python -m provenance.fingerprint compare hub:testhub:Org/base@{commit}"
        in reproduce_commands(report)[1]
    )


def test_the_sweep_sends_again_a_download_whose_worker_died_and_it_resumes(hub, settings):
    from datetime import timedelta

    from django.utils import timezone

    from claims.pipeline.downloads.runner import acquisitions_sweep
    from provenance.fingerprint.sources import PARTIAL, HubSource, snapshot_folder

    base = acquire("base")
    # A worker was SIGKILLed mid-file: the checkpoint stays "running", its heartbeat stops, and
    # half a shard is left on disk.
    stale = timezone.now() - timedelta(seconds=settings.REPORT_STALE_SECONDS + 5)
    Checkpoint.objects.filter(pk=base.pk).update(
        acquisition_status=Acquisition.RUNNING, acquisition_heartbeat=stale
    )
    repo = hub.repos["Org/base"]
    folder = snapshot_folder(settings.MODEL_CACHE_DIR, HubSource("testhub", "Org/base"), repo.commit)
    folder.mkdir(parents=True)
    shard = "model-00001-of-00003.safetensors"
    (folder / (shard + PARTIAL)).write_bytes(repo.files[shard][:1_000_000])
    assert acquisitions_sweep() == 1
    served = hub.bytes_served
    assert acquisition_run(checkpoint_id=base.pk) == "done"
    total = sum(len(data) for data in repo.files.values())
    assert hub.bytes_served - served < total - 900_000  # the first million bytes were not fetched again
    assert (folder / shard).read_bytes() == repo.files[shard]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_queues")
def test_a_worker_killed_mid_download_is_replaced_and_the_download_resumes(hub, lineage_store, settings):
    """SIGKILL of a real acquisition worker in the middle of a download: the checkpoint stays
    "running" with a stale heartbeat, the sweep sends it again, a second real worker claims it and
    finishes from the files and partial file the first one left (bytes fetched ≤ 1.2 × the size)."""
    import time

    from claims.pipeline.downloads.runner import acquisitions_sweep
    from provenance.fingerprint.sources import HubSource, snapshot_folder
    from tests.pipeline.worker_process import WorkerProcess

    repo = hub.repos["Org/base"]
    repo.faults.add("slow")
    total = sum(len(data) for data in repo.files.values())
    folder = snapshot_folder(settings.MODEL_CACHE_DIR, HubSource("testhub", "Org/base"), repo.commit)
    first = folder / "model-00001-of-00003.safetensors"
    env = {"HUBS": hub.hubs_setting(), "MODEL_CACHE_DIR": str(settings.MODEL_CACHE_DIR)}
    base = acquire("base")  # committed: the download is sent
    with WorkerProcess(model_store=lineage_store, env=env) as doomed:
        deadline = time.monotonic() + 60
        while not first.is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.is_file(), doomed.log()[-2000:]
        doomed.kill()
    base.refresh_from_db()
    assert base.acquisition_status == Acquisition.RUNNING  # nobody is left to say otherwise
    assert not (folder / "model-00003-of-00003.safetensors").exists()

    settings.REPORT_STALE_SECONDS = 2
    time.sleep(2.5)
    with WorkerProcess(model_store=lineage_store, env={**env, "REPORT_STALE_SECONDS": "2"}) as worker:
        assert acquisitions_sweep() == 1
        deadline = time.monotonic() + 90
        while base.acquisition_status != Acquisition.DONE and time.monotonic() < deadline:
            time.sleep(0.3)
            base.refresh_from_db()
        assert base.acquisition_status == Acquisition.DONE, (
            f"{base.acquisition_error}\n{worker.log()[-3000:]}"
        )
    assert hub.bytes_served <= 1.2 * total
    for name, data in repo.files.items():
        assert (folder / name).read_bytes() == data
    assert {f["name"]: f["sha256"] for f in base.source_files} == {
        name: hashlib.sha256(data).hexdigest() for name, data in repo.files.items()
    }


def test_manage_py_fingerprint_downloads_hub_sources_then_computes(hub):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "fingerprint", "hub:testhub:Org/base@main", "hub:testhub:Org/finetune@main", "--methods", "attn_std",
        stdout=out, stderr=StringIO(),
    )  # fmt: skip
    assert "Report " in out.getvalue() and "attn_std" in out.getvalue()
    base = Checkpoint.objects.get(source_repo="Org/base")
    assert base.revision == "main" and base.source_commit == hub.repos["Org/base"].commit
    with pytest.raises(
        CommandError, match=r"hub:testhub:Org/nothing@main: Org/nothing on testhub .* does not exist"
    ):
        call_command(
            "fingerprint", "hub:testhub:Org/nothing@main", "hub:testhub:Org/base@main", stderr=StringIO()
        )


def test_the_cache_budget_evicts_the_least_recently_used_download_and_a_report_brings_it_back(hub, settings):
    base, finetune, independent = acquire("base"), acquire("finetune"), acquire("independent")
    assert acquisition_run(checkpoint_id=base.pk) == "done"
    assert acquisition_run(checkpoint_id=finetune.pk) == "done"
    base.refresh_from_db()
    base_folder = base.location
    used = sum(f["size"] for f in base.source_files) * 2
    settings.MODEL_CACHE_MAX_BYTES = used + 1_000_000  # room for two of the three models
    # A report on finetune is queued: finetune is needed, so base (the least recently used) goes.
    request(finetune, acquire("other", repo="Org/base"))
    assert acquisition_run(checkpoint_id=independent.pk) == "done"
    base.refresh_from_db()
    assert base.acquisition_status == Acquisition.EVICTED
    assert not list(Path(base_folder).glob("*.safetensors"))
    finetune.refresh_from_db()
    assert finetune.acquisition_status == Acquisition.DONE
    # A report on base downloads its pinned commit again, then runs.
    settings.MODEL_CACHE_MAX_BYTES = 0
    report = request(base, independent)
    base.refresh_from_db()
    assert base.acquisition_status == Acquisition.QUEUED
    assert report_run(report_id=report.pk) == "waiting"
    assert acquisition_run(checkpoint_id=base.pk) == "done"
    base.refresh_from_db()
    assert base.location == base_folder and base.source_commit == hub.repos["Org/base"].commit
    assert report_run(report_id=report.pk) == "succeeded"


def test_a_model_larger_than_the_cache_is_fingerprinted_shard_by_shard_and_its_tensors_read_by_range(
    hub, settings
):
    settings.MODEL_CACHE_MAX_BYTES = 3_000_000  # each model is 4.7 MB; its largest shard 2.1 MB
    base, finetune = acquire("base"), acquire("finetune")
    report = request(base, finetune)
    assert report_run(report_id=report.pk) == "waiting"
    assert acquisition_run(checkpoint_id=base.pk) == "done"
    assert acquisition_run(checkpoint_id=finetune.pk) == "done"
    for checkpoint, name in ((base, "base"), (finetune, "finetune")):
        checkpoint.refresh_from_db()
        assert checkpoint.acquisition_status == Acquisition.FINGERPRINTED
        assert not list(Path(checkpoint.location).rglob("*.safetensors"))  # the weights are gone
        published = hub.repos[f"Org/{name}"].files
        assert {
            f["name"]: f["sha256"] for f in checkpoint.source_files if f["name"].endswith(".safetensors")
        } == {n: hashlib.sha256(d).hexdigest() for n, d in published.items() if n.endswith(".safetensors")}
        assert checkpoint.content_hash and checkpoint.layer_count == 12
    assert report_run(report_id=report.pk) == "succeeded"
    report.refresh_from_db()
    result = report.result
    assert result["verdict"] == "lineage_supported", report.summary
    # The weight-reading methods ran too: each tensor they read came from the hub by range,
    # checked against the digest recorded when its shard was verified whole.
    assert {"aligned_cosine", "tensor_identity", "attn_std", "neuron_matching", "embedding_anchor",
            "weight_matching"} <= set(result["results"])  # fmt: skip
    assert report.timings["range_bytes"] > 0 and report.timings["range_requests"] > 0


def test_a_model_larger_than_the_cache_on_a_hub_without_ranges_is_compared_without_its_weights(hub, settings):
    settings.MODEL_CACHE_MAX_BYTES = 3_000_000
    hub.repos["Org/finetune"].faults.add("no_ranges")
    base, finetune = acquire("base"), acquire("finetune")
    report = request(base, finetune)
    assert acquisition_run(checkpoint_id=base.pk) == "done"
    assert acquisition_run(checkpoint_id=finetune.pk) == "done"  # a header needs no range
    assert report_run(report_id=report.pk) == "succeeded"
    report.refresh_from_db()
    result = report.result
    assert {"aligned_cosine", "tensor_identity", "attn_std"} <= set(result["results"])
    for method in ("neuron_matching", "embedding_anchor", "weight_matching"):
        assert "does not answer HTTP Range requests" in result["skipped"][method]


def test_a_hub_that_serves_other_bytes_by_range_fails_the_report_naming_the_tensor(hub, settings):
    settings.MODEL_CACHE_MAX_BYTES = 3_000_000
    base, finetune = acquire("base"), acquire("finetune")
    report = request(base, finetune)
    assert acquisition_run(checkpoint_id=base.pk) == "done"
    assert acquisition_run(checkpoint_id=finetune.pk) == "done"
    hub.repos["Org/base"].faults.add("tamper_ranges")
    assert report_run(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert "not the ones verified when its file was downloaded whole" in report.error_message
    assert report.error_message.startswith("Testhub served tensor model.")


def test_a_download_that_cannot_fit_the_budget_fails_clearly(hub, settings):
    base, finetune = acquire("base"), acquire("finetune")
    assert acquisition_run(checkpoint_id=base.pk) == "done"
    request(base, finetune)  # base is needed by a queued report: it cannot be evicted
    settings.MODEL_CACHE_MAX_BYTES = 6_000_000
    assert acquisition_run(checkpoint_id=finetune.pk) == "failed"
    finetune.refresh_from_db()
    assert finetune.acquisition_error.startswith(
        "The model cache cannot make room: this download needs 4.7 MB"
    )


def test_a_git_lfs_checkpoint_is_acquired_and_compared_with_a_hub_one(hub, lineage_store, settings, tmp_path):
    from tests.fingerprint.test_sources_git import publish

    remote = tmp_path / "git" / "finetune.git"
    remote.parent.mkdir()
    publish(lineage_store / "lineage" / "finetune", remote)
    settings.GIT_HOSTS = [remote.parent.as_uri() + "/"]
    refused = tmp_path / "elsewhere.git"
    with pytest.raises(ValidationError, match="is not a git host this server may download from"):
        checkpoint_acquire(model=AIModelFactory(), source={"kind": "git", "url": refused.as_uri()}, user=None)
    finetune, _ = checkpoint_acquire(
        model=AIModelFactory(name="Git finetune"), source={"kind": "git", "url": remote.as_uri()}, user=None
    )
    assert finetune.source_display == f"git+{remote.as_uri()}@main"
    base = acquire("base")
    report = request(base, finetune)
    assert acquisition_run(checkpoint_id=finetune.pk) == "done"
    assert acquisition_run(checkpoint_id=base.pk) == "done"
    assert report_run(report_id=report.pk) == "succeeded"
    finetune.refresh_from_db()
    assert finetune.source_commit == subprocess_out("git", "rev-parse", "main", cwd=remote)
    report.refresh_from_db()
    assert report.result["verdict"] == "lineage_supported"


def subprocess_out(*args: str, cwd: Path) -> str:
    import subprocess

    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def test_a_gguf_file_named_in_a_repo_of_quantisations_is_downloaded_and_compared_with_its_original(
    hub, tmp_path
):
    from provenance.fingerprint.synthetic import lineage_models
    from provenance.fingerprint.synthetic.gguf_writer import write_gguf

    original = lineage_models("tiny", seed=0)["base"]  # the lineage set's base, served as Org/base
    files = {
        f"base-{q}.gguf": write_gguf(original, tmp_path / f"base-{q}.gguf", qtype=q).read_bytes()
        for q in ("Q8_0", "Q4_K")
    }
    hub.add(HubRepo("Org/base-GGUF", files))
    source = {"hub": "testhub", "repo": "Org/base-GGUF", "revision": "main", "file": "base-Q4_K.gguf"}
    model = AIModelFactory(name="Hub base GGUF")
    gguf, created = checkpoint_acquire(model=model, source=source, user=None)
    assert created and gguf.source_display == "hub:testhub:Org/base-GGUF@main:base-Q4_K.gguf"
    assert checkpoint_acquire(model=model, source=source, user=None) == (gguf, False)
    with pytest.raises(ValidationError, match="registered already, with other weights"):
        checkpoint_acquire(model=model, source={**source, "file": "base-Q8_0.gguf"}, user=None)
    base = acquire("base")
    assert (
        acquisition_run(checkpoint_id=gguf.pk) == "done" and acquisition_run(checkpoint_id=base.pk) == "done"
    )
    gguf.refresh_from_db()
    assert gguf.format == Checkpoint.Format.GGUF and [f["name"] for f in gguf.source_files] == [
        "base-Q4_K.gguf"
    ]
    report = request(base, gguf)
    assert report_run(report_id=report.pk) == "succeeded"
    report.refresh_from_db()
    assert report.result["verdict"] == "lineage_supported"
