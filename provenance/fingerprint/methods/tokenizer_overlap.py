"""``tokenizer_overlap``: how much of the two vocabularies is shared - weak evidence, by design.

Score = Jaccard index of the normalised token strings (``tokenizers``); also the shared-token count,
each vocabulary's size and coverage, and whether the vocabularies (with merges) are identical by hash.

Why it never counts towards a verdict: reusing a tokenizer is common and legitimate (many unrelated
models ship Llama's or GPT-2's), and replacing or extending a vocabulary does not rule lineage out.
There is no meaningful null of "unrelated models" for it - the population of tokenizers is a
handful of public ones - so it has no calibration and the report shows it as context only.

Memory: the two vocabularies (≈ 100 bytes per token).
"""

from __future__ import annotations

from ..fingerprint import ModelFingerprint
from ..tokenizers import shared_tokens
from ..weights import PairWeights
from . import TITLES
from .base import Method, MethodResult, weights_only

NAME = "tokenizer_overlap"
CAVEAT = (
    "Weak evidence: tokenizers are often reused by unrelated models and replaced in derived ones; "
    "this never counts towards the verdict."
)


def compare_weights(
    fp_a: ModelFingerprint, fp_b: ModelFingerprint, pair: PairWeights, *, null_size: int, seed: int
) -> MethodResult:
    """Jaccard of the vocabularies. ``extra``: shared, size_a, size_b, coverage_a, coverage_b,
    identical (same vocabulary + merges hash), kind_a, kind_b, sha256_a, sha256_b. No calibration."""
    from ..errors import IncompatibleModelsError

    va, vb = pair.vocabulary("a"), pair.vocabulary("b")
    if va is None or vb is None:
        raise IncompatibleModelsError(f"{NAME}: no tokenizer file next to " + ("A" if va is None else "B"))
    shared = len(shared_tokens(va, vb))
    union = len(va) + len(vb) - shared
    jaccard = shared / union if union else 0.0
    identical = va.sha256 == vb.sha256
    extra = {
        "shared": shared,
        "size_a": len(va),
        "size_b": len(vb),
        "coverage_a": shared / max(len(va), 1),
        "coverage_b": shared / max(len(vb), 1),
        "identical": identical,
        "kind_a": va.kind,
        "kind_b": vb.kind,
        "sha256_a": va.sha256,
        "sha256_b": vb.sha256,
        "weak_evidence": True,
    }
    reading = (
        f"The vocabularies share {shared} tokens (Jaccard {jaccard:.3f}; {len(va)} and {len(vb)} tokens)"
        + ("; they are identical, merges included." if identical else ".")
        + " "
        + CAVEAT
    )
    result = MethodResult(NAME, jaccard, {}, reading, extra=extra)
    result.calibration = {
        "source": "none",
        "description": "not calibrated: weak evidence only",
        "size": 0,
        "mean": None,
        "std": None,
        "z": None,
        "p": None,
        "samples": [],
        "nulls": [],
    }
    return result


METHOD = Method(
    NAME,
    TITLES[NAME],
    *weights_only(NAME),
    needs_weights=True,
    compare_weights=compare_weights,
    needs=("a tokenizer next to each model",),
    blind_to="weights entirely: context only, never counts towards a verdict",
)
