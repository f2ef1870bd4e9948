"""Every public write bumps the content version (claims/services/content.py), so no cached page,
fragment or validator outlives a change: the services are ``@public_write``, and a new service is
either one too or named below as writing nothing readers see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims import services
from claims.models import Claim, ContentVersion, Dispute, FingerprintReport, Party
from claims.services.content import public_write
from tests import factories as f

pytestmark = pytest.mark.django_db

# Services that write nothing a public page, feed or API read shows (or nothing at all).
NOT_PUBLIC = {
    "account_create": "an account is no public content (its byline is: account_set_byline)",
    "account_token_create": "an editor's API token is no public content",
    "account_token_revoke": "an editor's API token is no public content",
    "checkpoint_preview": "reads a hub; writes nothing",
    "checkpoint_validate": "reads the headers; writes nothing",
    "content_changed": "the bump itself",
    "fingerprints_forget": "the engine's cache; finished reports keep their own numbers",
    "relatives_entry_write": "the lineage index; a reader sees a relative only once its report is published",
    "relatives_index_put": "the lineage index; a reader sees a relative only once its report is published",
    "relatives_index_rebuild": "the lineage index; a reader sees a relative only once its report is published",
    "desk_send_digest": "the editors' email; the desk is not public",
    "report_draw_charts": "draws what the report already says; bumps the version itself, with the worker",
    "suggestion_dismiss": "an editor's decision on the desk; the record is unchanged",
}


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 3600


def version() -> int:
    return ContentVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def test_every_service_is_a_public_write_or_says_why_it_is_not():
    for name in services.__all__:
        service = getattr(services, name)
        if name in NOT_PUBLIC:
            assert not getattr(service, "public_write", False), (
                f"{name} is a public write: drop it from NOT_PUBLIC"
            )
        else:
            assert getattr(service, "public_write", False), (
                f"{name}: decorate it @public_write, or list it here"
            )


def test_a_public_write_bumps_once_even_when_it_calls_others_and_not_when_it_fails():
    @public_write
    def outer():
        inner()

    @public_write
    def inner():
        pass

    @public_write
    def failing():
        raise ValidationError("no")

    before = version()
    outer()
    assert version() == before + 1
    with pytest.raises(ValidationError):
        failing()
    assert version() == before + 1


def test_the_public_write_services_change_the_content_version():
    editor = f.editor()
    party = f.PartyFactory(published=True)
    dispute = f.DisputeFactory(published=True)
    claim = f.ClaimFactory(dispute=dispute, claimant=party)
    link = f.EvidenceLinkFactory(claim=claim, evidence=f.EvidenceArtifactFactory(published=True))
    report = f.FingerprintReportFactory(
        status=FingerprintReport.Status.FAILED, finished_at=timezone.now(), error_message="Worker lost."
    )
    reply = f.RightOfReplyFactory(
        claim=claim, party=party, asked_on=dt.date(2025, 1, 1), reply_by=dt.date(2025, 1, 10)
    )
    suggestion = f.SourceSuggestionFactory()
    evidence = f.EvidenceArtifactFactory(published=True, url="https://example.org/a")
    calls = {
        "record_create": lambda: services.record_create(
            model=Party, data={"name": "New", "slug": "new", "kind": "lab"}, user=editor
        ),
        "record_update": lambda: services.record_update(record=party, data={"name": "Renamed"}, user=editor),
        "record_save": lambda: services.record_save(record=party, user=editor),
        "record_publish": lambda: services.record_publish(record=claim, user=editor),
        "record_unpublish": lambda: services.record_unpublish(
            record=Claim.objects.get(pk=claim.pk), user=editor
        ),
        "record_retract": lambda: services.record_retract(record=dispute, user=editor, note="Wrong."),
        "record_delete": lambda: services.record_delete(record=link, user=editor),
        "records_delete": lambda: services.records_delete(records=[], user=editor),
        "dispute_save": lambda: services.dispute_save(
            dispute=None, data={"title": "D", "slug": "d"}, user=editor
        ),
        "dispute_set_roles": lambda: services.dispute_set_roles(
            dispute=Dispute.objects.get(slug="d"), roles=[{"party": party, "role": "accuser"}], user=editor
        ),
        "reply_confirm_no_response": lambda: services.reply_confirm_no_response(reply=reply, user=editor),
        "report_retry": lambda: services.report_retry(report=report, enqueue=False),
        "suggestion_confirm": lambda: services.suggestion_confirm(suggestion=suggestion, user=editor),
        "capture_request": lambda: services.capture_request(evidence=evidence, user=editor),
        "account_set_byline": lambda: services.account_set_byline(user=editor, byline="A. Editor"),
        "checkpoint_record_inspection": lambda: services.checkpoint_record_inspection(
            checkpoint=report.checkpoint_a, inspection={}, reason="read"
        ),
    }
    for name, call in calls.items():
        before = version()
        with transaction.atomic():
            call()
        assert version() > before, name
