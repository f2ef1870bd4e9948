"""The headline of a report: one of a few fixed tiers in plain words, and one sentence of why.

``headline(result)`` takes the stored JSON document of a comparison (``ComparisonReport.to_dict()``)
and returns a ``Headline`` (``tier``, ``title``, ``sentence``). The engine's verdict decides the tier
(``report._summary``); this module only words it, naming methods by their titles
(``Method.title``), never by their identifiers. The site, the API and the command line all show it.
``evidence_rows(result)`` is the evidence picture's content (``charts.evidence_svg``) and its text
equivalent on the page: one row per method, its grade and its numbers in words.

The tiers and their rules (README, "Reading a report"):

============  ===========================================  =========================================
tier          title                                        when (the engine's verdict)
============  ===========================================  =========================================
strong        Strong evidence of a common origin           ``shared_weights`` (bit-identical tensors
                                                           beyond every null) or ``lineage_supported``
                                                           (a method other than HonestAGI's σ alone
                                                           is ≥ 5 null std above the null mean and
                                                           above every unrelated pair)
some          Some evidence of a common origin             ``suggestive``: a method is ≥ 3 null std
                                                           above the mean, not beyond doubt
none          No evidence of a common origin               ``no_evidence``: the methods that apply
                                                           found nothing unusual
cannot_tell   Cannot tell: no method here could see …      ``cannot_tell``: the weights were read, yet
                                                           no method that applies could see one kind
                                                           of derivation (e.g. permuted hidden units)
============  ===========================================  =========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .methods import method_title
from .methods.base import MOVED_UNITS, SAME_ORDER
from .readable import distance, log_position, score_text
from .report import Z_STRONG, grade

TIERS = {
    "strong": "Strong evidence of a common origin",
    "some": "Some evidence of a common origin",
    "none": "No evidence of a common origin",
    "cannot_tell": "Cannot tell",
}
"""Tier → its fixed title (``cannot_tell`` adds its reason: "Cannot tell: …")."""

VERDICT_TIERS = {
    "shared_weights": "strong",
    "lineage_supported": "strong",
    "suggestive": "some",
    "no_evidence": "none",
    "cannot_tell": "cannot_tell",
}
"""The engine's verdict → the tier a reader sees."""

_UNSEEN = {
    MOVED_UNITS: "permuted or rotated hidden units",
    SAME_ORDER: "copies that keep their hidden units in place",
}
_EXPERTS = "aligned_cosine (experts vs the dense MLP)"


@dataclass(frozen=True)
class Headline:
    tier: str
    title: str
    sentence: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _title(name: str) -> str:
    if name == _EXPERTS:
        return f"{method_title('aligned_cosine')} (experts against the dense MLP)"
    return method_title(name)


def _titles(names: list[str], *, at_most: int = 3) -> str:
    """ "A", "A and B", "A, B and C"; beyond ``at_most``: "A, B and 3 other methods"."""
    titled = [_title(n) for n in names]
    if len(titled) > at_most:
        titled = [*titled[: at_most - 1], f"{len(titled) - at_most + 1} other methods"]
    return titled[0] if len(titled) == 1 else ", ".join(titled[:-1]) + " and " + titled[-1]


def _reason(name: str, why: str) -> str:
    # Engine reasons may open with the method's identifier ("embedding_anchor needs ..."): drop it.
    return why[len(name) + 1 :] if why.startswith(name + " ") else why


def headline(result: Mapping[str, Any] | None) -> Headline | None:
    """The tier, its title and one sentence of why; None for a result without a verdict."""
    result = result or {}
    tier = VERDICT_TIERS.get(result.get("verdict") or "")
    if tier is None:
        return None
    results: Mapping[str, Mapping[str, Any]] = result.get("results") or {}
    strong, weak = grade(results)
    title = TIERS[tier]
    if result["verdict"] == "shared_weights":
        count = ((results.get("tensor_identity") or {}).get("extra") or {}).get("identical_by_content")
        sentence = (
            f"{_title('tensor_identity')} found {count if count is not None else 'several'} weight tensors "
            "that are exactly the same in both models; unrelated models never share one."
        )
    elif tier == "strong":
        first = results.get(strong[0]) or results.get("aligned_cosine") or {}
        z = (first.get("calibration") or {}).get("z")
        if strong[0] == _EXPERTS:
            z = ((first.get("extra") or {}).get("expert_vs_dense") or {}).get("z")
        sentence = (
            f"{_titles(strong)} place{'s' if len(strong) == 1 else ''} these models "
            f"{distance(z)}, farther than any unrelated pair tested."
        )
    elif tier == "some":
        names = weak or strong
        sentence = (
            f"{_titles(names)} score{'s' if len(names) == 1 else ''} higher than unrelated models usually "
            "do, but not far enough to rule out chance."
        )
    elif tier == "none":
        ran = [n for n in results if n != "tokenizer_overlap"] or list(results)
        sentence = (
            f"None of the {len(ran)} methods that apply ({_titles(ran)}) separates these models from "
            "unrelated pairs"
            if len(ran) > 1
            else f"{_titles(ran)} does not separate these models from unrelated pairs"
        )
        attn = results.get("attn_std") or {}
        if isinstance(attn.get("score"), int | float) and attn["score"] > 0.8:
            sentence += (
                f"; even {_title('attn_std')}'s high r = {attn['score']:.3f} is what unrelated models "
                "reach too"
            )
        sentence += "."
    else:  # cannot_tell
        coverage = result.get("coverage") or {}
        unseen = [k for k, c in coverage.items() if not c.get("seen_by")] or [MOVED_UNITS]
        title = f"{title}: no method here could see {' or '.join(_UNSEEN.get(k, k) for k in unseen)}"
        blind = (coverage.get(unseen[0]) or {}).get("blind") or {}
        skipped = result.get("skipped") or {}
        reasons = [f"{_title(n)} ({_reason(n, why)})" for n, why in blind.items() if n in skipped]
        sentence = (
            "The methods that could have seen such a copy did not apply"
            + (f": {'; '.join(reasons)}" if reasons else "")
            + ". The others found nothing unusual, which is no evidence of independence."
        )
    return Headline(tier=tier, title=title, sentence=sentence)


def evidence_rows(result: Mapping) -> list[dict]:
    """One row per computed method for the evidence picture (and its text equivalent): title, z,
    where it sits on the log scale, its grade ("strong", "weak", "none" or "unweighed") and the
    plain sentence of its score and distance."""
    results = result.get("results") or {}
    strong, weak = grade(results)
    order = [n for n in result.get("methods") or [] if n in results] + [
        n for n in results if n not in (result.get("methods") or [])
    ]
    rows = []
    for name in order:
        r = results[name]
        c = r.get("calibration") or {}
        z = c.get("z")
        if name == "aligned_cosine" and name not in strong and any(s.startswith(name) for s in strong):
            z = ((r.get("extra") or {}).get("expert_vs_dense") or {}).get("z", z)  # the experts' evidence
        position = log_position(z)
        if position is None:
            level = "unweighed"
        elif any(s.startswith(name) for s in strong):
            level = "strong"
        elif name in weak or (name == "attn_std" and (z or 0) >= Z_STRONG):
            level = "weak"
        else:
            level = "none"
        text = score_text(name, r.get("score"), c)
        text += f": {distance(z)}" if position is not None else ": no unrelated pairs to weigh it against"
        if name == "attn_std" and level != "strong":
            text += " (never decides alone)"
        rows.append(
            {"name": name, "title": method_title(name), "z": z, "x": position, "level": level, "text": text}
        )
    return rows
