"""A report's verdict as readers read it: the engine's value → a short label and an edge style.

The engine (``provenance.fingerprint.report``) decides the verdict; this module only names it for
the site: the reports index and its filter, the lineage map's measured edges, the API's ``verdict``
filter. ``tier`` groups verdicts the way the lineage map draws them (supported / some / none /
unknown), so a reader sees the three answers that matter: lineage supported, no evidence, cannot tell.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    value: str
    label: str
    tier: str


VERDICTS = {
    v.value: v
    for v in (
        Verdict("shared_weights", "shared weights (lineage supported)", "supported"),
        Verdict("lineage_supported", "lineage supported", "supported"),
        Verdict("suggestive", "suggestive, not conclusive", "some"),
        Verdict("no_evidence", "no evidence of lineage", "none"),
        Verdict("cannot_tell", "cannot tell", "unknown"),
    )
}
VERDICT_CHOICES = [(v.value, v.label) for v in VERDICTS.values()]


def verdict_of(result: dict | None) -> Verdict | None:
    """The verdict of a report's stored result; None while it has none (queued, failed)."""
    return VERDICTS.get((result or {}).get("verdict") or "")
