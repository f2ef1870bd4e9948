"""Fingerprinting a downloaded checkpoint on its own, so the lineage search places it at once (issue 24).

A checkpoint added from a hub is downloaded by the ``acquire`` worker (``claims.pipeline.downloads``).
When no report waits for it, the download sends ``claims.tasks.checkpoint_fingerprint`` (queue
``analysis``), which reads the weights once and keeps the fingerprint as a report would
(``fingerprint_store.record``: the row, the file, the lineage-search entry, then full reports asked
for on its closest unconfirmed relatives, ``claims.services.relatives``).

Idempotent and safe to deliver twice: a checkpoint whose current fingerprint is kept for its
unchanged files is not read again, and nothing is written before the fingerprint is complete, so a
worker killed while reading leaves nothing half-done (the broker delivers the message again:
``task_acks_late``, ``task_reject_on_worker_lost``). Weights that cannot be read end in a logged
sentence; the checkpoint's first report says the same to the journalist.
"""

from __future__ import annotations

import logging

from claims.models import Checkpoint
from claims.pipeline.reports.runner import compute_fingerprint, plan_fingerprint
from provenance.fingerprint.errors import FingerprintError

logger = logging.getLogger(__name__)

READY = (Checkpoint.Acquisition.NONE, Checkpoint.Acquisition.DONE)
"""Checkpoints whose weights are on disk: local ones, and downloaded ones."""


def checkpoint_fingerprint_run(*, checkpoint_id: int) -> str:
    """Fingerprint one checkpoint unless its current fingerprint is kept. Returns the outcome: done,
    kept (nothing to read), skipped (gone, or its weights are not on disk) or failed."""
    checkpoint = Checkpoint.objects.select_related("model").filter(pk=checkpoint_id).first()
    if checkpoint is None or checkpoint.acquisition_status not in READY:
        return "skipped"
    try:
        plan, (engine_checkpoint, signature) = plan_fingerprint(checkpoint)
        if plan.cached is not None:
            return "kept"
        compute_fingerprint(checkpoint, engine_checkpoint, signature, None)
    except (FingerprintError, OSError) as exc:
        logger.warning(
            "Checkpoint %s could not be fingerprinted for the lineage search: %s", checkpoint.pk, exc
        )
        return "failed"
    return "done"
