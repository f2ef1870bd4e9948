"""Kept nulls: a method's null that depends only on (method, version, parameters, shapes), computed once
and shared by every worker (the product's store of ``provenance.fingerprint.null_cache``; written by
``claims.services.null_cache``). The key is the engine's SHA-256 of all it depends on, so a change of
version or parameter is another row, never a stale null; old rows are simply no longer read."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class KeptNull(models.Model):
    key = models.CharField(max_length=64, primary_key=True)
    method = models.CharField(max_length=64)
    value = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.method} null {self.key[:12]}"
