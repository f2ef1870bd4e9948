"""``manage.py load_export FILE``: load an export document (``manage.py export``) into an empty database.

For researchers who want the data in their own copy of Provenance, and for the round-trip test.
The writing is ``claims.services.exchange.exchange_import``.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.errors import ProvenanceError
from claims.services.exchange import exchange_import


class Command(BaseCommand):
    help = "Load a Provenance export document into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export document (JSON).")

    def handle(self, *args, file, **options):
        try:
            document = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        if not isinstance(document, dict):
            raise CommandError(f"{file} is not an export document (a JSON object).")
        try:
            counts = exchange_import(document=document)
        except ProvenanceError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(f"Nothing was loaded: a record is invalid: {'; '.join(exc.messages)}") from exc
        summary = ", ".join(f"{n} {section.replace('_', ' ')}" for section, n in counts.items())
        self.stdout.write(f"Loaded {summary}.")
