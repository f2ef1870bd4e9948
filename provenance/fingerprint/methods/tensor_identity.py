"""``tensor_identity``: which tensors are bit-identical between two checkpoints, by their digests.

Each fingerprint says how it hashed its tensors (``tensor_hash``: BLAKE3 since schema 2, SHA-256 in
schema 1). Only digests of one algorithm are compared: a schema 1 fingerprint against a schema 2 one
is refused with the reason (the report lists the method as skipped, saying to fingerprint the older
checkpoint again); the pipeline never gets there, since its cache recomputes older fingerprints.

Identical non-constant tensors are the strongest evidence there is: two independent trainings do
not produce the same bytes (short of a collision of a cryptographic hash). Two matchings are reported:

* by name - the same tensor name holds the same bytes (a widened vocabulary: everything but the
  embeddings);
* by content - a tensor's bytes occur anywhere in the other model, whatever its name (a pruned
  or re-numbered copy: layer 2 stored as layer 1).

Constant tensors (every part has std 0: a bias of zeros, a norm of ones at init) are identical
between unrelated models by construction and are left out, and counted apart. Fractions are of
the non-constant tensors (and their bytes) of the model with fewer of them; the score is the
content fraction. Memory: one set of hashes per model.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..calibration import NullDraw
from ..errors import IncompatibleModelsError
from ..fingerprint import ModelFingerprint, TensorRecord
from . import TITLES
from .base import EXACT_COPY, Method, MethodResult

MAX_LISTED = 50


def _informative(fp: ModelFingerprint) -> tuple[list[TensorRecord], int]:
    """Non-constant tensors, and how many constant ones were left out."""
    constant: dict[str, bool] = defaultdict(lambda: True)
    for p in fp.parts:
        constant[p.tensor] = constant[p.tensor] and p.count > 0 and p.std_pop == 0.0
    keep = [t for t in fp.tensors if not (t.name in constant and constant[t.name])]
    return keep, len(fp.tensors) - len(keep)


def _layers(fp: ModelFingerprint) -> dict[str, int | None]:
    return {p.tensor: p.layer for p in fp.parts}


def _match(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> dict:
    if fp_a.tensor_hash != fp_b.tensor_hash:
        raise IncompatibleModelsError(
            f"tensor_identity: the two fingerprints hash tensors with different algorithms "
            f"({fp_a.tensor_hash} for A, {fp_b.tensor_hash} for B; schema {fp_a.schema_version} and "
            f"{fp_b.schema_version}), so no tensor can be compared: fingerprint the "
            f"{'A' if fp_a.schema_version < fp_b.schema_version else 'B'} checkpoint again with this engine"
        )
    ta, const_a = _informative(fp_a)
    tb, const_b = _informative(fp_b)
    if not ta or not tb:
        raise IncompatibleModelsError("tensor_identity: one model has no non-constant tensors")
    # Fractions are of the smaller model: "how much of the smaller one is a copy".
    swap = len(tb) > len(ta)
    small, large = (ta, tb) if swap else (tb, ta)
    by_name_large = {t.name: t.digest for t in large}
    hashes_large: dict[str, list[str]] = defaultdict(list)
    for t in large:
        hashes_large[t.digest].append(t.name)
    same_name = [t for t in small if by_name_large.get(t.name) == t.digest]
    same_content = [t for t in small if t.digest in hashes_large]
    renamed = [
        (t.name, hashes_large[t.digest][0]) for t in same_content if by_name_large.get(t.name) != t.digest
    ]
    total_bytes = sum(t.nbytes for t in small) or 1
    return {
        "small": "a" if swap else "b",
        "small_tensors": small,
        "large": large,
        "same_name": same_name,
        "same_content": same_content,
        "renamed": renamed,
        "fraction_by_name": len(same_name) / len(small),
        "fraction_by_content": len(same_content) / len(small),
        "bytes_fraction_by_name": sum(t.nbytes for t in same_name) / total_bytes,
        "bytes_fraction_by_content": sum(t.nbytes for t in same_content) / total_bytes,
        "constant_left_out": {"a": const_a, "b": const_b},
    }


def score(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> float:
    return float(_match(fp_a, fp_b)["fraction_by_content"])


def compare(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> MethodResult:
    """Score = share of the smaller model's non-constant tensors found bit-identical in the other.

    ``per_layer``: ``layers`` (layer indices of the smaller model, "model" = outside layers) and
    ``identical`` (share of that layer's tensors found in the other model, by content).
    ``extra``: fractions by name / by content, of tensors and of bytes, counts, up to 50
    ``renamed`` pairs [name in the smaller model, name in the other].
    """
    m = _match(fp_a, fp_b)
    small_fp = fp_a if m["small"] == "a" else fp_b
    layer_of = _layers(small_fp)
    found = {t.name for t in m["same_content"]}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in m["small_tensors"]:
        layer = layer_of.get(t.name)
        key = "model" if layer is None else str(layer)
        totals[key][0] += t.name in found
        totals[key][1] += 1
    keys = sorted((k for k in totals if k != "model"), key=int) + (["model"] if "model" in totals else [])
    per_layer = {
        "model": m["small"],
        "layers": keys,
        "identical": [totals[k][0] / totals[k][1] for k in keys],
    }
    n_small = len(m["small_tensors"])
    extra = {
        "fraction_by_name": m["fraction_by_name"],
        "fraction_by_content": m["fraction_by_content"],
        "bytes_fraction_by_name": m["bytes_fraction_by_name"],
        "bytes_fraction_by_content": m["bytes_fraction_by_content"],
        "identical_by_name": len(m["same_name"]),
        "identical_by_content": len(m["same_content"]),
        "compared_tensors": n_small,
        "constant_left_out": m["constant_left_out"],
        "renamed": [list(pair) for pair in m["renamed"][:MAX_LISTED]],
    }
    k = len(m["same_content"])
    if k == 0:
        reading = f"No non-constant tensor is bit-identical between the two checkpoints ({n_small} compared)."
    else:
        reading = (
            f"{k} of {n_small} non-constant tensors of model {m['small'].upper()} "
            f"({m['bytes_fraction_by_content']:.1%} of its bytes) are bit-identical in the other model"
        )
        reading += f", {len(m['renamed'])} of them under another name." if m["renamed"] else "."
    return MethodResult("tensor_identity", m["fraction_by_content"], per_layer, reading, extra=extra)


def synthetic_null(
    fp_a: ModelFingerprint, fp_b: ModelFingerprint, size: int, rng: np.random.Generator
) -> NullDraw:
    """Exactly zero: independently initialised non-constant tensors never share a digest.

    The null's std is 0, so the z-score divides by a floor of one tensor's share (1 / compared
    tensors): z is then the number of identical tensors above the null. The p-value is exact.
    """
    n = len(_match(fp_a, fp_b)["small_tensors"])
    return NullDraw(
        np.zeros(size),
        "synthetic",
        f"{size} synthetic unrelated pairs: independent initialisations share no non-constant "
        f"tensor (std floored at one tensor in {n})",
        std_floor=1.0 / n,
        exact_mean=0.0,
        exact_std=0.0,
    )


METHOD = Method(
    "tensor_identity",
    TITLES["tensor_identity"],
    compare,
    score,
    synthetic_null,
    needs=("nothing: any two checkpoints",),
    blind_to="any change of a tensor's bits: fine-tuning, re-quantisation, permuted or rotated units",
    detects=(EXACT_COPY,),
)
