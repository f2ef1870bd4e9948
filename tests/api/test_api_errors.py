"""Every error has one JSON shape, names the field at fault, and is never a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import set_rates

pytestmark = pytest.mark.django_db


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    return body["error"]


def test_an_unknown_field_is_named(editor, world):
    e = error(
        editor.post(
            "/api/v1/parties/", {"slug": "x", "name": "X", "kind": "lab", "colour": "red"}, format="json"
        ),
        400,
    )
    assert e["code"] == "invalid"
    assert list(e["fields"]) == ["colour"]
    assert "Unknown field" in e["fields"]["colour"][0]


def test_a_read_only_field_in_a_body_is_an_unknown_field(editor, world):
    e = error(editor.patch("/api/v1/parties/huawei/", {"status": "draft"}, format="json"), 400)
    assert list(e["fields"]) == ["status"]


def test_a_wrong_type_is_named(editor, world):
    e = error(
        editor.patch("/api/v1/models/pangu/", {"parameters_total": "lots", "developer": 7}, format="json"),
        400,
    )
    assert set(e["fields"]) == {"parameters_total", "developer"}
    assert "slug" in e["fields"]["developer"][0]


def test_a_body_that_is_not_an_object_is_refused(editor, world):
    e = error(editor.post("/api/v1/parties/", [1, 2], format="json"), 400)
    assert e["fields"] == {"non_field_errors": [e["fields"]["non_field_errors"][0]]}


def test_malformed_json_is_a_parse_error(editor, world):
    e = error(editor.post("/api/v1/parties/", "{not json", content_type="application/json"), 400)
    assert e["code"] == "malformed_body"


def test_an_oversized_body_is_413(editor, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    e = error(
        editor.post("/api/v1/parties/", {"slug": "x", "name": "x" * 5000, "kind": "lab"}, format="json"), 413
    )
    assert e["code"] == "payload_too_large" and "2048" in e["message"]


def test_an_oversized_field_is_named(editor, world):
    e = error(
        editor.post("/api/v1/parties/", {"slug": "x", "name": "x" * 500, "kind": "lab"}, format="json"), 400
    )
    assert list(e["fields"]) == ["name"]


def test_an_unknown_slug_in_a_relation_is_named(editor, world):
    e = error(editor.patch("/api/v1/parties/huawei/", {"parent": "nobody"}, format="json"), 400)
    assert "nobody" in e["fields"]["parent"][0]


def test_a_model_constraint_is_a_field_error_not_a_500(editor, world):
    body = {"slug": "lineage", "title": "Derived", "dispute": "case-0", "claimant": "honestagi",
            "kind": "derived_from", "statement": "It was derived."}  # fmt: skip
    e = error(editor.post("/api/v1/claims/", body, format="json"), 400)
    assert "derived-from claim names the subject model" in e["message"]
    e = error(editor.patch("/api/v1/parties/huawei/", {"parent": "huawei"}, format="json"), 400)
    assert "own parent" in e["message"]


def test_a_duplicate_slug_is_named(editor, world):
    e = error(
        editor.post("/api/v1/parties/", {"slug": "huawei", "name": "Again", "kind": "lab"}, format="json"),
        400,
    )
    assert list(e["fields"]) == ["slug"]


def test_a_refused_transition_is_400_refused(editor, world):
    e = error(editor.post("/api/v1/parties/huawei/publish/"), 400)
    assert e["code"] == "refused" and "only a draft can be published" in e["message"]
    e = error(editor.post("/api/v1/parties/huawei/retract/", {}, format="json"), 400)
    assert list(e["fields"]) == ["note"]
    e = error(editor.post("/api/v1/parties/huawei/unpublish/", {"why": "x"}, format="json"), 400)
    assert list(e["fields"]) == ["why"]


def test_not_found_method_not_allowed_and_bad_query_parameters(anon, editor, world):
    assert error(anon.get("/api/v1/claims/nope/"), 404)["code"] == "not_found"
    assert error(anon.get("/api/v1/parties/?page=99"), 404)["code"] == "not_found"
    assert error(anon.get("/api/v1/claims/?cursor=garbage"), 404)["code"] == "not_found"
    assert error(editor.delete("/api/v1/claims/claim-0/"), 405)["code"] == "method_not_allowed"
    assert list(error(anon.get("/api/v1/claims/?made_after=yesterday"), 400)["fields"]) == ["made_after"]
    assert list(error(anon.get("/api/v1/claims/?kind=gossip"), 400)["fields"]) == ["kind"]
    assert list(error(anon.get("/api/v1/claims/?expand=everything"), 400)["fields"]) == ["expand"]
    assert error(anon.get("/api/v1/parties/", HTTP_ACCEPT="text/csv"), 406)["code"] == "not_acceptable"
    e = error(
        editor.post("/api/v1/parties/", "slug=x", content_type="application/x-www-form-urlencoded"), 415
    )
    assert e["code"] == "unsupported_media_type"


def test_anonymous_clients_are_throttled_with_retry_after(anon, editor, world, settings):
    set_rates(settings, "3/minute", "5/minute")
    for _ in range(3):
        assert anon.get("/api/v1/parties/").status_code == 200
    response = anon.get("/api/v1/parties/")
    e = error(response, 429)
    assert e["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 61
    # Editors are counted per account, apart from anonymous clients.
    assert editor.get("/api/v1/parties/").status_code == 200


def test_conditional_get_with_etag_and_last_modified(anon, world):
    first = anon.get("/api/v1/disputes/case-0/")
    assert first["ETag"] and first["Last-Modified"]
    again = anon.get("/api/v1/disputes/case-0/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    listed = anon.get("/api/v1/claims/")
    assert anon.get("/api/v1/claims/", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304
    assert "Authorization" in first["Vary"]


def test_updated_since_returns_only_later_changes(anon, world):
    from django.utils import timezone

    cutoff = timezone.now()
    world.qwen.family = "Qwen2.5"
    world.qwen.save()
    response = anon.get("/api/v1/models/", {"updated_since": cutoff.isoformat()})
    assert [m["slug"] for m in response.json()["results"]] == ["qwen"]


def test_a_new_forwarded_for_address_per_request_does_not_dodge_the_throttle(anon, world, settings):
    set_rates(settings, "5/minute", "5/minute")
    statuses = [
        anon.get("/api/v1/parties/", HTTP_X_FORWARDED_FOR=f"10.{i // 256}.{i % 256}.1").status_code
        for i in range(200)
    ]
    assert statuses.count(200) == 5
    assert statuses.count(429) == 195


def test_behind_one_proxy_the_throttle_counts_the_last_forwarded_address(anon, world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    set_rates(settings, "2/minute", "2/minute")

    def get(forwarded_for: str) -> int:
        return anon.get("/api/v1/parties/", HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    # The client may prepend anything; the proxy appends the address it saw, and that is counted.
    assert [get(f"192.0.2.{i}, 203.0.113.7") for i in range(3)] == [200, 200, 429]
    assert get("192.0.2.1, 203.0.113.8") == 200


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize(
    "nest",
    [
        lambda n: "[" * n + "]" * n,
        lambda n: '{"a": ' * n + "1" + "}" * n,
        lambda n: '{"slug": "x", "name": "X", "kind": "lab", "aliases": ' + "[" * n + "]" * n + "}",
    ],
    ids=["arrays", "objects", "in-a-field"],
)
def test_a_deeply_nested_body_is_a_parse_error_not_a_500(editor, world, depth, nest):
    for url, method in [("/api/v1/parties/", editor.post), ("/api/v1/claims/claim-0/", editor.patch)]:
        e = error(method(url, nest(depth), content_type="application/json"), 400)
        assert e["code"] == "malformed_body" and "nests more than" in e["message"]


def test_a_body_nested_a_few_levels_is_still_read(editor, world):
    body = '{"slug": "x", "name": "X", "kind": "lab", "aliases": [[[["deep"]]]]}'
    e = error(editor.post("/api/v1/parties/", body, content_type="application/json"), 400)
    assert list(e["fields"]) == ["aliases"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/nothing",
        "/api/nothing/",
        "/api/v1/nope/",
        "/api/v1/nope",
        "/api/v2/parties/",
        "/api/v1/parties/huawei/extra/",
        "/api/v1/%00/",
        "/api/v1/n%C3%B6pe/",
        "/api/v1/%FF%FE",
        "/api/v1/a%0Ab/",
        "/api/..%2F..%2Fetc/passwd",
        "/api/v1/<script>/",
    ],
)
def test_an_unknown_api_route_is_a_json_404(anon, editor, path):
    for client in (anon, editor):
        assert error(client.get(path), 404)["code"] == "not_found"
    assert error(editor.post(path, {}, format="json"), 404)["code"] == "not_found"


def test_a_route_without_its_trailing_slash_is_still_redirected(anon, world):
    response = anon.get("/api/v1/parties?page=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/parties/?page=1"
