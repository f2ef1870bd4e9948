"""Evidence artifacts and their links to claims (with a stance: supports, refutes, context)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from claims.api.serializers.fields import (
    BaseSerializer,
    LinkField,
    MarkdownHTMLField,
    PublicRecordSerializer,
    absolute,
)
from claims.api.serializers.summaries import (
    ClaimSummarySerializer,
    EvidenceSummarySerializer,
    PartySummarySerializer,
)
from claims.models import (
    CaptureArtefact,
    Claim,
    EvidenceArtifact,
    EvidenceLink,
    FingerprintReport,
    Party,
    SourceCapture,
)
from claims.models.language import ORIGINAL_TEXT_FIELDS


class CaptureArtefactSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Download address (served as an attachment or image).")

    class Meta:
        model = CaptureArtefact
        fields = ["kind", "url", "content_type", "sha256", "size"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        capture = obj.capture
        path = reverse(
            "claims:capture-artefact",
            kwargs={"slug": capture.evidence.slug, "capture_id": capture.pk, "kind": obj.kind},
        )
        return absolute(self.context.get("request"), path)


class SourceCaptureSerializer(serializers.ModelSerializer):
    # Not a "uri": empty until the capture has fetched the page (queued, or failed before an answer).
    final_url = serializers.CharField(
        read_only=True, help_text="The address after redirects; empty until the page was fetched."
    )
    artefacts = serializers.SerializerMethodField(
        help_text="What was stored, each with its SHA-256 and size."
    )

    class Meta:
        model = SourceCapture
        fields = [
            "id", "status", "url", "final_url", "http_status", "content_type", "requested_at",
            "retrieved_at", "finished_at", "error", "blocked_requests", "artefacts",
        ]  # fmt: skip
        read_only_fields = fields

    def get_artefacts(self, obj) -> list[dict]:
        if obj.status != SourceCapture.Status.SUCCEEDED:
            return []
        return CaptureArtefactSerializer(obj.artefact_list(), many=True, context=self.context).data


class EvidenceSerializer(PublicRecordSerializer):
    author = LinkField(
        model=Party,
        required=False,
        expand_with=PartySummarySerializer,
        help_text="Who published it, when known.",
    )
    report = LinkField(
        model=FingerprintReport, read_only=True, help_text="For an analysis: the fingerprint report it cites."
    )
    url_at_source = serializers.URLField(
        source="url", max_length=500, required=False, allow_blank=True,
        help_text="Where the original was published.",
    )  # fmt: skip
    archived_copy = serializers.SerializerMethodField(help_text="Our archived copy, if any; null otherwise.")
    description_html = MarkdownHTMLField(source="description")
    captures = SourceCaptureSerializer(
        many=True,
        read_only=True,
        help_text="The succeeded captures of the source URL by this archive, newest first (a failed or "
        "unfinished one is an editor's matter: the admin and the desk show it).",
    )

    class Meta:
        model = EvidenceArtifact
        fields = [
            *PublicRecordSerializer.PUBLIC_FIELDS, "title", "kind", "author", "url_at_source",
            "removed_at_source", "published_on", "date_precision", "description", "description_html",
            "archived_copy", "sha256", "retrieved_at", "report", "captures", *ORIGINAL_TEXT_FIELDS,
        ]  # fmt: skip
        read_only_fields = [*PublicRecordSerializer.PUBLIC_READ_ONLY, "sha256", "retrieved_at", "captures"]

    def get_archived_copy(self, obj) -> str | None:
        """The site's archive download (the same access rule as the record's page), not the
        storage path: uploaded files are not served from MEDIA_URL."""
        if not obj.archived_file:
            return None
        path = reverse("claims:evidence-archive", kwargs={"slug": obj.slug})
        return absolute(self.context.get("request"), path)


class EvidenceLinkSerializer(BaseSerializer):
    url = serializers.SerializerMethodField(help_text="This link's API address.")
    claim = LinkField(
        model=Claim, allow_null=False, expand_with=ClaimSummarySerializer, help_text="The claim."
    )
    evidence = LinkField(
        model=EvidenceArtifact,
        allow_null=False,
        expand_with=EvidenceSummarySerializer,
        help_text="The evidence.",
    )
    note_html = MarkdownHTMLField(source="note")

    class Meta:
        model = EvidenceLink
        fields = ["url", "id", "claim", "evidence", "stance", "note", "note_html"]
        read_only_fields = ["id"]
        extra_kwargs = {"note": {"required": False}}

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return absolute(self.context["request"], reverse("api:evidencelink-detail", kwargs={"pk": obj.pk}))
