"""Rights of reply: recording that a party let the deadline pass without answering.

The editors' desk (``claims.selectors.desk``) *suggests* "no response as of <date>" for a request
still pending after its ``reply_by`` deadline; nothing is written until an editor confirms it here.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from claims.errors import ProvenanceError
from claims.models import RightOfReply
from claims.models.base import format_date
from claims.services.content import public_write
from claims.services.records import record_save

Outcome = RightOfReply.Outcome


@public_write
@transaction.atomic
def reply_confirm_no_response(
    *, reply: RightOfReply, user: AbstractBaseUser | None, as_of: dt.date | None = None
) -> RightOfReply:
    """Record "no response as of ``as_of``" (default: today) on a request whose deadline has passed.

    Refused (``ProvenanceError``, nothing written) when the request is no longer pending (an answer
    came in meanwhile, or another editor confirmed first), has no deadline, or its deadline is not
    past on ``as_of``. The history entry names the editor and says why.
    """
    today = timezone.localdate()
    as_of = as_of or today
    current = RightOfReply.objects.select_for_update().get(pk=reply.pk)
    if current.outcome != Outcome.PENDING:
        raise ProvenanceError(
            f"The request to {current.party} is already recorded as “{current.get_outcome_display()}”."
        )
    if current.reply_by is None:
        raise ProvenanceError(f"The request to {current.party} has no deadline: set “reply by” first.")
    if not current.is_overdue(as_of):
        raise ProvenanceError(
            f"The deadline for {current.party} ({current.reply_by:%Y-%m-%d}) has not passed on {as_of:%Y-%m-%d}."
        )
    current.outcome = Outcome.NO_RESPONSE
    current.outcome_on = as_of
    reason = (
        f"No response as of {format_date(as_of, 'day')} (deadline {format_date(current.reply_by, 'day')})"
    )
    return record_save(record=current, user=user, reason=reason)
