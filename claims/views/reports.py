"""Fingerprint report pages: the headline verdict and the evidence picture first, then the summary,
and under "Details for specialists" each score beside its null, charts, tables, downloads.

A report is public exactly when the evidence record citing it is public. Charts are served by their
own view as ``image/svg+xml`` and embedded with ``<img>``: an SVG inside ``<img>`` cannot run
script or load anything, and the browser caches it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from claims.models import Checkpoint, FingerprintReport
from claims.models.public_state import retraction_json
from claims.presentation.charts import svg_response
from claims.presentation.http_cache import uncached_while_in_progress
from claims.selectors import report_queryset
from claims.views.base import PublicRecordView, can_preview
from provenance.fingerprint.headline import evidence_rows
from provenance.fingerprint.methods import method_title
from provenance.fingerprint.parameters import PARAMETERS
from provenance.fingerprint.readable import score_text

CHART_ALT = {
    "sigma_curves": "Line charts, one per attention projection (Q, K, V, O): the standard deviation of the "
    "weights in each layer, model A solid with circles, model B dashed with squares. The numbers are in "
    "the attention σ table below.",
    "layer_similarity": "Heat map of how similar each layer of model A is to each layer of model B, with the "
    "best one-to-one alignment marked. The numbers are in the cosine table below.",
    "aligned_layer_similarity": "Heat map of how similar each layer of model A is to each layer of model B "
    "after B's hidden units were aligned to A's from the weights alone (weight_matching), with the best "
    "monotone alignment marked. The per-layer numbers are in the weight-only alignment table below.",
}
_SERIES_NAMES = {"sigma_a": "σ A", "sigma_b": "σ B", "z_a": "z A", "z_b": "z B"}


def _numeric_series(value) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in value)
    )


_SERIES_ORDER = ["sigma_a", "sigma_b", "z_a", "z_b"]
_ROLE_ORDER = ["q", "k", "v", "o"]


def _ordered(keys, preferred: list[str]) -> list:
    # PostgreSQL's jsonb does not keep key order: put the known keys first, the rest A-Z.
    return sorted(keys, key=lambda k: (preferred.index(k) if k in preferred else len(preferred), str(k)))


def per_layer_table(per_layer: dict) -> tuple[list[str], list[list]]:
    """A method's per-layer detail as (headers, rows): one row per layer, one column per series.

    Takes any series in the result - a list of numbers, or a mapping role → list - so a new method's
    detail shows up without a change here. Series of different lengths leave blank cells.
    """
    per_layer = per_layer or {}
    roles = per_layer.get("roles") if isinstance(per_layer.get("roles"), list) else _ROLE_ORDER
    columns: list[tuple[str, list]] = []
    for key in _ordered(per_layer, _SERIES_ORDER):
        value = per_layer[key]
        name = _SERIES_NAMES.get(key, key.replace("_", " "))
        if key in ("layers", "roles"):
            continue
        if _numeric_series(value):
            columns.append((name, value))
        elif isinstance(value, dict):
            columns.extend(
                (f"{name} {role.upper()}", value[role])
                for role in _ordered(value, roles)
                if _numeric_series(value[role])
            )
    length = max((len(series) for _, series in columns), default=0)
    labels = per_layer.get("layers") if isinstance(per_layer.get("layers"), list) else None
    rows = []
    for i in range(length):
        label = labels[i] if labels and i < len(labels) else i
        rows.append([label, *(series[i] if i < len(series) else None for _, series in columns)])
    return ["layer", *(name for name, _ in columns)], rows


def method_sections(report: FingerprintReport) -> list[dict]:
    """One entry per computed method: score, null (z, p, size, mean, std), reading, chart, table."""
    results = (report.result or {}).get("results") or {}
    sections = []
    for name in _ordered(results, (report.result or {}).get("methods") or []):
        result = results[name]
        calibration = result.get("calibration") or {}
        headers, rows = per_layer_table(result.get("per_layer") or {})
        chart = f"null_{name}"
        label = method_title(name)
        sections.append(
            {
                "name": name,
                "label": label,
                "score": result.get("score"),
                "score_text": score_text(name, result.get("score"), calibration),
                # The raw number too when the words do not show it (a p-value in place of a −log10 sum).
                "raw_hidden": _fmt(result.get("score"))
                not in score_text(name, result.get("score"), calibration),
                "reading": result.get("reading", ""),
                "calibration": calibration,
                "chart": chart if chart in report.charts_as_read else None,
                "chart_alt": f"Histogram of the {label} score for "
                f"{calibration.get('size') or 'the'} unrelated pairs (the null distribution), with this "
                f"report's score {_fmt(result.get('score'))} marked as a vertical line.",
                "headers": headers,
                "rows": rows,
            }
        )
    return sections


def _fmt(value) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "n/a"


def reproduce_commands(report: FingerprintReport) -> list[str]:
    """The commands that recompute this report: the project's and the bare engine's."""
    paths = [_path_hint(report.checkpoint_a), _path_hint(report.checkpoint_b)]
    methods = ",".join(report.methods) or "all"
    params = report.parameters or {}
    # Both commands take the engine's parameters under the same flags.
    options = f"--methods {methods}" + "".join(
        f" {parameter.flag} {params[name]}" for name, parameter in PARAMETERS.items() if name in params
    )
    return [
        f"python manage.py fingerprint {paths[0]} {paths[1]} {options}",
        f"python -m provenance.fingerprint compare {paths[0]} {paths[1]} {options}",
    ]


def compared_inputs(report: FingerprintReport) -> list[tuple[str, Checkpoint, dict]]:
    """Each side as the report recorded it when computed (``inputs`` of the engine's result: the
    source, its commit and every file's SHA-256 as verified), beside its checkpoint; ``{}`` for a
    report not computed yet or computed before the inputs were recorded (the checkpoint's own
    fields are shown then)."""
    inputs = (report.result or {}).get("inputs") or {}
    return [
        (side.upper(), checkpoint, inputs.get(side) or {})
        for side, checkpoint in (("a", report.checkpoint_a), ("b", report.checkpoint_b))
    ]


def _path_hint(checkpoint) -> str:
    """A folder name for the command line; the server's own paths are not published. A checkpoint
    downloaded from a hub is named as the engine's command line takes it, pinned to its commit."""
    if checkpoint.source_display:
        return checkpoint.source_at(checkpoint.source_commit or checkpoint.source_revision)
    if checkpoint.location:
        return Path(checkpoint.location).name
    return checkpoint.model.hub_id.replace("/", "--") if checkpoint.model.hub_id else checkpoint.model.slug


class ReportDetail(PublicRecordView):
    model = FingerprintReport
    shareable = True
    template_name = "site/report_detail.html"

    def get_queryset(self):
        return report_queryset(preview=self.preview)

    def preview_banner(self) -> str:
        # A report has no editorial status: it is public when the evidence citing it is.
        return "" if self.object.is_public else "This report's evidence record is not published"

    def preview_admin_link(self) -> tuple[str, str]:
        evidence = getattr(self.object, "evidence", None)
        if evidence is None:
            return super().preview_admin_link()
        url = reverse("admin:claims_evidenceartifact_change", args=[evidence.pk])
        return url, "Open its evidence record in the admin to publish it"

    def page_description(self) -> str:
        said = self.object.headline
        if said is not None:
            return f"{said.title}. {said.sentence}"[:300]
        summary = self.object.summary_as_read
        return summary[:300] if summary else "A fingerprint comparison of two AI model checkpoints."

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        return uncached_while_in_progress(response, report=self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        succeeded = report.status == FingerprintReport.Status.SUCCEEDED
        context.update(
            headline=report.headline,
            evidence_rows=evidence_rows(report.result) if succeeded and report.result else [],
            progress_state=report.progress_state,
            page_title=f"Fingerprint report: {report.public_title}",
            evidence=getattr(report, "evidence", None),
            methods=method_sections(report),
            skipped=(report.result or {}).get("skipped") or {},
            notes=(report.result or {}).get("notes") or [],
            coverage={  # the kinds plausible for this pair (every kind in results stored before issue 26)
                kind: {
                    **c,
                    "seen_by": [method_title(n) for n in c.get("seen_by") or []],
                    "would_look": [method_title(n) for n in c.get("would_look") or {}],
                }
                for kind, c in ((report.result or {}).get("coverage") or {}).items()
                if c.get("plausible", True)
            },
            verdict=(report.result or {}).get("verdict", ""),
            overview_charts=[
                (n, CHART_ALT[n])
                for n in ("sigma_curves", "layer_similarity", "aligned_layer_similarity")
                if n in report.charts_as_read
            ],
            commands=reproduce_commands(report),
            checkpoints=compared_inputs(report),
        )
        return context


def _report_or_404(request, slug: str) -> FingerprintReport:
    return get_object_or_404(report_queryset(preview=can_preview(request, FingerprintReport)), slug=slug)


@require_safe
def report_chart(request, slug: str, name: str):
    report = _report_or_404(request, slug)
    svg = report.charts_as_read.get(name)
    if not svg:
        raise Http404("No such chart in this report.")
    return svg_response(svg, cache_seconds=3600)


@require_safe
def report_json(request, slug: str):
    report = _report_or_404(request, slug)
    data = {
        "report": report.slug,
        "status": report.status,
        "checkpoints": {
            side: {
                "model": str(checkpoint.model),
                "retraction": retraction_json(checkpoint.model),
                "revision": checkpoint.revision,
            }
            for side, checkpoint in (("a", report.checkpoint_a), ("b", report.checkpoint_b))
        },
        "engine_version": report.engine_version,
        "library_versions": report.library_versions,
        "input_hashes": report.input_hashes,
        "parameters": report.parameters,
        "result": report.result_as_read,
    }
    response = JsonResponse(data, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{report.slug}.json"'
    return response


@require_safe
def report_layers_csv(request, slug: str, method: str):
    report = _report_or_404(request, slug)
    result = ((report.result or {}).get("results") or {}).get(method)
    if result is None:
        raise Http404("This report has no such method.")
    headers, rows = per_layer_table(result.get("per_layer") or {})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.slug}-{method}.csv"'
    writer = csv.writer(response)
    writer.writerow(headers)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return response
