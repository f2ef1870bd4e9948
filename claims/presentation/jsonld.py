"""schema.org ClaimReview JSON-LD for a claim page, built as data and serialised safely.

Embedded in ``<script type="application/ld+json">``: a data block the browser never executes (so
the Content-Security-Policy need not allow it), but the HTML parser still ends the element at the
first ``</script``. ``<``, ``>`` and ``&`` are therefore written as JSON ``\\u`` escapes, which
parse to the same string.
"""

from __future__ import annotations

import json

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from claims.models import Claim, DatePrecision, Party
from claims.models.visibility import UNPUBLISHED_LABEL, public_name
from claims.site_url import site_url

ORGANISATION_NAME = "Provenance"
_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def iso_date(value, precision: str) -> str | None:
    """ISO 8601 at the precision known: "2025-07-05", "2025-07" or "2025"."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def _party(party: Party, request: HttpRequest) -> dict:
    """The claimant; one that is not public is neither named nor linked."""
    if not party.is_public:
        return {"@type": "Organization", "name": UNPUBLISHED_LABEL}
    kind = "Person" if party.kind == Party.Kind.PERSON else "Organization"
    return {
        "@type": kind,
        "name": public_name(party),
        "url": site_url(party.get_absolute_url()),
    }


def claim_review_data(claim: Claim, *, request: HttpRequest) -> dict:
    """The ClaimReview of ``claim`` as a dict (claimant, source and dispute are select_related).
    Callers emit it only for a reviewable claim (``Claim.is_reviewable``: never a retracted one)."""
    item = {"@type": "Claim", "author": _party(claim.claimant, request)}
    made_on = iso_date(claim.made_on, claim.date_precision)
    if made_on:
        item["datePublished"] = made_on
    source = claim.source
    if source is not None and source.is_public:
        appearance = {
            "@type": "CreativeWork",
            "name": public_name(source),
            "url": source.url or site_url(source.get_absolute_url()),
        }
        item["appearance"] = [appearance]
        item["firstAppearance"] = appearance
    rating = {"bestRating": 5, "worstRating": 1, **claim.claim_review_rating()}
    site = site_url("/")
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": site_url(claim.get_absolute_url()),
        "claimReviewed": claim.title,
        "itemReviewed": item,
        "reviewRating": rating,
        "author": {"@type": "Organization", "name": ORGANISATION_NAME, "url": site},
        "datePublished": (claim.published_at or claim.created_at).date().isoformat(),
        "dateModified": claim.updated_at.date().isoformat(),
        "license": "https://creativecommons.org/licenses/by/4.0/",
    }


def to_script_json(data: dict) -> SafeString:
    """``data`` as JSON that is safe inside a ``<script type="application/ld+json">`` element."""
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_ESCAPES))  # noqa: S308


def claim_review(claim: Claim, *, request: HttpRequest) -> SafeString:
    return to_script_json(claim_review_data(claim, request=request))
