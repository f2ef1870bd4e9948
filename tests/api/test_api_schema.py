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
