"""The leak fuzzer's twin: wherever a reader meets a retracted record's name, they are told it was
retracted.

For each of ``RETRACTION_FUZZ_WORLDS`` random worlds (``tests.leak_world``, every retracted record
readers can see renamed ``RETRACTED-<token> name``), it requests every route the leak fuzzer requests
(``tests.test_leak_fuzzer._urls``: site pages, feeds, search, charts, embeds, the API's lists and
details with every ``?expand=``, timelines, the export), plus a search for each token, as an
anonymous reader, and checks every place a marker appears. "Says it is retracted" means the word
"retracted" appears, outside the marker itself, in:

* HTML (and SVG): the nearest enclosing block of the text (paragraph, list item, heading, table
  cell, ``<title>``, ``<option>``, an SVG group, ...), or the attribute value itself (``og:title``);
  a JSON-LD ``<script>`` is checked as JSON;
* JSON: the string itself, or else its nearest enclosing object has ``"status": "retracted"`` or a
  non-null ``"retraction"`` (the API's link, summary, record, timeline entry; the export's record);
* feeds (RSS, Atom): the ``<item>``/``<entry>`` containing it;
* any other text (CSV): its line.

Runs on whichever database the suite runs on (SQLite under ``make test``, PostgreSQL in CI).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from claims.models.visibility import is_public
from tests.leak_world import NAMES, World, build_world, fuzz_settings, unthrottled
from tests.test_leak_fuzzer import _urls

WORLDS = int(os.environ.get("RETRACTION_FUZZ_WORLDS", "24"))
WORD = "retracted"

# The elements whose text is "the place" a name is read in (the nearest one around it counts).
BLOCKS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "td", "th", "caption", "figcaption",
    "title", "option", "blockquote", "summary", "label", "legend", "button", "pre", "g",
}  # fmt: skip
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Routes whose answer must name a retracted record in some world (not a vacuous pass).
MUST_NAME = {
    "claims:claim-detail",
    "claims:aimodel-detail",
    "claims:party-detail",
    "claims:evidence-detail",
    "claims:dispute-detail",
    "claims:claim-list",
    "claims:feed-claims-rss",
    "claims:search",
    "api:claim-detail",
    "api:claim-list",
    "api:dispute-timeline",
    "api:export",
}


def retraction_world(draw) -> tuple[World, list[str]]:
    """A leak-fuzzer world whose public retracted records are renamed ``RETRACTED-<token> name``."""
    world = build_world(draw)
    markers = []
    for row in world.rows:
        field = NAMES.get(type(row))
        if field and row.status == "retracted" and is_public(row):
            marker = f"RETRACTED-{uuid.uuid4().hex[:12]}"
            setattr(row, field, f"{marker} name")
            type(row).objects.filter(pk=row.pk).update(**{field: getattr(row, field)})
            markers.append(marker.lower())
    return world, markers


class _Element:
    def __init__(self, tag: str, parent: _Element | None):
        self.tag, self.parent, self.parts = tag, parent, []

    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text() for p in self.parts)


class _Tree(HTMLParser):
    """A forgiving tree of the page: text nodes under their elements, scripts kept apart."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", None)
        self.current = self.root
        self.texts: list[tuple[str, _Element]] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.scripts: list[tuple[str, str]] = []  # (type, content)
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value:
                self.attributes.append((tag, name, value))
        if tag == "script":
            self._script = dict(attrs).get("type") or ""
            self.scripts.append((self._script, ""))
            return
        if tag in VOID:
            return
        element = _Element(tag, self.current)
        self.current.parts.append(element)
        self.current = element

    def handle_startendtag(self, tag, attrs):
        for name, value in attrs:
            if value:
                self.attributes.append((tag, name, value))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None
            return
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        if self._script is not None:
            kind, content = self.scripts[-1]
            self.scripts[-1] = (kind, content + data)
            return
        self.current.parts.append(data)
        self.texts.append((data, self.current))


def _says_it(text: str, markers: list[str]) -> bool:
    text = text.lower()
    for marker in markers:
        text = text.replace(marker, "")
    return WORD in text


def _named(text: str, markers: list[str]) -> list[str]:
    text = text.lower()
    return [m for m in markers if m in text]


