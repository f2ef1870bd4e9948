"""``manage.py relatives CHECKPOINT``: a checkpoint's closest known relatives, ranked, as the engine
renders them (every candidate, drafts included: this is an operator's tool). CHECKPOINT is a
checkpoint's id or a hub ID (``Org/Name``, ``hf:Org/Name``, ``hub:demo:Org/Name``): the checkpoints
downloaded from that repository or of a model declaring it, the indexed newest first
(``claims.selectors.relatives.checkpoints_of_hub_id``)."""

from django.core.management.base import BaseCommand, CommandError

from claims.models import Checkpoint
from claims.selectors.relatives import checkpoint_relatives, checkpoints_of_hub_id
from provenance.fingerprint.relatives.text import format_result
from provenance.fingerprint.sources.errors import InvalidSourceError


class Command(BaseCommand):
    help = "Print a checkpoint's closest known relatives (lineage search over the kept fingerprints)."

    def add_arguments(self, parser):
        parser.add_argument("checkpoint", help="The checkpoint's id, or a hub ID such as Org/Name.")
        parser.add_argument("--top", type=int, default=10, help="How many candidates to show.")

    def handle(self, *args, **options):
        checkpoint, others = self._checkpoint(options["checkpoint"])
        found = checkpoint_relatives(checkpoint=checkpoint, preview=True, limit=max(options["top"], 1))
        self.stdout.write(f"Closest known relatives of {checkpoint} (checkpoint {checkpoint.pk}):")
        self.stdout.write(format_result(found.result, top=options["top"]))
        if others:
            listed = ", ".join(f"{c} (checkpoint {c.pk})" for c in others)
            self.stdout.write(f"The hub ID also names {listed}: give a checkpoint's id to search for it.")

    def _checkpoint(self, value: str) -> tuple[Checkpoint, list[Checkpoint]]:
        if value.isdigit():
            checkpoint = Checkpoint.objects.select_related("model").filter(pk=int(value)).first()
            if checkpoint is None:
                raise CommandError(
                    f"No checkpoint has the id {value!r}: the admin lists them under AI models."
                )
            return checkpoint, []
        try:
            found = checkpoints_of_hub_id(hub_id=value, preview=True)
        except InvalidSourceError as exc:
            raise CommandError(f"{exc} Or give a checkpoint's id.") from None
        if not found:
            raise CommandError(
                f"No checkpoint of {value} is in the knowledge base: add it from its hub (admin: Checkpoints → "
                "Add checkpoint from a hub); once downloaded it is fingerprinted and placed among its relatives."
            )
        return found[0], found[1:]
