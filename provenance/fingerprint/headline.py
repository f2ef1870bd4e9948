"""The headline of a report: one of a few fixed tiers in plain words, and one sentence of why.

``headline(result)`` takes the stored JSON document of a comparison (``ComparisonReport.to_dict()``)
and returns a ``Headline`` (``tier``, ``title``, ``sentence``). The engine's verdict decides the tier
(``report._summary``); this module only words it, naming methods by their titles
(``Method.title``), never by their identifiers. The site, the API and the command line all show it;
the site and the API read it as ``FingerprintReport.headline`` (None until the report succeeded).
Every word about a verdict is here: the tiers' titles (``TIERS``), the verdicts' short labels for
lists, badges, feeds and the lineage map (``VERDICT_LABELS``), the caveat.
``evidence_rows(result)`` is the evidence picture's content (``charts.evidence_svg``) and its text
equivalent on the page: one row per method, its grade and its numbers in words.

The tiers and their rules (docs/site.md, "Reading a report"):

============  ===========================================  =========================================
tier          title                                        when (the engine's verdict)
============  ===========================================  =========================================
strong        Strong evidence of a common origin           ``shared_weights`` (bit-identical tensors
                                                           beyond every null) or ``lineage_supported``
                                                           (a method other than HonestAGI's σ alone
                                                           reaches the one standard of
                                                           ``evidence.strength``: p ≤ 2.87e-7, the
                                                           Gaussian 5 sd tail)
some          Some evidence of a common origin             ``suggestive``: a method reaches the 3 sd
                                                           tail (p ≤ 1.35e-3), not beyond doubt
none          No evidence of a common origin               ``no_evidence``: for every plausible kind
                                                           of derivation a method able to see it ran
                                                           and found nothing unusual
cannot_tell   Cannot tell: no method here could see …      ``cannot_tell``: no method that ran could
                                                           see one plausible kind of derivation (e.g.
                                                           permuted hidden units); names who would look
============  ===========================================  =========================================

Every "No evidence" headline carries its ``caveat`` (``CAVEAT``: absence of evidence is not
independence); the report page, the embed, the share card, the feed and the API all show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .evidence import P_STRONG, STRONG, UNWEIGHED, scale, sd_equivalent, strength
from .methods import method_title
from .methods.base import DERIVATION_NAMES, MOVED_UNITS
from .readable import log_position, score_text, weighed
from .report import EXPERTS_VS_DENSE, attention_high, grade, speaking_calibration, unseen_kinds

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

VERDICT_LABELS = {
    "shared_weights": "shared weights (lineage supported)",
    "lineage_supported": "lineage supported",
    "suggestive": "suggestive, not conclusive",
    "no_evidence": "no evidence of lineage",
    "cannot_tell": "cannot tell",
}
"""The engine's verdict → its short label, where a list or a map names it beside other things (the
reports index and its filter, badges, feeds, the lineage map); the headline's ``TIERS`` title it on
the report itself."""

CAVEAT = "Absence of evidence is not independence."
"""Shown with every "No evidence" headline, wherever it appears."""

_UNSEEN = DERIVATION_NAMES


@dataclass(frozen=True)
class Headline:
    tier: str
    title: str
    sentence: str
    caveat: str = ""
    """What the verdict does not mean, shown with it (``CAVEAT`` for "none"); "" otherwise."""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _title(name: str) -> str:
    if name == EXPERTS_VS_DENSE:
        return f"{method_title('aligned_cosine')} (experts against the dense MLP)"
    return method_title(name)


def _either(words: list[str]) -> str:
    """ "a", "a or b", "a, b or c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


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
    elif (tier == "strong" and not strong) or (tier == "some" and not (weak or strong)):
        # A result stored by an engine that graded by an earlier rule (a "z" of −log10 p): its scores
        # no longer reach the verdict it stored. Said, never re-worded into evidence.
        sentence = (
            "This report was computed under an earlier standard of evidence, and by today's (a chance of "
            f"at most {P_STRONG:.1e} among unrelated models for every method) none of its methods reaches "
            "this verdict; it should be recomputed."
        )
    elif tier == "strong":
        c = speaking_calibration(
            strong[0], results.get(strong[0]) or results.get("aligned_cosine") or {}, strong
        )
        if scale(c) == "p":
            sentence = (
                f"{_titles(strong)} find{'s' if len(strong) == 1 else ''} these models alike with "
                f"{weighed(c)}: independently trained models almost never match like this."
            )
        else:
            sentence = (
                f"{_titles(strong)} place{'s' if len(strong) == 1 else ''} these models "
                f"{weighed(c)}, farther than any unrelated pair tested."
            )
    elif tier == "some":
        names = weak or strong
        sentence = (
            f"{_titles(names)} score{'s' if len(names) == 1 else ''} higher than unrelated models usually "
            "do, but not far enough to rule out chance."
        )
    elif tier == "none":
        ran = [n for n in results if n != "tokenizer_overlap"] or list(results)
        if not ran:  # a stored result that lists no method (never written by this engine)
            sentence = "No method separates these models from unrelated pairs"
        elif len(ran) > 1:
            sentence = (
                f"None of the {len(ran)} methods that apply ({_titles(ran)}) separates these models from "
                "unrelated pairs"
            )
        else:
            sentence = f"{_titles(ran)} does not separate these models from unrelated pairs"
        attn = results.get("attn_std") or {}
        if attention_high(attn.get("score")):
            sentence += (
                f"; even {_title('attn_std')}'s high r = {attn['score']:.3f} is what unrelated models "
                "reach too"
            )
        sentence += "."
    else:  # cannot_tell
        coverage = result.get("coverage") or {}
        unseen = unseen_kinds(coverage) or [MOVED_UNITS]
        title = f"{title}: no method here could see {_either([_UNSEEN.get(k, k) for k in unseen])}"
        look = (coverage.get(unseen[0]) or {}).get("would_look")
        if look is not None:  # which methods would look, and why they did not here
            reasons = [f"{_title(n)} ({_reason(n, why)})" for n, why in list(look.items())[:3]]
            sentence = (
                "Not looked for here"
                + (f"; the methods that would look: {'; '.join(reasons)}" if reasons else "")
                + ". The methods that ran found nothing unusual, which is no evidence of independence."
            )
        else:  # a result stored before every kind was weighed
            blind = (coverage.get(unseen[0]) or {}).get("blind") or {}
            skipped = result.get("skipped") or {}
            reasons = [f"{_title(n)} ({_reason(n, why)})" for n, why in blind.items() if n in skipped]
            sentence = (
                "The methods that could have seen such a copy did not apply"
                + (f": {'; '.join(reasons)}" if reasons else "")
                + ". The others found nothing unusual, which is no evidence of independence."
            )
    return Headline(tier=tier, title=title, sentence=sentence, caveat=CAVEAT if tier == "none" else "")


