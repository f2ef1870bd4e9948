"""Confirming the lineage search's close relatives with full reports (issue 24).

``relatives_confirm`` runs whenever a checkpoint is fingerprinted
(``claims.pipeline.fingerprint_store.record``: a report's worker, or the fingerprint pass that follows
a download). It searches the index for the checkpoint's closest relatives (``claims.selectors.relatives``,
the editors' view) and, for the best ``RELATIVES_CONFIRM_TOP`` of them in the strong or some tier that
no report compares it with yet, asks for a full comparison report (``report_request``: every method
that can run, default parameters), marked ``origin=relatives`` with the screening's scores. Each comes
with a draft analysis evidence record, so nothing reaches a reader until an editor publishes it; the
editors' desk lists them ("Possible relatives to confirm", ``claims.selectors.desk``).

Any report already comparing the two checkpoints (any status, any methods) stops the suggestion, so a
dismissed one (its draft evidence deleted, the report kept) is never suggested again, and the report
being computed when the fingerprint is recorded is not asked for twice.
"""

from __future__ import annotations

import math

from django.conf import settings

from claims.models import Checkpoint, FingerprintReport
from claims.selectors.relatives import checkpoint_relatives
from claims.services.content import public_write
from claims.services.reports import report_request
from provenance.fingerprint.relatives.search import Candidate

CONFIRM_TIERS = ("strong", "some")
"""The screening's tiers a full report is asked for: "some" is never a verdict, so it most wants one."""


def screening_of(candidate: Candidate) -> dict:
    """What the report keeps of the screening: the engine's verdict and scores, no name (the pair is
    the report's own) and no words (rendered when read, from the verdict); non-finite numbers as None."""
    data = candidate.to_dict()
    for key in ("name", "title", "tier"):
        data.pop(key, None)
    return _finite(data)


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


@public_write
def relatives_confirm(*, checkpoint: Checkpoint, top: int | None = None) -> list[FingerprintReport]:
    """Ask for a full report on each of ``checkpoint``'s best ``top`` unconfirmed close relatives (default
    ``RELATIVES_CONFIRM_TOP``); returns the reports this call created (see the module docstring)."""
    top = settings.RELATIVES_CONFIRM_TOP if top is None else top
    if top <= 0:
        return []
    found = checkpoint_relatives(checkpoint=checkpoint, preview=True, limit=max(4 * top, 20))
    picked = [r for r in found.relatives if r.report is None and r.candidate.tier in CONFIRM_TIERS][:top]
    created = []
    for relative in picked:
        # The known relative first: "Base vs Newcomer", as an editor would ask.
        report, new = report_request(
            checkpoint_a=relative.checkpoint,
            checkpoint_b=checkpoint,
            methods=None,
            parameters=None,
            user=None,
            origin=FingerprintReport.Origin.RELATIVES,
            screening=screening_of(relative.candidate),
        )
        if new:
            created.append(report)
    return created
