"""One standard of evidence: when a method's score counts as strong evidence, some evidence or none.

Every method is decided on the same tail probability, the one-sided Gaussian tail of 5 standard
deviations (``P_STRONG`` = 2.87 × 10⁻⁷, about one unrelated pair in 3.5 million) for strong
evidence and of 3 (``P_WEAK`` = 1.35 × 10⁻³) for some evidence. A method's calibration block
(``calibration.summarise_null`` / ``calibrate_draws``) is read one of two ways (``scale``):

* **exact p** (``p_source`` "fisher": ``neuron_matching``, ``weight_matching``): the Fisher-combined
  p-value is exact under independence, so it is compared with the thresholds directly: strong when
  p ≤ ``P_STRONG`` and the score also lies beyond every draw of each null drawn beside it (a
  simulated check that disagrees vetoes it); some when p ≤ ``P_WEAK``. Shown as "p = 10^-x", never
  as a z: −log10 of a uniform p follows an exponential law (mean = std = 1/ln 10), and measuring it
  in those standard deviations (what the engine once did) read p = 0.0025 as "5 sd".
* **a null treated as Gaussian** (every other method: σ correlations, centred cosines, CKA,
  identical-tensor fractions, expert similarities): z = (score − mean) / std of the null, and the
  stated parametric tail is the Gaussian fitted to the null's mean and std, p = norm.sf(z). Strong
  when z ≥ ``Z_STRONG`` (that tail ≤ ``P_STRONG``) **and** the score is beyond every null draw (its
  empirical p at the floor 1/(n + 1)), since a few dozen draws cannot show a tail that small by
  themselves; some when z ≥ ``Z_WEAK``. A block without draws (``aligned_cosine``'s closed-form
  expert-vs-dense null) is decided on z alone.

``strength`` is the only function that decides; the verdict (``report.grade``), the headline, the
method readings, the evidence picture, the share card, the site and the API all call it.
``sd_equivalent`` places both kinds on the evidence picture's one axis: z where the null is treated
as Gaussian, else the Gaussian z with the same tail probability (so the 5 sd line is p = 2.87 × 10⁻⁷
for every method). No Django here; pure functions of the stored JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from scipy.special import log_ndtr, ndtri_exp

__all__ = [
    "LOG10_P_STRONG",
    "LOG10_P_WEAK",
    "P_STRONG",
    "P_WEAK",
    "Z_STRONG",
    "Z_WEAK",
    "log10_p",
    "scale",
    "sd_equivalent",
    "strength",
]

Z_STRONG = 5.0
Z_WEAK = 3.0
LN10 = math.log(10.0)
LOG10_P_STRONG = float(log_ndtr(-Z_STRONG)) / LN10
LOG10_P_WEAK = float(log_ndtr(-Z_WEAK)) / LN10
P_STRONG = 10**LOG10_P_STRONG
"""The one-sided Gaussian tail beyond 5 sd, 2.87e-7: strong evidence for every method."""
P_WEAK = 10**LOG10_P_WEAK
"""The one-sided Gaussian tail beyond 3 sd, 1.35e-3: some evidence for every method."""

STRONG, WEAK, NONE, UNWEIGHED = "strong", "weak", "none", "unweighed"


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def scale(calibration: Mapping[str, Any] | None) -> str | None:
    """ "p" for an exact p-value, "z" for a null treated as Gaussian, None when nothing can weigh it."""
    c = calibration or {}
    if c.get("p_source") == "fisher" and (_finite(c.get("log10_p")) or _finite(c.get("p"))):
        return "p"
    return "z" if _finite(c.get("z")) else None


def log10_p(calibration: Mapping[str, Any] | None) -> float | None:
    """log10 of the tail probability the decision uses: the exact p, or the Gaussian tail of z."""
    c = calibration or {}
    kind = scale(c)
    if kind == "p":
        if _finite(c.get("log10_p")):
            return float(c["log10_p"])
        return math.log10(c["p"]) if c["p"] > 0 else -math.inf
    if kind == "z":
        return float(log_ndtr(-float(c["z"]))) / LN10
    return None


def _beyond_every_draw(summary: Mapping[str, Any]) -> bool:
    """The score lies above every draw of this null (empirical p at its floor); True without draws."""
    n, p = summary.get("size") or 0, summary.get("p")
    if not n or not _finite(p):
        return True
    return p <= 1.0 / (n + 1) + 1e-12


def strength(calibration: Mapping[str, Any] | None) -> str:
    """ "strong", "weak", "none" or "unweighed" (no null could weigh it): see the module docstring."""
    c = calibration or {}
    kind = scale(c)
    if kind is None:
        return UNWEIGHED
    lp = log10_p(c)
    if kind == "p":
        drawn = [s for s in c.get("nulls") or [] if isinstance(s, Mapping)]
        if lp <= LOG10_P_STRONG and all(_beyond_every_draw(s) for s in drawn):
            return STRONG
        return WEAK if lp <= LOG10_P_WEAK else NONE
    z = float(c["z"])
    if z >= Z_STRONG and _beyond_every_draw(c):
        return STRONG
    return WEAK if z >= Z_WEAK else NONE


def sd_equivalent(calibration: Mapping[str, Any] | None) -> float | None:
    """Where the score sits on the common axis: z for a Gaussian null, else the Gaussian z of equal tail."""
    c = calibration or {}
    kind = scale(c)
    if kind == "z":
        return float(c["z"])
    if kind == "p":
        lp = log10_p(c)
        return math.inf if lp == -math.inf else -float(ndtri_exp(lp * LN10))
    return None
