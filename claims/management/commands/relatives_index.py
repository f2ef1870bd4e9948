"""``manage.py relatives_index``: (re)build the lineage-search index from the kept fingerprints.

Writes the entry of every kept fingerprint that has none or one of another signature version
(``--all``: every one); the pipeline keeps it current afterwards. Running it again writes nothing
that is already current.
"""

from django.core.management.base import BaseCommand

from claims.services import relatives_index_rebuild


class Command(BaseCommand):
    help = "Index the kept fingerprints for lineage search (those not indexed yet, or --all)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Compute every entry again.")

    def handle(self, *args, **options):
        built = relatives_index_rebuild(everything=options["all"])
        for problem in built.problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"indexed {built.written} fingerprint(s); {built.kept} already current; "
            f"{len(built.problems)} could not be read"
        )
