"""The leak fuzzer: no unpublished name ever reaches an anonymous reader, on any public URL.

For each of ``LEAK_FUZZ_WORLDS`` random worlds (``tests.leak_world``: every model, random statuses,
random relations; every row readers may not see carries a unique ``DRAFT-<token>`` marker), it
requests **every** route of the URLconf (site pages, feeds, search, charts, CSV/JSON, the API
router's lists and details with every ``?expand=``, timelines, the export) with every public record
that fits it, plus a search for every marker, as an anonymous reader, and asserts that no marker
appears in any body or header and that nothing answers 500. The routes are enumerated from the
URLconf, so a new route is fuzzed (or fails the test until it is mapped) without anyone remembering.

Runs on whichever database the suite runs on: SQLite under ``make test``, PostgreSQL in CI.
"""

from __future__ import annotations

import os
from collections import Counter
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from hypothesis import given
from hypothesis import strategies as st

from claims.models import (
    AIModel,
    Checkpoint,
    Claim,
    Dispute,
    EvidenceArtifact,
    EvidenceLink,
    FingerprintReport,
    Party,
)
from claims.models.visibility import is_public
from claims.selectors.filters import RelatedFilter, related_model
from tests.leak_world import World, build_world, fuzz_settings, unthrottled

WORLDS = int(os.environ.get("LEAK_FUZZ_WORLDS", "20"))

# Which model a route with a ``slug`` or ``pk`` serves, by the first word of its name.
ROUTE_MODELS = {
    "claims": {
        "dispute": Dispute,
        "claim": Claim,
        "party": Party,
        "aimodel": AIModel,
        "evidence": EvidenceArtifact,
        "report": FingerprintReport,
    },
    "api": {
        "dispute": Dispute,
        "claim": Claim,
        "party": Party,
        "model": AIModel,
        "evidence": EvidenceArtifact,
        "evidencelink": EvidenceLink,
        "checkpoint": Checkpoint,
        "report": FingerprintReport,
    },
}
# Routes that are not readers' pages of the data (the schema and its docs are static).
SKIPPED = {"api:schema", "api:docs"}
# A capture's files (screenshot, PDF, text, WARC): a generated world has no capture with stored
# files; their visibility (a draft record's capture answers 404) is tested in tests/archive.
SKIPPED |= {"claims:capture-artefact"}
# Routes a generated world cannot make answer 200, and why (every other route must, in some world).
NEVER_OK = {
    "claims:evidence-archive": "no generated evidence has an archived file (tested in test_api_visibility)",
    "claims:report-layers-csv": "a generated report has no per-layer result (tested in test_site_pages)",
    "api:unknown-route": "answers 404 by design",
}


def _routes(patterns=None, namespace: str = "", params: tuple = ()):
    """(namespaced name, parameter names) of every named route below ``patterns``."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        own = tuple(entry.pattern.converters) if hasattr(entry.pattern, "converters") else ()
        own = own or tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, inner, params + own)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", params + own


ROUTES = sorted(set(_routes()))


def _values(record) -> list[dict]:
    """The URL parameters a public ``record`` fills (a report: per method and per chart too)."""
    values = [{"slug": getattr(record, "slug", None), "pk": record.pk}]
    if isinstance(record, FingerprintReport):
        values += [{"slug": record.slug, "method": m} for m in record.methods]
        values += [{"slug": record.slug, "name": n} for n in record.charts or {}]
    return values


def _write_only(name: str, params: tuple) -> bool:
    """The API's POST-only actions (publish, retract, ...): not for readers."""
    url = reverse(name, kwargs=dict.fromkeys(params, "1"))
    actions = getattr(resolve(url).func, "actions", None)
    return actions is not None and "get" not in actions


READABLE = sorted(
    {
        name
        for name, params in ROUTES
        if name not in SKIPPED and "format" not in params and not _write_only(name, params)
    }
)

# The index pages' filters that take a party's or a model's slug ("dispute" gets a party's: a slug
# of the wrong kind must be ignored too).
INDEX_FILTERS = {
    "claims:claim-list": ("party", "model", "dispute"),
    "claims:party-list": ("dispute",),
    "claims:aimodel-list": ("party", "dispute"),
    "claims:evidence-list": ("party",),
    "claims:report-list": ("model",),
}


def _urls(world: World) -> list[tuple[str, str]]:
    """Every (route, URL) to request for ``world``."""
    urls = []
    for name, params in ROUTES:
        if name in SKIPPED or "format" in params:
            continue
        if _write_only(name, params):  # (a POST-only action, such as the checkpoint preview)
            continue
        namespace, short = name.split(":", 1)
        if not params:
            urls.append((name, reverse(name)))
            continue
        model = ROUTE_MODELS[namespace][short.split("-")[0]]  # KeyError: map the new route above
        for record in world.public(model):
            for value in _values(record):
                kwargs = {p: value.get(p) for p in params}
                if all(v is not None for v in kwargs.values()):
                    urls.append((name, reverse(name, kwargs=kwargs)))
    urls += _query_variants(urls, world)
    # Once each: a report's values (per method, per chart) give a route that takes only its slug the
    # same URL several times, which rendered the same page again in the same world.
    return list(dict.fromkeys(urls))


