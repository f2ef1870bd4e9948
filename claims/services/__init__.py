"""Every write goes through a service here, one module per aggregate.

* ``records``: writing any knowledge-base row with its history (``record_save``, ``record_create``,
  ``record_get_or_create``, ``record_update``, ``record_delete``), and publishing, unpublishing and
  retracting public records.
* ``disputes``: a dispute with its party roles (``dispute_set_roles`` updates the roles in place);
  the guided start's steps that add a party role or a claim's source in one go
  (``dispute_add_party``, ``claim_add_source``).
* ``checkpoints``: registering and changing checkpoints whatever the door (admin, API, command,
  demo), the door check they share, and recording what the pipeline learnt by reading the files;
  acquiring one from a model hub (``checkpoint_acquire``) and recording the download.
* ``exchange``: loading a bulk export document into an empty database (``exchange_import``).
* ``reports``: requesting a fingerprint report (``report_request``), retrying a failed one, drawing
  its charts (``report_draw_charts``: by the worker with the result, again after a rename).
* ``content``: the public content version every public write bumps (``@public_write``), which keys
  every cache of public output.
* ``sources``: capturing an evidence record's URL (``capture_request``) and an editor's decision on
  what the source watch suggests (``suggestion_confirm``, ``suggestion_dismiss``).
* ``replies``: confirming "no response as of" on a right of reply past its deadline.
* ``desk``: emailing editors a digest of the desk's new attention items, each item once.
* ``accounts``: creating an editor's or a reviewer's account (``account_create``), its API token
  (``account_token_create``, ``account_token_revoke``), deleting accounts (``accounts_delete``).
* ``fingerprints``: deleting the engine's kept per-checkpoint fingerprints (``fingerprints_forget``);
  their lineage-search entries (``relatives_index_put``, ``relatives_entry_write``,
  ``relatives_index_rebuild``).
* ``relatives``: asking for full reports on the lineage search's close relatives of a newly
  fingerprinted checkpoint (``relatives_confirm``): drafts, listed on the editors' desk.

The admin, the API's serializers and the management commands call these; none re-implements a rule.
Each function is keyword-only, named ``<entity>_<action>``, and returns what the caller needs.
"""

from claims.services.accounts import (
    account_create,
    account_set_byline,
    account_token_create,
    account_token_revoke,
    accounts_delete,
)
from claims.services.checkpoints import (
    checkpoint_acquire,
    checkpoint_preview,
    checkpoint_record_acquisition,
    checkpoint_record_inspection,
    checkpoint_register,
    checkpoint_save,
    checkpoint_update,
    checkpoint_validate,
)
from claims.services.content import content_changed
from claims.services.desk import desk_send_digest
from claims.services.disputes import claim_add_source, dispute_add_party, dispute_save, dispute_set_roles
from claims.services.fingerprints import (
    fingerprints_forget,
    relatives_entry_write,
    relatives_index_put,
    relatives_index_rebuild,
)
from claims.services.records import (
    record_create,
    record_delete,
    record_get_or_create,
    record_publish,
    record_publish_with_requirements,
    record_retract,
    record_save,
    record_unpublish,
    record_update,
    records_delete,
)
from claims.services.relatives import relatives_confirm
from claims.services.replies import reply_confirm_no_response
from claims.services.reports import report_draw_charts, report_request, report_retry
from claims.services.sources import capture_request, suggestion_confirm, suggestion_dismiss

__all__ = [
    "accounts_delete",
    "fingerprints_forget",
    "relatives_confirm",
    "relatives_entry_write",
    "relatives_index_put",
    "relatives_index_rebuild",
    "account_set_byline",
    "account_create",
    "account_token_create",
    "account_token_revoke",
    "capture_request",
    "checkpoint_acquire",
    "checkpoint_preview",
    "checkpoint_record_acquisition",
    "checkpoint_record_inspection",
    "checkpoint_register",
    "checkpoint_save",
    "checkpoint_update",
    "checkpoint_validate",
    "content_changed",
    "desk_send_digest",
    "claim_add_source",
    "dispute_add_party",
    "dispute_save",
    "dispute_set_roles",
    "record_create",
    "record_delete",
    "record_get_or_create",
    "record_publish",
    "record_publish_with_requirements",
    "record_retract",
    "record_save",
    "record_unpublish",
    "record_update",
    "records_delete",
    "report_draw_charts",
    "reply_confirm_no_response",
    "report_request",
    "report_retry",
    "suggestion_confirm",
    "suggestion_dismiss",
]
