"""``manage.py precompute_nulls PATH [--null-size N] [--seed S]``: keep the null for one shape ahead.

PATH is a checkpoint (folder or file) or a model's ``config.json``. The null with the alignment of
``weight_matching`` for that shape (a report comparing two models of it) is computed once and stored in
the rows every worker shares (``KeptNull``), so the first report of that shape does not pay for it.
Prints one line: what was computed (and how long it took), found already kept, or why there is none.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from claims.services.null_cache import DatabaseNullCache
from provenance.fingerprint.errors import FingerprintError
from provenance.fingerprint.null_precompute import precompute
from provenance.fingerprint.parameters import PARAMETERS
from provenance.fingerprint.parameters import validate as validate_parameters


class Command(BaseCommand):
    help = "Compute and keep the alignment null for the shape of a checkpoint or config.json."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a checkpoint folder or file, or a model's config.json")
        for name, param in PARAMETERS.items():
            parser.add_argument(param.flag, dest=name, type=int, default=param.default, help=param.help)

    def handle(self, *args, path: str, **options):
        try:
            params = validate_parameters({name: options[name] for name in PARAMETERS})
            line = precompute(path, DatabaseNullCache(), **params)
        except (FingerprintError, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(line)
