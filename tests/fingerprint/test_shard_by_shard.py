"""Fingerprinting a hub checkpoint one shard at a time (provenance/fingerprint/shard_by_shard.py),
through the unmodified huggingface_hub client against the local test hub: the fingerprint is the
one a pass over the whole folder gives, the disk never holds more than one shard, a bad shard fails
with nothing kept, and an interrupted run resumes after the last shard it passed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from claims.demo.hub_server import HubRepo
from provenance.fingerprint import sources
from provenance.fingerprint.errors import FingerprintError
from provenance.fingerprint.shard_by_shard import (
    HEADER_PROBE,
    RESULTS,
    disk_needed,
    fingerprint_shard_by_shard,
)
from provenance.fingerprint.sources import SourceError
from provenance.fingerprint.stats import fingerprint_checkpoint


def run(hub, tmp_path, repo="Org/base", **kwargs):
    source = sources.hub_source(hub="testhub", repo=repo, revision="main")
    return fingerprint_shard_by_shard(
        source, hubs=sources.parse_hubs(hub.hubs_setting()), cache_dir=tmp_path / "cache", **kwargs
    )


def _disk_bytes(folder: Path) -> int:
    """Bytes the folder's files really occupy (sparse placeholders count only their header blocks),
    leaving out the shard results kept for a resume (the fingerprint itself, being written)."""
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file() and RESULTS not in p.parts)


def test_the_fingerprint_is_the_whole_folders_and_only_one_shard_is_on_disk_at_a_time(
    hub, lineage_set, tmp_path
):
    repo = hub.repos["Org/base"]
    shards = {n: d for n, d in repo.files.items() if n.endswith(".safetensors")}
    assert len(shards) == 3
    peaks = []

    def on_shard(name):
        peaks.append(_disk_bytes(acquired_folder()))

    def acquired_folder():
        return sources.snapshot_folder(
            tmp_path / "cache", sources.HubSource("testhub", "Org/base"), repo.commit
        )

    acquired, fingerprint = run(hub, tmp_path, on_shard=on_shard)
    assert fingerprint.to_json() == fingerprint_checkpoint(lineage_set["base"]).to_json()
    assert {f["name"]: f["sha256"] for f in acquired.files if f["name"] in shards} == {
        n: hashlib.sha256(d).hexdigest() for n, d in shards.items()
    }
    # Measured just after each shard was passed, before it was deleted: one shard plus headers and
    # the small files, never the model.
    small = sum(len(d) for n, d in repo.files.items() if n not in shards)
    assert len(peaks) == 3
    assert max(peaks) <= max(len(d) for d in shards.values()) + small + 3 * 8192 + 64 * 1024
    assert max(peaks) < sum(len(d) for d in shards.values())
    assert not list(acquired.folder.rglob("*.safetensors"))
    assert (acquired.folder / "config.json").is_file()
    planned = sources.plan(
        sources.HubSource("testhub", "Org/base"), hubs=sources.parse_hubs(hub.hubs_setting())
    )
    assert disk_needed(planned) < planned.total_bytes


def _weights_left(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*.safetensors*") if p.stat().st_blocks * 512 > 1 << 16]


def test_a_shard_that_is_not_the_published_one_fails_naming_it_and_keeps_no_weights(
    hub, lineage_set, tmp_path
):
    hub.add(HubRepo.from_folder("Org/corrupt", lineage_set["base"], faults={"corrupt_tail"}))
    with pytest.raises(SourceError, match=r"model-00001-of-00003\.safetensors does not match .* SHA-256"):
        run(hub, tmp_path, repo="Org/corrupt")
    assert not _weights_left(tmp_path / "cache")
    assert not list((tmp_path / "cache").rglob("*.safetensors"))  # no placeholder left either


def test_a_shard_whose_header_is_not_safetensors_fails_before_any_weights_download(
    hub, lineage_set, tmp_path
):
    hub.add(HubRepo.from_folder("Org/badheader", lineage_set["base"], faults={"corrupt"}))
    served = hub.bytes_served
    with pytest.raises(FingerprintError, match=r"model-00001-of-00003\.safetensors"):
        run(hub, tmp_path, repo="Org/badheader")
    assert hub.bytes_served - served < 4 * HEADER_PROBE + 100_000  # headers and small files only
    assert not list((tmp_path / "cache").rglob("*.safetensors"))


def test_an_interrupted_run_resumes_after_the_last_shard_it_passed(hub, lineage_set, tmp_path):
    class Killed(Exception):
        pass

    def die_after_first(name):
        raise Killed(name)

    with pytest.raises(Killed):
        run(hub, tmp_path, on_shard=die_after_first)
    served = hub.bytes_served
    _acquired, fingerprint = run(hub, tmp_path)
    first = hub.repos["Org/base"].files["model-00001-of-00003.safetensors"]
    total = sum(len(d) for d in hub.repos["Org/base"].files.values())
    assert hub.bytes_served - served < total - len(first) + 3 * (1 << 17)  # shard 1 not fetched again
    assert fingerprint.to_json() == fingerprint_checkpoint(lineage_set["base"]).to_json()
