"""The per-model result of one streaming pass: ``ModelFingerprint`` and its JSON form.

This module is the contract between the statistics pass (``stats.py``), which fills a
fingerprint, and the comparison methods (``methods/``), which read two of them. A fingerprint
is everything the pair methods need, so a comparison never re-reads the weights: per-tensor
hashes (``tensor_identity``), per-part statistics (``attn_std``) and, per weight matrix, a sample
of entries taken at positions that depend only on the part's shape and a fixed seed
(``aligned_cosine``: two same-shaped parts are sampled at the same positions, so the cosine of
the samples estimates the cosine of the whole matrices).

Memory: a fingerprint holds ``sample_size`` float32 values per sampled part (default 16,384,
i.e. 64 KiB), so about 30 MB for a 48-layer MoE with 64 experts; nothing else grows with the
checkpoint.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import ENGINE_VERSION

SCHEMA_VERSION = 2
# Schema 1 hashed tensors with SHA-256 (``TensorRecord.sha256``); schema 2 with BLAKE3 (``digest``,
# and the algorithm in ``ModelFingerprint.tensor_hash``). Files keep SHA-256 in both: it is what
# ``sha256sum`` and the hubs publish. Schema 1 fingerprints still load (``from_dict``); the pipeline's
# cache recomputes them (``claims.pipeline.fingerprint_store``).
READABLE_SCHEMAS = (1, 2)
TENSOR_HASH = "blake3"


class Role:
    """Roles a layout assigns to a part. Attention projections first: HonestAGI used exactly these."""

    Q = "q"
    K = "k"
    V = "v"
    O = "o"  # noqa: E741 - the output projection is called O in every paper
    GATE = "gate"  # MLP gate projection (SwiGLU); for an MoE, one per expert
    UP = "up"
    DOWN = "down"
    ROUTER = "router"  # MoE router / gate over experts
    EMBED = "embed"  # token embedding, rows = vocabulary
    LM_HEAD = "lm_head"
    NORM = "norm"  # any LayerNorm / RMSNorm weight
    BIAS = "bias"  # any bias vector
    OTHER = "other"  # placed in a layer but with no role a method uses

    ATTENTION = (Q, K, V, O)
    MLP = (GATE, UP, DOWN)


@dataclass
class FileRecord:
    """One file of the checkpoint as read: its name relative to the checkpoint root."""

    name: str
    size: int
    sha256: str


@dataclass
class TensorRecord:
    """One stored tensor: where it is and the digest of its raw bytes (as stored, not upcast), by
    the fingerprint's ``tensor_hash`` algorithm (BLAKE3 since schema 2, SHA-256 before)."""

    name: str
    dtype: str  # safetensors dtype string: "BF16", "F16", "F32", ...
    shape: list[int]
    file: str  # FileRecord.name
    nbytes: int
    digest: str


@dataclass
class PartStats:
    """Statistics of one part: a whole tensor, or one slice of a fused tensor (GPT-2 ``c_attn``).

    ``shape`` is the part's logical shape in the (out_features, in_features) orientation of
    ``torch.nn.Linear`` whatever the storage (GPT-2's Conv1D stores (in, out): the layout
    transposes it). ``std_sample`` uses ddof=1 like ``torch.std``; ``std_pop`` uses ddof=0.
    All statistics are accumulated in float64 over the upcast float32 values.
    ``sample`` holds float32 values at ``sample_positions(shape, sample_size)`` (flat indices in
    the logical orientation), or None for parts that are not sampled (vectors, norms, biases).
    """

    key: str  # unique in the fingerprint: the tensor name, or "name#q" for a slice of a fused tensor
    tensor: str
    layer: int | None
    role: str | None
    expert: int | None
    shape: list[int]
    count: int
    mean: float
    std_pop: float
    std_sample: float
    fro_norm: float
    min: float
    max: float
    nan_count: int
    inf_count: int
    sample: np.ndarray | None = None


