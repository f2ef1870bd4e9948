"""AI models (with their declared lineage) and checkpoints (one concrete set of weights each)."""

from __future__ import annotations

from rest_framework import serializers

from claims import services
from claims.api.serializers.fields import (
    BaseSerializer,
    LinkField,
    MarkdownHTMLField,
    PublicRecordSerializer,
    api_url,
)
from claims.api.serializers.summaries import (
    AIModelSummarySerializer,
    EvidenceSummarySerializer,
    PartySummarySerializer,
)
from claims.models import AIModel, Checkpoint, EvidenceArtifact, Party


class CheckpointSummarySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The checkpoint's API address.")

    class Meta:
        model = Checkpoint
        fields = ["url", "id", "revision", "format", "content_hash", "total_size", "layer_count"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        from django.urls import reverse

        path = reverse("api:checkpoint-detail", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AIModelSerializer(PublicRecordSerializer):
    developer = LinkField(
        model=Party, allow_null=False, expand_with=PartySummarySerializer, help_text="The developer."
    )
    release_date_source = LinkField(
        model=EvidenceArtifact, required=False, expand_with=EvidenceSummarySerializer,
        help_text="The evidence for the release date.",
    )  # fmt: skip
    declared_base = LinkField(
        model=AIModel, required=False, expand_with=AIModelSummarySerializer,
        help_text="The base model the developer itself declares (alleged lineage lives in claims).",
    )  # fmt: skip
    description_html = MarkdownHTMLField(source="description")
    checkpoints = CheckpointSummarySerializer(
        many=True, read_only=True, help_text="Its registered checkpoints."
    )

    class Meta:
        model = AIModel
        fields = [
            *PublicRecordSerializer.PUBLIC_FIELDS, "name", "developer", "family", "architecture",
            "parameters_total", "parameters_active", "layer_count", "release_date", "release_date_precision",
            "release_date_source", "licence", "homepage", "hub_id", "declared_base", "declared_relation",
            "description", "description_html", "checkpoints",
        ]  # fmt: skip
        read_only_fields = PublicRecordSerializer.PUBLIC_READ_ONLY


class CheckpointSerializer(BaseSerializer):
    """Read: everything the worker learnt about the weights. Write (register): model, revision,
    location inside the model store, note - the pipeline reads the headers at once. A change
    (PATCH) applies to the same checkpoint; model, revision and location are fixed once hashed."""

    url = serializers.SerializerMethodField(help_text="This checkpoint's API address.")
    model = LinkField(
        model=AIModel, allow_null=False, expand_with=AIModelSummarySerializer, help_text="The AI model."
    )
    location = serializers.CharField(
        write_only=True, max_length=1000,
        help_text="A folder or file inside the configured model store (MODEL_STORE); not shown on reads.",
    )  # fmt: skip
    note_html = MarkdownHTMLField(source="note")

    class Meta:
        model = Checkpoint
        fields = [
            "url", "id", "model", "revision", "format", "location", "total_size", "file_hashes",
            "content_hash", "config", "tokenizer_digest", "layout_family", "layer_count", "note",
            "note_html", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "format", "total_size", "file_hashes", "content_hash", "config", "tokenizer_digest",
            "layout_family", "layer_count", "created_at", "updated_at",
        ]  # fmt: skip
        extra_kwargs = {"note": {"required": False}}

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return self.context["request"].build_absolute_uri(
            reverse("api:checkpoint-detail", kwargs={"pk": obj.pk})
        )

    def create(self, validated_data):
        checkpoint, _created = services.checkpoint_register(
            model=validated_data["model"],
            revision=validated_data["revision"],
            location=validated_data["location"],
            note=validated_data.get("note", ""),
            user=self.context["request"].user,
        )
        return checkpoint

    def update(self, instance, validated_data):
        # The same row changes; once hashed, Checkpoint.clean refuses identity changes (400 naming the field).
        checkpoint, _updated = services.checkpoint_update(
            checkpoint=instance, data=validated_data, user=self.context["request"].user
        )
        return checkpoint


__all__ = ["AIModelSerializer", "CheckpointSerializer", "CheckpointSummarySerializer", "api_url"]
