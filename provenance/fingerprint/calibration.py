"""Null distributions: what a statistic looks like for two models that are NOT related.

No score leaves the engine without one (ARCHITECTURE §4). Two sources:

* **synthetic** (always): the same statistic over ``null_size`` pairs of independently initialised
  models with the compared models' own shapes, drawn directly from their distribution instead of
  writing weights: σ series for ``attn_std`` (``sigma_null_pairs``), per-part centred cosines for
  ``aligned_cosine`` (``cosine_null``), no shared hashes for ``tensor_identity``. Each method's
  ``synthetic_null`` uses these helpers.
* **reference panel** (when given): the statistic over pairs of real fingerprints known to be
  unrelated, restricted to pairs with the same depths as the compared pair.

The σ-trend family is the crux. HonestAGI's 0.927 looked significant only against an implicit
null of "unrelated models have uncorrelated σ curves"; but unrelated models built with the same
init recipe (deepseek-llm-7b vs llama2-7b: 0.91) correlate just as well. So half of the synthetic
null pairs share one recipe (a smooth trend from a family that includes the compared models' own
smoothed curves), each model adding its own smooth training deviation; the other half draw
independent recipes.

Each null is summarised as mean, std (closed-form where known, else from the samples),
z = (score − mean) / max(std, floor) and the one-sided empirical p-value (k + 1) / (n + 1),
k = null samples ≥ score (z only for a null that is Gaussian or treated as such: ``NullDraw.gaussian``).
The headline is the more conservative (smaller z) of the available nulls; all are reported. Whether
a calibrated score counts as evidence is decided in one place, ``evidence.strength``.

Cost: O(null_size × (layers + matched parts)) random numbers; a 48-layer pair takes milliseconds.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import IncompatibleModelsError
from .fingerprint import ModelFingerprint
from .parameters import NULL_SIZE

if TYPE_CHECKING:
    from .methods.base import Method

DEFAULT_NULL_SIZE = NULL_SIZE.default
SHARED_RECIPE_SHARE = 0.5
MIN_PANEL_PAIRS = 5
"""A reference panel with fewer same-depth pairs than this is reported but not used as headline."""


@dataclass
class NullDraw:
    """Samples of a statistic under "the two models are unrelated", with how they were made.

    ``std_floor`` is the smallest std the z-score may divide by (a null that is exactly constant,
    like "no identical tensors", would otherwise give an infinite z); the method chooses it.
    ``exact_mean``/``exact_std``: the null's moments when they are known in closed form; z then
    uses them instead of the samples' (32 samples estimate a std only to about ±12 %, and every
    pair calibrated with the same seed would share that error). p always comes from the samples.
    """

    samples: np.ndarray
    source: str  # "synthetic" or "reference_panel"
    description: str
    std_floor: float = 1e-12
    exact_mean: float | None = None
    exact_std: float | None = None
    gaussian: bool = True
    """Whether the null is Gaussian or treated as such, so that a z-score means the Gaussian tail
    (``evidence``). False for the nulls of −log10 p (exponential): their summaries carry no z."""


def json_safe(value: Any) -> Any:
    """Recursively turn numpy scalars/arrays into Python numbers and non-finite floats into None."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    return value


# -- σ series of unrelated models -----------------------------------------------------------------


