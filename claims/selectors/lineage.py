"""The lineage map's graph for an AI model page and a dispute page, from rows already loaded.

Nodes are AI models the reader may see; an edge whose other end is not public is left out (the
page's text still says "(an unpublished record)" where it names one). Edges: the developers'
declared bases, the public claims that allege a source model, the public fingerprint reports
with their verdicts. The model page builds it from what ``aimodel_page`` loaded (no query); the
dispute page adds one query, for the reports comparing its models.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from claims.lineage import Edge, LineageGraph, Node
from claims.models import AIModel, Claim, FingerprintReport
from claims.models.grammar import relation_noun, relation_phrase
from claims.models.public_state import stated_name
from claims.models.verdicts import verdict_of
from claims.models.visibility import public_name, public_or_none
from claims.selectors.records import report_queryset


def _node(model: AIModel, focus: set[int]) -> Node:
    """A model's box, labelled with its name and, when it is retracted, its retraction."""
    return Node(
        key=f"m{model.pk}",
        label=stated_name(model.name, model),
        url=model.get_absolute_url(),
        focus=model.pk in focus,
    )


def lineage_graph(
    *,
    models: Iterable[AIModel],
    derivatives: Iterable[AIModel] = (),
    claims: Iterable[Claim] = (),
    reports: Iterable[FingerprintReport] = (),
    preview: bool = False,
) -> LineageGraph:
    """The graph around ``models`` (drawn as the focus): their declared bases, ``derivatives``
    (rows whose ``declared_base`` is one of them), the lineage ``claims`` (subject and alleged
    source both set) and the ``reports`` (with a verdict). Related rows must be select_related."""
    models = [m for m in models if public_or_none(m, preview=preview)]
    focus = {m.pk for m in models}
    graph = LineageGraph()
    for model in models:
        graph.add_node(_node(model, focus))
    for model in [*models, *derivatives]:
        base = public_or_none(model.declared_base, preview=preview)
        if base is None or public_or_none(model, preview=preview) is None:
            continue
        _connect(
            graph,
            base,
            model,
            focus,
            kind="declared",
            label=relation_noun(model.declared_relation),
            style="declared",
            sentence=f"{_name(model)} is declared by its developer as "
            f"{relation_phrase(model.declared_relation)} {_name(base)}.",
        )
    for claim in claims:
        subject = public_or_none(claim.subject_model, preview=preview)
        source = public_or_none(claim.alleged_source_model, preview=preview)
        if subject is None or source is None or subject == source:
            continue
        claimant = public_name(claim.claimant, preview=preview)
        _connect(
            graph,
            source,
            subject,
            focus,
            kind="alleged",
            label=f"claimed ({claim.get_assessment_display()})",
            style="alleged",
            sentence=f"{claimant} claims {_allegation(claim, subject, source)} "
            f"(assessment: {claim.get_assessment_display()}).",
            record_url=claim.get_absolute_url(),
            record_label=public_name(claim, preview=True),
        )
    for report in reports:
        verdict = verdict_of(report.result)
        a, b = report.checkpoint_a.model, report.checkpoint_b.model
        if verdict is None or a == b:
            continue
        _connect(
            graph,
            a,
            b,
            focus,
            kind="measured",
            label=f"measured: {verdict.label}",
            style=f"measured-{verdict.tier}",
            sentence=f"A fingerprint report comparing {_name(a)} and {_name(b)} finds: {verdict.label}.",
            record_url=report.get_absolute_url(),
            record_label=report.public_title,
        )
    return graph


def _connect(graph: LineageGraph, source: AIModel, target: AIModel, focus: set[int], **edge) -> None:
    """Both models as nodes, and the edge from ``source`` to ``target`` (``edge``: Edge's other fields)."""
    graph.add_node(_node(source, focus))
    graph.add_node(_node(target, focus))
    graph.add_edge(Edge(source=f"m{source.pk}", target=f"m{target.pk}", **edge))


def _name(model: AIModel) -> str:
    """A model of the map (already checked visible) by its reader's name, retraction included."""
    return public_name(model, preview=True)


def _allegation(claim: Claim, subject: AIModel, source: AIModel) -> str:
    if claim.kind == Claim.Kind.DERIVED_FROM:
        return f"that {_name(subject)} was derived from {_name(source)}"
    return f"{claim.get_kind_display()} by {_name(subject)}, with {_name(source)} as the alleged source"


def model_lineage(*, model: AIModel, page: dict, preview: bool = False) -> LineageGraph:
    """The model page's map, from ``aimodel_page``'s lists (no query)."""
    return lineage_graph(
        models=[model],
        derivatives=page["derivatives"],
        claims=page["claims"],
        reports=page["reports"],
        preview=preview,
    )


def dispute_lineage(*, models: list[AIModel], claims: list[Claim], preview: bool = False) -> LineageGraph:
    """The dispute page's map: its models at stake (``declared_base`` select_related), its claims,
    and the public reports comparing one of its models (one query)."""
    ids = [m.pk for m in models]
    reports = (
        report_queryset(preview=preview).filter(
            Q(checkpoint_a__model__in=ids) | Q(checkpoint_b__model__in=ids)
        )
        if ids
        else []
    )
    return lineage_graph(models=models, claims=claims, reports=list(reports), preview=preview)
