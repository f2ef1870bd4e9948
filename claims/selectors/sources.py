"""Captures of an evidence record for its page and the API, and what the source watch wants an
editor to look at (for the editors' desk).

``sources_needing_attention()`` is the desk's provider for sources. It returns, newest first, a
list of ``SourceAttention``:

* ``kind``: ``"source_removed"`` or ``"source_changed"`` (an open watch suggestion to confirm or
  dismiss) or ``"capture_failed"`` (the record's latest finished capture failed);
* ``sentence``: what to tell the editor, e.g. "Removed at source on 3 May 2026: “GitHub repository”";
* ``evidence``: the evidence record; ``since``: when it was noticed;
* ``admin_url``: where to act (the suggestion's change page with its confirm/dismiss actions, or
  the evidence record's change page with "Archive now").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse

from claims.models import CaptureArtefact, EvidenceArtifact, SourceCapture, SourceSuggestion
from claims.models.grammar import quoted
from claims.models.visibility import visible


def evidence_captures(*, evidence: EvidenceArtifact, preview: bool = False) -> list[SourceCapture]:
    """The captures of ``evidence`` readers see, newest first, with their artefacts (two queries)."""
    return list(captures_queryset(preview=preview).filter(evidence=evidence))


def captures_queryset(*, preview: bool = False) -> QuerySet:
    """The captures readers see, on the site and in the API: the succeeded ones, newest first,
    with their artefacts. A failed or unfinished capture says nothing about the source (the
    archive may have been offline): it is an editor's matter, shown in the admin and on the desk
    (``sources_needing_attention``), never to readers."""
    artefacts = visible(CaptureArtefact.objects.select_related("capture"), preview=preview)
    return (
        visible(
            SourceCapture.objects.filter(status=SourceCapture.Status.SUCCEEDED).select_related("evidence"),
            preview=preview,
        )
        .prefetch_related(Prefetch("artefacts", queryset=artefacts))
        .order_by("-requested_at", "-pk")
    )


def artefact_for_reader(*, capture_id: int, kind: str, preview: bool = False) -> CaptureArtefact | None:
    return (
        visible(CaptureArtefact.objects.select_related("capture__evidence"), preview=preview)
        .filter(capture_id=capture_id, kind=kind, capture__status=SourceCapture.Status.SUCCEEDED)
        .first()
    )


@dataclass(frozen=True)
class SourceAttention:
    kind: str
    sentence: str
    evidence: EvidenceArtifact
    since: datetime
    admin_url: str


def sources_needing_attention() -> list[SourceAttention]:
    items = []
    suggestions = SourceSuggestion.objects.filter(state=SourceSuggestion.State.OPEN).select_related(
        "evidence"
    )
    for suggestion in suggestions:
        items.append(
            SourceAttention(
                kind=f"source_{suggestion.kind}",
                sentence=f"{suggestion.sentence}: {quoted(suggestion.evidence)}",
                evidence=suggestion.evidence,
                since=suggestion.created_at,
                admin_url=reverse("admin:claims_sourcesuggestion_change", args=[suggestion.pk]),
            )
        )
    finished = (SourceCapture.Status.SUCCEEDED, SourceCapture.Status.FAILED)
    later = SourceCapture.objects.filter(
        evidence=OuterRef("evidence"), status__in=finished, requested_at__gt=OuterRef("requested_at")
    )
    failed = (
        SourceCapture.objects.filter(status=SourceCapture.Status.FAILED)
        .exclude(Exists(later))
        .select_related("evidence")
    )
    for capture in failed:
        items.append(
            SourceAttention(
                kind="capture_failed",
                sentence=f"Capture of {quoted(capture.evidence)} failed: {capture.error}",
                evidence=capture.evidence,
                since=capture.finished_at or capture.requested_at,
                admin_url=reverse("admin:claims_evidenceartifact_change", args=[capture.evidence_id]),
            )
        )
    return sorted(items, key=lambda item: item.since, reverse=True)
