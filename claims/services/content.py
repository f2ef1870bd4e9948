"""Invalidating every cache of public output at once: bump the public content version.

The rule, in one place: a service that writes anything a public page, feed or API read may show
calls ``content_changed()`` inside its transaction, before its own row locks (so every write takes
the version row's lock first, and two writers cannot deadlock over it). The bump commits or rolls
back with the change; a reader that sees the new version sees the change too.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.models import ContentVersion


def content_changed() -> None:
    """Make every cached public page, fragment and ETag stale (``claims.models.content``)."""
    with transaction.atomic():
        now = timezone.now()
        if not ContentVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
            ContentVersion.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})
