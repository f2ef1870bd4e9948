"""Every write goes through a service here, one module per aggregate.

* ``accounts``: creating an editor's or a reviewer's account (``account_create``).
* ``records``: publishing, unpublishing and retracting public records (the editorial transitions).
* ``reports``: requesting a fingerprint report (``report_request``) and retrying a failed one.

The admin, the API's serializers and the management commands call these; none re-implements a rule.
Each function is keyword-only, named ``<entity>_<action>``, and returns what the caller needs.
"""

from claims.services.accounts import account_create
from claims.services.records import record_publish, record_retract, record_unpublish
from claims.services.reports import report_request, report_retry

__all__ = [
    "account_create",
    "record_publish",
    "record_retract",
    "record_unpublish",
    "report_request",
    "report_retry",
]
