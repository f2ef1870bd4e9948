"""The admin's history "Revert" (claims/admin/base.py): a revert restores the fields the change form
edits, through the same service as a save; the editorial state (status, publication, retraction and
its note, a published slug) and what the pipeline computed stay as they are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Party
from claims.services import record_publish, record_retract, record_unpublish, record_update
from tests.factories import PartyFactory, UserFactory, editor
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db


def _history_url(record, version) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[record.pk, version.pk])


@pytest.fixture
def retracted_party():
    """A party named "First name" when published, renamed, then retracted with a note."""
    user = UserFactory(is_superuser=True, username="chief")
    party = PartyFactory(name="First name", slug="first-name")
    record_publish(record=party, user=user)
    record_update(record=Party.objects.get(pk=party.pk), data={"name": "Second name"}, user=user)
    record_retract(record=Party.objects.get(pk=party.pk), user=user, note="We got the name wrong.")
    return Party.objects.get(pk=party.pk)


def test_the_revert_form_of_a_published_version_opens(client, retracted_party):
    client.force_login(editor(username="ada"))
    for version in retracted_party.history.all():
        response = client.get(_history_url(retracted_party, version))
        assert response.status_code == 200, version.history_change_reason


@pytest.mark.parametrize("version", ["created as a draft", "published"])
def test_reverting_a_retracted_record_restores_its_fields_and_keeps_the_retraction(
    client, retracted_party, version
):
    client.force_login(editor(username="ada"))
    versions = retracted_party.history.order_by("history_date", "history_id")
    first = (
        versions.first()
        if version == "created as a draft"
        else versions.get(history_change_reason="Published")
    )
    url = _history_url(retracted_party, first)
    data = form_data(client.get(url))
    assert data["name"] == "First name"
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]

    party = Party.objects.get(pk=retracted_party.pk)
    assert party.name == "First name"  # the content is reverted ...
    assert party.status == Party.Status.RETRACTED  # ... the retraction is not
    assert party.retraction_note == "We got the name wrong."
    assert party.retracted_at == retracted_party.retracted_at
    assert party.published_at == retracted_party.published_at
    latest = party.history.first()
    assert latest.history_user.username == "ada" and "Reverted" in latest.history_change_reason
    # Readers see the reverted name, with the retraction note (a read through the services' bump).
    page = client.__class__().get(party.get_absolute_url()).content.decode()
    assert "First name" in page and "We got the name wrong." in page


def test_a_draft_reverted_to_a_version_that_was_published_stays_a_draft(client):
    user = UserFactory(is_superuser=True, username="chief")
    party = PartyFactory(name="Old name", slug="old-name")
    record_publish(record=party, user=user)
    record_unpublish(record=Party.objects.get(pk=party.pk), user=user)
    record_update(record=Party.objects.get(pk=party.pk), data={"name": "New name"}, user=user)
    client.force_login(editor(username="ada"))
    published = party.history.filter(history_change_reason="Published").get()
    url = _history_url(party, published)
    assert client.post(url, form_data(client.get(url))).status_code == 302
    party = Party.objects.get(pk=party.pk)
    assert party.name == "Old name" and party.status == Party.Status.DRAFT and party.published_at is None