def _query_variants(urls: list[tuple[str, str]], world: World) -> list[tuple[str, str]]:
    """Lists with every ``?expand=``; the dispute list's filters; a search for every marker."""
    variants = []
    for name, url in urls:
        view = getattr(resolve(url).func, "cls", None)
        options = getattr(view, "expand_options", ())
        if options:
            variants.append((name, f"{url}?{urlencode({'expand': ','.join(options)})}"))
    for party in world.public(Party):
        variants.append(("claims:dispute-list", f"{reverse('claims:dispute-list')}?party={party.slug}"))
    for model in world.public(AIModel):
        variants.append(("claims:dispute-list", f"{reverse('claims:dispute-list')}?model={model.slug}"))
    # The index pages, filtered by a public party and model, and by a hidden row's slug (which
    # must be ignored, never echoed).
    parties, models = world.public(Party), world.public(AIModel)
    for slugs in (
        {"party": parties[0].slug if parties else "", "model": models[0].slug if models else ""},
        dict.fromkeys(("party", "model"), world.markers[0] if world.markers else ""),
    ):
        for route, params in INDEX_FILTERS.items():
            query = {p: slugs.get(p, slugs["party"]) for p in params}
            variants.append((route, f"{reverse(route)}?{urlencode(query)}"))
    # The relatives route by hub ID, for every model's hub ID: a hidden model's answers 404, never its
    # name or its relatives.
    for model in world.rows:
        if isinstance(model, AIModel):
            url = reverse("api:checkpoint-relatives-by-hub-id")
            variants.append(
                ("api:checkpoint-relatives-by-hub-id", f"{url}?{urlencode({'hub_id': model.hub_id})}")
            )
    for marker in world.markers:
        token = marker.removeprefix("draft-")  # the page echoes the query: search the bare token
        variants.append(("claims:search", f"{reverse('claims:search')}?q={token}"))
        for route in ("api:party-list", "api:claim-list", "api:evidence-list"):
            variants.append((route, f"{reverse(route)}?search={token}"))
    return variants


def _relation_filter_probes(world: World) -> list[tuple[str, str]]:
    """(URL with a hidden row's slug, the same URL with an unknown slug) for every relation filter of
    every API list (``claims.selectors.filters.RelatedFilter``) and every hidden row of the model it names:
    the two must answer alike."""
    probes = []
    for name, params in ROUTES:
        if params or not name.startswith("api:") or not name.endswith("-list"):
            continue
        url = reverse(name)
        filterset = getattr(getattr(resolve(url).func, "cls", None), "filterset_class", None)
        for field, spec in (filterset.base_filters if filterset else {}).items():
            if not isinstance(spec, RelatedFilter):
                continue
            targets = {related_model(filterset._meta.model, path) for path in spec.paths}
            hidden = [r for r in world.rows if type(r) in targets and hasattr(r, "slug") and not is_public(r)]
            for row in hidden:
                probes.append((f"{url}?{urlencode({field: row.slug})}", f"{url}?{field}=no-such-{row.pk}"))
    return probes


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return (headers + "\n" + body.decode("utf-8", "replace")).lower()


@pytest.mark.django_db
def test_no_unpublished_name_reaches_an_anonymous_reader_on_any_public_url(settings):
    unthrottled(settings)
    client = Client()
    answered: Counter[str] = Counter()
    requested = Counter()

    def worlds(count: int, *, all_published: bool):
        @fuzz_settings(count)
        @given(st.data())
        def one_world(data):
            caches["api_throttle"].clear()
            caches["default"].clear()  # each world is rolled back, and the content version with it
            with transaction.atomic():
                world = build_world(data.draw, all_published=all_published)
                for route, url in _urls(world):
                    response = client.get(url)
                    requested[route] += 1
                    assert response.status_code < 500, (url, response.status_code)
                    text = _text(response)
                    leaked = [m for m in world.markers if m in text]
                    assert not leaked, f"{url} shows {leaked} (status {response.status_code})"
                    if response.status_code == 200:
                        answered[route] += 1
                for hidden, unknown in _relation_filter_probes(world):
                    response, expected = client.get(hidden), client.get(unknown)
                    requested["relation filters"] += 1
                    assert response.status_code == expected.status_code == 200, (hidden, response.status_code)
                    leaked = [m for m in world.markers if m in _text(response)]
                    assert not leaked, f"{hidden} shows {leaked}"
                    assert response.content == expected.content, f"{hidden} answers unlike an unknown slug"
                transaction.set_rollback(True)

        one_world()

    # A world where everything is published first, so every route answers 200 in some world
    # whatever the draws (with random statuses alone, no world once had a public report).
    worlds(1, all_published=True)
    worlds(WORLDS, all_published=False)
    # Not a vacuous pass: every route was requested, and answered 200 in some world.
    assert requested.pop("relation filters", 0) > 0
    assert set(requested) == set(READABLE), set(READABLE) ^ set(requested)
    missing = [name for name in READABLE if name not in NEVER_OK and not answered[name]]
    assert not missing, f"never answered 200 (requested {dict(requested)}): {missing}"
    assert sum(requested.values()) >= 20 * WORLDS
