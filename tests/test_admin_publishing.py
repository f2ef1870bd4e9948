"""Editors' tools in the admin: publish, unpublish and retract as buttons on a record's change form
(the same services and confirmations as the list actions: retracting asks for the note; the refusal
sentence shown when publishing is refused; nothing for staff without the publish permission), and
an editor's public byline on the user page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User

from claims import models as m
from claims.models import EditorProfile
from claims.models.accounts import byline_of
from tests.factories import ClaimFactory, PartyFactory, UserFactory, editor
from tests.test_admin import form_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.user = editor(username="ada")
    client.force_login(client.user)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_change_form_of_a_draft_offers_publish_and_publishing_records_who(editor_client):
    party = PartyFactory(name="Reuters")
    form = editor_client.get(url(m.Party, "change", party.pk)).content.decode()
    publish_url = url(m.Party, "publish", party.pk)
    assert f'action="{publish_url}"' in form and 'value="Publish"' in form
    assert url(m.Party, "retract", party.pk) not in form  # only a published record can be retracted

    response = editor_client.post(publish_url, follow=True)
    assert response.redirect_chain == [(url(m.Party, "change", party.pk), 302)]
    assert messages_of(response) == ["1 record(s) published."]
    party.refresh_from_db()
    assert (party.status, party.published_by) == ("published", editor_client.user)
    page = response.content.decode()
    assert 'value="Unpublish (back to draft)"' in page and url(m.Party, "retract", party.pk) in page


def test_a_refused_publish_shows_the_services_sentence_on_the_change_form(editor_client):
    claim = ClaimFactory(title="The weights match")  # its dispute and claimant are drafts
    response = editor_client.post(url(m.Claim, "publish", claim.pk), follow=True)
    assert response.redirect_chain == [(url(m.Claim, "change", claim.pk), 302)]
    (message,) = messages_of(response)
    assert (
        message.startswith("“The weights match”: Publish “")
        and "first: “The weights match” refers to them." in message  # two records: them
    )
    assert f"“{claim.dispute}” (dispute) and “{claim.claimant}” (party)" in message
    # Each needed draft is linked, and the offer to publish them all with it.
    assert f'<a href="{url(m.Dispute, "change", claim.dispute.pk)}">{claim.dispute}</a> (dispute)' in message
    assert f'<a href="{url(m.Party, "change", claim.claimant.pk)}">{claim.claimant}</a> (party)' in message
    offer = url(m.Claim, "publish_with_requirements", claim.pk)
    assert f'<a href="{offer}">Publish it with the 2 records it needs…</a>' in message
    claim.refresh_from_db()
    assert claim.status == "draft"


def test_one_missing_record_is_named_in_the_singular(editor_client):
    claim = ClaimFactory(title="The weights match", dispute__published=True)
    (message,) = messages_of(editor_client.post(url(m.Claim, "publish", claim.pk), follow=True))
    assert f"Publish “{claim.claimant}” (party) first: “The weights match” refers to it." in message
    assert "Publish it with the 1 record it needs…" in message


def test_publishing_with_requirements_lists_them_then_publishes_all_in_order_or_none(editor_client):
    party = PartyFactory(name="Example Accuser")
    claim = ClaimFactory(title="The weights match", claimant=party)
    dispute = claim.dispute
    page = editor_client.get(url(m.Claim, "publish_with_requirements", claim.pk)).content.decode()
    assert f'<a href="{url(m.Dispute, "change", dispute.pk)}">{dispute}</a> (dispute, draft)' in page
    assert 'value="Publish 3 records"' in page
    response = editor_client.post(url(m.Claim, "publish_with_requirements", claim.pk), follow=True)
    assert messages_of(response) == ["3 records published."]
    for record in (claim, party, dispute):
        record.refresh_from_db()
        assert record.status == "published" and record.published_by == editor_client.user


def test_publishing_with_requirements_needs_the_permission_for_every_kind(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_claim", "change_claim", "publish_claim"])
    )
    client.force_login(user)
    claim = ClaimFactory()
    page = client.get(url(m.Claim, "publish_with_requirements", claim.pk)).content.decode()
    assert "You may not publish disputes, parties: ask an editor who may." in page
    client.post(url(m.Claim, "publish_with_requirements", claim.pk))
    claim.refresh_from_db()
    assert claim.status == "draft"


def test_unpublish_returns_the_record_to_draft(editor_client):
    party = PartyFactory(published=True)
    response = editor_client.post(url(m.Party, "unpublish", party.pk), follow=True)
    assert messages_of(response) == ["1 record(s) unpublished."]
    party.refresh_from_db()
    assert (party.status, party.published_at) == ("draft", None)


def test_retract_asks_for_the_note_then_retracts_and_returns_to_the_form(editor_client):
    claim = ClaimFactory(published=True)
    retract_url = url(m.Claim, "retract", claim.pk)
    page = editor_client.get(retract_url)
    assert page.status_code == 200 and "Retraction note" in page.content.decode()
    assert f'href="{url(m.Claim, "change", claim.pk)}"' in page.content.decode()  # cancel: back to it

    empty = editor_client.post(retract_url, {"apply": "1", "note": "  "})
    assert empty.status_code == 200 and empty.context["form"].errors
    claim.refresh_from_db()
    assert claim.status == "published"

    done = editor_client.post(retract_url, {"apply": "1", "note": "The source was forged."}, follow=True)
    assert done.redirect_chain == [(url(m.Claim, "change", claim.pk), 302)]
    assert messages_of(done) == ["1 record(s) retracted."]
    claim.refresh_from_db()
    assert (claim.status, claim.retracted_by, claim.retraction_note) == (
        "retracted",
        editor_client.user,
        "The source was forged.",
    )


def test_publishing_buttons_only_answer_a_post(editor_client):
    party = PartyFactory()
    assert editor_client.get(url(m.Party, "publish", party.pk)).status_code == 405
    party.refresh_from_db()
    assert party.status == "draft"


def test_staff_without_the_publish_permission_gets_no_buttons_and_a_403(client):
    user = UserFactory(username="writer")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_party", "change_party"]))
    client.force_login(user)
    party = PartyFactory()
    form = client.get(url(m.Party, "change", party.pk)).content.decode()
    assert url(m.Party, "publish", party.pk) not in form
    assert client.post(url(m.Party, "publish", party.pk)).status_code == 403
    assert client.get(url(m.Party, "retract", party.pk)).status_code == 403
    party.refresh_from_db()
    assert party.status == "draft"


def test_an_operator_sets_an_editors_public_byline_on_the_user_page(client, editor_client):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "a-long-test-password"))
    page = client.get(url(User, "change", editor_client.user.pk))
    assert 'name="editor_profile-0-byline"' in page.content.decode()
    data = form_data(page)
    joined = editor_client.user.date_joined
    data.pop("date_joined", None)
    data.update({"date_joined_0": f"{joined:%Y-%m-%d}", "date_joined_1": f"{joined:%H:%M:%S}"})
    data["editor_profile-0-byline"] = "Ada Lovelace, data desk"
    from claims.models import ContentVersion

    before = ContentVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    response = client.post(url(User, "change", editor_client.user.pk), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert EditorProfile.objects.get(user=editor_client.user).byline == "Ada Lovelace, data desk"
    assert byline_of(User.objects.get(pk=editor_client.user.pk)) == "Ada Lovelace, data desk"
    # Cached public pages that name editors (the change log) are made stale, as by any write.
    assert ContentVersion.objects.get(pk=1).version > before


def test_publishing_shows_in_recent_actions_and_the_header_names_the_site(editor_client):
    from django.contrib.admin.models import LogEntry

    party = PartyFactory(name="Reuters")
    editor_client.post(url(m.Party, "publish", party.pk))
    entry = LogEntry.objects.get(object_id=str(party.pk))
    assert entry.get_change_message() == "Published" and entry.user == editor_client.user
    home = editor_client.get("/admin/").content.decode()
    assert "Provenance — editors&#x27; desk" in home or "Provenance — editors' desk" in home
    recent = home[home.index('id="recent-actions-module"') :]
    assert "Reuters" in recent  # the Recent actions box lists the publish


def test_the_evidence_form_leads_with_title_kind_and_url(editor_client):
    form = editor_client.get(url(m.EvidenceArtifact, "add")).content.decode()
    positions = [
        form.index(f'name="{name}"') for name in ("title", "kind", "url", "slug", "original_language")
    ]
    assert positions == sorted(positions)