@dataclass
class ModelFingerprint:
    """Everything the engine knows about one checkpoint after one streaming pass."""

    family: str  # layout name: "llama", "qwen2_moe", "gpt2", "gpt_neox", "phi", "bert", ...
    num_layers: int
    files: list[FileRecord]
    tensors: list[TensorRecord]
    parts: list[PartStats]
    config: dict[str, Any] | None = None
    tokenizer_sha256: str | None = None
    params: dict[str, Any] = field(default_factory=dict)  # sample_size, chunk_bytes, seed
    engine_version: str = ENGINE_VERSION
    schema_version: int = SCHEMA_VERSION
    tensor_hash: str = TENSOR_HASH  # the algorithm of every TensorRecord.digest: "blake3" or "sha256"

    # -- lookups used by the methods -------------------------------------------------------
    def parts_by(self, *, role: str, expert: int | None = None) -> dict[int, PartStats]:
        """Parts of one role (and expert) keyed by layer index."""
        return {
            p.layer: p for p in self.parts if p.role == role and p.expert == expert and p.layer is not None
        }

    def sigma_series(self, role: str) -> np.ndarray:
        """Sample std (ddof=1) of the role's matrix per layer, in layer order (HonestAGI's series).

        Raises KeyError if some layer has no part of that role.
        """
        by_layer = self.parts_by(role=role)
        return np.array([by_layer[i].std_sample for i in range(self.num_layers)], dtype=np.float64)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def content_hash(self) -> str:
        """A digest of the checkpoint's files (names and SHA-256), the cache key with the engine version."""
        import hashlib

        h = hashlib.sha256()
        for f in sorted(self.files, key=lambda f: f.name):
            h.update(f"{f.name}\0{f.sha256}\n".encode())
        return h.hexdigest()

    # -- JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for p in d["parts"]:
            s = p["sample"]
            p["sample"] = None if s is None else _encode_array(s)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), allow_nan=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelFingerprint:
        """A fingerprint of any readable schema; a schema 1 one keeps ``schema_version`` 1 and gets
        ``tensor_hash`` "sha256" (its tensor digests were SHA-256)."""
        schema = d.get("schema_version")
        if schema not in READABLE_SCHEMAS:
            raise ValueError(f"fingerprint schema {schema} is not one of {READABLE_SCHEMAS}")
        parts = [part_from_dict(p) for p in d["parts"]]
        if schema == 1:
            renamed = (
                {k: v for k, v in t.items() if k != "sha256"} | {"digest": t["sha256"]} for t in d["tensors"]
            )
            tensors = [TensorRecord(**t) for t in renamed]
        return cls(
            family=d["family"],
            num_layers=d["num_layers"],
            files=[FileRecord(**f) for f in d["files"]],
            tensors=tensors if schema == 1 else [TensorRecord(**t) for t in d["tensors"]],
            parts=parts,
            config=d.get("config"),
            tokenizer_sha256=d.get("tokenizer_sha256"),
            params=d.get("params", {}),
            engine_version=d["engine_version"],
            schema_version=schema,
            tensor_hash=d.get("tensor_hash", "sha256"),
        )

    @classmethod
    def from_json(cls, text: str) -> ModelFingerprint:
        return cls.from_dict(json.loads(text))


def part_to_dict(p: PartStats) -> dict[str, Any]:
    d = asdict(p)
    d["sample"] = None if p.sample is None else _encode_array(p.sample)
    return d


def part_from_dict(d: dict[str, Any]) -> PartStats:
    d = dict(d)
    d["sample"] = None if d["sample"] is None else _decode_array(d["sample"])
    return PartStats(**d)


def sample_positions(shape: list[int] | tuple[int, ...], sample_size: int, seed: int = 0) -> np.ndarray:
    """Sorted flat indices (int64) where a part of this shape is sampled.

    Depends only on (shape, sample_size, seed), so two parts of the same shape in two models are
    sampled at the same entries. Parts with at most ``sample_size`` entries are taken whole.
    """
    count = int(np.prod(shape, dtype=np.int64))
    if count <= sample_size:
        return np.arange(count, dtype=np.int64)
    rng = np.random.default_rng([seed, *[int(s) for s in shape]])
    return np.sort(rng.choice(count, size=sample_size, replace=False)).astype(np.int64)


def _encode_array(a: np.ndarray) -> dict[str, Any]:
    a = np.ascontiguousarray(a, dtype=np.float32)
    return {"dtype": "float32", "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode()}


def _decode_array(d: dict[str, Any]) -> np.ndarray:
    raw = base64.b64decode(d["b64"])
    return np.frombuffer(raw, dtype=np.float32).reshape(d["shape"]).copy()
