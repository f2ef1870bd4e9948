"""Issue 27: in one process, a file's SHA-256 is finished in its thread while the next file is read
and its statistics computed (``streaming.Pipeline``, ``stats._files_pass``); the fingerprint and the
inspection are bit-identical to passing each file alone, waiting for its hashes."""

from __future__ import annotations

import io

import ml_dtypes
import numpy as np
import pytest
from engine_files import llama_tensors

from provenance.fingerprint.cli import print_inspect
from provenance.fingerprint.hashing import sha256_file
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.stats import fingerprint_checkpoint, fingerprint_file, merge_shards


@pytest.fixture
def sharded(write_checkpoint):
    tensors = llama_tensors(layers=3, d=32, ff=48, kv=16, dtype=np.float32, seed=11)
    mixed = {k: (v.astype(ml_dtypes.bfloat16) if "mlp" in k else v) for k, v in tensors.items()}
    return write_checkpoint(mixed, shards=3, tokenizer={"model": {"vocab": {"x": 1}}})


@pytest.mark.parametrize("chunk_bytes", [256, 4096, 16 * 2**20])  # many pieces per buffer ring, and one
def test_overlapping_the_file_hashes_changes_no_bit_of_the_fingerprint_or_the_inspection(
    sharded, chunk_bytes
):
    ckpt = open_checkpoint(sharded)
    overlapped = fingerprint_checkpoint(ckpt, chunk_bytes=chunk_bytes, processes=1)
    one_by_one = merge_shards(
        ckpt,
        [fingerprint_file(ckpt, i, chunk_bytes=chunk_bytes) for i in range(len(ckpt.files))],
        chunk_bytes=chunk_bytes,
    )
    assert len(overlapped.files) == 3
    assert overlapped.to_json().encode() == one_by_one.to_json().encode()
    assert [f.sha256 for f in overlapped.files] == [sha256_file(sf.path) for sf in ckpt.files]
    shown = [io.StringIO(), io.StringIO()]
    print_inspect(overlapped, str(sharded), shown[0])
    print_inspect(one_by_one, str(sharded), shown[1])
    assert shown[0].getvalue() == shown[1].getvalue()


def test_progress_of_the_overlapped_pass_counts_every_byte_once(sharded):
    seen = []
    fp = fingerprint_checkpoint(
        sharded, chunk_bytes=512, progress=lambda done, total: seen.append((done, total))
    )
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (fp.total_bytes, fp.total_bytes)


def test_a_truncated_second_file_fails_the_overlapped_pass_naming_it(sharded):
    from provenance.fingerprint.errors import TruncatedFileError

    ckpt = open_checkpoint(sharded)
    second = ckpt.files[1].path
    second.write_bytes(second.read_bytes()[:-10])
    with pytest.raises(TruncatedFileError, match=ckpt.files[1].name):
        fingerprint_checkpoint(ckpt, chunk_bytes=512)