def evidence_rows(result: Mapping) -> list[dict]:
    """One row per computed method for the evidence picture (and its text equivalent): title, ``z``
    (only where its null is treated as Gaussian, else None), ``scale`` ("z" or "p"), ``sd`` (z, or the
    Gaussian z of the same tail for an exact p: ``evidence.sd_equivalent``), ``x`` (where ``sd`` sits
    on the log scale), its grade ("strong", "weak", "none" or "unweighed": ``evidence.strength``
    through ``report.grade``) and the plain sentence of its score and distance."""
    results = result.get("results") or {}
    strong, weak = grade(results)
    order = [n for n in result.get("methods") or [] if n in results] + [
        n for n in results if n not in (result.get("methods") or [])
    ]
    rows = []
    for name in order:
        r = results[name]
        c = speaking_calibration(name, r, strong)
        sd = sd_equivalent(c)
        position = log_position(sd)
        if position is None or strength(c) == UNWEIGHED:
            level = "unweighed"
        elif any(s.startswith(name) for s in strong):
            level = "strong"
        elif name in weak or (name == "attn_std" and strength(c) == STRONG):
            level = "weak"
        else:
            level = "none"
        text = score_text(name, r.get("score"), r.get("calibration") or {})
        if level == "unweighed":
            text += ": no unrelated pairs to weigh it against"
        elif scale(c) == "p":
            text += ", exact under independence"
        else:
            text += f": {weighed(c)}"
        if name == "attn_std" and level != "strong":
            text += " (never decides alone)"
        rows.append(
            {
                "name": name,
                "title": method_title(name),
                "z": c.get("z") if scale(c) == "z" else None,
                "scale": scale(c),
                "sd": sd,
                "x": position,
                "level": level,
                "text": text,
            }
        )
    return rows
