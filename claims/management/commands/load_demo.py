"""``manage.py load_demo``: load the founding dispute as published records. Safe to run again."""

from django.core.management.base import BaseCommand

from claims.demo.loader import load_founding_dispute


class Command(BaseCommand):
    help = "Load the founding dispute (Pangu Pro MoE vs Qwen2.5-14B) as published demo records; idempotent."

    def handle(self, *args, **options):
        stats = load_founding_dispute()
        for line in stats.touched if options["verbosity"] > 1 else []:
            self.stdout.write(f"  saved {line}", self.style.SQL_FIELD)
        self.stdout.write(
            self.style.SUCCESS(
                f"Founding dispute loaded: {stats.created} created, {stats.updated} updated, "
                f"{stats.unchanged} unchanged."
            )
        )
