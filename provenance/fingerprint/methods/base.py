"""What every comparison method returns and how it plugs into calibration and the report.

A method is three functions over two ``ModelFingerprint`` objects (never the weights):
``compare`` (score + per-layer detail + a plain reading of the raw score), ``score`` (the bare
number, called many times on reference-panel pairs) and ``synthetic_null`` (the same statistic
over independently initialised models of the same shapes, drawn directly, without weights).

A weight-reading method (``needs_weights=True``: ``embedding_anchor``, ``neuron_matching``,
``expert_upcycling``, ``tokenizer_overlap``) instead provides ``compare_weights(fp_a, fp_b, pair,
null_size=, seed=)`` over a ``weights.PairWeights`` (the two open checkpoints), which returns its
result with ``calibration`` already filled (its nulls need the weights too). Its three fingerprint
functions raise IncompatibleModelsError, so a report without weights lists it under ``skipped``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..calibration import NullDraw, json_safe
from ..errors import IncompatibleModelsError
from ..fingerprint import ModelFingerprint

__all__ = [
    "DERIVATIONS",
    "DERIVATION_NAMES",
    "EXACT_COPY",
    "MOVED_UNITS",
    "QUANTISED",
    "RETOKENISED",
    "SAME_ORDER",
    "UPCYCLED",
    "Method",
    "MethodResult",
    "NullDraw",
    "json_safe",
    "weights_only",
]

EXACT_COPY = "exact_copy"
SAME_ORDER = "same_order"
QUANTISED = "quantised"
UPCYCLED = "upcycled"
RETOKENISED = "retokenised"
MOVED_UNITS = "moved_units"
DERIVATIONS = {
    EXACT_COPY: "copies that keep weight tensors exactly as they were (repackaged, pruned or partly frozen)",
    SAME_ORDER: "copies that keep their hidden units in place (fine-tunes, continued training, pruned "
    "layers, upcycled experts)",
    QUANTISED: "quantised copies (every weight rounded, as GGUF's Q8_0 or Q4_K)",
    UPCYCLED: "mixtures of experts whose experts were initialised from a dense model's MLP (upcycling)",
    RETOKENISED: "copies given another tokenizer and new embedding rows",
    MOVED_UNITS: "copies whose hidden units were permuted, sign-flipped or rotated (a function-preserving "
    "change of basis), with or without a new tokenizer",
}
"""Kinds of derivation a method can detect (``Method.detects``; ``Method.sees`` for one pair). The
report works out which kinds are plausible for a pair (``report.plausible``: copies, fine-tunes and
moved hidden units always; quantisation, upcycling and re-tokenisation when the pair shows them) and
says "no evidence" only when, for every plausible kind, a method that could see it ran and saw
nothing; otherwise "cannot tell", naming the kind and the methods that would look.

Each declaration rests on the engine's own synthetic sets (``synthetic/``), where the method counts
as strong evidence (``evidence.strength``) for a copy of that kind; ``tests/fingerprint/
test_derivations.py`` checks every declaration against them:

=================  =================================================================================
kind               synthetic copies that show it (relative to ``base``)
=================  =================================================================================
``exact_copy``     lineage ``pruned`` (kept layers byte-identical)
``same_order``     lineage ``finetune`` (3 % noise) and ``continued`` (1.8 σ of noise, depth drift)
``quantised``      ``synthetic.gguf_writer`` Q8_0 / Q4_K copies of a base (``test_gguf_lineage.py``)
``upcycled``       lineage ``moe`` (experts = the dense MLP + noise, router new)
``retokenised``    adversarial ``vocab_replaced`` (another tokenizer, new embedding rows)
``moved_units``    adversarial ``permuted`` (signed permutation of the residual stream and the neurons);
                   ``retokenised_models``' ``retok_permuted`` / ``retok_rotated`` for ``weight_matching``
=================  =================================================================================
"""

DERIVATION_NAMES = {
    EXACT_COPY: "copied tensors",
    SAME_ORDER: "fine-tuned or further-trained copies",
    QUANTISED: "quantised copies",
    UPCYCLED: "experts upcycled from a dense model",
    RETOKENISED: "copies with a new tokenizer",
    MOVED_UNITS: "permuted or rotated hidden units",
}
"""Each kind in a few words, for a headline ("no method here could see quantised copies")."""

NEEDS_WEIGHTS = (
    "needs the checkpoints' weights: compare the checkpoint folders (not saved fingerprints), "
    "or pass weights=(open_checkpoint(a), open_checkpoint(b))"
)


@dataclass
class MethodResult:
    """One method's answer for one pair. ``to_dict`` is strict JSON (NaN/inf become None).

    ``per_layer`` holds the chartable detail (layer-indexed lists; keys documented per method);
    ``calibration`` is filled by ``calibration.calibrate``: source, size, mean, std, z, p, samples.
    """

    method: str
    score: float
    per_layer: dict[str, Any]
    reading: str
    calibration: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))


@dataclass(frozen=True)
class Method:
    """A registered comparison method (see ``methods.METHODS``)."""

    name: str
    title: str
    compare: Callable[[ModelFingerprint, ModelFingerprint], MethodResult]
    score: Callable[[ModelFingerprint, ModelFingerprint], float]
    synthetic_null: Callable[[ModelFingerprint, ModelFingerprint, int, np.random.Generator], NullDraw]
    needs_weights: bool = False
    compare_weights: Callable[..., MethodResult] | None = None
    keeps_null: bool = False
    """Whether ``compare_weights`` takes ``null_cache`` (a null that depends only on the shapes, kept:
    ``null_cache``)."""
    needs: tuple[str, ...] = ()
    """What it needs to apply, in plain words ("weights", "shared tokens", "same hidden width", ...)."""
    blind_to: str = ""
    """What it cannot see even when it applies, in plain words (the public methods page lists it)."""
    detects: tuple[str, ...] = ()
    """The kinds of derivation (``DERIVATIONS``) it can detect when it applies, each shown on the
    synthetic sets (see ``DERIVATIONS``); () for a method that never counts towards a verdict alone."""
    misses: Callable[[MethodResult], tuple[str, ...]] = lambda _result: ()
    """Of ``detects``, the kinds this result shows it could not see for this pair (e.g. moved hidden
    units when no hidden alignment was found)."""

    def sees(self, result: MethodResult) -> tuple[str, ...]:
        """The kinds of derivation it could have detected for this pair: ``detects`` less ``misses``."""
        missed = set(self.misses(result))
        return tuple(k for k in self.detects if k not in missed)


def weights_only(name: str) -> tuple[Callable, Callable, Callable]:
    """``compare``, ``score`` and ``synthetic_null`` of a method that cannot work from fingerprints."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise IncompatibleModelsError(f"{name} {NEEDS_WEIGHTS}")

    return refuse, refuse, refuse
