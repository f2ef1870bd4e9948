"""AI models (with their declared lineage) and checkpoints (one concrete set of weights each)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import services
from claims.api.serializers.fields import (
    BaseSerializer,
    LinkField,
    MarkdownHTMLField,
    PublicRecordSerializer,
    absolute,
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
        return absolute(self.context.get("request"), path)


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


class SourceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["hub", "git"],
        required=False,
        default="hub",
        help_text="A model hub, or a git repository with LFS.",
    )
    hub = serializers.CharField(
        max_length=40,
        required=False,
        default="huggingface",
        help_text="One of the operator's HUBS (kind hub).",
    )
    repo = serializers.CharField(
        max_length=200, required=False, help_text="Repository ID, e.g. Qwen/Qwen2.5-14B (kind hub)."
    )
    url = serializers.CharField(
        max_length=500, required=False, help_text="The repository's https:// URL, under GIT_HOSTS (kind git)."
    )
    revision = serializers.CharField(
        max_length=200, required=False, default="main", help_text="Branch, tag or commit."
    )
    file = serializers.CharField(
        max_length=300,
        required=False,
        default="",
        allow_blank=True,
        help_text="One GGUF file of the repository, e.g. model-Q4_K_M.gguf (kind hub; any part of a split "
        "set names the whole set): required when it holds several GGUF models and no safetensors.",
    )


class PreviewRequestSerializer(serializers.Serializer):
    source = SourceSerializer(help_text="The hub repository or git repository to preview.")


class PreviewSerializer(serializers.Serializer):
    """What adding a checkpoint from this source would do (``services.checkpoint_preview``)."""

    source = serializers.CharField(help_text="e.g. hf:Qwen/Qwen2.5-14B@main.")
    commit = serializers.CharField(help_text="The commit the revision resolves to.")
    files = serializers.ListField(
        child=serializers.DictField(), help_text="name and size of each file to fetch."
    )
    total_bytes = serializers.IntegerField()
    largest_file = serializers.IntegerField()
    mode = serializers.ChoiceField(
        choices=["download", "shard_by_shard"],
        help_text="download: kept in the model cache; shard_by_shard: larger than MODEL_CACHE_MAX_GB, each "
        "shard fingerprinted then deleted.",
    )
    disk_needed = serializers.IntegerField(help_text="Bytes on disk at most while acquiring.")
    disk_free = serializers.IntegerField(help_text="Bytes free where the model cache is.")
    budget = serializers.IntegerField(help_text="MODEL_CACHE_MAX_GB in bytes; 0: no budget.")
    range_reads = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the hub answers HTTP Range requests (asked only for shard_by_shard, where the "
        "weight methods need them); null when not asked.",
    )
    methods = serializers.ListField(child=serializers.CharField(), help_text="Methods that can run on it.")
    skipped = serializers.DictField(child=serializers.CharField(), help_text="The others, with why.")
    summary = serializers.CharField(help_text="All of it in one paragraph for an editor.")


class AcquisitionSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="e.g. hf:Qwen/Qwen2.5-14B@main.")
    commit = serializers.CharField(help_text="The commit the revision resolved to; empty until downloaded.")
    files = serializers.ListField(
        child=serializers.DictField(), help_text="name, size and SHA-256 of each file."
    )
    status = serializers.CharField(help_text="queued, running, done or failed.")
    bytes_done = serializers.IntegerField()
    bytes_total = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(help_text="Why the download failed; empty otherwise.")


class CheckpointSerializer(BaseSerializer):
    """Read: everything the worker learnt about the weights. Write (register): model, revision,
    location inside the model store, note - the pipeline reads the headers at once; or model,
    ``source`` (a hub repository and revision) and optionally revision and note - the download is
    queued and ``acquisition`` shows it. A change (PATCH) applies to the same checkpoint; model,
    revision and location are fixed once hashed."""

    url = serializers.SerializerMethodField(help_text="This checkpoint's API address.")
    model = LinkField(
        model=AIModel, allow_null=False, expand_with=AIModelSummarySerializer, help_text="The AI model."
    )
    location = serializers.CharField(
        write_only=True, max_length=1000, required=False,
        help_text="A folder or file inside the configured model store (MODEL_STORE); not shown on reads.",
    )  # fmt: skip
    source = SourceSerializer(
        write_only=True, required=False, help_text="Instead of a location: download from a model hub."
    )
    acquisition = serializers.SerializerMethodField(
        help_text="For a hub or git checkpoint: its source and download."
    )
    note_html = MarkdownHTMLField(source="note")

    class Meta:
        model = Checkpoint
        fields = [
            "url", "id", "model", "revision", "format", "location", "source", "acquisition", "total_size", "file_hashes",
            "content_hash", "config", "tokenizer_digest", "layout_family", "layer_count", "note",
            "note_html", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "format", "total_size", "file_hashes", "content_hash", "config", "tokenizer_digest",
            "layout_family", "layer_count", "created_at", "updated_at",
        ]  # fmt: skip
        extra_kwargs = {"note": {"required": False}, "revision": {"required": False}}

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return absolute(self.context["request"], reverse("api:checkpoint-detail", kwargs={"pk": obj.pk}))

    @extend_schema_field(AcquisitionSerializer(allow_null=True))
    def get_acquisition(self, obj) -> dict | None:
        if obj.source_kind == Checkpoint.SourceKind.LOCAL:
            return None
        return {
            "source": obj.source_display,
            "commit": obj.source_commit,
            "files": obj.source_files,
            "status": obj.acquisition_status,
            "bytes_done": obj.acquisition_bytes,
            "bytes_total": obj.acquisition_total,
            "error": obj.acquisition_error,
        }

    def validate(self, attrs):
        if self.instance is None:
            if ("source" in attrs) == ("location" in attrs):
                raise serializers.ValidationError(
                    {"location": "Give either a location in the model store or a hub source, not both."}
                )
            if "location" in attrs and not attrs.get("revision"):
                raise serializers.ValidationError({"revision": "This field is required."})
        elif "source" in attrs:
            raise serializers.ValidationError(
                {"source": "A checkpoint's source is set when it is registered."}
            )
        return attrs

    def create(self, validated_data):
        if "source" in validated_data:
            checkpoint, _created = services.checkpoint_acquire(
                model=validated_data["model"],
                source=validated_data["source"],
                revision=validated_data.get("revision", ""),
                note=validated_data.get("note", ""),
                user=self.context["request"].user,
            )
            return checkpoint
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
