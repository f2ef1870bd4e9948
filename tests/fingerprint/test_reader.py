"""The reader returns exactly what the ``safetensors`` package returns, and refuses each kind of
corrupt input with its own error that names the file and, where one is at fault, the tensor."""

from __future__ import annotations

import json

import ml_dtypes
import numpy as np
import pytest
from engine_files import raw_safetensors, safetensors_bytes
from safetensors import safe_open

from provenance.fingerprint.errors import (
    CheckpointFormatError,
    EmptyCheckpointError,
    MissingShardError,
    TruncatedFileError,
)
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.sizes import human_bytes

ORACLE_DTYPES = [
    np.float32,
    np.float16,
    ml_dtypes.bfloat16,
    np.float64,
    ml_dtypes.float8_e4m3fn,
    ml_dtypes.float8_e5m2,
    np.int8,
    np.int32,
]


@pytest.mark.parametrize("dtype", ORACLE_DTYPES, ids=lambda d: np.dtype(d).name)
def test_it_reads_exactly_what_the_safetensors_package_reads(tmp_path, dtype):
    rng = np.random.default_rng(0)
    tensors = {
        "a": (rng.standard_normal((37, 19)) * 4).astype(dtype),
        "b": (rng.standard_normal(11) * 4).astype(dtype),
        "c": np.zeros((0, 3), dtype=dtype),
    }
    path = tmp_path / "m.safetensors"
    path.write_bytes(safetensors_bytes(tensors))
    ckpt = open_checkpoint(path)
    # The package's numpy path has no float8: there the oracle is ml_dtypes' own conversion.
    float8 = np.dtype(dtype).name.startswith("float8")
    with safe_open(path, framework="numpy") as f:
        for name in tensors:
            expected = tensors[name] if float8 else f.get_tensor(name)
            got = ckpt.read_tensor(name)
            assert got.shape == expected.shape
            np.testing.assert_array_equal(got, expected.astype(got.dtype))
            chunks = list(ckpt.iter_chunks(name, chunk_bytes=50))
            streamed = np.concatenate(chunks) if chunks else np.empty(0)
            np.testing.assert_array_equal(streamed, expected.astype(got.dtype).ravel())
            assert all(c.nbytes <= 50 * (2 if np.dtype(dtype).itemsize == 1 else 1) * 4 for c in chunks)


def test_a_sharded_folder_with_config_and_tokenizer(llama_checkpoint):
    ckpt = open_checkpoint(llama_checkpoint)
    assert len(ckpt.files) == 2
    assert ckpt.config["model_type"] == "llama"
    assert ckpt.tokenizer_path.name == "tokenizer.json"
    assert ckpt.total_bytes == sum(p.stat().st_size for p in llama_checkpoint.glob("*.safetensors"))
    t = ckpt.tensors["model.layers.0.self_attn.q_proj.weight"]
    assert (t.dtype, t.shape, t.nbytes) == ("BF16", (16, 16), 512)


