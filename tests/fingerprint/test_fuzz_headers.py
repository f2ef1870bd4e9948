"""Fuzzing the reader: random files, mutated valid files and random JSON headers.

Whatever the bytes, opening and fingerprinting may only raise the engine's own FingerprintError
subclasses: never MemoryError, IndexError, OverflowError, RecursionError, or a hang (the deadline).
"""

from __future__ import annotations

import struct

import ml_dtypes
import numpy as np
from engine_files import llama_tensors, safetensors_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.fingerprint.errors import FingerprintError
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.safetensors_format import DTYPES
from provenance.fingerprint.stats import fingerprint_checkpoint

VALID = safetensors_bytes(llama_tensors(layers=1, d=4, ff=4, vocab=4, kv=4, dtype=ml_dtypes.bfloat16)) + b""
HEADER_END = 8 + struct.unpack("<Q", VALID[:8])[0]
FUZZ = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


def open_and_read(path) -> None:
    """Everything a user can do with a file: open it, read every tensor, fingerprint it."""
    try:
        ckpt = open_checkpoint(path)
        for name in ckpt.tensors:
            ckpt.read_tensor(name)
            for _ in ckpt.iter_chunks(name, chunk_bytes=7):
                pass
        fingerprint_checkpoint(ckpt, chunk_bytes=13, sample_size=5)
    except FingerprintError as e:
        assert str(e) and e.path is not None or e.tensor is not None or "layout" in str(e)


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes(tmp_path, data):
    path = tmp_path / "model.safetensors"
    path.write_bytes(data)
    open_and_read(path)


mutation = st.one_of(
    st.tuples(st.just("set"), st.integers(0, len(VALID) - 1), st.integers(0, 255)),
    st.tuples(
        st.just("set_header"), st.integers(8, HEADER_END - 1), st.sampled_from(b'{}[]",:0123456789 -eE.x')
    ),
    st.tuples(st.just("truncate"), st.integers(0, len(VALID)), st.just(0)),
    st.tuples(st.just("append"), st.integers(1, 64), st.integers(0, 255)),
    st.tuples(st.just("length"), st.integers(0, 2**64 - 1), st.just(0)),
    st.tuples(st.just("length_near"), st.integers(-16, 16), st.just(0)),
)


@FUZZ
@given(mutations=st.lists(mutation, min_size=1, max_size=6))
def test_mutated_valid_files(tmp_path, mutations):
    data = bytearray(VALID)
    for kind, a, b in mutations:
        if kind == "set" and a < len(data) or kind == "set_header" and a < len(data):
            data[a] = b
        elif kind == "truncate":
            del data[a:]
        elif kind == "append":
            data += bytes([b]) * a
        elif kind in ("length", "length_near") and len(data) >= 8:
            n = a if kind == "length" else max(0, HEADER_END - 8 + a)
            data[:8] = struct.pack("<Q", n)
    path = tmp_path / "model.safetensors"
    path.write_bytes(bytes(data))
    open_and_read(path)


small_int = st.one_of(
    st.integers(-3, 40), st.integers(-(2**70), 2**70), st.booleans(), st.floats(allow_nan=True)
)
json_leaf = st.one_of(st.none(), small_int, st.text(max_size=8), st.sampled_from(sorted(DTYPES)))
json_value = st.recursive(
    json_leaf,
    lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(st.text(max_size=6), c, max_size=4)),
    max_leaves=12,
)
entry = st.fixed_dictionaries(
    {},
    optional={
        "dtype": st.one_of(st.sampled_from(sorted(DTYPES)), json_value),
        "shape": st.one_of(st.lists(small_int, max_size=3), json_value),
        "data_offsets": st.one_of(st.lists(st.integers(-2, 70), min_size=2, max_size=2), json_value),
    },
)
header = st.dictionaries(
    st.one_of(
        st.sampled_from(["__metadata__", "model.layers.0.self_attn.q_proj.weight", "lm_head.weight"]),
        st.text(max_size=10),
    ),
    st.one_of(entry, json_value),
    max_size=5,
)


@FUZZ
@given(h=header, data_len=st.integers(0, 80), pad=st.integers(0, 9))
def test_random_json_headers(tmp_path, h, data_len, pad):
    import json

    raw = json.dumps(h).encode() + b" " * pad
    path = tmp_path / "model.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + np.arange(data_len, dtype=np.uint8).tobytes())
    open_and_read(path)
