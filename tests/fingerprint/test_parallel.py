"""Issue 16: tensors hashed with BLAKE3 (the algorithm recorded, schema 2), older fingerprints still
read, and the files of a checkpoint passed by several processes into the same bytes."""

from __future__ import annotations

import hashlib
import json

import blake3
import ml_dtypes
import numpy as np
import pytest
from engine_files import llama_tensors

from provenance.fingerprint import parallel
from provenance.fingerprint.errors import TruncatedFileError
from provenance.fingerprint.fingerprint import ModelFingerprint
from provenance.fingerprint.methods import tensor_identity
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.report import compare_fingerprints
from provenance.fingerprint.stats import ShardResult, fingerprint_checkpoint, fingerprint_file, merge_shards


def mixed_tensors() -> dict[str, np.ndarray]:
    """bf16 matrices (histogram path) and f32 ones (float moments path), spread over several files."""
    t = llama_tensors(layers=3, d=32, ff=48, kv=16, dtype=np.float32, seed=5)
    return {k: (v.astype(ml_dtypes.bfloat16) if "mlp" in k else v) for k, v in t.items()}


@pytest.fixture
def sharded(write_checkpoint, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)  # tiny files, passed in processes all the same
    return write_checkpoint(mixed_tensors(), shards=4, tokenizer={"model": {"vocab": {"x": 1}}})


def test_several_processes_give_the_same_bytes_as_one(sharded):
    one = fingerprint_checkpoint(sharded, chunk_bytes=512)
    seen = []
    many = fingerprint_checkpoint(
        sharded, chunk_bytes=512, processes=3, progress=lambda done, total: seen.append((done, total))
    )
    assert len(one.files) == 4
    assert many.to_json().encode() == one.to_json().encode()
    assert seen[-1] == (one.total_bytes, one.total_bytes)  # progress reaches the end

    # One file at a time (what the pipeline's shard tasks do), through the JSON they store: same bytes.
    ckpt = open_checkpoint(sharded)
    stored = [
        ShardResult.from_dict(json.loads(json.dumps(fingerprint_file(ckpt, i, chunk_bytes=512).to_dict())))
        for i in reversed(range(len(ckpt.files)))
    ][::-1]
    assert merge_shards(ckpt, stored, chunk_bytes=512).to_json() == one.to_json()


def test_an_error_in_a_worker_process_arrives_whole(sharded):
    shard = sorted(sharded.glob("*.safetensors"))[2]
    shard.write_bytes(shard.read_bytes()[:-10])
    with pytest.raises(TruncatedFileError) as caught:
        fingerprint_checkpoint(sharded, processes=2)
    assert caught.value.path == str(shard.resolve()) or caught.value.path.endswith(shard.name)
    assert shard.name in str(caught.value)


def as_schema_1(fp: ModelFingerprint, raw: dict[str, bytes]) -> ModelFingerprint:
    """The same fingerprint as an engine of schema 1 stored it: tensors' SHA-256 under ``sha256``."""
    d = json.loads(fp.to_json())
    d["schema_version"] = 1
    del d["tensor_hash"]
    for t in d["tensors"]:
        del t["digest"]
        t["sha256"] = hashlib.sha256(raw[t["name"]]).hexdigest()
    return ModelFingerprint.from_json(json.dumps(d))


def test_blake3_is_recorded_and_older_fingerprints_load_and_compare_by_their_own_algorithm(sharded):
    tensors = mixed_tensors()
    raw = {k: np.ascontiguousarray(v).tobytes() for k, v in tensors.items()}
    new = fingerprint_checkpoint(sharded)
    stored = json.loads(new.to_json())
    assert (stored["schema_version"], stored["tensor_hash"]) == (2, "blake3")
    assert all(t["digest"] == blake3.blake3(raw[t["name"]]).hexdigest() for t in stored["tensors"])
    assert all(f["sha256"] == hashlib.sha256(f_path.read_bytes()).hexdigest()
               for f, f_path in zip(stored["files"], sorted(sharded.glob("*.safetensors")), strict=True))  # fmt: skip

    old = as_schema_1(new, raw)
    assert (old.schema_version, old.tensor_hash) == (1, "sha256")
    assert old.content_hash == new.content_hash  # file SHA-256 in both schemas
    assert tensor_identity.score(old, as_schema_1(new, raw)) == 1.0  # old against old: SHA-256 digests
    assert tensor_identity.score(new, new) == 1.0

    # Old against new: refused with the reason, listed as skipped in the report.
    report = compare_fingerprints(old, new, methods=["attn_std", "tensor_identity"], null_size=8)
    why = report.skipped["tensor_identity"]
    assert (
        "different algorithms (sha256 for A, blake3 for B" in why
        and "fingerprint the A checkpoint again" in why
    )
    assert "attn_std" in report.results

    with pytest.raises(ValueError, match="schema 7"):
        ModelFingerprint.from_dict({**stored, "schema_version": 7})
