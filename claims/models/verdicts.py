"""A report's verdict as readers read it: the engine's value → its label and a style name.

The engine decides the verdict and words it (``provenance.fingerprint.headline``: ``VERDICT_LABELS``,
``VERDICT_TIERS``, one module for every word about a verdict); this module only pairs a label with
the name the site's styles give its tier (supported / some / none / unknown), for the reports index
and its filter, the lineage map's measured edges (built by a selector, hence on the models' side of
``claims.presentation``) and the API's ``verdict`` filter. ``FingerprintReport.verdict`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.fingerprint.headline import VERDICT_LABELS, VERDICT_TIERS


@dataclass(frozen=True)
class Verdict:
    value: str
    label: str
    tier: str


# The engine groups verdicts into the tiers a reader sees (``headline.VERDICT_TIERS``); the site's
# CSS classes and map styles name those tiers as below.
_TIER_STYLE = {"strong": "supported", "some": "some", "none": "none", "cannot_tell": "unknown"}
VERDICTS = {
    value: Verdict(value, VERDICT_LABELS[value], _TIER_STYLE[tier]) for value, tier in VERDICT_TIERS.items()
}
VERDICT_CHOICES = [(v.value, v.label) for v in VERDICTS.values()]


def verdict_of(result: dict | None) -> Verdict | None:
    """The verdict of a report's stored result; None while it has none (queued, failed)."""
    return VERDICTS.get((result or {}).get("verdict") or "")
