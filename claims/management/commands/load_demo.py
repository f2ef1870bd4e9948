"""``manage.py load_demo``: load the founding dispute, the documented cases (``claims.demo.cases``)
and the synthetic example, as published records.

Safe to run again: nothing changes the second time. The synthetic example writes its generated
checkpoints into the first MODEL_STORE folder and asks for its reports; a running worker computes
them (``--no-synthetic`` leaves it out).
"""

from django.core.management.base import BaseCommand

from claims.demo.cases import load_cases
from claims.demo.loader import LoadStats, load_founding_dispute
from claims.demo.synthetic_case import load_synthetic_case


class Command(BaseCommand):
    help = (
        "Load the founding dispute (Pangu Pro MoE vs Qwen2.5-14B), the documented cases and the synthetic "
        "example; idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-synthetic", action="store_true", help="Only the real disputes (founding and documented)."
        )

    def handle(self, *args, **options):
        self._report("Founding dispute", load_founding_dispute(), options["verbosity"])
        self._report("Documented cases", load_cases(), options["verbosity"])
        if options["no_synthetic"]:
            return
        synthetic = load_synthetic_case()
        self._report("Synthetic example", synthetic.records, options["verbosity"])
        if synthetic.checkpoints_written:
            self.stdout.write("  generated its checkpoints in the model store")
        for report in synthetic.reports:
            self.stdout.write(f"  report {report.slug}: {report.get_status_display()}")

    def _report(self, name: str, stats: LoadStats, verbosity: int) -> None:
        for line in stats.touched if verbosity > 1 else []:
            self.stdout.write(f"  saved {line}", self.style.SQL_FIELD)
        self.stdout.write(
            self.style.SUCCESS(
                f"{name} loaded: {stats.created} created, {stats.updated} updated, {stats.unchanged} unchanged."
            )
        )
