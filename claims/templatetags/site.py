"""``{% load site %}``: badges that carry their meaning in text and symbol (colour only adds to it),
links that only point at public records, absolute URLs for canonical and Open Graph tags."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from claims import selectors
from claims.models import Claim, EvidenceLink
from claims.models.public_state import retraction_of
from claims.models.visibility import UNPUBLISHED_LABEL, public_name, public_or_none
from claims.site_url import site_url
from provenance.fingerprint import readable
from provenance.fingerprint.sizes import human_bytes

register = template.Library()

# A symbol per value, so the badges read the same in greyscale, high contrast or a screen reader's text.
ASSESSMENT_SYMBOLS = {
    Claim.Assessment.UNVERIFIED: "?",
    Claim.Assessment.SUPPORTED: "✓",
    Claim.Assessment.CONTESTED: "±",
    Claim.Assessment.REFUTED: "✗",
    Claim.Assessment.WITHDRAWN: "–",
}
VERDICT_SYMBOLS = {"supported": "✓", "some": "±", "none": "○", "unknown": "?"}
STANCE_SYMBOLS = {
    EvidenceLink.Stance.SUPPORTS: "+",
    EvidenceLink.Stance.REFUTES: "−",
    EvidenceLink.Stance.CONTEXT: "·",
}


def _badge(css_class: str, symbol: str, label: str):
    esc = conditional_escape  # format_html's escaping, without its cost on hundreds of badges a page
    return mark_safe(  # noqa: S308 - every part escaped
        f'<span class="badge {esc(css_class)}"><span aria-hidden="true">{esc(symbol)}</span> {esc(label)}</span>'
    )


def _assessment_badge(value: str, label: str):
    return _badge(f"assessment-{value}", ASSESSMENT_SYMBOLS.get(value, ""), f"Assessment: {label}")


# Made once: a page shows hundreds (``get_assessment_display`` rebuilt the choices at each call).
ASSESSMENT_BADGES = {value: _assessment_badge(value, label) for value, label in Claim.Assessment.choices}


@register.simple_tag
def assessment_badge(claim: Claim):
    badge = ASSESSMENT_BADGES.get(claim.assessment)
    return badge if badge is not None else _assessment_badge(claim.assessment, claim.assessment)


@register.simple_tag
def claim_items(claims) -> str:
    """``<li>`` per claim: its assessment, a link to it, its retraction; the box's list of central
    claims, which has a claim per claim that answers no other (hundreds on a large dispute: in
    Python, not a template loop, which cost ten times as much)."""
    esc = conditional_escape
    items = (
        f'<li>{assessment_badge(c)} <a href="{esc(c.get_absolute_url())}">{esc(c.title)}</a>{retraction_badge(c)}</li>'
        for c in claims
    )
    return mark_safe("\n".join(items))  # noqa: S308 - every part escaped (the badges are safe strings)


@register.simple_tag
def select_options(choices, selected) -> str:
    """``<option>`` per (value, label) of ``choices``, ``selected`` marked: a filter's choices (a
    thousand disputes, hundreds of parties and models on the index pages: in Python, not a
    template loop)."""
    esc = conditional_escape
    options = (
        f'<option value="{esc(value)}"{" selected" if value == selected else ""}>{esc(label)}</option>'
        for value, label in choices
    )
    return mark_safe("".join(options))  # noqa: S308 - every value and label escaped above


@register.simple_tag
def verdict_badge(report):
    """The report's verdict ("Verdict: lineage supported"), or its status while it has none."""
    verdict = report.verdict
    if verdict is None:
        return _badge("draft", "…", f"Report {report.get_status_display()}")
    return _badge(f"verdict-{verdict.tier}", VERDICT_SYMBOLS[verdict.tier], f"Verdict: {verdict.label}")


@register.simple_tag
def stance_badge(link: EvidenceLink):
    return _badge(f"stance-{link.stance}", STANCE_SYMBOLS.get(link.stance, ""), link.get_stance_display())


@register.simple_tag
def retraction_badge(record):
    """ "Record retracted by Provenance on <date>" as a badge, for a retracted record; "" otherwise
    (``claims.models.public_state``: the one wording)."""
    retraction = retraction_of(record)
    if retraction is None:
        return ""
    return format_html(' <span class="badge retracted">{}</span>', retraction.label)


@register.simple_tag
def retraction_label(record) -> str:
    """The retraction's sentence alone (the heading of the retraction box), "" when not retracted."""
    retraction = retraction_of(record)
    return retraction.label if retraction else ""


@register.simple_tag(takes_context=True)
def record_link(context, record, text=None):
    """A link to ``record`` when the viewer may see it, with its retraction badge when it is retracted;
    "(an unpublished record)" otherwise, never its name (``claims.models.visibility``)."""
    if record is None:
        return ""
    if public_or_none(record, preview=bool(context.get("preview"))) is None:
        return format_html('<span class="unpublished">{}</span>', UNPUBLISHED_LABEL)
    label = text if text is not None else str(record)
    return format_html('<a href="{}">{}</a>{}', record.get_absolute_url(), label, retraction_badge(record))


@register.simple_tag(takes_context=True)
def record_name(context, record):
    """``record``'s name when the viewer may see it, "(an unpublished record)" otherwise."""
    return public_name(record, preview=bool(context.get("preview")))


@register.simple_tag
def absolute_url(path: str) -> str:
    return site_url(path)


@register.simple_tag(takes_context=True)
def reply_sentence(context, reply) -> str:
    return selectors.reply_sentence(reply, preview=bool(context.get("preview")))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def thousands(value) -> str:
    """12000000000 → "12,000,000,000" (without django.contrib.humanize's locale machinery)."""
    return f"{value:,}" if isinstance(value, int) else value


@register.filter
def number(value, digits: int = 3) -> str:
    """A float with ``digits`` decimals; "n/a" for a missing value (None in a result)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "n/a" if value is None else str(value)
    return f"{value:.{digits}f}"


# Numbers people can read: the engine's one formatter (provenance.fingerprint.readable).
@register.filter
def bytes_readable(value) -> str:
    """1234567890 → "1.2 GB" (the engine's one byte wording); anything not a count as it is."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return human_bytes(value)


register.filter("distance", readable.distance)
register.filter("chance", readable.chance)
register.filter("weighed", readable.weighed)


@register.simple_tag
def evidence_standard() -> str:
    """The one standard of evidence in words (``provenance.fingerprint.readable.STANDARD``)."""
    return readable.STANDARD


@register.filter
def report_headline(report):
    """The verdict tier, its title and one sentence of why (``FingerprintReport.headline``) of a
    succeeded report; None otherwise."""
    return report.headline if report is not None else None
