"""The permission matrix: every endpoint and operation, for the four personas.

anonymous → 401 (with WWW-Authenticate) on writes; an inactive account's token → 401 on
everything; an editor without the permission (a reviewer) → 403 on writes; an editor → success.
Reads are public. The personas are tried in that order, the editor last, so only its write
changes anything.
"""

from __future__ import annotations

import secrets

import pytest
from rest_framework.test import APIClient

from tests import factories as f
from tests.api.conftest import World

pytestmark = pytest.mark.django_db

RECORDS = {
    "parties": (
        f.PartyFactory,
        {"slug": "new-party", "name": "New lab", "kind": "lab"},
        {"country": "China"},
    ),
    "models": (
        f.AIModelFactory,
        {"slug": "new-model", "name": "New model", "developer": "huawei"},
        {"family": "Pangu"},
    ),
    "disputes": (
        f.DisputeFactory,
        {"slug": "new-case", "title": "A new case"},
        {"summary": "*Now* summarised."},
    ),
    "claims": (
        f.ClaimFactory,
        {
            "slug": "new-claim",
            "title": "It was copied",
            "dispute": "case-0",
            "claimant": "honestagi",
            "kind": "copied_code",
            "statement": "Code was copied.",
        },
        {"venue": "A blog post"},
    ),  # fmt: skip
    "evidence": (
        f.EvidenceArtifactFactory,
        {"slug": "new-evidence", "title": "A post", "kind": "statement"},
        {"description": "More."},
    ),
}


def operations(world: World, endpoint: str) -> list[tuple[str, str, dict | None, int]]:
    """(method, url, body, the editor's status) for every write on ``endpoint``."""
    if endpoint in RECORDS:
        factory, create, patch = RECORDS[endpoint]
        base = f"/api/v1/{endpoint}/"
        deps = {
            "models": {"developer": world.huawei},
            "claims": {"dispute": world.disputes[0], "claimant": world.honest},
        }.get(endpoint, {})
        draft = factory(**deps)
        published = factory(published=True, **deps)
        other = factory(published=True, **deps)
        return [
            ("post", base, create, 201),
            ("patch", f"{base}{published.slug}/", patch, 200),
            ("post", f"{base}{draft.slug}/publish/", None, 200),
            ("post", f"{base}{published.slug}/unpublish/", None, 200),
            ("post", f"{base}{other.slug}/retract/", {"note": "We got the date wrong."}, 200),
            ("delete", f"{base}{other.slug}/", None, 405),
        ]
    if endpoint == "checkpoints":
        return [
            (
                "post",
                "/api/v1/checkpoints/",
                {"model": "pangu", "revision": "v9", "location": "lineage/base"},
                201,
            ),
            ("patch", f"/api/v1/checkpoints/{world.ckpt_a.pk}/", {"note": "From the hub."}, 200),
        ]
    if endpoint == "evidence-links":
        link = world.claims[0].evidence_links.get()
        return [
            (
                "post",
                "/api/v1/evidence-links/",
                {"claim": "claim-0", "evidence": "analysis", "stance": "context"},
                201,
            ),
            ("patch", f"/api/v1/evidence-links/{link.pk}/", {"note": "Section 3."}, 200),
            ("delete", f"/api/v1/evidence-links/{link.pk}/", None, 204),
        ]
    if endpoint == "reports":
        body = {
            "checkpoint_a": world.ckpt_a.pk,
            "checkpoint_b": world.ckpt_b.pk,
            "methods": ["attn_std", "tensor_identity"],
        }
        return [("post", "/api/v1/reports/", body, 201)]
    raise AssertionError(endpoint)


ENDPOINTS = [*RECORDS, "checkpoints", "evidence-links", "reports"]


def send(client: APIClient, method: str, url: str, body):
    return (
        getattr(client, method)(url, body, format="json")
        if body is not None
        else getattr(client, method)(url)
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_writes_follow_the_permission_matrix(endpoint, personas, model_store):
    world = World(drafts=False)
    for method, url, body, editor_status in operations(world, endpoint):
        anonymous = send(personas["anonymous"], method, url, body)
        inactive = send(personas["inactive"], method, url, body)
        reviewer = send(personas["reviewer"], method, url, body)
        if editor_status == 405:  # no such method: the same answer for everyone
            assert anonymous.status_code == reviewer.status_code == 405, url
            assert send(personas["editor"], method, url, body).status_code == 405
            continue
        assert anonymous.status_code == 401, (method, url)
        assert anonymous["WWW-Authenticate"] == "Token"
        assert anonymous.json()["error"]["code"] == "not_authenticated"
        assert inactive.status_code == 401, (method, url)
        assert inactive.json()["error"]["code"] == "authentication_failed"
        assert reviewer.status_code == 403, (method, url)
        assert reviewer.json()["error"]["code"] == "permission_denied"
        editor = send(personas["editor"], method, url, body)
        assert editor.status_code == editor_status, (method, url, editor.content[:500])


@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "disputes/case-0/timeline", "export", "export/claimreview"])
def test_reads_are_public_and_an_inactive_token_is_refused(endpoint, personas):
    World(drafts=False)
    url = f"/api/v1/{endpoint}/"
    for name in ("anonymous", "editor", "reviewer"):
        assert personas[name].get(url).status_code == 200, (name, url)
    assert personas["inactive"].get(url).status_code == 401


def test_a_wrong_token_is_refused(anon, world):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anon.get("/api/v1/parties/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def session_client(username: str) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=username, password="a-long-test-password") or username == "ivy"
    return client


def test_session_writes_need_the_csrf_token(world, editor_user):
    client = session_client("ada")
    body = {"slug": "via-session", "name": "Via session", "kind": "lab"}
    refused = client.post("/api/v1/parties/", body, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    token = secrets.token_hex(16)
    client.cookies["csrftoken"] = token
    accepted = client.post("/api/v1/parties/", body, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.content


def test_an_inactive_editor_cannot_log_in_a_session(world):
    f.editor(username="ivy", is_active=False)
    client = session_client("ivy")
    response = client.post("/api/v1/parties/", {"slug": "x", "name": "X", "kind": "lab"}, format="json")
    assert response.status_code == 401


def test_publishing_needs_the_publish_permission_not_just_change(world):
    from django.contrib.auth.models import Permission

    from tests.api.conftest import token_client

    user = f.UserFactory(username="writer")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_party", "change_party", "view_party"])
    )
    client = token_client(user)
    draft = f.PartyFactory()
    assert client.patch(f"/api/v1/parties/{draft.slug}/", {"country": "FR"}, format="json").status_code == 200
    response = client.post(f"/api/v1/parties/{draft.slug}/publish/")
    assert response.status_code == 403
    assert "publish" in response.json()["error"]["message"]
