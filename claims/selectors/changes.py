"""The public change log of claims' assessments: who changed a verdict, when, and why."""

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
    claim_id: int = 0

    @property
    def old_display(self) -> str:
        return Claim.Assessment(self.old).label if self.old else ""

    @property
    def new_display(self) -> str:
        return Claim.Assessment(self.new).label


_LOG_FIELDS = (
    "id",
    "history_date",
    "history_user",
    "assessment",
    "assessment_rationale",
    "history_change_reason",
)


def _assessment_changes(entries) -> list[AssessmentChange]:
    """The assessment changes in ``entries`` (history rows ordered by claim, then date)."""
    log: list[AssessmentChange] = []
    previous: dict[int, str] = {}
    for entry in entries:
        old = previous.get(entry.id)
        if entry.id not in previous or entry.assessment != old:
            user = entry.history_user
            log.append(
                AssessmentChange(
                    changed_at=entry.history_date,
                    changed_by=(user.get_full_name() or user.get_username()) if user else "",
                    old=old,
                    new=entry.assessment,
                    reason=entry.history_change_reason or "",
                    rationale=entry.assessment_rationale,
                    claim_id=entry.id,
                )
            )
        previous[entry.id] = entry.assessment
    return log


def claim_assessment_log(*, claim: Claim) -> list[AssessmentChange]:
    """Every change of ``claim``'s assessment, oldest first (the first entry is the initial one).

    Other edits (typo fixes, new links) are left out: readers want the verdict's story, not every save.
    """
    entries = claim.history.select_related("history_user").order_by("history_date", "history_id")
    return _assessment_changes(entries.only(*_LOG_FIELDS))


def claims_assessment_log(*, claim_ids: list[int]) -> list[AssessmentChange]:
    """The assessment changes of several claims in one query, newest first."""
    entries = (
        Claim.history.filter(id__in=claim_ids)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
        .only(*_LOG_FIELDS)
    )
    return sorted(_assessment_changes(entries), key=lambda c: c.changed_at, reverse=True)
