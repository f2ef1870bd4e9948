"""The product's kept nulls (``KeptNull`` rows every worker shares): the engine's ``NullStore`` interface.

``put`` inserts with ``get_or_create``: two workers that computed the same key at once both succeed and
one row stays (the nulls are deterministic in their key, so either value is the same). Kept nulls are
not public content: no content version changes."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from claims.models import KeptNull


class DatabaseNullCache:
    def get(self, key: str) -> dict | None:
        return KeptNull.objects.filter(key=key).values_list("value", flat=True).first()

    def put(self, key: str, value: dict) -> None:
        try:
            with transaction.atomic():
                KeptNull.objects.get_or_create(
                    key=key, defaults={"value": value, "method": str(value.get("method", ""))[:64]}
                )
        except IntegrityError:  # the other worker's row won between our read and our insert
            pass
