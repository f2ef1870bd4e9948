"""An editor's own API token, from their admin page: created and shown once, used by the API, revoked;
never anyone else's, never made by a GET."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import services
from claims.errors import ProvenanceError
from tests.factories import PartyFactory, UserFactory, editor

pytestmark = pytest.mark.django_db

URL = "/admin/account/token/"


def api_get(path: str, key: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(path)


def test_the_page_lives_at_its_address_and_is_linked_from_the_user_tools(client):
    assert reverse("admin:account_token") == URL
    client.force_login(editor())
    assert f'href="{URL}"' in client.get(reverse("admin:index")).content.decode()


def test_create_shows_the_key_once_and_the_key_authenticates_api_requests(client):
    ada = editor()
    draft = PartyFactory()  # a draft: only an editor's request sees it
    client.force_login(ada)
    response = client.post(URL, {"action": "create"})
    key = Token.objects.get(user=ada).key
    assert response.status_code == 200 and key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    again = client.get(URL).content.decode()
    assert key not in again and "You have an API token" in again
    detail = f"/api/v1/parties/{draft.slug}/"
    assert api_get(detail, key).status_code == 200
    assert APIClient().get(detail).status_code == 404


def test_creating_again_replaces_the_old_key(client):
    ada = editor()
    client.force_login(ada)
    client.post(URL, {"action": "create"})
    old = Token.objects.get(user=ada).key
    client.post(URL, {"action": "create"})
    assert Token.objects.get(user=ada).key != old
    assert api_get("/api/v1/parties/", old).status_code == 401


def test_revoke_makes_the_key_refused(client):
    ada = editor()
    client.force_login(ada)
    client.post(URL, {"action": "create"})
    key = Token.objects.get(user=ada).key
    response = client.post(URL, {"action": "revoke"}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "Your API token is revoked" in response.content.decode()
    assert "You have no API token." in response.content.decode()
    assert not Token.objects.filter(user=ada).exists()
    assert api_get("/api/v1/parties/", key).status_code == 401


def test_another_user_cannot_revoke_yours(client):
    ada, bob = editor(), editor()
    key = services.account_token_create(user=ada)
    client.force_login(bob)
    client.post(URL, {"action": "revoke"})
    assert Token.objects.filter(user=ada, key=key).exists()
    assert api_get("/api/v1/parties/", key).status_code == 200


def test_a_get_never_creates_a_token(client):
    ada = editor()
    client.force_login(ada)
    page = client.get(URL, {"action": "create"}).content.decode()
    assert "You have no API token." in page
    assert not Token.objects.exists()


def test_anonymous_visitors_go_to_the_login_page_and_non_staff_too(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert client.post(URL, {"action": "create"}).status_code == 302
    client.force_login(UserFactory(is_staff=False))
    assert client.post(URL, {"action": "create"}).status_code == 302
    assert not Token.objects.exists()


def test_creating_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor())
    assert client.post(URL, {"action": "create"}).status_code == 403
    assert not Token.objects.exists()


def test_an_unknown_action_is_refused(client):
    client.force_login(editor())
    assert client.post(URL, {"action": "delete-everything"}).status_code == 400


def test_ones_own_user_page_links_to_the_token_page(client, admin_user):
    client.force_login(admin_user)
    own = client.get(reverse("admin:auth_user_change", args=[admin_user.pk])).content.decode()
    assert "Your API token" in own
    other = client.get(reverse("admin:auth_user_change", args=[editor().pk])).content.decode()
    assert "Your API token" not in other


def test_an_inactive_account_gets_no_token():
    with pytest.raises(ProvenanceError, match="inactive"):
        services.account_token_create(user=editor(is_active=False))
