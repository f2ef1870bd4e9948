"""``manage.py relatives CHECKPOINT_ID``: a checkpoint's closest known relatives, ranked, as the
engine renders them (every candidate, drafts included: this is an operator's tool)."""

from django.core.management.base import BaseCommand, CommandError

from claims.models import Checkpoint
from claims.selectors.relatives import checkpoint_relatives
from provenance.fingerprint.relatives.text import format_result


class Command(BaseCommand):
    help = "Print a checkpoint's closest known relatives (lineage search over the kept fingerprints)."

    def add_arguments(self, parser):
        parser.add_argument("checkpoint", help="The checkpoint's id.")
        parser.add_argument("--top", type=int, default=10, help="How many candidates to show.")

    def handle(self, *args, **options):
        value = options["checkpoint"]
        checkpoint = (
            Checkpoint.objects.select_related("model").filter(pk=int(value)).first()
            if value.isdigit()
            else None
        )
        if checkpoint is None:
            raise CommandError(f"No checkpoint has the id {value!r}: the admin lists them under AI models.")
        found = checkpoint_relatives(checkpoint=checkpoint, preview=True, limit=max(options["top"], 1))
        self.stdout.write(f"Closest known relatives of {checkpoint} (checkpoint {checkpoint.pk}):")
        self.stdout.write(format_result(found.result, top=options["top"]))
