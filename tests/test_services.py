"""Writing records through the services: create and update with history and validation; publishing,
unpublishing and retracting."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from claims import services
from claims.errors import ProvenanceError
from claims.models import Dispute
from tests.factories import AIModelFactory, ClaimFactory, PartyFactory, editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return editor(username="grace")


def test_publishing_a_draft_records_who_and_when(user):
    party = services.record_publish(record=PartyFactory(), user=user)
    assert (party.status, party.published_by) == ("published", user)
    history = party.history.latest()
    assert (history.history_user, history.history_change_reason) == (user, "Published")


def test_publishing_twice_is_refused(user):
    party = PartyFactory(published=True)
    with pytest.raises(ProvenanceError, match="only a draft can be published"):
        services.record_publish(record=party, user=user)


def test_a_claim_is_published_only_after_what_it_refers_to(user):
    claim = ClaimFactory()
    with pytest.raises(ProvenanceError, match="first"):
        services.record_publish(record=claim, user=user)
    for record in (claim.dispute, claim.claimant):
        services.record_publish(record=record, user=user)
    assert services.record_publish(record=claim, user=user).status == "published"


def test_retracting_keeps_the_record_public_with_its_note(user):
    party = PartyFactory(published=True)
    retracted = services.record_retract(record=party, user=user, note="Misidentified.")
    assert (retracted.status, retracted.retracted_by, retracted.retraction_note) == (
        "retracted",
        user,
        "Misidentified.",
    )
    assert retracted.retracted_at is not None and retracted.is_public
    assert type(party).objects.public().filter(pk=party.pk).exists()
    assert retracted.history.latest().history_change_reason == "Retracted: Misidentified."


@pytest.mark.parametrize("note", ["", "   ", None])
def test_a_retraction_needs_a_note(user, note):
    party = PartyFactory(published=True)
    with pytest.raises(ProvenanceError, match="retraction note"):
        services.record_retract(record=party, user=user, note=note)
    party.refresh_from_db()
    assert party.status == "published"


def test_a_draft_cannot_be_retracted(user):
    with pytest.raises(ProvenanceError, match="only a published record can be retracted"):
        services.record_retract(record=PartyFactory(), user=user, note="x")


def test_a_retraction_stands(user):
    party = services.record_retract(record=PartyFactory(published=True), user=user, note="Wrong.")
    for service in (services.record_publish, services.record_unpublish):
        with pytest.raises(ProvenanceError):
            service(record=party, user=user)


def test_unpublishing_returns_to_draft_and_hides_the_record(user):
    party = services.record_unpublish(record=PartyFactory(published=True), user=user)
    assert (party.status, party.published_at, party.published_by) == ("draft", None, None)
    assert not type(party).objects.public().filter(pk=party.pk).exists()


def test_a_draft_cannot_be_unpublished(user):
    with pytest.raises(ProvenanceError, match="only a published record can be unpublished"):
        services.record_unpublish(record=PartyFactory(), user=user)


def test_services_take_keyword_arguments_only(user):
    with pytest.raises(TypeError):
        services.record_publish(PartyFactory(), user)  # type: ignore[misc]


def test_an_update_is_validated_and_saved_with_history(user):
    party = PartyFactory(name="Huawei")
    updated = services.record_update(record=party, data={"name": "Huawei Ltd"}, user=user, reason="renamed")
    latest = updated.history.latest()
    assert (latest.name, latest.history_user, latest.history_change_reason) == ("Huawei Ltd", user, "renamed")
    with pytest.raises(ValidationError) as refused:
        services.record_update(record=party, data={"website": "not a url"}, user=user)
    assert list(refused.value.message_dict) == ["website"]
    assert type(party).objects.get(pk=party.pk).website == ""


def test_the_slug_of_a_published_record_is_fixed_and_a_drafts_is_not(user):
    draft = services.record_update(record=PartyFactory(), data={"slug": "better"}, user=user)
    assert type(draft).objects.get(pk=draft.pk).slug == "better"
    published = PartyFactory(published=True)
    with pytest.raises(ValidationError) as refused:
        services.record_update(record=published, data={"slug": "renamed"}, user=user)
    assert "cannot change" in refused.value.message_dict["slug"][0]


def test_a_record_is_created_with_its_many_to_many_sets(user):
    model = AIModelFactory()
    dispute = services.record_create(
        model=Dispute, data={"slug": "case", "title": "Case"}, m2m={"models_at_stake": [model]}, user=user
    )
    assert dispute.status == "draft" and list(dispute.models_at_stake.all()) == [model]
    assert {h.history_user for h in dispute.history.all()} == {user}


def test_get_or_create_returns_the_existing_row_or_creates_one_with_history(user):
    from claims.models import Party

    existing = PartyFactory(slug="acme")
    found, created = services.record_get_or_create(
        model=Party, lookup={"slug": "acme"}, defaults={"name": "Other"}, user=user
    )
    assert (found, created) == (existing, False) and found.name == existing.name
    party, created = services.record_get_or_create(
        model=Party,
        lookup={"slug": "new-lab"},
        defaults={"name": "New lab", "kind": Party.Kind.ORGANISATION},
        user=user,
        reason="Registered by a command",
    )
    assert created and party.pk and party.history.latest().history_change_reason == "Registered by a command"


def test_publish_requirements_orders_each_draft_after_what_it_needs(user):
    """A claim's source is a draft paper by a draft author: the author before the paper, the paper
    before the claim; a published claimant is not listed; the whole set publishes in one call."""
    from claims.services import record_publish_with_requirements
    from claims.services.records import publish_requirements
    from tests.factories import ClaimFactory, EvidenceArtifactFactory, PartyFactory

    author = PartyFactory(name="Draft author")
    paper = EvidenceArtifactFactory(title="Draft paper", author=author)
    claim = ClaimFactory(title="A claim", source=paper, claimant=PartyFactory(published=True))
    needed = publish_requirements(claim)
    assert needed.index(author) < needed.index(paper)
    assert set(needed) == {claim.dispute, author, paper}
    published = record_publish_with_requirements(record=claim, user=user)
    assert published[-1] == claim and set(published) == {claim, claim.dispute, author, paper}
    claim.refresh_from_db()
    assert claim.is_public
