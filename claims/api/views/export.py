"""The bulk export (``claims.api.export``) and the ClaimReview JSON-LD feed of public claims."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.api.export import export_document
from claims.api.views.base import ApiViewMixin
from claims.presentation.http_cache import uncached_while_in_progress
from claims.presentation.jsonld import claim_review_data
from claims.selectors import claims_reviewed


class LicenceSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="CC BY 4.0.")
    url = serializers.URLField(help_text="The licence text.")
    attribution = serializers.CharField(help_text="Whom to credit.")
    notice = serializers.CharField(
        help_text="What the licence covers, and that quoted material belongs to its authors."
    )


def _section(what: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.DictField(),
        help_text=f"Every public {what}, sorted by slug (natural key); relations are slugs, null when "
        "the related record is not public.",
    )


class ExportDocumentSerializer(serializers.Serializer):
    format = serializers.CharField(help_text='Always "provenance-export".')
    schema_version = serializers.IntegerField(help_text="Changes when the document's shape changes.")
    licence = LicenceSerializer(help_text="Terms of reuse.")
    last_updated = serializers.DateTimeField(
        allow_null=True, help_text="The newest `updated_at` in the document."
    )
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Records per section.")
    parties = _section("party")
    ai_models = _section("AI model")
    checkpoints = _section("checkpoint of a public AI model (keyed by model slug and revision)")
    reports = _section("fingerprint report (with its result and SVG charts)")
    evidence = _section("evidence artifact")
    disputes = _section("dispute (with models at stake and party roles)")
    claims = _section("claim and rebuttal")
    evidence_links = _section("link between a public claim and public evidence")
    rights_of_reply = _section("request for a right of reply on a public claim")


class ExportView(ApiViewMixin, APIView):
    """Every published record in one document, for researchers to download (e.g. weekly)."""

    @extend_schema(
        summary="Bulk export of every public record",
        description="One versioned JSON document (`schema_version`), stably ordered, with its licence. "
        "`manage.py export` writes the same document.",
        responses=ExportDocumentSerializer,
    )
    def get(self, request):
        response = Response(export_document())
        response["Content-Disposition"] = 'inline; filename="provenance-export.json"'
        return uncached_while_in_progress(response)  # it holds reports' progress


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class ClaimReviewFeedView(ApiViewMixin, APIView):
    """schema.org ClaimReview of every published claim, for fact-check aggregators."""

    renderer_classes = [JSONLDRenderer]

    @extend_schema(
        summary="ClaimReview JSON-LD feed of published claims",
        description="A schema.org `@graph` of `ClaimReview` items: the claim, who made it and where, and "
        "our assessment as a Rating (1 refuted … 5 supported; unverified and withdrawn claims are unrated).",
        responses={(200, "application/ld+json"): OpenApiResponse(description="A JSON-LD document.")},
    )
    def get(self, request):
        graph = []
        for claim in claims_reviewed():
            review = claim_review_data(claim, request=request)
            del review["@context"]  # the document's, once
            graph.append(review)
        return Response({"@context": "https://schema.org", "@graph": graph})
