"""One rule for who may see drafts (``claims.models.visibility.can_view_drafts``), used by the site's
previews and the API's editor reads alike: an account the site refuses is refused by the API too,
whether it signs in with a session or a token."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db

DRAFT = "draft-claim-rule"


def _accounts() -> dict:
    """Each persona: (user, whether it may see drafts). All but the first hold the Editors group's
    view permissions; the site has always refused the inactive and the non-staff ones."""
    return {
        "active staff editor": (f.editor(username="staff-editor"), True),
        "non-staff account with view permission": (f.editor(username="reviewer", is_staff=False), False),
        "inactive staff editor": (f.editor(username="former-editor", is_active=False), False),
        "staff account without view permission": (f.UserFactory(username="staff-no-perm"), False),
    }


def _session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_site_and_the_api_agree_on_who_sees_drafts_with_session_and_token():
    assert Group.objects.filter(name="Editors").exists()
    draft = f.ClaimFactory(slug=DRAFT, title="A draft claim", dispute=f.DisputeFactory(published=True))
    assert draft.status == "draft"
    for persona, (user, allowed) in _accounts().items():
        session = _session(user)
        site = session.get(f"/claims/{DRAFT}/").status_code
        api_session = session.get(f"/api/v1/claims/{DRAFT}/").status_code
        api_token = _token(user).get(f"/api/v1/claims/{DRAFT}/").status_code
        listed = DRAFT in _token(user).get("/api/v1/claims/?page_size=200").content.decode()
        if allowed:
            assert (site, api_session, api_token, listed) == (200, 200, 200, True), persona
        else:
            assert site == 404, persona
            # Refused by the API too: not found, or (an inactive token) not signed in at all.
            assert api_session == 404, (persona, api_session)
            assert api_token in (401, 404), (persona, api_token)
            assert not listed, persona
