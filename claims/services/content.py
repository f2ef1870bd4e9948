"""Invalidating every cache of public output at once: bump the public content version.

The rule, in one place: a service that writes anything a public page, feed or API read may show
is decorated ``@public_write``, which runs it in a transaction that calls ``content_changed()``
first, before the service's own row locks (so every write takes the version row's lock first, and
two writers cannot deadlock over it). The bump commits or rolls back with the change; a reader that
sees the new version sees the change too. A service calling another bumps once. A test
(``tests/test_content_version.py``) holds every service in ``claims.services`` to it: each is a
``public_write`` or named there as writing nothing readers see.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

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


P = ParamSpec("P")
R = TypeVar("R")

# Set while a public write runs: the services it calls are inside its transaction, already bumped.
_bumped: ContextVar[bool] = ContextVar("content_bumped", default=False)


def public_write(service: Callable[P, R]) -> Callable[P, R]:
    """``service`` writes what readers may see: it runs in a transaction that bumps the content
    version first (the module docstring), once however many public writes it calls."""

    @functools.wraps(service)
    def write(*args: P.args, **kwargs: P.kwargs) -> R:
        if _bumped.get():
            return service(*args, **kwargs)
        with transaction.atomic():
            content_changed()
            token = _bumped.set(True)
            try:
                return service(*args, **kwargs)
            finally:
                _bumped.reset(token)

    write.public_write = True  # type: ignore[attr-defined]
    return write
