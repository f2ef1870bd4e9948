"""Reads that span rows: the public change log of a claim's assessment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from claims.models import Claim


@dataclass(frozen=True)
class AssessmentChange:
    """One change of a claim's assessment: who changed what, when, and why."""

    changed_at: datetime
    changed_by: str
    old: str | None
    new: str
    reason: str
    rationale: str


def claim_assessment_log(*, claim: Claim) -> list[AssessmentChange]:
    """Every change of ``claim``'s assessment, oldest first (the first entry is the initial one).

    Other edits (typo fixes, new links) are left out: readers want the verdict's story, not every save.
    """
    log: list[AssessmentChange] = []
    previous = None
    entries = claim.history.select_related("history_user").order_by("history_date", "history_id")
    for entry in entries.only(
        "history_date", "history_user", "assessment", "assessment_rationale", "history_change_reason"
    ):
        if previous is None or entry.assessment != previous:
            user = entry.history_user
            log.append(
                AssessmentChange(
                    changed_at=entry.history_date,
                    changed_by=(user.get_full_name() or user.get_username()) if user else "",
                    old=previous,
                    new=entry.assessment,
                    reason=entry.history_change_reason or "",
                    rationale=entry.assessment_rationale,
                )
            )
        previous = entry.assessment
    return log
