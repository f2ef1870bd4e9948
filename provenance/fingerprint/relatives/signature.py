"""The compact per-checkpoint signature of the close-relatives search, derived from a fingerprint.

Two parts, each taken from a method the engine already trusts, each seeing what the other cannot:

* ``sketch`` (from ``aligned_cosine``): per (layer, role) of the attention and MLP matrices,
  ``SKETCH_SIZE`` entries spread evenly through the part's fixed-position sample, centred with the part's exact mean and
  scaled to unit length (an MoE layer's experts are averaged, so an upcycled expert meets the dense MLP
  it came from). Two parts of one shape are sampled at the same positions, so the dot product of two
  sketches estimates the centred cosine of the whole matrices: ≈ 1 for a fine-tune, well above 0 after
  heavy continued training or a GGUF round trip, ≈ 0 ± 1/√n for independent trainings. Blind to
  permuted or rotated hidden units (the positions then hold other weights).
* ``profile`` (from ``attn_std``, made permutation-proof): per role and layer, the log σ of the matrix
  and the log of its peak ratio max|w| / σ, each detrended across depth by a quadratic (which removes the
  shared init recipe and the smooth drift of continued training). Both are invariant to any permutation
  of hidden units or neurons and to sign flips, and change little under fine-tuning and quantisation;
  what is left after detrending is the seed's own per-layer wobble. Like ``attn_std`` it never decides
  alone (its null depends on the recipe): it ranks, and can only reach "some evidence".

Nothing is added to the per-model pass: both come from ``PartStats`` (``std_pop``, ``min``, ``max``,
``sample``). A fingerprint that lacks them (no samples, too few layers) gets a signature with the missing
part absent, and the comparison says which part could not be compared and why.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..fingerprint import ModelFingerprint, Role

SIGNATURE_VERSION = 3
"""Bumped whenever what a signature holds or how it is computed changes: an index refuses (and the
folder index recomputes) signatures of another version."""
SKETCH_SIZE = 64
"""Sample entries kept per (layer, role): the sketch's cosine has a null sd of 1/8 per part; 1.8 KB
per layer (float32), so 10,000 checkpoints of 32 layers hold 570 MB of sketches."""
ROLES = (*Role.ATTENTION, *Role.MLP)
MIN_PROFILE_LAYERS = 4
"""A quadratic detrend needs more layers than its three coefficients."""


@dataclass
class Dense:
    rows: np.ndarray  # (layers, roles, SKETCH_SIZE) float32, zero where absent
    present: np.ndarray  # (layers, roles) bool
    shape_code: np.ndarray  # (layers, roles) int64, -1 where absent
    pooled: np.ndarray  # (roles, SKETCH_SIZE): the role's layers summed, unit length (0: absent)
    pooled_code: np.ndarray  # (roles,) the role's one shape code, -1 if absent or of several shapes


@dataclass
class Signature:
    """What the close-relatives search keeps of one checkpoint (a few KB per layer)."""

    num_layers: int
    sample_size: int | None
    seed: int | None
    tokenizer: str | None  # tokenizer_sha256, or "vocab:<rows>" when the fingerprint has no tokenizer
    sketch: dict[tuple[int, str], np.ndarray] = field(default_factory=dict)  # unit float32 vectors
    shapes: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)
    profile: dict[str, np.ndarray] = field(default_factory=dict)  # role -> 2 × layers residuals
    version: int = SIGNATURE_VERSION
    _dense: Dense | None = field(default=None, repr=False, compare=False)

    def dense(self) -> Dense:
        """The sketch as arrays (layers × roles × ``SKETCH_SIZE``), built once: what the scores use."""
        if self._dense is None:
            rows = np.zeros((self.num_layers, len(ROLES), SKETCH_SIZE), dtype=np.float32)
            present = np.zeros((self.num_layers, len(ROLES)), dtype=bool)
            code = np.full((self.num_layers, len(ROLES)), -1, dtype=np.int64)
            for (layer, role), v in self.sketch.items():
                if 0 <= layer < self.num_layers and role in ROLES:
                    r = ROLES.index(role)
                    rows[layer, r], present[layer, r] = v, True
                    out_f, in_f = self.shapes[(layer, role)]
                    code[layer, r] = out_f * 1_000_003 + in_f
            pooled = rows.sum(axis=0, dtype=np.float64)
            pooled_code = np.full(len(ROLES), -1, dtype=np.int64)
            for r in range(len(ROLES)):
                codes = set(code[present[:, r], r].tolist())
                norm = float(np.sqrt(pooled[r] @ pooled[r]))
                if len(codes) == 1 and norm > 0:
                    pooled[r] /= norm
                    pooled_code[r] = codes.pop()
                else:
                    pooled[r] = 0.0
            self._dense = Dense(rows, present, code, pooled.astype(np.float32), pooled_code)
        return self._dense

    def to_dict(self, *, rows: bool = True) -> dict[str, Any]:
        """``rows=False``: without the sketch rows (a store keeping them apart: ``store.pack``)."""
        keys = sorted(self.sketch)
        out = {
            "version": self.version,
            "num_layers": self.num_layers,
            "sample_size": self.sample_size,
            "seed": self.seed,
            "tokenizer": self.tokenizer,
            "sketch_keys": [[layer, role, *self.shapes[(layer, role)]] for layer, role in keys],
            "profile": {role: _b64(v) for role, v in self.profile.items()},
        }
        if rows:
            out["sketch"] = _b64(
                np.stack([self.sketch[k] for k in keys]) if keys else np.zeros((0, SKETCH_SIZE))
            )
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any], rows: np.ndarray | None = None) -> Signature:
        """``rows``: the sketch rows kept apart (``store``: ``d`` then has no ``sketch``)."""
        if d.get("version") != SIGNATURE_VERSION:
            raise ValueError(f"signature version {d.get('version')} is not {SIGNATURE_VERSION}")
        rows = _unb64(d["sketch"]) if rows is None else rows
        sketch, shapes = {}, {}
        for i, (layer, role, out_f, in_f) in enumerate(d["sketch_keys"]):
            sketch[(layer, role)] = rows[i]
            shapes[(layer, role)] = (out_f, in_f)
        return cls(
            num_layers=d["num_layers"],
            sample_size=d["sample_size"],
            seed=d["seed"],
            tokenizer=d["tokenizer"],
            sketch=sketch,
            shapes=shapes,
            profile={role: _unb64(v) for role, v in d["profile"].items()},
        )


def _b64(a: np.ndarray) -> dict[str, Any]:
    a = np.ascontiguousarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode()}


def _unb64(d: dict[str, Any]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(d["b64"]), dtype=np.float32).reshape(d["shape"]).copy()


def _spread(n: int) -> np.ndarray:
    """``SKETCH_SIZE`` indices evenly spaced through a sample of ``n`` (its positions are sorted, so the
    first entries would all lie in the matrix's first rows; these cover every part of it). Two parts of
    one shape sampled alike have the same ``n``, so they keep the same positions."""
    return np.linspace(0, n - 1, SKETCH_SIZE).round().astype(np.int64)


def detrend(series: np.ndarray) -> np.ndarray:
    """Residuals of a least-squares quadratic in depth (x in [0, 1]), scaled to unit sd (0 if flat)."""
    s = np.asarray(series, dtype=np.float64)
    x = np.linspace(0.0, 1.0, len(s))
    resid = s - np.polyval(np.polyfit(x, s, 2), x)
    sd = resid.std()
    return resid / sd if np.isfinite(sd) and sd > 1e-12 else np.zeros_like(resid)


def _tokenizer(fp: ModelFingerprint) -> str | None:
    if fp.tokenizer_sha256:
        return fp.tokenizer_sha256
    embed = [p for p in fp.parts if p.role == Role.EMBED]
    return f"vocab:{embed[0].shape[0]}" if embed else None


def signature_of(fp: ModelFingerprint) -> Signature:
    """The signature of one fingerprint (see the module docstring); parts it cannot hold are absent."""
    sums: dict[tuple[int, str], list] = {}
    stats: dict[tuple[int, str], list[tuple[float, float]]] = {}
    for p in fp.parts:
        if p.role not in ROLES or p.layer is None or len(p.shape) != 2:
            continue
        key = (p.layer, p.role)
        sd, peak = p.std_pop, max(abs(p.min), abs(p.max))
        if np.isfinite(sd) and sd > 0 and np.isfinite(peak) and peak > 0:
            stats.setdefault(key, []).append((sd, peak))
        if p.sample is not None and p.sample.size >= SKETCH_SIZE:
            v = p.sample[_spread(p.sample.size)].astype(np.float64) - p.mean
            if np.isfinite(v).all():
                entry = sums.setdefault(key, [np.zeros(SKETCH_SIZE), tuple(p.shape)])
                entry[0] += v
    sketch, shapes = {}, {}
    for key, (v, shape) in sums.items():
        norm = float(np.sqrt(v @ v))
        if norm > 0:
            sketch[key] = (v / norm).astype(np.float32)
            shapes[key] = shape
    profile = {}
    if fp.num_layers >= MIN_PROFILE_LAYERS:
        for role in ROLES:
            rows = [stats.get((layer, role)) for layer in range(fp.num_layers)]
            if any(r is None for r in rows):
                continue
            # An MoE layer's experts: the mean of their log σ and log peak ratio.
            log_sd = np.array([np.mean([np.log(sd) for sd, _ in r]) for r in rows])
            log_peak = np.array([np.mean([np.log(pk / sd) for sd, pk in r]) for r in rows])
            profile[role] = np.stack([detrend(log_sd), detrend(log_peak)]).astype(np.float32)
    return Signature(
        num_layers=fp.num_layers,
        sample_size=fp.params.get("sample_size"),
        seed=fp.params.get("seed"),
        tokenizer=_tokenizer(fp),
        sketch=sketch,
        shapes=shapes,
        profile=profile,
    )
