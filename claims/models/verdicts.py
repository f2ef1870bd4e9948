"""A report's verdict as readers read it: the engine's value → a short label and an edge style.

The engine (``provenance.fingerprint.report``) decides the verdict; this module only names it for
readers: the reports index and its filter, the lineage map's measured edges (built by a selector,
hence on the models' side of ``claims.presentation``), the API's ``verdict`` filter. ``tier`` is the engine's grouping of verdicts (``provenance.fingerprint.headline.VERDICT_TIERS``:
one rule), named as the site's styles name it (supported / some / none / unknown).
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.fingerprint.headline import VERDICT_TIERS


@dataclass(frozen=True)
class Verdict:
    value: str
    label: str
    tier: str


# The engine groups verdicts into the tiers a reader sees (``headline.VERDICT_TIERS``); the site's
# CSS classes and map styles name those tiers as below.
_TIER_STYLE = {"strong": "supported", "some": "some", "none": "none", "cannot_tell": "unknown"}
_LABELS = {
    "shared_weights": "shared weights (lineage supported)",
    "lineage_supported": "lineage supported",
    "suggestive": "suggestive, not conclusive",
    "no_evidence": "no evidence of lineage",
    "cannot_tell": "cannot tell",
}
VERDICTS = {value: Verdict(value, _LABELS[value], _TIER_STYLE[tier]) for value, tier in VERDICT_TIERS.items()}
VERDICT_CHOICES = [(v.value, v.label) for v in VERDICTS.values()]


def verdict_of(result: dict | None) -> Verdict | None:
    """The verdict of a report's stored result; None while it has none (queued, failed)."""
    return VERDICTS.get((result or {}).get("verdict") or "")
