"""Numbers a lay reader can read: one formatter for the report pages, the evidence picture and the text.

Every function takes the plain values of a stored result (``calibration`` dicts as
``calibration.summarise_null`` / ``calibrate_draws`` write them) and returns words, never a bare
number without its label:

* ``distance(z)`` - "4.2 standard deviations above unrelated pairs"; beyond ``Z_HUGE`` simply
  "more than 100 standard deviations from unrelated pairs" (the exact figure means nothing more);
* ``chance(calibration)`` - the p-value with its floor: "fewer than 1 in 33 — the smallest this null
  can show" when the score beat every null sample, "p < 10^-1784: less than one chance in a 1 followed
  by 1,784 zeros" for an exact (Fisher) p-value,
  else "5 of 32 unrelated pairs scored as high (p = 0.18)";
* ``score_text(name, score, calibration)`` - the score as a reader should see it: a method whose score
  is a −log10 sum of p-values (``neuron_matching``, ``weight_matching``: ``p_source`` "fisher") is shown
  as its p-value, the others as "r = 0.927"-style numbers with the method's unit;
* ``weighed(calibration)`` - how far from unrelated pairs, on the method's own scale
  (``evidence.scale``): ``distance(z)`` where the null is treated as Gaussian, the exact p-value
  ("p < 10^-1784, exact under independence") where it is not - never a z of a p-value;
* ``log_position(sd)`` - where a z-score (or, for an exact p, the Gaussian z of the same tail,
  ``evidence.sd_equivalent``) sits on the evidence picture's common log scale.

No Django here: the site registers these as template filters (``claims.templatetags.site``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .evidence import P_STRONG, P_WEAK, Z_STRONG, Z_WEAK, log10_p, scale

STANDARD = (
    f"Every method counts as evidence at the same rarity: a chance of at most {P_STRONG:.1e} among unrelated "
    f"models (the one-sided Gaussian tail beyond {Z_STRONG:g} standard deviations), and as some evidence at "
    f"{P_WEAK:.1e} ({Z_WEAK:g} sd). A method with an exact p-value shows that p, not a z."
)
"""The one standard of evidence (``evidence``), in words, for the report page and the methods page."""

Z_HUGE = 100.0
"""Beyond this many null standard deviations the exact figure is not shown (nothing changes)."""

_SCORE_LABELS = {
    "attn_std": "r",
    "aligned_cosine": "cosine",
    "embedding_anchor": "CKA",
    "expert_upcycling": "similarity",
    "tokenizer_overlap": "overlap",
}


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def distance(z: Any) -> str:
    """How far a score lies from unrelated pairs, in words."""
    if not _finite(z):
        return "no unrelated pairs to compare with"
    if z > Z_HUGE:
        return f"more than {Z_HUGE:.0f} standard deviations from unrelated pairs"
    if abs(z) < 0.05:
        return "right at the average of unrelated pairs"
    side = "above" if z > 0 else "below"
    return f"{abs(z):.1f} standard deviation{'' if abs(z) == 1 else 's'} {side} unrelated pairs"


def _power_of_ten(lp: float) -> str:
    if lp == -math.inf:
        return "p = 0 (below every representable number)"
    return f"p < 10^{math.ceil(lp):d}" if lp < -3 else f"p = {10**lp:.2g}"


_NAMED_POWERS = {3: "a thousand", 6: "a million", 9: "a billion", 12: "a trillion"}


def odds_in_words(lp: float) -> str:
    """An exact p-value's power of ten as a lay reader says it: "less than one chance in a million",
    "less than one chance in a 1 followed by 3,553 zeros" (the exact form stays beside it)."""
    if lp == -math.inf:
        return "no chance at all under independence"
    zeros = -math.ceil(lp)
    if zeros < 3:
        return f"about one chance in {1 / 10**lp:,.0f}"
    if zeros in _NAMED_POWERS:
        return f"less than one chance in {_NAMED_POWERS[zeros]}"
    if zeros < max(_NAMED_POWERS):
        return f"less than one chance in {10**zeros:,}"
    return f"less than one chance in a 1 followed by {zeros:,} zeros"


def at_floor(calibration: Mapping[str, Any]) -> bool:
    """Whether the (empirical) p-value is the smallest its null size allows: 1 / (n + 1)."""
    p, n = calibration.get("p"), calibration.get("size")
    return _finite(p) and isinstance(n, int) and n > 0 and p <= 1.0 / (n + 1) + 1e-12


def chance(calibration: Mapping[str, Any] | None) -> str:
    """The p-value in words, with its floor when the null cannot show a smaller one."""
    c = calibration or {}
    if c.get("p_source") == "fisher" and _finite(c.get("log10_p")):
        lp = c["log10_p"]
        return (
            f"{_power_of_ten(lp)}: {odds_in_words(lp)} (exact, not limited by the number of unrelated pairs)"
        )
    p, n = c.get("p"), c.get("size")
    if not _finite(p) or not isinstance(n, int) or n <= 0:
        return "no p-value: no unrelated pairs to compare with"
    if at_floor(c):
        return f"fewer than 1 in {n + 1} — the smallest this null can show"
    as_high = max(0, round(p * (n + 1)) - 1)
    if as_high >= n:
        return f"all {n} unrelated pairs scored as high (p = 1)"
    return f"{as_high} of {n} unrelated pairs scored as high (p = {p:.2g})"


def score_text(name: str, score: Any, calibration: Mapping[str, Any] | None = None) -> str:
    """The score, labelled; a −log10 sum of p-values is shown as the p-value it stands for."""
    c = calibration or {}
    if c.get("p_source") == "fisher" and _finite(c.get("log10_p")):
        return _power_of_ten(c["log10_p"])
    if not _finite(score):
        return "no score"
    if abs(score) < 5e-4:
        score = 0.0  # never "-0.000"
    if name == "tensor_identity":
        return f"{score:.0%} of tensors identical"
    label = _SCORE_LABELS.get(name, "score")
    if abs(score) >= 1000:
        return f"{label} {score:,.0f}"
    return f"{label} = {score:.3f}" if label in ("r", "cosine", "CKA") else f"{label} {score:.3g}"


def weighed(calibration: Mapping[str, Any] | None) -> str:
    """The score's distance from unrelated pairs in words, on the method's own scale (see the module)."""
    c = calibration or {}
    kind = scale(c)
    if kind == "p":
        lp = log10_p(c)
        return f"{_power_of_ten(lp)}, exact under independence: {odds_in_words(lp)}"
    return distance(c.get("z"))


def log_position(z: Any) -> float | None:
    """z on the evidence picture's scale: sign(z) · log10(1 + |z|), capped at ``Z_HUGE`` far."""
    if not _finite(z) and not (isinstance(z, float) and math.isinf(z)):
        return None
    capped = max(-Z_HUGE, min(Z_HUGE * 10, float(z)))
    return math.copysign(math.log10(1 + abs(capped)), capped)
