"""Hand-built ``ModelFingerprint`` objects for the method and calibration tests (no files, no reader).

``make_fingerprint`` takes σ per role and layer and, optionally, the raw sample of each part, so a
test states exactly what a method sees. Named uniquely (not ``conftest``) to be importable by name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np

from provenance.fingerprint.fingerprint import FileRecord, ModelFingerprint, PartStats, Role, TensorRecord

NAMES = {
    Role.Q: "self_attn.q_proj",
    Role.K: "self_attn.k_proj",
    Role.V: "self_attn.v_proj",
    Role.O: "self_attn.o_proj",
    Role.GATE: "mlp.gate_proj",
    Role.UP: "mlp.up_proj",
    Role.DOWN: "mlp.down_proj",
}


def part(
    name: str,
    layer: int | None,
    role: str,
    *,
    sigma: float = 1.0,
    sample: np.ndarray | None = None,
    shape: Sequence[int] = (8, 8),
    mean: float | None = None,
    expert: int | None = None,
) -> PartStats:
    """One part; with a sample, its mean/std are the sample's unless ``mean`` is given."""
    if sample is not None:
        sample = np.asarray(sample, dtype=np.float32)
        m = float(sample.mean()) if mean is None else mean
        sd_pop = float(sample.std())
        sd = float(sample.std(ddof=1))
    else:
        m, sd_pop, sd = (0.0 if mean is None else mean), sigma, sigma
    count = int(np.prod(shape))
    return PartStats(
        key=name,
        tensor=name,
        layer=layer,
        role=role,
        expert=expert,
        shape=list(shape),
        count=count,
        mean=m,
        std_pop=sd_pop,
        std_sample=sd,
        fro_norm=sd * np.sqrt(count),
        min=-1.0,
        max=1.0,
        nan_count=0,
        inf_count=0,
        sample=sample,
    )


def make_fingerprint(
    sigmas: Mapping[str, Sequence[float]] | None = None,
    *,
    samples: Mapping[tuple[int, str], np.ndarray] | None = None,
    parts: Sequence[PartStats] = (),
    hashes: Mapping[str, str] | None = None,
    num_layers: int | None = None,
    shape: Sequence[int] = (8, 8),
    params: Mapping | None = None,
) -> ModelFingerprint:
    """A fingerprint with σ series ``sigmas`` (role → per layer) and/or per-(layer, role) samples.

    Every part becomes one BF16 tensor whose SHA-256 is ``hashes[name]`` if given, otherwise a hash
    unique to this call's content (so two fingerprints share no tensor unless told to).
    """
    all_parts: list[PartStats] = list(parts)
    layers_seen: set[int] = set()
    for role, series in (sigmas or {}).items():
        for layer, s in enumerate(series):
            sample = (samples or {}).get((layer, role))
            name = f"model.layers.{layer}.{NAMES[role]}.weight"
            all_parts.append(part(name, layer, role, sigma=float(s), sample=sample, shape=shape))
            layers_seen.add(layer)
    for (layer, role), sample in (samples or {}).items():
        if role not in (sigmas or {}):
            name = f"model.layers.{layer}.{NAMES[role]}.weight"
            all_parts.append(part(name, layer, role, sample=sample, shape=shape))
            layers_seen.add(layer)
    layers_seen |= {p.layer for p in all_parts if p.layer is not None}
    salt = repr(sorted((k, list(map(float, v))) for k, v in (sigmas or {}).items())) + str(len(all_parts))
    salt += "".join(str(float(np.asarray(s).sum())) for s in (samples or {}).values())
    tensors = []
    for p in all_parts:
        digest = (hashes or {}).get(p.tensor) or hashlib.sha256((salt + p.tensor).encode()).hexdigest()
        tensors.append(
            TensorRecord(
                name=p.tensor,
                dtype="BF16",
                shape=list(p.shape),
                file="model.safetensors",
                nbytes=2 * p.count,
                digest=digest,
            )
        )
    files = [
        FileRecord(
            "model.safetensors",
            sum(t.nbytes for t in tensors),
            hashlib.sha256("".join(t.digest for t in tensors).encode()).hexdigest(),
        )
    ]
    return ModelFingerprint(
        family="llama",
        num_layers=num_layers or (max(layers_seen) + 1),
        files=files,
        tensors=tensors,
        parts=all_parts,
        params=dict(params or {"sample_size": 16384, "seed": 0}),
    )