def _html_failures(body: str, markers: list[str]) -> list[str]:
    tree = _Tree()
    tree.feed(body)
    tree.close()
    failures = []
    for data, element in tree.texts:
        if not _named(data, markers):
            continue
        block = element
        while block.parent is not None and block.tag not in BLOCKS:
            block = block.parent
        if not _says_it(block.text(), markers):
            failures.append(f"<{block.tag}> {' '.join(block.text().split())[:300]!r}")
    for tag, name, value in tree.attributes:
        if _named(value, markers) and not _says_it(value, markers):
            failures.append(f"<{tag} {name}={value[:200]!r}>")
    for kind, content in tree.scripts:
        if kind == "application/ld+json" and _named(content, markers):
            failures += _json_failures(json.loads(content), markers)
    return failures


def _retracted_object(obj: dict) -> bool:
    return obj.get("status") == WORD or bool(obj.get("retraction"))


def _json_failures(data, markers: list[str], holder: dict | None = None) -> list[str]:
    if isinstance(data, dict):
        return [f for value in data.values() for f in _json_failures(value, markers, data)]
    if isinstance(data, list):
        return [f for value in data for f in _json_failures(value, markers, holder)]
    if not isinstance(data, str) or not _named(data, markers) or _says_it(data, markers):
        return []
    if holder is not None and _retracted_object(holder):
        return []
    return [f"{data[:120]!r} in {json.dumps(holder)[:300]}"]


ITEM = re.compile(r"<(item|entry)\b.*?</\1>", re.S)


def _feed_failures(body: str, markers: list[str]) -> list[str]:
    failures = []
    rest = body
    for match in ITEM.finditer(body):
        item = match.group(0)
        if _named(item, markers) and not _says_it(item, markers):
            failures.append(f"feed item {item[:300]!r}")
        rest = rest.replace(item, "")
    if _named(rest, markers):
        failures.append("a marker outside the feed's items")
    return failures


def _body(response) -> tuple[str, str]:
    """(content type, body as text; "" for an image other than SVG)."""
    kind = response.get("Content-Type", "").split(";")[0].strip()
    if kind.startswith("image/") and kind != "image/svg+xml":
        return kind, ""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return kind, raw.decode("utf-8", "replace")


def _failures(kind: str, body: str, markers: list[str]) -> list[str]:
    if not _named(body, markers):
        return []
    if kind in ("text/html", "image/svg+xml"):
        return _html_failures(body, markers)
    if kind.endswith("json"):
        return _json_failures(json.loads(body), markers)
    if kind.endswith("xml"):
        return _feed_failures(body, markers)
    return [line[:300] for line in body.splitlines() if _named(line, markers) and not _says_it(line, markers)]


def _searches(markers: list[str]) -> list[tuple[str, str]]:
    """A search for each retracted record's token (the page echoes the query: the bare token)."""
    urls = []
    for marker in markers:
        token = marker.removeprefix(f"{WORD}-")
        urls.append(("claims:search", f"{reverse('claims:search')}?{urlencode({'q': token})}"))
        for route in ("api:party-list", "api:claim-list", "api:evidence-list"):
            urls.append((route, f"{reverse(route)}?{urlencode({'search': token})}"))
    return urls


@pytest.mark.django_db
def test_every_place_that_names_a_retracted_record_says_it_is_retracted(settings):
    unthrottled(settings)
    client = Client()
    named: Counter[str] = Counter()

    @fuzz_settings(WORLDS)
    @given(st.data())
    def one_world(data):
        caches["api_throttle"].clear()
        caches["default"].clear()
        with transaction.atomic():
            world, markers = retraction_world(data.draw)
            if markers:
                for route, url in _urls(world) + _searches(markers):
                    response = client.get(url)
                    assert response.status_code < 500, (url, response.status_code)
                    kind, body = _body(response)
                    failures = _failures(kind, body, markers)
                    assert not failures, f"{url} names a retracted record without saying so: {failures}"
                    if response.status_code == 200 and _named(body, markers):
                        named[route] += 1
            transaction.set_rollback(True)

    one_world()
    missing = MUST_NAME - set(named)
    assert not missing, f"never named a retracted record (named: {dict(named)}): {sorted(missing)}"
