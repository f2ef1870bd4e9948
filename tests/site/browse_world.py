"""Rows for the browse and lineage tests, built with the factories: public reports with a verdict
(a report is public through its analysis evidence record), and a small lineage world."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tests.factories import (
    AIModelFactory,
    CheckpointFactory,
    ClaimFactory,
    EvidenceArtifactFactory,
    FingerprintReportFactory,
    PartyFactory,
)


def public_report(a, b, verdict: str = "no_evidence", *, finished=None, public: bool = True):
    """A succeeded report of models ``a`` and ``b`` with ``verdict``; public unless told."""
    report = FingerprintReportFactory(
        checkpoint_a=CheckpointFactory(model=a),
        checkpoint_b=CheckpointFactory(model=b),
        status="succeeded",
        finished_at=finished or timezone.now(),
        result={"verdict": verdict, "summary": f"{a.name} vs {b.name}: {verdict}."},
    )
    EvidenceArtifactFactory(
        published=public, kind="analysis", report=report, title=f"Analysis {a.name} vs {b.name}"
    )
    return report


def lineage_world():
    """A fictional world (no real model or organisation): Base-14B ← Derived MoE declared as upcycled;
    Example Accuser claims it was derived from Base-14B; a report finds lineage supported; plus a
    draft model declared as a fine-tune of Derived MoE (never named)."""
    lab = PartyFactory(published=True, name="Example Lab")
    qwen = AIModelFactory(published=True, name="Base-14B", developer=PartyFactory(published=True))
    pangu = AIModelFactory(
        published=True, name="Derived MoE", developer=lab, declared_base=qwen, declared_relation="upcycled"
    )
    AIModelFactory(
        name="DRAFT-secret-model", developer=lab, declared_base=pangu, declared_relation="fine_tune"
    )
    claim = ClaimFactory(
        published=True,
        claimant=PartyFactory(published=True, name="Example Accuser"),
        kind="derived_from",
        assessment="contested",
        assessment_rationale="Both sides have published analyses.",
        subject_model=pangu,
        alleged_source_model=qwen,
        made_on=date(2025, 7, 4),
        title="The MoE was derived from the base",
    )
    claim.dispute.models_at_stake.add(pangu, qwen)
    report = public_report(qwen, pangu, "lineage_supported")
    return {"qwen": qwen, "pangu": pangu, "claim": claim, "dispute": claim.dispute, "report": report}
