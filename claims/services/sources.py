"""Capturing cited sources and deciding what the watch suggests.

* ``capture_request``: queue a capture of an evidence record's URL ("Archive now", publication, the
  watch). The task is sent after commit; a record with a capture already queued or running gets
  that one back instead of a second.
  The capture is sent to the ``archive`` queue by its lease, ``claims.jobs.CAPTURES`` (also used
  by the sweep).
* ``suggestion_confirm`` / ``suggestion_dismiss``: an editor's decision on a watch suggestion.
  Confirming "removed at source" sets the record's ``removed_at_source`` through ``record_update``
  (with history naming the date); nothing else in the project applies a suggestion.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from claims.errors import ProvenanceError
from claims.jobs import CAPTURES
from claims.models import EvidenceArtifact, SourceCapture, SourceSuggestion
from claims.services.content import public_write
from claims.services.records import record_update

Status = SourceCapture.Status


@public_write
@transaction.atomic
def capture_request(
    *, evidence: EvidenceArtifact, user: AbstractBaseUser | None, trigger: str = SourceCapture.Trigger.EDITOR
) -> SourceCapture:
    if not evidence.url:
        raise ProvenanceError(f"“{evidence}” has no URL to archive: add its source address first.")
    # Lock the record, so two editors pressing "Archive now" together queue one capture.
    EvidenceArtifact.objects.select_for_update().filter(pk=evidence.pk).first()
    pending = evidence.captures.filter(status__in=[Status.QUEUED, Status.RUNNING]).first()
    if pending is not None:
        return pending
    capture = SourceCapture.objects.create(
        evidence=evidence, url=evidence.url, trigger=trigger, requested_by=user
    )
    CAPTURES.enqueue_on_commit(capture.pk)
    return capture


def capture_on_publish(*, evidence: EvidenceArtifact, user: AbstractBaseUser | None) -> None:
    """Called by ``record_publish``: a published record with a URL gets captured (setting allowing)."""
    if settings.ARCHIVE_CAPTURE_ON_PUBLISH and evidence.url:
        capture_request(evidence=evidence, user=user, trigger=SourceCapture.Trigger.PUBLISH)


def _decide(suggestion: SourceSuggestion, *, user: AbstractBaseUser, state: str) -> SourceSuggestion:
    current = SourceSuggestion.objects.select_for_update().select_related("evidence").get(pk=suggestion.pk)
    if current.state != SourceSuggestion.State.OPEN:
        raise ProvenanceError(f"“{current.sentence}” was already {current.get_state_display()}.")
    current.state = state
    current.decided_at = timezone.now()
    current.decided_by = user
    current.save(update_fields=["state", "decided_at", "decided_by"])
    return current


@public_write
@transaction.atomic
def suggestion_confirm(*, suggestion: SourceSuggestion, user: AbstractBaseUser) -> SourceSuggestion:
    """The editor agrees: "removed at source" marks the record so; "changed since archived" is
    written to the record's history (readers see the captures, which show both versions)."""
    current = _decide(suggestion, user=user, state=SourceSuggestion.State.CONFIRMED)
    evidence = current.evidence
    data = {"removed_at_source": True} if current.kind == SourceSuggestion.Kind.REMOVED else {}
    record_update(
        record=evidence, data=data, user=user, reason=f"{current.sentence} (confirmed by an editor)"
    )
    return current


@transaction.atomic
def suggestion_dismiss(*, suggestion: SourceSuggestion, user: AbstractBaseUser) -> SourceSuggestion:
    return _decide(suggestion, user=user, state=SourceSuggestion.State.DISMISSED)
