"""The public content version: one number that changes whenever anything a reader can see changes.

Every write service bumps it (``@public_write``, ``claims.services.content``) in the same transaction as
its change, so a reader who sees version N also sees every change made before N was committed. Caches
of public output (the dispute page's fragment, HTTP validators: ETag, Last-Modified) use it as a key
component: a change makes every older entry unreachable, nothing has to be deleted one by one.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone


class ContentVersion(models.Model):
    """A single row (pk 1); absent (a fresh or flushed database) reads as version 0."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"public content version {self.version}"

    @classmethod
    def current(cls) -> tuple[int, datetime | None]:
        """(version, when it changed): one indexed read of one row."""
        row = cls.objects.filter(pk=1).values_list("version", "changed_at").first()
        return row if row else (0, None)
