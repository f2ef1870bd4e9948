"""``manage.py reports_sweep``: the periodic repair of stuck reports, for deployments without beat."""

from django.core.management.base import BaseCommand

from claims.pipeline.captures.runner import captures_sweep
from claims.pipeline.downloads.runner import acquisitions_sweep
from claims.pipeline.reports.sweep import reports_sweep


class Command(BaseCommand):
    help = (
        "Requeue reports whose worker died, fail those past the time limit, resend lost messages; "
        "send again the hub downloads whose worker died; fail stuck source captures."
    )

    def handle(self, *args, **options):
        result = reports_sweep()
        downloads = acquisitions_sweep()
        captures = captures_sweep()
        self.stdout.write(
            f"requeued {result.requeued}, failed {result.failed}, sent {result.sent}, downloads sent {downloads}, "
            f"captures failed {captures['captures_failed']}, captures sent {captures['captures_sent']}"
        )
