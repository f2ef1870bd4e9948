"""The OpenAPI schema: valid, warning-free, every operation summarised and every field described;
the docs pages load their JavaScript from our own static files (no CDN)."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    document = yaml.safe_load(out.read_text())
    assert document["openapi"].startswith("3.")


def test_every_endpoint_is_in_the_schema_and_summarised(schema):
    paths = schema["paths"]
    for route in [
        "parties",
        "models",
        "checkpoints",
        "disputes",
        "claims",
        "evidence",
        "evidence-links",
        "reports",
    ]:
        assert f"/api/v1/{route}/" in paths
    assert "/api/v1/disputes/{slug}/timeline/" in paths
    assert "/api/v1/export/" in paths and "/api/v1/export/claimreview/" in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary") or operation.get("description"), (method, path)
            assert (
                "429" in operation["responses"] and "Retry-After" in operation["responses"]["429"]["headers"]
            )


def _undescribed(schema: dict) -> list[str]:
    missing = []
    for name, component in schema["components"]["schemas"].items():
        for prop, spec in component.get("properties", {}).items():
            if not spec.get("description"):
                missing.append(f"{name}.{prop}")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    missing.append(f"{method} {path} ?{parameter['name']}")
    return missing


def test_every_field_and_parameter_is_described(schema):
    assert _undescribed(schema) == []


def test_the_docs_load_their_assets_locally(client):
    for url in ("/api/docs/",):
        page = client.get(url).content.decode()
        assets = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert assets and all(a.startswith("/") for a in assets), assets
        assert "cdn" not in page.lower()
        # The site's Content-Security-Policy allows no inline script: every script has a src.
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert client.get("/api/docs/?script=")["Content-Type"].startswith("application/javascript")
    assert client.get("/api/schema/").status_code == 200


def test_the_report_parameters_bounds_are_the_engines(schema):
    from provenance.fingerprint.parameters import PARAMETERS

    properties = schema["components"]["schemas"]["ReportParametersRequest"]["properties"]
    assert set(properties) == set(PARAMETERS)
    for name, parameter in PARAMETERS.items():
        assert (properties[name]["minimum"], properties[name]["maximum"]) == (
            parameter.minimum,
            parameter.maximum,
        )


def test_each_operation_is_tagged_by_resource_and_says_what_it_returns_and_who_may_call_it(schema):
    from claims.api.schema import TAGS

    names = [name for name, _ in TAGS.values()]
    assert [tag["name"] for tag in schema["tags"]] == names
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["tags"][0] in names, (method, path, operation["tags"])
            text, who = operation["description"].rsplit("\n\n", 1)
            assert text.strip() and "Body size limit" not in text and "editorial actions;" not in text
            if method == "get":
                assert who.startswith("**Who may call it:** anyone"), (method, path)
            else:
                assert "/admin/account/token/" in who, (method, path)
    timeline = schema["paths"]["/api/v1/parties/"]["get"]["description"]
    assert timeline.startswith(
        "Returns a page of the public parties (published and retracted, never drafts)."
    )
    assert "/admin/account/token/" in schema["info"]["description"]  # how to get a token


def test_every_write_with_a_body_has_an_example_and_the_knowledge_base_examples_are_accepted(schema, editor):
    from claims.api.schema import ALLEGATION_SLUG, REQUEST_EXAMPLES
    from claims.models import Dispute
    from tests.factories import ClaimFactory

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and operation["requestBody"].get("required"):
                assert body.get("examples"), (method, path)
    for route in ("parties", "models", "disputes", "evidence", "claims", "evidence-links"):
        example = REQUEST_EXAMPLES[("post", f"/api/v1/{route}/")]
        if route == "claims":  # the denial responds to the allegation
            ClaimFactory(slug=ALLEGATION_SLUG, dispute=Dispute.objects.get(slug=example["dispute"]))
        response = editor.post(f"/api/v1/{route}/", example, format="json")
        assert response.status_code == 201, (route, response.json())
    retract = schema["paths"]["/api/v1/claims/{slug}/retract/"]["post"]["requestBody"]["content"]
    assert retract["application/json"]["examples"]["example"]["value"]["note"]
