"""Deleting in the admin goes through the services (claims/admin/base.py): the delete view and
"delete selected" bump the public content version, so no kept page, API read or export shows the
deleted row afterwards (claims/presentation/http_cache.py keys every kept copy by that version)."""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from claims.models import EvidenceLink, Party
from claims.services import content_changed
from tests.factories import (
    ClaimFactory,
    EvidenceArtifactFactory,
    EvidenceLinkFactory,
    PartyFactory,
    UserFactory,
    editor,
)

pytestmark = pytest.mark.django_db


def _read(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_link_deleted_in_the_admins_delete_view_leaves_the_kept_pages_the_api_and_the_export(
    client, settings
):
    settings.PAGE_CACHE_SECONDS = 3600  # readers' copies kept, as in production
    claim = ClaimFactory(published=True, dispute__published=True, claimant__published=True)
    evidence = EvidenceArtifactFactory(published=True, title="The deleted link's paper")
    link = EvidenceLinkFactory(claim=claim, evidence=evidence, note="LINK-NOTE-TO-DELETE")
    content_changed()  # the factories write around the services
    reader = client.__class__()
    urls = [claim.get_absolute_url(), reverse("api:evidencelink-list"), reverse("api:export")]
    for url in urls:  # kept for the next reader
        assert "LINK-NOTE-TO-DELETE" in _read(reader, url), url

    client.force_login(editor(username="ada"))
    delete = reverse("admin:claims_evidencelink_delete", args=[link.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()

    for url in urls:
        body = _read(reader, url)
        assert "LINK-NOTE-TO-DELETE" not in body, url


def test_parties_deleted_with_delete_selected_leave_the_kept_pages_the_api_and_the_export(client, settings):
    settings.PAGE_CACHE_SECONDS = 3600
    doomed = [PartyFactory(published=True, name=f"Deleted Party {i}") for i in range(2)]
    PartyFactory(published=True, name="Kept Party")
    content_changed()
    reader = client.__class__()
    urls = [reverse("claims:party-list"), reverse("api:party-list"), reverse("api:export")]
    for url in urls:
        assert "Deleted Party 1" in _read(reader, url)

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:claims_party_changelist"),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [p.pk for p in doomed], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Party.objects.filter(pk__in=[p.pk for p in doomed]).exists()

    for url in urls:
        body = _read(reader, url)
        assert "Deleted Party" not in body and "Kept Party" in body, url


def _version() -> int:
    from claims.models import ContentVersion

    return ContentVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def test_an_account_deleted_in_the_admin_keeps_its_history_and_makes_the_pages_that_named_it_stale(client):
    from django.contrib.auth.models import User

    from claims.models import EditorProfile

    ada = editor(username="ada")
    EditorProfile.objects.create(user=ada, byline="Ada Lovelace, data desk")
    party = PartyFactory(name="Reuters")
    party.name = "Reuters Ltd"
    party._history_user = ada
    party.save()
    before = _version()

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.post(reverse("admin:auth_user_delete", args=[ada.pk]), {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=ada.pk).exists() and not EditorProfile.objects.exists()
    assert party.history.latest().history_user is None  # the change stays, unsigned ("an editor")
    assert _version() > before  # the change log's bylines are public: kept pages are stale


def test_kept_fingerprints_deleted_in_the_admin_go_and_public_pages_stay_kept(client):
    from claims.models import ModelFingerprint
    from tests.factories import ModelFingerprintFactory

    doomed = [ModelFingerprintFactory() for _ in range(2)]
    kept = ModelFingerprintFactory()
    before = _version()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:claims_modelfingerprint_changelist"),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [f.pk for f in doomed], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(ModelFingerprint.objects.values_list("pk", flat=True)) == [kept.pk]
    one = reverse("admin:claims_modelfingerprint_delete", args=[kept.pk])
    assert client.post(one, {"post": "yes"}).status_code == 302
    assert not ModelFingerprint.objects.exists()
    assert _version() == before  # the engine's cache is no public content
