"""``attn_std``: HonestAGI's statistic ("Intrinsic Fingerprint of LLMs", arXiv 2507.03014), exactly.

Per attention projection P ∈ {Q, K, V, O}: σ_P(ℓ) = sample std (ddof=1, like ``torch.std``) of the
layer's matrix; each model's series is z-scored across layers (population std); when the layer
counts differ the shorter series is stretched to the longer length by linear interpolation
(``np.interp`` over evenly spaced positions); Pearson r between the two series. The score is the
mean of the four r (the disputed 0.927), the four are kept.

Pearson r is invariant to affine maps and linear interpolation commutes with them, so z-scoring
before or after stretching gives the same r; we z-score first, as described.

What it can and cannot show: σ curves are shaped by init recipes and training dynamics shared
across labs, so unrelated same-depth models correlate too (0.91 for deepseek-llm-7b vs
llama2-7b). Its null therefore includes pairs that share a recipe, and a high r alone rarely
clears it. Memory: 4 × layers floats per model.
"""

from __future__ import annotations

import numpy as np

from ..calibration import NullDraw, sigma_null_pairs
from ..errors import IncompatibleModelsError
from ..fingerprint import ModelFingerprint, Role
from . import TITLES
from .base import Method, MethodResult

ROLES = Role.ATTENTION


def zscore(series: np.ndarray) -> np.ndarray:
    """(x − mean) / population std; NaN everywhere for a constant series (r is then undefined)."""
    s = np.asarray(series, dtype=np.float64)
    sd = s.std()
    if not np.isfinite(sd) or sd == 0.0:
        return np.full_like(s, np.nan)
    return (s - s.mean()) / sd


def stretch(series: np.ndarray, length: int) -> np.ndarray:
    """Linear interpolation of a per-layer series onto ``length`` evenly spaced depth positions."""
    s = np.asarray(series, dtype=np.float64)
    if len(s) == length:
        return s
    if len(s) == 1:
        return np.full(length, s[0])
    return np.interp(np.linspace(0.0, 1.0, length), np.linspace(0.0, 1.0, len(s)), s)


def series_r(a: np.ndarray, b: np.ndarray) -> float:
    """HonestAGI's r for one projection: z-score each, stretch the shorter, Pearson r."""
    za, zb = zscore(a), zscore(b)
    n = max(len(za), len(zb))
    za, zb = stretch(za, n), stretch(zb, n)
    if np.isnan(za).any() or np.isnan(zb).any():
        return float("nan")
    # After stretching, the shorter series is no longer exactly z-scored: take Pearson r proper.
    return float(np.corrcoef(za, zb)[0, 1])


def _series(fp: ModelFingerprint) -> dict[str, np.ndarray]:
    out = {}
    for role in ROLES:
        try:
            out[role] = fp.sigma_series(role)
        except KeyError:
            continue
    return out


def _common(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> tuple[dict, dict, list[str]]:
    sa, sb = _series(fp_a), _series(fp_b)
    roles = [r for r in ROLES if r in sa and r in sb]
    if not roles or min(fp_a.num_layers, fp_b.num_layers) < 3:
        raise IncompatibleModelsError(
            "attn_std needs Q/K/V/O matrices in every layer of both models and at least 3 layers"
        )
    return sa, sb, roles


def _mean_r(sa: dict[str, np.ndarray], sb: dict[str, np.ndarray], roles: list[str]) -> tuple[float, dict]:
    rs = {role: series_r(sa[role], sb[role]) for role in roles}
    finite = [v for v in rs.values() if np.isfinite(v)]
    return (float(np.mean(finite)) if finite else float("nan")), rs


def score(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> float:
    sa, sb, roles = _common(fp_a, fp_b)
    return _mean_r(sa, sb, roles)[0]


def compare(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> MethodResult:
    """Score = mean r over Q/K/V/O present in both (roles with a constant series are left out).

    ``per_layer``: ``sigma_a``/``sigma_b`` (role → raw σ per layer, each model at its own depth),
    ``z_a``/``z_b`` (role → z-scored series, the shorter stretched to the common length),
    ``r`` (role → Pearson r), ``length`` (common series length), ``stretched`` ("a", "b" or None).
    """
    sa, sb, roles = _common(fp_a, fp_b)
    mean_r, rs = _mean_r(sa, sb, roles)
    n = max(fp_a.num_layers, fp_b.num_layers)
    stretched = None if fp_a.num_layers == fp_b.num_layers else ("a" if fp_a.num_layers < n else "b")
    per_layer = {
        "roles": roles,
        "sigma_a": {r: sa[r].tolist() for r in roles},
        "sigma_b": {r: sb[r].tolist() for r in roles},
        "z_a": {r: stretch(zscore(sa[r]), n).tolist() for r in roles},
        "z_b": {r: stretch(zscore(sb[r]), n).tolist() for r in roles},
        "r": rs,
        "length": n,
        "stretched": stretched,
    }
    parts = ", ".join(f"{r.upper()} {rs[r]:.3f}" for r in roles)
    reading = (
        f"The per-layer σ curves of the attention projections correlate with mean r = {mean_r:.3f} ({parts})."
    )
    if stretched:
        reading += (
            f" Model {stretched.upper()}'s {min(fp_a.num_layers, fp_b.num_layers)} layers were "
            f"stretched to {n} by interpolation, which inflates r."
        )
    return MethodResult(
        "attn_std",
        mean_r,
        per_layer,
        reading,
        extra={"layers_a": fp_a.num_layers, "layers_b": fp_b.num_layers},
    )


def synthetic_null(
    fp_a: ModelFingerprint, fp_b: ModelFingerprint, size: int, rng: np.random.Generator
) -> NullDraw:
    """r over σ series of unrelated models of these depths, half of them sharing an init recipe
    (drawn from a family that includes both models' own smoothed curves)."""
    sa, sb, roles = _common(fp_a, fp_b)
    observed = {r: [sa[r], sb[r]] for r in roles}
    samples = [
        _mean_r(na, nb, roles)[0]
        for na, nb in sigma_null_pairs(fp_a.num_layers, fp_b.num_layers, roles, size, rng, observed)
    ]
    return NullDraw(
        np.array(samples),
        "synthetic",
        f"{size} synthetic unrelated pairs with {fp_a.num_layers} and {fp_b.num_layers} layers; "
        "half share an init recipe (σ trend), as unrelated models of one architecture often do",
    )


METHOD = Method(
    "attn_std",
    TITLES["attn_std"],
    compare,
    score,
    synthetic_null,
    needs=("the four attention projections",),
    blind_to="everything on its own: unrelated models of one init recipe correlate as well (never a verdict alone)",
)
