"""The plain-text report a person reads in a terminal: one formatter for every command line.

``format_report(report_dict)`` opens with the headline (``headline.headline``: the tier and one
sentence of why), then takes the JSON document of ``ComparisonReport.to_dict()`` (as the
engine returns it or as the knowledge base stored it) and returns the table of scores beside their
nulls, each method's reading, the notes and the summary. ``python -m provenance.fingerprint
compare`` and ``manage.py fingerprint`` both print it. Any number may be missing (None): a method
with no score, a null that could not be drawn; the cell then shows ``-``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from .headline import headline
from .sizes import human_bytes

WIDTH = 100


def _number(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _p(calibration: Mapping[str, Any]) -> str:
    log10_p = calibration.get("log10_p")
    if log10_p is not None and log10_p < -300:  # a Fisher p below float range
        return f"1e{log10_p:.0f}"
    p = calibration.get("p")
    if p is None:
        return "-"
    return f"{p:.3f}" if p >= 1e-3 else f"{p:.0e}"


def _input(tag: str, described: Mapping[str, Any]) -> str:
    size = described.get("total_bytes")
    return (
        f"{tag}: {described.get('label')}  ({described.get('family')}, {described.get('num_layers')} layers, "
        f"{'-' if size is None else human_bytes(size)})"
    )


def format_report(report: Mapping[str, Any]) -> str:
    """The report as text lines (ending with a newline), at most about 100 columns wide."""
    inputs = report.get("inputs") or {}
    lines = [_input("A", inputs.get("a") or {}), _input("B", inputs.get("b") or {}), ""]
    if (said := headline(report)) is not None:
        sentence = textwrap.fill(said.sentence, WIDTH, initial_indent="  ", subsequent_indent="  ")
        lines += [f"Verdict: {said.title}", sentence]
        lines += [f"  {said.caveat}", ""] if said.caveat else [""]
    lines.append(f"{'method':<17}{'score':>9}   {'null mean ± std':<20}{'z':>9}{'p':>8}   null")
    results = report.get("results") or {}
    for name, result in results.items():
        c = result.get("calibration") or {}
        null = "-" if c.get("mean") is None else f"{c['mean']:.3f} ± {_number(c.get('std'), '.3f')}"
        lines.append(
            f"{name:<17}{_number(result.get('score'), '.3f'):>9}   {null:<20}{_number(c.get('z'), '.1f'):>9}"
            f"{_p(c):>8}   {c.get('size', 0)} {c.get('source', '')}".rstrip()
        )
    for name, why in (report.get("skipped") or {}).items():
        lines.append(f"{name:<17}{'n/a':>9}   {why}")
    lines.append("")
    for name, result in results.items():
        lines.append(
            textwrap.fill(
                result.get("reading") or "", WIDTH, initial_indent=f"{name}: ", subsequent_indent="    "
            )
        )
    for note in report.get("notes") or []:
        lines.append(textwrap.fill(note, WIDTH, initial_indent="note: ", subsequent_indent="    "))
    lines.append("")
    lines.append(textwrap.fill(f"Summary ({report.get('verdict')}): {report.get('summary')}", WIDTH))
    return "\n".join(lines) + "\n"
