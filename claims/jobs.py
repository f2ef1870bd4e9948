"""The four jobs the workers run, each declared as a lease (``claims.lease``): only what differs.

* ``REPORTS`` - computing a fingerprint report (``claims.pipeline.reports``);
* ``SHARDS`` - one file of a big checkpoint, passed for a report by any worker;
* ``DOWNLOADS`` - a hub or git checkpoint's files into the model cache (``claims.pipeline.downloads``);
* ``CAPTURES`` - an evidence record's URL archived (``claims.pipeline.captures``).

The services enqueue through these (``REPORTS.enqueue_on_commit(report.pk)``), the pipeline claims,
beats, fails and sweeps through them; neither imports the other for it.
"""

from __future__ import annotations

from claims.lease import Lease
from claims.models import FingerprintReport

REPORTS = Lease(
    model=FingerprintReport,
    task="report_compute",
    task_kwarg="report_id",
    noun="report",
    unsent_log="Could not send report %s to the broker; the sweep will retry.",
    public=True,  # the report's page says "computing", "failed"...
)
