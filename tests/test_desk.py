"""The editors' desk: its items, the right-of-reply deadline and its confirmation, the email digest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.errors import ProvenanceError
from claims.models import (
    Claim,
    DeskNotice,
    FingerprintReport,
    RightOfReply,
    SourceCapture,
    SourceSuggestion,
)
from claims.selectors import desk
from tests.factories import (
    ClaimFactory,
    EvidenceArtifactFactory,
    FingerprintReportFactory,
    PartyFactory,
    RightOfReplyFactory,
    SourceCaptureFactory,
    SourceSuggestionFactory,
    UserFactory,
    editor,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)
Outcome = RightOfReply.Outcome


def overdue_reply(**kwargs) -> RightOfReply:
    return RightOfReplyFactory(
        asked_on=TODAY - dt.timedelta(days=10), reply_by=TODAY - dt.timedelta(days=1), **kwargs
    )


def failed_report() -> FingerprintReport:
    return FingerprintReportFactory(
        status=FingerprintReport.Status.FAILED,
        finished_at=timezone.now(),
        error_message="The checkpoint folder is empty.\nCheck MODEL_STORE.",
    )


def relatives_suggestion() -> FingerprintReport:
    """A report the lineage search asked for, with its draft analysis evidence."""
    report = FingerprintReportFactory(
        origin=FingerprintReport.Origin.RELATIVES, screening={"verdict": "lineage_supported"}
    )
    EvidenceArtifactFactory(kind="analysis", report=report)
    return report


def stale_draft(days: int = 20) -> Claim:
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now() - dt.timedelta(days=days))
    return claim


def sections(**kwargs) -> dict[str, list[desk.AttentionItem]]:
    return {section.key: section.items for section in desk.editors_desk(today=TODAY, **kwargs)}


# -- Right of reply: the deadline, the suggestion, the confirmation --------------------------------


def test_a_pending_request_past_its_deadline_is_suggested_not_written():
    reply = overdue_reply()
    due_today = RightOfReplyFactory(asked_on=TODAY - dt.timedelta(days=3), reply_by=TODAY)
    RightOfReplyFactory(
        asked_on=TODAY - dt.timedelta(days=20),
        reply_by=TODAY - dt.timedelta(days=5),
        outcome=Outcome.DECLINED,
    )
    [item] = sections()["replies"]
    assert item.suggestion == "no response as of 30 November 2026"
    assert item.url == reverse("admin:claims_rightofreply_change", args=[reply.pk])
    assert item.action_url == reverse("admin:claims_rightofreply_confirm_no_response", args=[reply.pk])
    reply.refresh_from_db()
    assert reply.outcome == Outcome.PENDING and reply.outcome_on is None  # suggested only
    assert not due_today.is_overdue(TODAY) and due_today.is_overdue(TODAY + dt.timedelta(days=1))


def test_confirming_records_no_response_with_the_editor_in_the_history():
    reply, user = overdue_reply(), editor()
    services.reply_confirm_no_response(reply=reply, user=user, as_of=TODAY)
    reply.refresh_from_db()
    assert (reply.outcome, reply.outcome_on) == (Outcome.NO_RESPONSE, TODAY)
    entry = reply.history.first()
    assert entry.history_user == user and entry.history_change_reason.startswith(
        "No response as of 30 November 2026"
    )
    assert sections()["replies"] == []
    with pytest.raises(ProvenanceError, match="already recorded"):  # a second editor, a second click
        services.reply_confirm_no_response(reply=reply, user=user, as_of=TODAY)


@pytest.mark.parametrize(
    "reply_by, message", [(None, "has no deadline"), (TODAY, "has not passed")], ids=["none", "today"]
)
def test_confirming_is_refused_before_the_deadline_has_passed(reply_by, message):
    reply = RightOfReplyFactory(asked_on=TODAY - dt.timedelta(days=3), reply_by=reply_by)
    with pytest.raises(ProvenanceError, match=message):
        services.reply_confirm_no_response(reply=reply, user=None, as_of=TODAY)
    reply.refresh_from_db()
    assert reply.outcome == Outcome.PENDING


def test_a_deadline_before_the_request_is_refused():
    reply = RightOfReplyFactory.build(
        claim=ClaimFactory(), party=PartyFactory(), asked_on=TODAY, reply_by=TODAY - dt.timedelta(days=1)
    )
    with pytest.raises(Exception, match="deadline cannot be before the request"):
        reply.full_clean()


# -- The desk on the admin home ---------------------------------------------------------------------


def test_the_admin_home_shows_each_kind_of_item_linked_to_its_record(client):
    report, reply, draft = failed_report(), overdue_reply(), stale_draft()
    suggestion = SourceSuggestionFactory()
    capture = SourceCaptureFactory(
        status=SourceCapture.Status.FAILED, finished_at=timezone.now(), error="Host not found."
    )
    ClaimFactory()  # a fresh draft is not stale
    client.force_login(editor())
    page = client.get(reverse("admin:index")).content.decode()
    assert "Editors' desk: what needs attention" in page
    assert reverse("admin:claims_fingerprintreport_change", args=[report.pk]) in page
    assert "The checkpoint folder is empty." in page
    assert reverse("admin:claims_rightofreply_change", args=[reply.pk]) in page
    assert "Suggested: no response as of" in page
    assert reverse("admin:claims_rightofreply_confirm_no_response", args=[reply.pk]) in page
    assert reverse("admin:claims_claim_change", args=[draft.pk]) in page
    assert page.count("draft, unchanged for 20 days") == 1
    assert reverse("admin:claims_sourcesuggestion_change", args=[suggestion.pk]) in page
    assert reverse("admin:claims_evidenceartifact_change", args=[capture.evidence_id]) in page
    assert "Removed at source on" in page and "failed: Host not found." in page


def test_a_title_that_already_has_quotation_marks_is_not_quoted_twice(client):
    overdue_reply(claim=ClaimFactory(title="“We never trained on it”"))
    SourceSuggestionFactory(evidence__title="“Pangu’s weights”")
    plain = SourceSuggestionFactory(evidence__title="A plain title", kind="changed")
    client.force_login(editor())
    page = client.get(reverse("admin:index")).content.decode()
    assert "right of reply on “We never trained on it”" in page
    assert "““" not in page and "””" not in page
    assert "Removed at source on" in page and ": “Pangu’s weights”" in page
    assert f"{plain.sentence}: “A plain title”" in page


def test_the_confirm_button_records_the_outcome_through_the_service(client):
    reply = overdue_reply()
    client.force_login(editor())
    url = reverse("admin:claims_rightofreply_confirm_no_response", args=[reply.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "did not respond as of" in response.content.decode()
    reply.refresh_from_db()
    assert reply.outcome == Outcome.NO_RESPONSE and reply.outcome_on == timezone.localdate()


def test_staff_without_permissions_see_no_desk_and_cannot_confirm(client):
    reply = overdue_reply()
    client.force_login(UserFactory())  # staff, no group
    assert "Editors' desk" not in client.get(reverse("admin:index")).content.decode()
    response = client.post(reverse("admin:claims_rightofreply_confirm_no_response", args=[reply.pk]))
    assert response.status_code in (403, 404)
    reply.refresh_from_db()
    assert reply.outcome == Outcome.PENDING


# -- A source suggestion's own page: Confirm and Dismiss -------------------------------------------


def test_confirm_on_the_suggestion_page_applies_it_and_returns_to_the_page(client):
    suggestion = SourceSuggestionFactory()
    page_url = reverse("admin:claims_sourcesuggestion_change", args=[suggestion.pk])
    confirm_url = reverse("admin:claims_sourcesuggestion_confirm", args=[suggestion.pk])
    client.force_login(editor())
    page = client.get(page_url).content.decode()
    assert confirm_url in page
    assert reverse("admin:claims_sourcesuggestion_dismiss", args=[suggestion.pk]) in page
    assert client.get(confirm_url).status_code == 405
    response = client.post(confirm_url, follow=True)
    assert response.redirect_chain[-1][0] == page_url
    assert f"{suggestion.sentence}: confirmed." in response.content.decode()
    assert confirm_url not in response.content.decode()  # settled: no buttons
    suggestion.refresh_from_db()
    suggestion.evidence.refresh_from_db()
    assert suggestion.state == SourceSuggestion.State.CONFIRMED
    assert suggestion.evidence.removed_at_source


def test_dismiss_on_the_suggestion_page_leaves_the_record_alone(client):
    suggestion = SourceSuggestionFactory()
    client.force_login(editor())
    url = reverse("admin:claims_sourcesuggestion_dismiss", args=[suggestion.pk])
    assert "dismissed." in client.post(url, follow=True).content.decode()
    suggestion.refresh_from_db()
    suggestion.evidence.refresh_from_db()
    assert suggestion.state == SourceSuggestion.State.DISMISSED
    assert not suggestion.evidence.removed_at_source
    # Settled: a second decision is refused with the service's sentence, and changes nothing.
    again = client.post(reverse("admin:claims_sourcesuggestion_confirm", args=[suggestion.pk]), follow=True)
    assert "was already dismissed" in again.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.state == SourceSuggestion.State.DISMISSED


def test_a_reviewer_sees_no_buttons_on_a_suggestion_and_cannot_decide(client):
    suggestion = SourceSuggestionFactory()
    confirm_url = reverse("admin:claims_sourcesuggestion_confirm", args=[suggestion.pk])
    client.force_login(UserFactory(groups=["Reviewers"]))
    page = client.get(reverse("admin:claims_sourcesuggestion_change", args=[suggestion.pk]))
    assert page.status_code == 200 and confirm_url not in page.content.decode()
    assert client.post(confirm_url).status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.state == SourceSuggestion.State.OPEN


def test_the_stale_draft_age_is_a_setting(settings):
    draft = stale_draft(days=5)
    assert sections()["drafts"] == []
    settings.DESK_STALE_DRAFT_DAYS = 3
    assert [item.url for item in sections()["drafts"]] == [
        reverse("admin:claims_claim_change", args=[draft.pk])
    ]


def _populate(n: int) -> None:
    for _ in range(n):
        failed_report()
        relatives_suggestion()
        overdue_reply()
        stale_draft()
        SourceSuggestionFactory()
        SourceCaptureFactory(
            status=SourceCapture.Status.FAILED, finished_at=timezone.now(), error="Host not found."
        )


def test_the_desk_makes_the_same_number_of_queries_for_one_item_and_for_many(client):
    client.force_login(editor())
    _populate(1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("admin:index")).status_code == 200
    _populate(8)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("admin:index")).status_code == 200
    assert len(large) == len(small)
    assert [len(items) for items in sections().values()] == [18, 9, 9, 9, 9]


def test_a_section_shows_at_most_its_limit_and_says_there_is_more():
    _populate(3)
    for section in desk.editors_desk(today=TODAY, limit=2):
        assert len(section.items) == 2 and section.more


def test_another_provider_plugs_in_as_one_more_section(monkeypatch):
    def sources(*, today, limit):
        return [
            desk.AttentionItem(
                key="source-gone:7", title="Example page", url="/admin/x/", suggestion="removed"
            )
        ]

    provider = desk.AttentionProvider(key="more-sources", title="Somewhere else", items=sources)
    monkeypatch.setattr(desk, "PROVIDERS", [*desk.PROVIDERS, provider])
    assert [item.key for item in sections()["more-sources"]] == ["source-gone:7"]


# -- The email digest -------------------------------------------------------------------------------


def test_editors_get_each_new_item_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first, second = editor(email="ada@example.org"), editor(email="grace@example.org")
    editor(email="")  # no address: not emailed
    UserFactory(email="staff@example.org")  # not an editor
    failed_report()
    overdue_reply()

    result = services.desk_send_digest(base_url="https://provenance.example.org/", today=TODAY)
    assert (result.items, result.recipients) == (2, 2)
    assert sorted(m.to[0] for m in mail.outbox) == [first.email, second.email]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "[Provenance] 2 new items on the editors' desk"
    assert "https://provenance.example.org/admin/claims/fingerprintreport/" in body
    assert "Suggested: no response as of 30 November 2026" in body

    mail.outbox.clear()
    assert services.desk_send_digest(today=TODAY).items == 0  # nothing new: nothing sent
    assert mail.outbox == []
    stale_draft()
    assert services.desk_send_digest(today=TODAY).items == 1  # only the new one
    assert "draft, unchanged for 20 days" in mail.outbox[0].body
    assert "The checkpoint folder is empty" not in mail.outbox[0].body
    assert DeskNotice.objects.count() == 3


def test_a_digest_that_fails_to_send_is_sent_again_next_time(settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    editor(email="ada@example.org")
    failed_report()
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("the SMTP server is down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", refuse)
        with pytest.raises(ConnectionRefusedError):
            services.desk_send_digest(today=TODAY)
    assert DeskNotice.objects.count() == 0
    assert services.desk_send_digest(today=TODAY).items == 1 and len(mail.outbox) == 1


def test_the_command_and_the_beat_task_send_the_digest(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from claims.tasks import desk_digest

    assert settings.CELERY_BEAT_SCHEDULE["desk-digest"]["task"] == desk_digest.name
    editor(email="ada@example.org")
    failed_report()
    call_command("desk_digest")
    assert "1 new item(s) sent to 1 editor(s)." in capsys.readouterr().out
    overdue_reply()
    assert desk_digest() == {"items": 1, "recipients": 1}
    assert len(mail.outbox) == 2
