"""Reading single tensors by HTTP Range (provenance/fingerprint/remote.py) from the local test hub,
through huggingface_hub's own HTTP session: a model fingerprinted shard by shard, its weights
deleted, is compared by the weight-reading methods exactly as from a local copy; bytes that are not
the verified ones stop the analysis; a hub without ranges leaves the methods skipped with the
reason; a dropped connection is resumed."""

from __future__ import annotations

import pytest

from provenance.fingerprint import sources
from provenance.fingerprint.errors import TamperedWeightsError
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.remote import open_remote_checkpoint
from provenance.fingerprint.report import compare_fingerprints
from provenance.fingerprint.shard_by_shard import fingerprint_shard_by_shard
from provenance.fingerprint.stats import fingerprint_checkpoint

WEIGHT_METHODS = ("embedding_anchor", "neuron_matching", "weight_matching")
COMPARED = ["attn_std", "embedding_anchor", "neuron_matching"]  # (weight_matching: the pipeline's test)


@pytest.fixture
def remote(hub, tmp_path):
    """name → (the checkpoint read by range, its fingerprint), after a shard-by-shard pass."""
    hubs = sources.parse_hubs(hub.hubs_setting())
    opened = {}

    def open_(name):
        source = sources.hub_source(hub="testhub", repo=f"Org/{name}", revision="main")
        acquired, fingerprint = fingerprint_shard_by_shard(source, hubs=hubs, cache_dir=tmp_path / "cache")
        assert not list(acquired.folder.rglob("*.safetensors"))  # only the small files are left
        ckpt = open_remote_checkpoint(
            source,
            commit=acquired.commit,
            hub=hubs["testhub"],
            fingerprint=fingerprint,
            folder=acquired.folder,
        )
        opened[name] = (ckpt, fingerprint)
        return opened[name]

    return open_


def _scores(report) -> dict:
    return {name: (r.score, (r.calibration or {}).get("z")) for name, r in report.results.items()}


def test_weight_methods_read_by_range_give_the_local_copys_results(remote, lineage_set, lineage_fingerprints):
    (a, fa), (b, fb) = remote("base"), remote("finetune")
    assert fa.to_json() == lineage_fingerprints["base"].to_json()
    ranged = compare_fingerprints(fa, fb, methods=COMPARED, weights=(a, b), null_size=8)
    local = compare_fingerprints(
        fa,
        fb,
        methods=COMPARED,
        weights=(open_checkpoint(lineage_set["base"]), open_checkpoint(lineage_set["finetune"])),
        null_size=8,
    )
    assert set(COMPARED) == set(ranged.results)
    assert _scores(ranged) == _scores(local)
    assert ranged.verdict == local.verdict
    # Only tensors were read, never a whole model per method: less than the files, per model read.
    total = sum(f.size for f in fa.files)
    assert a.reader.bytes_read > 0 and b.reader.bytes_read > 0
    assert a.reader.bytes_read < 4 * total


def test_bytes_that_are_not_the_verified_ones_stop_the_analysis_naming_the_tensor(remote, hub):
    (a, fa), (b, fb) = remote("base"), remote("finetune")
    hub.repos["Org/finetune"].faults.add("tamper_ranges")
    # embedding_anchor reads only some rows of the embedding: the rest is still read and checked.
    with pytest.raises(
        TamperedWeightsError, match=r"served tensor \S+ of hub:testhub:Org/finetune.*not the ones verified"
    ) as info:
        compare_fingerprints(fa, fb, methods=["embedding_anchor"], weights=(a, b), null_size=8)
    assert info.value.tensor and "blake3" in str(info.value)


def test_a_hub_without_ranges_leaves_the_weight_methods_skipped_with_the_reason(remote, hub):
    (a, fa), (b, fb) = remote("base"), remote("finetune")
    hub.repos["Org/finetune"].faults.add("no_ranges")
    report = compare_fingerprints(fa, fb, methods="all", weights=(a, b), null_size=8)
    for method in WEIGHT_METHODS:  # (each stops at its first read: nothing is computed)
        assert "does not answer HTTP Range requests" in report.skipped[method]
    assert {"attn_std", "aligned_cosine", "tensor_identity"} <= set(report.results)


def test_a_connection_dropped_mid_tensor_is_resumed(remote, hub, lineage_set):
    b, _fb = remote("finetune")
    hub.repos["Org/finetune"].faults.add("drop_once")
    hub._dropped.clear()
    name = max(b.tensors, key=lambda n: b.tensors[n].nbytes)
    requests = b.reader.requests
    assert (b.read_tensor(name) == open_checkpoint(lineage_set["finetune"]).read_tensor(name)).all()
    assert b.reader.requests == requests + 2  # the dropped request and its resumption


def test_a_header_that_no_longer_lists_the_fingerprinted_tensors_is_refused(hub, lineage_set, tmp_path):
    hubs = sources.parse_hubs(hub.hubs_setting())
    source = sources.hub_source(hub="testhub", repo="Org/base", revision="main")
    acquired, _fingerprint = fingerprint_shard_by_shard(source, hubs=hubs, cache_dir=tmp_path / "cache")
    other = fingerprint_checkpoint(lineage_set["base"])
    other.tensors[0].digest = "0" * 64  # what was verified is not what the hub serves now
    ckpt = open_remote_checkpoint(
        source, commit=acquired.commit, hub=hubs["testhub"], fingerprint=other, folder=acquired.folder
    )
    with pytest.raises(TamperedWeightsError, match=other.tensors[0].name):
        ckpt.read_tensor(other.tensors[0].name)
    ckpt.read_tensor(other.tensors[1].name)  # the others are what was verified
    renamed = fingerprint_checkpoint(lineage_set["base"])
    renamed.tensors[0].name = "model.something_else.weight"
    with pytest.raises(TamperedWeightsError, match="lists the tensors .* differently"):
        open_remote_checkpoint(
            source, commit=acquired.commit, hub=hubs["testhub"], fingerprint=renamed, folder=acquired.folder
        )