def test_metadata_is_read(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(safetensors_bytes({"x": np.ones(2, np.float32)}, metadata={"format": "pt"}))
    assert open_checkpoint(path).files[0].metadata == {"format": "pt"}


def test_human_sizes():
    assert human_bytes(4_900_000_000) == "4.9 GB"
    assert human_bytes(1_234_567) == "1.2 MB"
    assert human_bytes(12) == "12 bytes"


# --- corruptions -------------------------------------------------------------------------------
GOOD = {
    "w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
    "v": {"dtype": "F32", "shape": [2], "data_offsets": [16, 24]},
}


def write(tmp_path, data: bytes, name: str = "model-00003-of-00004.safetensors"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def entry(**changes):
    h = json.loads(json.dumps(GOOD))
    for tensor, fields in changes.items():
        h[tensor].update(fields)
    return h


def check(tmp_path, data: bytes, error: type, *words: str, tensor: str | None = None):
    path = write(tmp_path, data)
    with pytest.raises(error) as info:
        open_checkpoint(path)
    message = str(info.value)
    assert path.name in message
    for w in words:
        assert w in message
    assert info.value.path == str(path)
    if tensor is not None:
        assert info.value.tensor == tensor and repr(tensor) in message
    return message


def test_a_truncated_file_says_what_size_was_expected(tmp_path):
    big = {"w": np.zeros((1000, 1000), np.float32)}
    data = safetensors_bytes(big)
    msg = check(
        tmp_path,
        data[: len(data) // 4],
        TruncatedFileError,
        "is truncated: expected 4.0 MB, found 1.0 MB",
        tensor="w",
    )
    assert msg.startswith("shard model-00003-of-00004.safetensors is truncated")


def test_a_header_length_larger_than_the_file(tmp_path):
    check(tmp_path, raw_safetensors(GOOD, b"\0" * 24, length=5000), TruncatedFileError, "header length")


def test_a_file_shorter_than_the_length_field(tmp_path):
    check(tmp_path, b"\x01\x02", TruncatedFileError, "8-byte")


def test_a_header_over_the_bound(tmp_path):
    check(tmp_path, raw_safetensors(GOOD, length=100_000_001), CheckpointFormatError, "100 MB limit")


@pytest.mark.parametrize("header", [[1, 2], "text", 3, None])
def test_a_header_that_is_not_a_json_object(tmp_path, header):
    check(tmp_path, raw_safetensors(header), CheckpointFormatError, "not an object")


@pytest.mark.parametrize("header", [b"{not json", b"\xff\xfe{}", b"[" * 100_000, b'{"a": 1, "a": 2}'])
def test_a_header_that_is_not_json(tmp_path, header):
    check(tmp_path, raw_safetensors(header), CheckpointFormatError, "header of")


def test_an_unknown_dtype(tmp_path):
    check(
        tmp_path,
        raw_safetensors(entry(w={"dtype": "F128"}), b"\0" * 24),
        CheckpointFormatError,
        "unknown dtype 'F128'",
        tensor="w",
    )


@pytest.mark.parametrize("shape", [[2, 3], [-1, -16], [True, 2], "22", [2.0, 2]])
def test_a_shape_that_does_not_match_the_span(tmp_path, shape):
    check(tmp_path, raw_safetensors(entry(w={"shape": shape}), b"\0" * 24), CheckpointFormatError, tensor="w")


def test_overlapping_spans(tmp_path):
    h = entry(v={"data_offsets": [8, 16]})
    h["v"]["shape"] = [2]
    check(tmp_path, raw_safetensors(h, b"\0" * 16), CheckpointFormatError, "overlaps tensor 'w'", tensor="v")


def test_a_span_beyond_the_end_of_the_file(tmp_path):
    h = entry(v={"data_offsets": [16, 1016], "shape": [250]})
    check(tmp_path, raw_safetensors(h, b"\0" * 24), TruncatedFileError, "truncated", tensor="v")


@pytest.mark.parametrize("offsets", [[1, 2], [5, 3], [0], "0-8", [-8, 0]])
def test_invalid_data_offsets(tmp_path, offsets):
    check(
        tmp_path,
        raw_safetensors(entry(v={"data_offsets": offsets}), b"\0" * 24),
        CheckpointFormatError,
        tensor="v",
    )


def test_a_gap_between_tensors(tmp_path):
    h = entry(v={"data_offsets": [20, 28]})
    check(tmp_path, raw_safetensors(h, b"\0" * 28), CheckpointFormatError, "gap", tensor="v")


def test_bytes_after_the_last_tensor(tmp_path):
    check(tmp_path, raw_safetensors(GOOD, b"\0" * 30), CheckpointFormatError, "6 bytes after its last tensor")


def test_a_bad_metadata_block(tmp_path):
    h = dict(GOOD, __metadata__={"a": 1})
    check(tmp_path, raw_safetensors(h, b"\0" * 24), CheckpointFormatError, "__metadata__")


def test_an_entry_that_is_not_an_object(tmp_path):
    check(tmp_path, raw_safetensors(dict(GOOD, x=[1]), b"\0" * 24), CheckpointFormatError, tensor="x")


def test_a_file_with_no_tensors(tmp_path):
    check(tmp_path, raw_safetensors({"__metadata__": {"a": "b"}}), EmptyCheckpointError, "no tensors")


def test_a_missing_shard_is_named(llama_checkpoint):
    (llama_checkpoint / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(MissingShardError, match="shard model-00002-of-00002.safetensors named in") as info:
        open_checkpoint(llama_checkpoint)
    assert info.value.tensor


def test_a_tensor_the_index_maps_to_a_shard_that_lacks_it(llama_checkpoint):
    index = llama_checkpoint / "model.safetensors.index.json"
    data = json.loads(index.read_text())
    data["weight_map"]["model.extra.weight"] = "model-00001-of-00002.safetensors"
    index.write_text(json.dumps(data))
    with pytest.raises(CheckpointFormatError, match="'model.extra.weight' is mapped to shard") as info:
        open_checkpoint(llama_checkpoint)
    assert info.value.tensor == "model.extra.weight"


@pytest.mark.parametrize("shard", ["../outside.safetensors", "/etc/passwd", "", 7])
def test_a_shard_name_outside_the_folder_is_refused(llama_checkpoint, shard):
    index = llama_checkpoint / "model.safetensors.index.json"
    index.write_text(json.dumps({"weight_map": {"x": shard}}))
    with pytest.raises(CheckpointFormatError, match="invalid shard"):
        open_checkpoint(llama_checkpoint)


@pytest.mark.parametrize("text", ["{", "[]", '{"weight_map": []}'])
def test_a_broken_index(llama_checkpoint, text):
    (llama_checkpoint / "model.safetensors.index.json").write_text(text)
    with pytest.raises(CheckpointFormatError, match="model.safetensors.index.json"):
        open_checkpoint(llama_checkpoint)


def test_a_folder_without_weights(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(EmptyCheckpointError, match="no .safetensors weights in folder"):
        open_checkpoint(tmp_path)
    (tmp_path / "pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(EmptyCheckpointError, match="found pytorch_model.bin: convert it"):
        open_checkpoint(tmp_path)


def test_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(EmptyCheckpointError, match="does not exist"):
        open_checkpoint(tmp_path / "nope")


def test_a_broken_config_is_named(llama_checkpoint):
    (llama_checkpoint / "config.json").write_text('{"model_type": ')
    with pytest.raises(CheckpointFormatError, match=r"config.json \(model config\) is not valid JSON"):
        open_checkpoint(llama_checkpoint)
    (llama_checkpoint / "config.json").write_text("[1]")
    with pytest.raises(CheckpointFormatError, match="config.json is not a JSON object"):
        open_checkpoint(llama_checkpoint)


def test_a_tensor_stored_in_two_files(tmp_path):
    for name in ("a.safetensors", "b.safetensors"):
        (tmp_path / name).write_bytes(safetensors_bytes({"w": np.ones(2, np.float32)}))
    with pytest.raises(CheckpointFormatError, match="'w' is stored twice") as info:
        open_checkpoint(tmp_path)
    assert info.value.tensor == "w"


def test_a_file_truncated_after_it_was_opened_is_reported_when_read(tmp_path):
    path = write(tmp_path, safetensors_bytes({"w": np.ones((100, 100), np.float32)}))
    ckpt = open_checkpoint(path)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(TruncatedFileError, match="ended while reading tensor 'w'"):
        ckpt.read_tensor("w")
