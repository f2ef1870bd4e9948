"""The assessment change log readers will see on a claim's page."""

from __future__ import annotations

import pytest

from claims.selectors import claim_assessment_log
from tests.factories import ClaimFactory, editor

pytestmark = pytest.mark.django_db


def _save(claim, user, reason, **values):
    for name, value in values.items():
        setattr(claim, name, value)
    claim._history_user, claim._change_reason = user, reason
    claim.save()


def test_the_log_lists_who_changed_the_assessment_when_and_why():
    grace = editor(username="grace", first_name="Grace", last_name="Hopper")
    claim = ClaimFactory()
    _save(claim, grace, "typo", title="Fixed title")  # not an assessment change
    _save(claim, grace, "the developer denied it", assessment="contested", assessment_rationale="Denied.")
    _save(claim, grace, "retracted paper", assessment="refuted", assessment_rationale="Paper withdrawn.")

    log = claim_assessment_log(claim=claim)
    assert [(c.old, c.new) for c in log] == [
        (None, "unverified"),
        ("unverified", "contested"),
        ("contested", "refuted"),
    ]
    assert (log[1].changed_by, log[1].reason, log[1].rationale) == (
        "Grace Hopper",
        "the developer denied it",
        "Denied.",
    )
    assert log[1].changed_at <= log[2].changed_at
