"""Helpers of the engine tests: serialise safetensors files the way the reference writer does, and
build tiny state dicts. Named uniquely (not ``conftest``) so tests can import it by name."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Any

import ml_dtypes
import numpy as np

ST_DTYPE = {
    np.dtype(np.float32): "F32",
    np.dtype(np.float16): "F16",
    np.dtype(np.float64): "F64",
    np.dtype(ml_dtypes.bfloat16): "BF16",
    np.dtype(ml_dtypes.float8_e4m3fn): "F8_E4M3",
    np.dtype(ml_dtypes.float8_e5m2): "F8_E5M2",
    np.dtype(np.int8): "I8",
    np.dtype(np.uint8): "U8",
    np.dtype(np.int16): "I16",
    np.dtype(np.int32): "I32",
    np.dtype(np.int64): "I64",
}


def safetensors_bytes(tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> bytes:
    """Serialise like the reference writer: header entries in name order, data contiguous."""
    header: dict[str, Any] = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs, pos = [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        b = a.tobytes()
        header[name] = {
            "dtype": ST_DTYPE[a.dtype],
            "shape": list(a.shape),
            "data_offsets": [pos, pos + len(b)],
        }
        blobs.append(b)
        pos += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def raw_safetensors(header: Any, data: bytes = b"", *, length: int | None = None) -> bytes:
    """A file with a hand-written header (any JSON value, or raw bytes) for corruption tests."""
    h = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(h) if length is None else length) + h + data


def llama_tensors(
    layers: int = 2,
    d: int = 16,
    ff: int = 24,
    vocab: int = 32,
    kv: int = 8,
    dtype: Any = ml_dtypes.bfloat16,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """A tiny Llama-style state dict with distinct per-layer scales."""
    rng = np.random.default_rng(seed)

    def w(*shape: int, scale: float = 0.02) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(dtype)

    t = {
        "model.embed_tokens.weight": w(vocab, d),
        "lm_head.weight": w(vocab, d),
        "model.norm.weight": np.ones(d, dtype=dtype),
    }
    for i in range(layers):
        p = f"model.layers.{i}."
        s = 0.02 * (1 + i)
        t |= {
            p + "self_attn.q_proj.weight": w(d, d, scale=s),
            p + "self_attn.k_proj.weight": w(kv, d, scale=s),
            p + "self_attn.v_proj.weight": w(kv, d, scale=s),
            p + "self_attn.o_proj.weight": w(d, d, scale=s),
            p + "mlp.gate_proj.weight": w(ff, d),
            p + "mlp.up_proj.weight": w(ff, d),
            p + "mlp.down_proj.weight": w(d, ff),
            p + "input_layernorm.weight": np.ones(d, dtype=dtype),
            p + "post_attention_layernorm.weight": np.ones(d, dtype=dtype),
        }
    return t


class ComputedOnUse(Mapping):
    """``{key: compute(key)}`` for the given keys, each computed the first time a test reads it and
    kept: a module's or session's reports cost each test only the ones it reads (its own pair), not
    all of them in the setup of whichever test comes first."""

    def __init__(self, keys: Iterable[Hashable], compute: Callable[[Any], Any]) -> None:
        self._keys = list(keys)
        self._compute = compute
        self._kept: dict = {}

    def __getitem__(self, key: Hashable) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        if key not in self._kept:
            self._kept[key] = self._compute(key)
        return self._kept[key]

    def __iter__(self) -> Iterator:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
