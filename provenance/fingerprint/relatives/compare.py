"""Scores of one pair of signatures, each with the null that calibrates it (the reference the stacked
scoring of ``batch`` is tested against; the index uses that).

* ``sketch_score``: the sketch cosines (``signature``) put on the z scale of their exact null: under
  independence each part's cosine of n centred entries is ≈ N(0, 1/n), so for the same depth
  z = Σ cos_k · √n / √K over the K parts both models have with one shape (``aligned_cosine``'s null).
  For different depths (pruned, grown) the role's layers are pooled first (``_depth_score``): one
  cosine per role, the same exact null.
* ``profile_r``: Pearson r of the concatenated detrended profiles over the roles both have (the
  shorter stretched to the longer depth, as ``attn_std`` does). Its null depends on the init recipe,
  so it is calibrated by the index (``index.py``: this query against every indexed checkpoint it
  shares no evidence with) and by a synthetic null (``profile_null``), the more conservative z kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .signature import SKETCH_SIZE, Signature

PROFILE_NULL_DRAWS = 400
AR_PHI = 0.6
"""The per-layer wobble of training is smooth: the synthetic null's residuals are AR(1) with this φ
before detrending (``synthetic.models`` uses the same; real σ curves are at least as smooth)."""


@dataclass
class SketchScore:
    z: float | None  # None: not comparable
    mean_cos: float | None
    parts: int
    why_not: str = ""


def sketch_score(a: Signature, b: Signature) -> SketchScore:
    if a.sample_size != b.sample_size or a.seed != b.seed:
        return SketchScore(
            None,
            None,
            0,
            f"the two fingerprints were sampled with different settings (sample size {a.sample_size} and "
            f"{b.sample_size}, seed {a.seed} and {b.seed}): fingerprint both with the same settings",
        )
    da, db = a.dense(), b.dense()
    if a.num_layers == b.num_layers:
        valid = da.present & db.present & (da.shape_code == db.shape_code)
        if not valid.any():
            return SketchScore(None, None, 0, NO_COMMON)
        cos = np.einsum("lrk,lrk->lr", da.rows, db.rows)[valid]
        z = float(cos.sum() * np.sqrt(SKETCH_SIZE) / np.sqrt(len(cos)))
        return SketchScore(z, float(cos.mean()), int(valid.sum()))
    return _depth_score(da, db) if a.num_layers < b.num_layers else _depth_score(db, da)


NO_COMMON = "no attention or MLP matrix of one shape in both models"


def _depth_score(short, long) -> SketchScore:
    """Different depths (pruned, grown): per role, the cosine of the two models' *pooled* sketches (the
    sum of the role's layers, unit length). Under independence each role's cosine of n entries is
    ≈ N(0, 1/n) whatever the depths, so z = Σ_r cos_r · √n / √R; a model whose layers are a subset of
    the other's (pruned) gets cos_r = √(L_short / L_long), a layer-by-layer copy more."""
    valid = (short.pooled_code >= 0) & (short.pooled_code == long.pooled_code)
    if not valid.any():
        return SketchScore(None, None, 0, NO_COMMON)
    cos = np.einsum("rk,rk->r", short.pooled, long.pooled)[valid]
    z = float(cos.sum() * np.sqrt(SKETCH_SIZE) / np.sqrt(len(cos)))
    return SketchScore(z, float(cos.mean()), int(valid.sum()))


def profile_vectors(a: Signature, b: Signature) -> tuple[np.ndarray, np.ndarray] | None:
    roles = [r for r in a.profile if r in b.profile]
    if not roles:
        return None
    n = max(a.num_layers, b.num_layers)
    va = np.concatenate([_stretch(a.profile[r], n).ravel() for r in roles])
    vb = np.concatenate([_stretch(b.profile[r], n).ravel() for r in roles])
    return va, vb


def _stretch(rows: np.ndarray, n: int) -> np.ndarray:
    if rows.shape[1] == n:
        return rows.astype(np.float64)
    x_old, x_new = np.linspace(0, 1, rows.shape[1]), np.linspace(0, 1, n)
    return np.stack([np.interp(x_new, x_old, r) for r in rows])


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    x, y = x - x.mean(), y - y.mean()
    den = float(np.sqrt((x @ x) * (y @ y)))
    return float(x @ y) / den if den > 0 else 0.0


def profile_r(a: Signature, b: Signature) -> float | None:
    v = profile_vectors(a, b)
    return None if v is None else pearson(*v)


@lru_cache(maxsize=256)
def profile_null(layers_a: int, layers_b: int, roles: int) -> tuple[float, float]:
    """Mean and sd of ``profile_r`` between independent models: per role, two AR(1) wobbles of each
    series (σ and peak ratio), detrended and stretched exactly as the signatures are (vectorised:
    ``detrend`` is the residual of a projection onto 1, x, x²)."""
    rng = np.random.default_rng([layers_a, layers_b, roles, 7])
    n = max(layers_a, layers_b)

    def draws(layers: int) -> np.ndarray:
        e = rng.standard_normal((PROFILE_NULL_DRAWS, roles * 2, layers))
        s = np.empty_like(e)
        s[..., 0] = e[..., 0]
        for i in range(1, layers):
            s[..., i] = AR_PHI * s[..., i - 1] + np.sqrt(1 - AR_PHI**2) * e[..., i]
        x = np.linspace(0.0, 1.0, layers)
        q, _ = np.linalg.qr(np.stack([np.ones(layers), x, x * x], axis=1))
        resid = s - (s @ q) @ q.T
        resid /= np.maximum(resid.std(axis=-1, keepdims=True), 1e-12)
        if layers != n:
            grid = np.linspace(0.0, 1.0, n)
            resid = np.apply_along_axis(lambda r: np.interp(grid, x, r), -1, resid)
        return resid.reshape(PROFILE_NULL_DRAWS, -1)

    a, b = draws(layers_a), draws(layers_b)
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    rs = (a * b).sum(axis=1) / np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    return float(rs.mean()), float(max(rs.std(), 1e-6))
