"""The engine's kept per-checkpoint fingerprints (``ModelFingerprint``): computed by the workers
(``claims.pipeline.reports``), never edited; an operator may delete them (the admin), and the next
report on that checkpoint reads the weights again."""

from __future__ import annotations

from django.db import transaction

from claims.models import ModelFingerprint


@transaction.atomic
def fingerprints_forget(*, fingerprints) -> int:
    """Delete these kept fingerprints; returns how many. Finished reports keep their results (a
    report holds its own numbers), so no public page changes: no content version bump."""
    ids = [fingerprint.pk for fingerprint in fingerprints]
    deleted, _ = ModelFingerprint.objects.filter(pk__in=ids).delete()
    return deleted
