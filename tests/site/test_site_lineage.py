"""The lineage map on AI model and dispute pages: drawn by Graphviz, said in words, never naming a
draft, safe whatever an editor types as a model name, and still useful without Graphviz."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from claims.lineage import Edge, LineageGraph, Node
from claims.presentation.lineage import draw
from tests.factories import AIModelFactory
from tests.site.browse_world import lineage_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_drawings():
    cache.clear()  # drawings are cached by their DOT source
    yield
    cache.clear()


def map_of(page: str) -> str:
    return re.search(r'<section class="lineage-map".*?</section>', page, re.S).group(0)


def test_the_model_page_draws_declared_alleged_and_measured_lineage(client):
    world = lineage_world()
    page = client.get(world["pangu"].get_absolute_url()).content.decode()
    section = map_of(page)
    svg = re.search(r"<svg.*?</svg>", section, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="lineage-map-caption"' in svg
    for kind in ("lineage-declared", "lineage-alleged", "lineage-measured-supported"):
        assert kind in svg
    assert ">Derived MoE</text>" in svg and ">Base-14B</text>" in svg
    assert 'stroke="black"' not in svg  # colours follow the theme (currentColor, CSS variables)
    words = re.sub(r"<[^>]+>", "", section)
    assert "Derived MoE is declared by its developer as an upcycled version of Base-14B." in words
    assert (
        "Example Accuser claims that Derived MoE was derived from Base-14B (assessment: contested)." in words
    )
    assert "A fingerprint report comparing Base-14B and Derived MoE finds: lineage supported." in words
    assert world["report"].get_absolute_url() in section
    assert "DRAFT" not in page  # the draft derivative is neither drawn nor listed


def test_the_dispute_page_shows_the_contradiction_in_one_map(client):
    world = lineage_world()
    section = map_of(client.get(world["dispute"].get_absolute_url()).content.decode())
    assert "<svg" in section
    assert {"declared", "alleged", "measured"} <= set(re.findall(r'class="lineage-(\w+)"><span', section))


def test_a_model_with_no_lineage_has_no_map(client):
    page = client.get(AIModelFactory(published=True).get_absolute_url()).content.decode()
    assert "lineage-map" not in page


def test_without_graphviz_the_page_says_so_and_lists_the_relations(client, monkeypatch, tmp_path):
    world = lineage_world()
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on the PATH: graphviz cannot run it
    response = client.get(world["pangu"].get_absolute_url())
    assert response.status_code == 200
    section = map_of(response.content.decode())
    assert "<svg" not in section
    assert "needs Graphviz" in section
    assert "declared by its developer as an upcycled version of Base-14B" in section


NASTY = '<script>alert(1)</script>" onload="x" \\N \\G ]]> <!-- &amp;'


def test_an_editors_model_name_cannot_put_markup_into_the_drawing():
    graph = LineageGraph()
    graph.add_node(Node("m1", NASTY, "/models/a/", focus=True))
    graph.add_node(Node("m2", "Base", "/models/b/"))
    graph.add_edge(Edge("m2", "m1", "declared", NASTY, "declared"))
    svg = draw(graph)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script" not in svg
    assert '&lt;script&gt;alert(1)&lt;/script&gt;" onload="x" \\N \\G ]]&gt; &lt;!--' in svg  # drawn as typed
    tags = re.findall(r"<(\w+)([^>]*)>", svg)
    assert {tag for tag, _attrs in tags} <= {"svg", "g", "path", "polygon", "polyline", "ellipse", "text"}
    names = {name for _tag, attrs in tags for name in re.findall(r'([\w:-]+)="[^"]*"', attrs)}
    assert not names & {"id", "href", "xlink:href", "style", "onload"}, names
