"""The assessment change log readers will see on a claim's page: who (the editor's public byline,
never the user name), when, and why (only a reason an editor wrote for readers)."""

from __future__ import annotations

import pytest

from claims import services
from claims.models import EditorProfile
from claims.selectors import claim_assessment_log
from tests.factories import ClaimFactory, editor

pytestmark = pytest.mark.django_db


def _save(claim, user, reason, *, reason_public=True, **values):
    """A change as the admin saves it (``reason_public``: typed in "Reason for this change")."""
    for name, value in values.items():
        setattr(claim, name, value)
    services.record_save(record=claim, user=user, reason=reason, reason_public=reason_public)


def test_the_log_lists_who_changed_the_assessment_when_and_why():
    grace = editor(username="grace", first_name="Grace", last_name="Hopper")
    EditorProfile.objects.create(user=grace, byline="Grace Hopper, data desk")
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
        "Grace Hopper, data desk",
        "the developer denied it",
        "Denied.",
    )
    assert log[1].changed_at <= log[2].changed_at


def test_an_editor_without_a_byline_is_an_editor_and_never_their_user_name():
    ada = editor(username="ada.l", first_name="Ada", last_name="Lovelace")
    claim = ClaimFactory()
    _save(claim, ada, "new evidence", assessment="supported", assessment_rationale="Recomputed.")
    blank = editor(username="blank")
    EditorProfile.objects.create(user=blank, byline="  ")
    _save(claim, blank, "second look", assessment="contested", assessment_rationale="Denied.")
    assert [c.changed_by for c in claim_assessment_log(claim=claim)[1:]] == ["an editor", "an editor"]


def test_reasons_written_by_code_are_internal():
    """The demo loader's, the publishing transitions' and any reason a caller does not mark as
    written for readers stay in the admin's history; readers get none."""
    grace = editor(username="grace")
    claim = ClaimFactory(assessment="unverified")
    why = {"assessment_rationale": "Because."}
    _save(claim, None, "load_demo: the founding dispute", reason_public=False, assessment="contested", **why)
    _save(claim, grace, "internal: ask legal first", reason_public=False, assessment="refuted", **why)
    _save(claim, grace, "", assessment="supported", **why)  # no reason: the row's last one is not made public
    log = claim_assessment_log(claim=claim)
    assert [(c.new, c.changed_by, c.reason) for c in log[1:]] == [
        ("contested", "", ""),
        ("refuted", "an editor", ""),
        ("supported", "an editor", ""),
    ]
    assert claim.history.filter(history_change_reason="internal: ask legal first").exists()