def _smooth_recipe(series: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A model's σ curve reduced to its recipe: a cubic fit over depth, relative to its mean."""
    s = np.asarray(series, dtype=np.float64)
    pos = np.linspace(0.0, 1.0, len(s))
    deg = min(3, len(s) - 1)
    fit = np.polyval(np.polyfit(pos, s / s.mean(), deg), x) if deg > 0 else np.ones_like(x)
    return fit


def _draw_recipe(
    rng: np.random.Generator, x: np.ndarray, observed: Sequence[np.ndarray], *, allow_flat: bool = True
) -> np.ndarray:
    """One relative σ trend over depth positions ``x`` ∈ [0, 1] from the family of init recipes."""
    kinds = 5 if observed else 4
    kind = int(rng.integers(0, kinds))
    while kind == 3 and not allow_flat:
        kind = int(rng.integers(0, kinds))
    if kind == 0:  # polynomial drift, either direction
        c1, c2 = rng.uniform(-1.0, 1.0, size=2)
        t = 1.0 + c1 * x + c2 * x**2
    elif kind == 1:  # depth-scaled init (GPT-2 / Megatron: σ ∝ 1/sqrt(2·layer))
        t = 1.0 / np.sqrt(1.0 + rng.uniform(0.5, 10.0) * x)
        t = t[::-1] if rng.random() < 0.5 else t
    elif kind == 2:  # oscillating profile around a linear trend
        t = (
            1.0
            + rng.uniform(-0.5, 0.5) * x
            + rng.uniform(0.05, 0.4)
            * np.sin(2 * np.pi * rng.uniform(0.5, 2.0) * x + rng.uniform(0, 2 * np.pi))
        )
    elif kind == 3:  # flat: only training deviations
        t = np.ones_like(x)
    else:  # the recipe one of the compared models was actually built with
        t = _smooth_recipe(observed[int(rng.integers(0, len(observed)))], x)
    return np.clip(t, 0.05, None)


def _with_deviation(rng: np.random.Generator, trend: np.ndarray, rho: float) -> np.ndarray:
    """The trend times a smooth per-layer training deviation: log-scale AR(1) with random φ.

    The deviation's amplitude is ρ × (std of the log trend over depth): training moves σ by a
    fraction ρ of what the recipe does (ρ is drawn once per model, see ``sigma_null_pairs``).
    A flat trend gets a 1 % amplitude.
    """
    n = len(trend)
    log_t = np.log(trend)
    amp = rho * max(float(log_t.std()), 0.01)
    phi = rng.uniform(0.3, 0.9)
    e = rng.standard_normal(n)
    dev = np.empty(n)
    dev[0] = e[0]
    for i in range(1, n):
        dev[i] = phi * dev[i - 1] + np.sqrt(1 - phi**2) * e[i]
    return np.exp(log_t + amp * dev)


def sigma_null_pairs(
    layers_a: int,
    layers_b: int,
    roles: Sequence[str],
    size: int,
    rng: np.random.Generator,
    observed: dict[str, Sequence[np.ndarray]] | None = None,
) -> Iterator[tuple[dict[str, np.ndarray], dict[str, np.ndarray]]]:
    """``size`` pairs of σ series (role → per-layer σ) of unrelated models with these depths.

    ``observed`` maps a role to the compared models' real series, added to the recipe family.
    In a pair that shares a recipe, both models use the same trend (evaluated at their own depth
    positions, so a 24- and a 48-layer model of one recipe have the same curve shape).
    """
    xa, xb = np.linspace(0.0, 1.0, layers_a), np.linspace(0.0, 1.0, layers_b)
    for _ in range(size):
        shared = rng.random() < SHARED_RECIPE_SHARE
        # How far training moved each model from its recipe, relative to the recipe's own depth
        # variation; log-uniform in [0.1, 1], one value per model (training affects every role).
        # Two models of one recipe then correlate with r from about 0.5 to 0.99, the range the
        # re-runs on unrelated 7B models showed (0.91 for deepseek-llm-7b vs llama2-7b).
        rho_a, rho_b = np.exp(rng.uniform(np.log(0.1), 0.0, size=2))
        sa: dict[str, np.ndarray] = {}
        sb: dict[str, np.ndarray] = {}
        for role in roles:
            obs = list((observed or {}).get(role, ()))
            if shared:  # the same recipe draw, evaluated at each model's own depth positions
                sub = int(rng.integers(1 << 62))
                ta = _draw_recipe(np.random.default_rng(sub), xa, obs, allow_flat=False)
                tb = _draw_recipe(np.random.default_rng(sub), xb, obs, allow_flat=False)
            else:
                ta, tb = _draw_recipe(rng, xa, obs), _draw_recipe(rng, xb, obs)
            sa[role] = _with_deviation(rng, ta, float(rho_a))
            sb[role] = _with_deviation(rng, tb, float(rho_b))
        yield sa, sb


# -- centred cosines of unrelated matrices ---------------------------------------------------------


def cosine_null(lengths: Sequence[int] | np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """(size, parts) centred cosines of independent samples of the given lengths.

    For two independent Gaussian vectors of n entries centred by their mean, (1 + cos)/2 follows
    Beta((n−1)/2, (n−1)/2) exactly (mean 0, variance 1/(n−1)); it holds for any independent,
    identically distributed entries up to O(1/n) and needs no sample to be drawn.
    """
    n = np.maximum(np.asarray(lengths, dtype=np.float64) - 1.0, 1.0)
    half = np.broadcast_to(n / 2.0, (size, len(n)))
    return 2.0 * rng.beta(half, half) - 1.0


# -- calibration ---------------------------------------------------------------------------------------


def summarise_null(score: float, draw: NullDraw) -> dict[str, Any]:
    """z-score and empirical p of ``score`` against one null (see the module docstring)."""
    s = np.asarray(draw.samples, dtype=np.float64)
    s = s[np.isfinite(s)]
    n = int(s.size)
    out: dict[str, Any] = {"source": draw.source, "description": draw.description, "size": n}
    if n == 0 or not np.isfinite(score):
        return {
            **out,
            "mean": None,
            "std": None,
            "std_floor_applied": False,
            "z": None,
            "p": None,
            "samples": [],
        }
    exact = draw.exact_mean is not None and draw.exact_std is not None
    mean = float(draw.exact_mean) if exact else float(s.mean())
    std = float(draw.exact_std) if exact else (float(s.std(ddof=1)) if n > 1 else 0.0)
    used = max(std, draw.std_floor)
    k = int(np.count_nonzero(s >= score - 1e-12))
    return {
        **out,
        "mean": mean,
        "std": std,
        "moments": "exact" if exact else "sampled",
        "std_floor": draw.std_floor,
        "std_floor_applied": used > std,
        "z": (score - mean) / used if draw.gaussian else None,
        "p": (k + 1) / (n + 1),
        "samples": s.tolist(),
    }


def panel_null(
    method: Method, fp_a: ModelFingerprint, fp_b: ModelFingerprint, panel: Sequence[ModelFingerprint]
) -> NullDraw:
    """The statistic over pairs of panel fingerprints with the same depths as (A, B).

    Panel members identical to A or B (same content hash) are left out. Pairs the method cannot
    compare (IncompatibleModelsError) are skipped.
    """
    skip = {fp_a.content_hash, fp_b.content_hash}
    members = [p for p in panel if p.content_hash not in skip]
    want = sorted((fp_a.num_layers, fp_b.num_layers))
    scores: list[float] = []
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            pi, pj = members[i], members[j]
            if sorted((pi.num_layers, pj.num_layers)) != want:
                continue
            # Keep the pair in the (A, B) orientation so depth-asymmetric statistics stay comparable.
            if pi.num_layers != fp_a.num_layers:
                pi, pj = pj, pi
            try:
                scores.append(float(method.score(pi, pj)))
            except IncompatibleModelsError:
                continue
    return NullDraw(
        np.array(scores),
        "reference_panel",
        f"{len(scores)} pairs of known-unrelated reference models with {want[0]} and {want[1]} layers",
    )


def calibrate(
    method: Method,
    fp_a: ModelFingerprint,
    fp_b: ModelFingerprint,
    score: float,
    *,
    null_size: int = DEFAULT_NULL_SIZE,
    seed: int = 0,
    reference_panel: Sequence[ModelFingerprint] | None = None,
) -> dict[str, Any]:
    """The calibration block of a ``MethodResult``: headline null summary plus every null used.

    Keys: source, description, size, mean, std, moments ("exact" or "sampled"), std_floor,
    std_floor_applied, z, p, samples (the headline null) and ``nulls`` (a list of such summaries, synthetic first).
    Deterministic in (seed, method name, the two fingerprints).
    """
    key = int.from_bytes(hashlib.sha256(method.name.encode()).digest()[:4], "little")
    rng = np.random.default_rng([seed, key])
    summaries = [summarise_null(score, method.synthetic_null(fp_a, fp_b, null_size, rng))]
    if reference_panel:
        summaries.append(summarise_null(score, panel_null(method, fp_a, fp_b, reference_panel)))
    usable = [
        s
        for s in summaries
        if s["z"] is not None and (s["source"] == "synthetic" or s["size"] >= MIN_PANEL_PAIRS)
    ]
    headline = min(usable, key=lambda s: (s["z"], -s["p"])) if usable else summaries[0]
    return json_safe({**headline, "nulls": summaries})


def calibrate_draws(
    score: float,
    draws: Sequence[NullDraw],
    *,
    exact_p: float | None = None,
    exact_p_source: str | None = None,
    exact_log10_p: float | None = None,
) -> dict[str, Any]:
    """The calibration block of a weight-reading method from nulls it drew itself (see ``calibrate``).

    The headline is the null with the smallest z; among nulls without a z (not Gaussian), the one
    with the largest empirical p. ``exact_p`` (e.g. a Fisher-combined p-value, which is calibrated
    by construction) replaces the headline's empirical p; the empirical one is kept as
    ``p_empirical``; ``exact_log10_p`` keeps its magnitude when it underflows to 0. With no draw at
    all (a Fisher p whose simulated null was too costly) the headline is the exact p alone.
    """
    summaries = [summarise_null(score, d) for d in draws]
    usable = [s for s in summaries if s["z"] is not None]
    weighed = [s for s in summaries if s["p"] is not None]
    if usable:
        headline = dict(min(usable, key=lambda s: (s["z"], -s["p"])))
    elif weighed:
        headline = dict(max(weighed, key=lambda s: s["p"]))
    elif summaries:
        headline = dict(summaries[0])
    else:
        headline = {
            **dict.fromkeys(("mean", "std", "z", "p")),
            "source": "exact",
            "description": "no null drawn: the p-value is exact under independence",
            "size": 0,
            "samples": [],
        }
    if exact_p is not None:
        headline["p_empirical"] = headline.get("p")
        headline["p"] = exact_p
        headline["p_source"] = exact_p_source or "exact"
        headline["log10_p"] = exact_log10_p
    return json_safe({**headline, "nulls": summaries})
