"""Flat summaries of each public record: what ``?expand=`` puts in place of a link.

Only the record's own columns (no further relations), so expanding costs no extra query: the
view has already joined the related row.
"""

from __future__ import annotations

from rest_framework import serializers

from claims.api.serializers.fields import RetractionField, api_url
from claims.models import AIModel, Claim, Dispute, EvidenceArtifact, Party


class _Summary(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The record's API address.")
    retraction = RetractionField()

    def get_url(self, obj) -> str:
        return api_url(self.context.get("request"), obj)


class PartySummarySerializer(_Summary):
    class Meta:
        model = Party
        fields = [
            "url",
            "slug",
            "name",
            "kind",
            "country",
            "website",
            "identity_verified",
            "status",
            "retraction",
        ]
        read_only_fields = fields


class AIModelSummarySerializer(_Summary):
    class Meta:
        model = AIModel
        fields = [
            "url", "slug", "name", "family", "architecture", "parameters_total", "parameters_active",
            "layer_count", "release_date", "release_date_precision", "hub_id", "status", "retraction",
        ]  # fmt: skip
        read_only_fields = fields


class DisputeSummarySerializer(_Summary):
    class Meta:
        model = Dispute
        fields = [
            "url",
            "slug",
            "title",
            "started_on",
            "started_on_precision",
            "ended_on",
            "status",
            "retraction",
        ]
        read_only_fields = fields


class ClaimSummarySerializer(_Summary):
    is_response = serializers.BooleanField(
        read_only=True, help_text="True for a rebuttal (it responds to a claim)."
    )

    class Meta:
        model = Claim
        fields = [
            "url",
            "slug",
            "title",
            "kind",
            "made_on",
            "date_precision",
            "assessment",
            "is_response",
            "status",
            "retraction",
        ]
        read_only_fields = fields


class EvidenceSummarySerializer(_Summary):
    class Meta:
        model = EvidenceArtifact
        fields = [
            "url",
            "slug",
            "title",
            "kind",
            "url_at_source",
            "published_on",
            "date_precision",
            "status",
            "retraction",
        ]
        read_only_fields = fields
        extra_kwargs = {"url_at_source": {"source": "url"}}

    url_at_source = serializers.CharField(
        source="url", read_only=True, help_text="Where the original was published."
    )
