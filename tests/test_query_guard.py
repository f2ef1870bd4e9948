"""A control character in any query parameter is a 400 on the site, the admin and the API, never a
500 (PostgreSQL cannot hold NUL in text). Run on SQLite by default and on PostgreSQL with
``DATABASE_URL``; the answer must not depend on the database."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.conftest import World, _fresh_throttle_counts  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

CONTROLS = ["\x00", "Pangu\x00", "\x01", "\x1b[31m", "\x7f"]


@pytest.mark.parametrize("value", CONTROLS)
def test_a_search_with_a_control_character_is_a_plain_400(client, value):
    f.DisputeFactory(published=True, title="Pangu Pro MoE")
    response = client.get("/search/", {"q": value})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in response


def test_a_search_may_hold_tabs_and_line_breaks(client):
    assert client.get("/search/", {"q": "Pangu\tPro\r\nMoE"}).status_code == 200


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\x7f"])
def test_the_admin_autocomplete_refuses_a_control_character_in_its_term(client, value):
    f.PartyFactory(name="HonestAGI")
    client.force_login(f.editor(username="ada"))
    query = {"app_label": "claims", "model_name": "evidenceartifact", "field_name": "author"}
    assert client.get("/admin/autocomplete/", {**query, "term": "Honest"}).status_code == 200
    assert client.get("/admin/autocomplete/", {**query, "term": value}).status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"search": "\x00"}, "search"),
        ({"search": "qwen\x00"}, "search"),
        ({"kind": "\x00"}, "kind"),
        ({"ordering": "\x7f"}, "ordering"),
        ({"updated_since": "2025-01-01\x00"}, "updated_since"),
        ({"pa\x00ge": "1"}, "page"),
        ({"\x00": "1"}, "non_field_errors"),
    ],
)
def test_the_api_answers_a_control_character_in_a_parameter_with_its_error_shape(client, query, field):
    World(drafts=False)
    response = client.get("/api/v1/claims/", query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "invalid" and "Control characters" in error["message"]
    assert list(error["fields"]) == [field]


def test_the_api_detail_and_export_routes_are_guarded_too(client):
    World(drafts=False)
    assert client.get("/api/v1/disputes/case-0/", {"expand": "\x00"}).status_code == 400
    assert client.get("/api/v1/export/", {"x": "\x00"}).status_code == 400
    assert client.get("/api/v1/claims/", {"search": "Pangu\tPro"}).status_code == 200
