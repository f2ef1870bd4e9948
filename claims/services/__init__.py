"""Every write goes through a service here, one module per aggregate.

* ``records``: publishing, unpublishing and retracting public records (the editorial transitions).
* ``checkpoints``: registering and changing checkpoints whatever the door (admin, API, command,
  demo), the door check they share, and recording what the pipeline learnt by reading the files.

The admin, the API's serializers and the management commands call these; none re-implements a rule.
Each function is keyword-only, named ``<entity>_<action>``, and returns what the caller needs.
"""

from claims.services.checkpoints import (
    checkpoint_record_inspection,
    checkpoint_register,
    checkpoint_save,
    checkpoint_update,
    checkpoint_validate,
)
from claims.services.records import record_publish, record_retract, record_unpublish

__all__ = [
    "checkpoint_record_inspection",
    "checkpoint_register",
    "checkpoint_save",
    "checkpoint_update",
    "checkpoint_validate",
    "record_publish",
    "record_retract",
    "record_unpublish",
]
