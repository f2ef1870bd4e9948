"""``manage.py export [FILE]``: the bulk export document of every public record (stdout by default).

The same document as ``/api/v1/export/`` (``claims.api.export``); ``load_export`` reads it back.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from claims.api.export import dumps, export_document


class Command(BaseCommand):
    help = "Write every published record as one versioned JSON document (to FILE, or stdout)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Where to write it; '-' or nothing for stdout.")

    def handle(self, *args, file=None, **options):
        text = dumps(export_document())
        if file and file != "-":
            path = Path(file)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".part")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)  # readers never see half a document
            self.stderr.write(f"Wrote {path} ({len(text.encode())} bytes).")
        else:
            self.stdout.write(text, ending="")
