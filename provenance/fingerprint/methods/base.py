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
    "MOVED_UNITS",
    "SAME_ORDER",
    "Method",
    "MethodResult",
    "NullDraw",
    "json_safe",
    "weights_only",
]

SAME_ORDER = "same_order"
MOVED_UNITS = "moved_units"
DERIVATIONS = {
    SAME_ORDER: "copies that keep their hidden units in place (fine-tunes, continued training, pruned "
    "layers, upcycled experts)",
    MOVED_UNITS: "copies whose hidden units were permuted, sign-flipped or rotated (a function-preserving "
    "change of basis), with or without a new tokenizer",
}
"""Kinds of derivation a method can see (``Method.sees``); the report says which ones each pair's
methods could see, and the verdict is "cannot tell" when none could see one of them."""

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
    needs: tuple[str, ...] = ()
    """What it needs to apply, in plain words ("weights", "shared tokens", "same hidden width", ...)."""
    blind_to: str = ""
    """What it cannot see even when it applies, in plain words (the public methods page lists it)."""
    sees: Callable[[MethodResult], tuple[str, ...]] = lambda _result: ()
    """The kinds of derivation (``DERIVATIONS``) it could have detected for this pair, from its result;
    () for a method that never counts towards a verdict on its own."""


def weights_only(name: str) -> tuple[Callable, Callable, Callable]:
    """``compare``, ``score`` and ``synthetic_null`` of a method that cannot work from fingerprints."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise IncompatibleModelsError(f"{name} {NEEDS_WEIGHTS}")

    return refuse, refuse, refuse
