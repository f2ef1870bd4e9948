"""The public change log of claims' assessments: who changed a verdict, when, and why, and when
Provenance retracted a claim, with the retraction's note (``claims.services.record_retract`` writes
it on the history entry that changes the status; its sentence is ``claims.models.public_state``'s).

Who: the editor's public byline (``claims.models.accounts.byline_of``: "an editor" by default, never
the user name). Why: the reason as the editor wrote it for readers, and only that
(``public_reason``: reasons written by code, such as "load_demo: …" or "Published", are internal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from claims.models import Claim
from claims.models.accounts import byline_of
from claims.models.public_state import Retraction


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
    # Set on the entry of a retraction (``old`` and ``new`` are then the assessment it kept).
    retraction: Retraction | None = None

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
    "history_reason_public",
    "status",
    "retracted_at",
    "retraction_note",
)
_LOG_RELATED = "history_user__editor_profile"


def public_reason(entry) -> str:
    """The reason of a history ``entry`` that readers may see: what an editor wrote for them, or ""
    (the one place the rule of ``claims.models.base.ReasonAudience`` is read)."""
    return (entry.history_change_reason or "") if entry.history_reason_public else ""


def _assessment_changes(entries) -> list[AssessmentChange]:
    """The assessment changes in ``entries`` (history rows ordered by claim, then date)."""
    log: list[AssessmentChange] = []
    previous: dict[int, str] = {}
    retracted: set[int] = set()
    for entry in entries:
        old = previous.get(entry.id)
        if entry.id not in previous or entry.assessment != old:
            log.append(
                AssessmentChange(
                    changed_at=entry.history_date,
                    changed_by=byline_of(entry.history_user),
                    old=old,
                    new=entry.assessment,
                    reason=public_reason(entry),
                    rationale=entry.assessment_rationale,
                    claim_id=entry.id,
                )
            )
        previous[entry.id] = entry.assessment
        if entry.status == Claim.Status.RETRACTED and entry.id not in retracted:
            retracted.add(entry.id)
            retraction = Retraction(at=entry.retracted_at, note=entry.retraction_note)
            log.append(
                AssessmentChange(
                    changed_at=retraction.at or entry.history_date,
                    changed_by=byline_of(entry.history_user),
                    old=entry.assessment,
                    new=entry.assessment,
                    reason="",
                    rationale=entry.assessment_rationale,
                    claim_id=entry.id,
                    retraction=retraction,
                )
            )
    return log


def claim_assessment_log(*, claim: Claim) -> list[AssessmentChange]:
    """Every change of ``claim``'s assessment and its retraction, oldest first (the first entry is
    the initial assessment).

    Other edits (typo fixes, new links) are left out: readers want the verdict's story, not every save.
    """
    entries = claim.history.select_related(_LOG_RELATED).order_by("history_date", "history_id")
    return _assessment_changes(entries.only(*_LOG_FIELDS))


def claims_assessment_log(*, claim_ids: list[int]) -> list[AssessmentChange]:
    """The assessment changes of several claims in one query, newest first."""
    entries = (
        Claim.history.filter(id__in=claim_ids)
        .select_related(_LOG_RELATED)
        .order_by("id", "history_date", "history_id")
        .only(*_LOG_FIELDS)
    )
    return sorted(_assessment_changes(entries), key=lambda c: c.changed_at, reverse=True)
