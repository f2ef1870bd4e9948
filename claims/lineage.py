"""The lineage map's graph: AI models (nodes) and what links them (edges), as plain data.

``claims.selectors.lineage`` builds it from public rows; ``claims.presentation.lineage`` draws it
(Graphviz) and the page's table of edges is its text equivalent. An edge's ``style`` names one of
``claims.presentation.lineage.EDGE_STYLES``: its kind, and for a measured edge its verdict's tier.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    key: str  # "m<pk>": never a name, so Graphviz's ids and comments say nothing
    label: str
    url: str
    focus: bool = False


@dataclass(frozen=True)
class Edge:
    source: str  # node keys; for a declared edge the base, for an alleged one the alleged source
    target: str
    kind: str  # declared | alleged | measured
    label: str  # short, on the drawing
    style: str  # a key of EDGE_STYLES
    sentence: str = ""  # for the text equivalent, plain text
    record_url: str = ""  # the claim or report the edge comes from
    record_label: str = ""


@dataclass
class LineageGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def add_node(self, node: Node) -> None:
        known = self.nodes.get(node.key)
        if known is None or (node.focus and not known.focus):
            self.nodes[node.key] = node

    def add_edge(self, edge: Edge) -> None:
        if edge not in self.edges:
            self.edges.append(edge)

    def label_of(self, key: str) -> str:
        return self.nodes[key].label

    def __bool__(self) -> bool:
        return bool(self.edges)
