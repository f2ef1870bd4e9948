"""What every comparison method returns and how it plugs into calibration and the report.

A method is three functions over two ``ModelFingerprint`` objects (never the weights):
``compare`` (score + per-layer detail + a plain reading of the raw score), ``score`` (the bare
number, called many times on reference-panel pairs) and ``synthetic_null`` (the same statistic
over independently initialised models of the same shapes, drawn directly, without weights).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..calibration import NullDraw, json_safe
from ..fingerprint import ModelFingerprint

__all__ = ["Method", "MethodResult", "NullDraw", "json_safe"]


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
