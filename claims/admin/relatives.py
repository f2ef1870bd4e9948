"""The "Closest known relatives" of an AI model's change page: each checkpoint's lineage-search
candidates (``claims.selectors.relatives``, drafts included), with their tier and calibrated scores,
the report between the two if there is one, else a "Compare" link to the report request form (which
asks through ``claims.services.report_request``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _scores(candidate) -> str:
    parts = []
    if candidate.share is not None and candidate.share.tensors:
        parts.append(f"{candidate.share.tensors} tensor(s) bit-identical")
    if candidate.sketch.z is not None:
        parts.append(f"sampled weights z = {candidate.sketch.z:.1f}")
    if candidate.profile.z is not None:
        text = f"profile z = {candidate.profile.z:.1f}"
        if candidate.profile.p_index is not None:
            text += f" (p = {candidate.profile.p_index:.2g})"
        parts.append(text)
    return "; ".join(parts) or candidate.reason or "nothing comparable"


def _action(query, relative) -> SafeString:
    if relative.report is not None:
        return format_html(
            '<a href="{}">report ({})</a>',
            relative.report.get_absolute_url(),
            relative.report.get_status_display(),
        )
    url = reverse("admin:claims_fingerprintreport_add")
    query_string = urlencode({"checkpoint_a": query.pk, "checkpoint_b": relative.checkpoint.pk})
    return format_html('<a class="button" href="{}?{}">Compare</a>', url, query_string)


def relatives_html(found: list) -> SafeString:
    """``model_relatives(..., preview=True)`` as the admin shows it."""
    if not found:
        return mark_safe(
            "No checkpoint of this model has a known relative yet (it is placed once it is fingerprinted)."
        )
    blocks = []
    for relatives in found:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (r.candidate.name, r.candidate.title, _scores(r.candidate), _action(relatives.checkpoint, r))
                for r in relatives.relatives
            ),
        )
        notes = format_html_join("", "<p class='help'>{}</p>", ((n,) for n in relatives.notes))
        blocks.append(
            format_html(
                "<h4>{}</h4><table><thead><tr><th>Relative</th><th>Screening</th><th>Scores</th><th></th></tr>"
                "</thead><tbody>{}</tbody></table>{}",
                relatives.checkpoint,
                rows,
                notes,
            )
        )
    return mark_safe("".join(blocks))  # noqa: S308 - every part escaped by format_html above
