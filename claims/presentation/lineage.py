"""The lineage map drawn: the graph of ``claims.lineage`` laid out by Graphviz as an inline SVG.

Three kinds of edge, each with its own line so it reads without colour:

* **declared** (solid arrow, base → derivative): what the developer says (``AIModel.declared_base``);
* **alleged** (dashed arrow, alleged source → subject): a public claim, with the newsroom's assessment;
* **measured** (no arrow): a public fingerprint report, styled by its verdict's tier: lineage
  supported (thick), suggestive (dash-dot), no evidence (dotted), cannot tell (long dashes).

``draw(graph)`` lays the graph out with Graphviz (PyPI ``graphviz``, which runs the ``dot``
program of the system's Graphviz package) and returns SVG markup safe to put inline in a page, or
None when ``dot`` is missing or fails; the page then shows the text equivalent only (every page
always shows it: the table of edges is the map's accessible form).

Labels are editors' input (model names): Graphviz escapes them in its SVG, and the output is
rebuilt element by element from an allow-list (no script, no link, no style attribute, no id), so
whatever a name holds, the markup is only shapes and text. Colours are rewritten to
``currentColor`` and the stylesheet colours edges through CSS variables, so the map follows the
site's light and dark themes. Drawings are cached by their DOT source.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import graphviz
from django.core.cache import cache

from claims.lineage import LineageGraph, Node
from claims.presentation.http_cache import digest

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 3600

# Graphviz line style per edge kind and verdict tier (the stylesheet adds colour on top).
EDGE_STYLES = {
    "declared": {"style": "solid", "penwidth": "1.4"},
    "alleged": {"style": "dashed", "penwidth": "1.4"},
    "measured-supported": {"style": "bold", "penwidth": "3", "dir": "none"},
    "measured-some": {"style": "dashed", "penwidth": "2", "dir": "none"},
    "measured-none": {"style": "dotted", "penwidth": "2", "dir": "none"},
    "measured-unknown": {"style": "dashed", "penwidth": "1", "dir": "none"},
}

_ELEMENTS = {"svg", "g", "text", "path", "polygon", "polyline", "ellipse"}
_ATTRIBUTES = {
    "class", "transform", "viewBox", "width", "height", "points", "d", "x", "y", "cx", "cy", "rx", "ry",
    "fill", "stroke", "stroke-width", "stroke-dasharray", "font-family", "font-size", "font-weight",
    "font-style", "text-anchor",
}  # fmt: skip
_COLOURS = {"black": "currentColor", "#000000": "currentColor", "white": "none", "transparent": "none"}


def dot_source(graph: LineageGraph) -> str:
    dot = graphviz.Digraph(
        "lineage",
        graph_attr={"rankdir": "TB", "bgcolor": "transparent", "nodesep": "0.4", "ranksep": "0.6"},
        node_attr={"shape": "box", "style": "rounded", "fontname": "sans-serif", "fontsize": "12"},
        edge_attr={"fontname": "sans-serif", "fontsize": "10"},
    )
    for node in graph.nodes.values():
        extra = {"penwidth": "2.5"} if node.focus else {}
        dot.node(node.key, label=graphviz.escape(node.label), **{"class": _node_class(node)}, **extra)
    for edge in graph.edges:
        attrs = dict(EDGE_STYLES[edge.style])
        if edge.kind == "measured":
            attrs["constraint"] = "false"  # a comparison is not a generation: it does not rank
        dot.edge(
            edge.source,
            edge.target,
            label=graphviz.escape(edge.label),
            **{"class": f"lineage-{edge.style}"},
            **attrs,
        )
    return dot.source


def _node_class(node: Node) -> str:
    return "lineage-model lineage-focus" if node.focus else "lineage-model"


def draw(graph: LineageGraph) -> str | None:
    """The map as inline SVG markup; None when there is nothing to draw or Graphviz cannot draw it."""
    if not graph:
        return None
    source = dot_source(graph)
    key = f"lineage-svg:{digest(source)}"
    svg = cache.get(key)
    if svg is None:
        try:
            raw = graphviz.Source(source).pipe(format="svg", encoding="utf-8")
        except graphviz.ExecutableNotFound:
            logger.warning("lineage map not drawn: Graphviz's dot program is not installed")
            return None
        except (graphviz.CalledProcessError, OSError) as exc:
            logger.warning("lineage map not drawn: dot failed: %s", exc)
            return None
        svg = sanitise_svg(raw)
        cache.set(key, svg, CACHE_SECONDS)
    return svg


def sanitise_svg(raw: str) -> str:
    """Graphviz's SVG rebuilt from an allow-list of elements and attributes, colours themeable."""
    start = raw.find("<svg")
    root = ET.fromstring(raw[start:])
    return _element(root, top=True)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _element(element: ET.Element, *, top: bool = False) -> str:
    tag = _local(element.tag)
    if tag not in _ELEMENTS:
        return ""
    attrs = []
    for name, value in element.attrib.items():
        name = _local(name)
        if name not in _ATTRIBUTES:
            continue
        if name in ("fill", "stroke"):
            value = _COLOURS.get(value.lower(), value)
        attrs.append(f" {name}={quoteattr(value)}")
    if top:
        attrs.append(' xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="lineage-map-caption"')
    text = escape(element.text.strip()) if tag == "text" and element.text else ""
    children = "".join(_element(child) for child in element)
    return f"<{tag}{''.join(attrs)}>{text}{children}</{tag}>"
