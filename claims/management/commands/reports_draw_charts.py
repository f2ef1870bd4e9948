"""``manage.py reports_draw_charts``: draw the charts of the succeeded reports that lack them.

The worker draws a report's charts with its result, and a rename draws them again; reports computed
before that (their charts were drawn on their first view) may have none, or show a former name.
Run it once after upgrading; running it again draws nothing that is already right.
"""

from django.core.management.base import BaseCommand

from claims.models import FingerprintReport
from claims.services import report_draw_charts


class Command(BaseCommand):
    help = (
        "Draw the charts of succeeded reports that have none or that name a model as it was formerly named."
    )

    def handle(self, *args, **options):
        reports = (
            FingerprintReport.objects.filter(status=FingerprintReport.Status.SUCCEEDED)
            .select_related("checkpoint_a__model", "checkpoint_b__model")
            .order_by("pk")
        )
        drawn = 0
        for report in reports.iterator(chunk_size=100):
            # charts_labels is set only by drawing: equal to the names now means drawn and current.
            if report.charts_labels != list(report.labels):
                report_draw_charts(report=report)
                drawn += 1
        self.stdout.write(f"drew the charts of {drawn} report{'' if drawn == 1 else 's'}")
