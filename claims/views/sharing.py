"""Cite and share: the "Cite this" block, Open Graph cards (PNG) and embeds of reports and claims.

Everything here is for **public** records only, whoever asks (an editor previewing a draft gets no
card and no embed either): a card is served with a public cache header, and an embed is meant for
other sites' pages. Drafts are a 404, exactly as for readers.

Embeds (``/disputes/<slug>/embed/``: where the dispute stands; ``/reports/<slug>/embed/``,
``/claims/<slug>/embed/``) are the only pages another site may
frame: their Content-Security-Policy lists ``EMBED_ALLOWED_ORIGINS`` in ``frame-ancestors``
(``provenance.csp.embed_policy``) and they carry no ``X-Frame-Options`` (which cannot name
origins). Every other page keeps ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from claims.cards import Card, render_card
from claims.models import Claim, Dispute, FingerprintReport
from claims.models.public_state import retraction_of, stated_name
from claims.models.visibility import public_name
from claims.presentation.http_cache import digest
from claims.selectors import claim_detail_queryset, dispute_page, report_queryset
from claims.site_url import site_url
from provenance.csp import embed_policy
from provenance.fingerprint.evidence import Z_STRONG
from provenance.fingerprint.headline import VERDICT_TIERS, evidence_rows

CARD_CACHE_SECONDS = 3600  # how long a drawn card is kept server-side (keyed by what it says)
CARD_ALT = "A card with the page's title and what it found, from Provenance."


# -- what a card says ----------------------------------------------------------------------------
def _dispute_card(dispute: Dispute) -> Card:
    """The dispute's state, then where it stands (``claims.selectors.standing``): the assessment of
    its allegation and its strongest evidence in tier words."""
    retraction = retraction_of(dispute)
    if retraction is not None:
        return Card(
            kicker="Dispute", title=dispute.title, headline=f"{retraction.label}: see the note on the page"
        )
    state = (
        f"Closed · began {dispute.started_on_display}"
        if not dispute.is_open
        else f"Open since {dispute.started_on_display}"
    )
    standing = dispute_page(dispute=dispute, timeline_page=None).standing
    claim = standing.central[0] if standing.central else None
    tier = VERDICT_TIERS[standing.strongest.report.result["verdict"]] if standing.strongest else None
    return Card(
        kicker=f"Dispute · {state}",
        title=dispute.title,
        headline=(
            f"Strongest evidence: {standing.strongest_tier}"
            if standing.strongest
            else "No fingerprint report yet"
        ),
        tone=tier or "neutral",  # cards.TONES: cannot_tell is drawn as neutral
        footer=f"Our assessment of the allegation: {claim.get_assessment_display()}"
        if claim
        else "The claims, the evidence, the answers",
    )


def _claim_card(claim: Claim) -> Card:
    retraction = retraction_of(claim)
    headline = (
        f"{retraction.label}: see the note on the page"
        if retraction is not None
        else f"Our assessment: {claim.get_assessment_display()}"
    )
    return Card(
        kicker=f"Claim · {claim.get_kind_display()} · by {public_name(claim.claimant)}",
        title=claim.title,
        headline=headline,
        footer=f"In: {public_name(claim.dispute)}",
    )


def _report_card(report: FingerprintReport) -> Card:
    result = report.result or {}
    title = report.public_title
    if report.status != FingerprintReport.Status.SUCCEEDED:
        status = (
            "The comparison failed" if report.status == FingerprintReport.Status.FAILED else "Being computed"
        )
        return Card(kicker="Fingerprint report", title=title, headline=status)
    words = report.headline  # the report page's own headline: one source of these sentences
    # The evidence picture's rows: one grading and one axis (an exact p at its equal-tail sd).
    bars = [
        (row["title"][:22], min(float(row["sd"]), 1e4), row["level"] == "strong")
        for row in evidence_rows(result)
        if row["x"] is not None
    ]
    return Card(
        kicker="Fingerprint report · recomputed from the weights",
        title=title,
        headline=words.title if words else "Fingerprint comparison",
        tone=words.tier if words and words.tier != "cannot_tell" else "neutral",
        footer=" · ".join(
            part
            for part in (
                words.caveat if words else "",  # travels with every "no evidence" headline
                "Every score beside its null",
                f"engine {report.engine_version}" if report.engine_version else "",
            )
            if part
        ),
        bars=bars[:8],
        threshold=Z_STRONG if bars else None,
    )


def _card_response(request: HttpRequest, kind: str, pk: int, card: Card) -> HttpResponse:
    """The card as PNG, drawn once per content (kept under a digest of what it says). Its validators
    and ``Cache-Control`` are every public read's (``claims.presentation.http_cache``): a card leaves shared caches
    within ``HTTP_CACHE_SECONDS`` of its record's unpublishing, as the page does."""
    key = f"og-card:{kind}:{pk}:{digest(repr(card))}"
    png = cache.get(key)
    if png is None:
        png = render_card(card)
        cache.set(key, png, CARD_CACHE_SECONDS)
    response = HttpResponse(png, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def dispute_card(request, slug: str):
    dispute = get_object_or_404(Dispute.objects.public(), slug=slug)
    return _card_response(request, "dispute", dispute.pk, _dispute_card(dispute))


@require_safe
def claim_card(request, slug: str):
    claim = get_object_or_404(claim_detail_queryset(preview=False), slug=slug)
    return _card_response(request, "claim", claim.pk, _claim_card(claim))


@require_safe
def report_card(request, slug: str):
    report = get_object_or_404(report_queryset(preview=False), slug=slug)
    return _card_response(request, "report", report.pk, _report_card(report))


# -- the page's "Cite this" block and Open Graph image ----------------------------------------------
CARD_ROUTES = {
    Dispute: "claims:dispute-card",
    Claim: "claims:claim-card",
    FingerprintReport: "claims:report-card",
}
EMBED_ROUTES = {
    Dispute: "claims:dispute-embed",
    Claim: "claims:claim-embed",
    FingerprintReport: "claims:report-embed",
}


def _cite_facts(record) -> tuple[str, object, str]:
    """(title, date it was published or computed, engine version) of a dispute, claim or report."""
    if isinstance(record, FingerprintReport):
        title = f"Fingerprint report: {record.public_title}"
        return title, record.finished_at or record.requested_at, record.engine_version
    return stated_name(record.title, record), record.published_at or record.created_at, ""


def share_context(request: HttpRequest, record) -> dict:
    """Context of a public page that can be cited and shared: ``cite`` (for ``site/_cite.html``) and
    the Open Graph image's absolute URL. Empty for a record readers cannot see (a preview); a report
    that has not succeeded (queued, running, failed) has its card but nothing to cite or embed."""
    if not record.is_public:
        return {}
    if isinstance(record, FingerprintReport) and record.status != FingerprintReport.Status.SUCCEEDED:
        return {
            "og_image": site_url(reverse(CARD_ROUTES[FingerprintReport], args=[record.slug])),
            "og_image_alt": CARD_ALT,
        }
    title, date, engine = _cite_facts(record)
    url = site_url(record.get_absolute_url())
    embed_route = EMBED_ROUTES.get(type(record))
    embed_url = site_url(reverse(embed_route, args=[record.slug])) if embed_route else ""
    return {
        "cite": {
            "title": title,
            "date": date,
            "updated": getattr(record, "updated_at", None),
            "url": url,
            "engine_version": engine,
            "embed_url": embed_url,
            "kind": record._meta.verbose_name,
        },
        "og_image": site_url(reverse(CARD_ROUTES[type(record)], args=[record.slug])),
        "og_image_alt": CARD_ALT,
    }


# -- embeds --------------------------------------------------------------------------------------
def _embed_response(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    response = render(request, template, context)
    origins = list(settings.EMBED_ALLOWED_ORIGINS)
    response["Content-Security-Policy"] = embed_policy(origins)
    if origins:
        response.xframe_options_exempt = True  # X-Frame-Options cannot name origins; the CSP does
    return response


@require_safe
def dispute_embed(request, slug: str):
    """Where the dispute stands, the box at the top of its page, for another site's page."""
    dispute = get_object_or_404(Dispute.objects.public(), slug=slug)
    context = {
        "dispute": dispute,
        "page": dispute_page(dispute=dispute, timeline_page=None),
        "page_title": stated_name(dispute.title, dispute),
        "full_url": site_url(dispute.get_absolute_url()),
    }
    return _embed_response(request, "site/embed_dispute.html", context)


@require_safe
def claim_embed(request, slug: str):
    claim = get_object_or_404(claim_detail_queryset(preview=False), slug=slug)
    context = {
        "claim": claim,
        "page_title": public_name(claim),
        "full_url": site_url(claim.get_absolute_url()),
    }
    return _embed_response(request, "site/embed_claim.html", context)


@require_safe
def report_embed(request, slug: str):
    """A finished report's verdict for another site's page; a report still computing or failed has
    no embed (404), as it has no "Cite this"."""
    report = get_object_or_404(
        report_queryset(preview=False).filter(status=FingerprintReport.Status.SUCCEEDED), slug=slug
    )
    context = {
        "report": report,
        "page_title": report.public_title,
        "headline": report.headline,
        "full_url": site_url(report.get_absolute_url()),
    }
    return _embed_response(request, "site/embed_report.html", context)
