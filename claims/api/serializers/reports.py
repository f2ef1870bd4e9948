"""Fingerprint reports: requesting a comparison of two checkpoints, and reading its progress,
result (``provenance/fingerprint/report.py`` documents the JSON) and chart URLs."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.api.serializers.ai_models import CheckpointSummarySerializer
from claims.api.serializers.fields import LinkField, MarkdownHTMLField, StrictFieldsMixin, absolute, api_url
from claims.api.serializers.summaries import AIModelSummarySerializer
from claims.models import AIModel, Checkpoint, EvidenceArtifact, FingerprintReport
from provenance.fingerprint.headline import TIERS
from provenance.fingerprint.methods import METHODS
from provenance.fingerprint.parameters import PARAMETERS, Parameter


class ReportCheckpointSerializer(CheckpointSummarySerializer):
    model = LinkField(
        model=AIModel, read_only=True, expand_with=AIModelSummarySerializer, help_text="Its AI model."
    )

    class Meta(CheckpointSummarySerializer.Meta):
        fields = [*CheckpointSummarySerializer.Meta.fields, "model"]
        read_only_fields = fields


class DownloadSerializer(serializers.Serializer):
    bytes_done = serializers.IntegerField(help_text="Bytes of the checkpoints' files downloaded so far.")
    bytes_total = serializers.IntegerField(allow_null=True, help_text="Bytes to download; null until known.")
    fraction = serializers.FloatField(allow_null=True, help_text="0 … 1; null until the total is known.")
    text = serializers.CharField(help_text='e.g. "downloading 12.4 GB of 29.5 GB (42 %)".')


class ProgressSerializer(serializers.Serializer):
    bytes_read = serializers.IntegerField(help_text="Bytes of weights read so far.")
    bytes_total = serializers.IntegerField(allow_null=True, help_text="Bytes to read; null until known.")
    fraction = serializers.FloatField(allow_null=True, help_text="0 … 1; null until the total is known.")
    download = DownloadSerializer(
        allow_null=True, help_text="While the weights are still being downloaded from a hub; else null."
    )
    phase = serializers.CharField(
        allow_null=True,
        help_text='While queued or running: "queued", "read", "compare" or "charts" (null once finished).',
    )
    phase_fraction = serializers.FloatField(
        allow_null=True, help_text="0 … 1 of the current phase (bytes of this model, or methods begun)."
    )
    text = serializers.CharField(
        allow_null=True,
        help_text='The phase in words: "reading model A: 42 %", "computing <method title> (method 3 of 6)", '
        '"drawing charts", or "the worker stopped; it will be retried" when its heartbeat is stale.',
    )
    stale = serializers.BooleanField(
        help_text="Whether a running report's worker stopped sending heartbeats."
    )


class HeadlineSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(
        choices=list(TIERS), help_text="The verdict tier (docs/site.md, Reading a report)."
    )
    title = serializers.CharField(help_text='e.g. "Strong evidence of a common origin".')
    sentence = serializers.CharField(help_text="One sentence of why, naming methods by their titles.")
    caveat = serializers.CharField(
        help_text='What the verdict does not mean, shown with it: "Absence of evidence is not independence." '
        'with every "No evidence" headline; empty otherwise.'
    )


class ChartSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="e.g. sigma_curves, layer_similarity, null_attn_std.")
    url = serializers.URLField(help_text="The chart (SVG) on the public site, once the report is public.")
    api_url = serializers.URLField(
        help_text="The same chart from the API, which also serves a draft report's charts to editors."
    )


class ReportSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="This report's API address.")
    web_url = serializers.SerializerMethodField(help_text="This report's public web page.")
    checkpoint_a = ReportCheckpointSerializer(read_only=True, help_text="The first checkpoint compared.")
    checkpoint_b = ReportCheckpointSerializer(read_only=True, help_text="The second checkpoint compared.")
    progress = serializers.SerializerMethodField(help_text="How much of the weights the worker has read.")
    charts = serializers.SerializerMethodField(help_text="The report's charts (once it succeeded).")
    headline = serializers.SerializerMethodField(
        help_text="The verdict in plain words (provenance.fingerprint.headline); null until it succeeded."
    )
    caveat = serializers.SerializerMethodField(
        help_text='The headline\'s caveat beside it ("Absence of evidence is not independence." with every '
        '"No evidence" verdict); null until it succeeded, empty when there is none.'
    )
    evidence = LinkField(
        model=EvidenceArtifact, read_only=True, help_text="The analysis evidence citing this report."
    )
    # The summary and the result name the inputs as they are named now (FingerprintReport.relabel).
    summary = serializers.CharField(
        source="summary_as_read",
        read_only=True,
        help_text="Markdown. What the numbers show, and what they do not.",
    )
    summary_html = MarkdownHTMLField(
        source="summary_as_read",
        help_text="`summary` rendered from Markdown to sanitised HTML (safe to insert into a page).",
    )
    result = serializers.JSONField(
        source="result_as_read",
        read_only=True,
        help_text="The engine's result document (schema_version 1): methods, params, inputs, per-method "
        "results with score, per-layer detail and calibration against a null, skipped methods, verdict, "
        "summary, notes. Null until the report succeeded.",
    )

    class Meta:
        model = FingerprintReport
        fields = [
            "url", "web_url", "slug", "status", "progress", "headline", "caveat", "checkpoint_a", "checkpoint_b",
            "methods", "parameters", "requested_at", "started_at", "finished_at", "engine_version", "library_versions",
            "input_hashes", "summary", "summary_html", "error_message", "result", "charts", "evidence",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return api_url(self.context.get("request"), obj)

    def get_web_url(self, obj) -> str:
        return absolute(self.context["request"], obj.get_absolute_url())

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, obj) -> dict:
        state = obj.progress_state or {}
        return {
            "bytes_read": obj.progress_bytes,
            "bytes_total": obj.progress_total,
            "fraction": obj.progress,
            "download": obj.download,
            "phase": state.get("phase"),
            "phase_fraction": state.get("fraction"),
            "text": state.get("text"),
            "stale": bool(state.get("stale")),
        }

    @extend_schema_field(HeadlineSerializer(allow_null=True))
    def get_headline(self, obj) -> dict | None:
        said = obj.headline
        return said.to_dict() if said is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_caveat(self, obj) -> str | None:
        said = obj.headline
        return said.caveat if said is not None else None

    @extend_schema_field(ChartSerializer(many=True))
    def get_charts(self, obj) -> list[dict]:
        request = self.context["request"]
        return [
            {
                "name": name,
                "url": absolute(
                    request, reverse("claims:report-chart", kwargs={"slug": obj.slug, "name": name})
                ),
                "api_url": absolute(
                    request, reverse("api:report-chart", kwargs={"slug": obj.slug, "name": name})
                ),
            }
            for name in sorted(obj.charts_as_read)
        ]


class RequestedEvidenceSerializer(serializers.Serializer):
    """The analysis evidence artifact a report request created (or was given), whatever its status."""

    id = serializers.IntegerField(help_text="The evidence artifact's id.")
    slug = serializers.SlugField(help_text="Its slug: the key of /api/v1/evidence/{slug}/.")
    status = serializers.CharField(help_text="Its editorial status: `draft` until an editor publishes it.")
    url = serializers.URLField(help_text="Its API address (editors see drafts there).")
    publish_url = serializers.URLField(
        help_text="POST here (with the publish permission) to publish it, which makes the report public "
        "once both compared models are."
    )


class ReportRequestResultSerializer(ReportSerializer):
    """The answer to a report request: the report, and the evidence record that cites it. Unlike the
    ``evidence`` link (null while that record is a draft), ``evidence_record`` is always given: the
    editor who asked needs it to link the analysis to claims and to publish it."""

    evidence_record = serializers.SerializerMethodField(
        help_text="The analysis evidence artifact citing this report, even while it is a draft."
    )

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "evidence_record"]
        read_only_fields = fields

    @extend_schema_field(RequestedEvidenceSerializer(allow_null=True))
    def get_evidence_record(self, obj) -> dict | None:
        evidence = getattr(obj, "evidence", None)
        if evidence is None:
            return None
        request = self.context.get("request")
        return {
            "id": evidence.pk,
            "slug": evidence.slug,
            "status": evidence.status,
            "url": api_url(request, evidence),
            "publish_url": absolute(request, reverse("api:evidence-publish", kwargs={"slug": evidence.slug})),
        }


class ReportListSerializer(ReportSerializer):
    """A report in a list: everything but the (large) result document."""

    class Meta(ReportSerializer.Meta):
        fields = [f for f in ReportSerializer.Meta.fields if f != "result"]
        read_only_fields = fields


def parameter_field(parameter: Parameter) -> serializers.IntegerField:
    """The API field of an engine parameter: its bounds (so the OpenAPI minimum/maximum) and its one
    error sentence come from the engine's definition."""
    message = parameter.message
    return serializers.IntegerField(
        required=False,
        min_value=parameter.minimum,
        max_value=parameter.maximum,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value", "max_string_length"), message),
        help_text=f"{parameter.help} From {parameter.minimum} to {parameter.maximum} "
        f"(default {parameter.default}).",
    )


class ReportParametersSerializer(StrictFieldsMixin, serializers.Serializer):
    """The engine's parameters (``provenance.fingerprint.parameters``), each optional."""

    def get_fields(self):
        return {name: parameter_field(parameter) for name, parameter in PARAMETERS.items()}


class CheckpointIdField(serializers.PrimaryKeyRelatedField):
    """A checkpoint by id; a number no id can have is "does not exist", not a database error."""

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool) and not 1 <= data <= 2**63 - 1:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class ReportRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    """A request for a comparison; an identical request returns the existing report."""

    checkpoint_a = CheckpointIdField(
        queryset=Checkpoint.objects.all(), help_text="Id of the first checkpoint (/api/v1/checkpoints/)."
    )
    checkpoint_b = CheckpointIdField(
        queryset=Checkpoint.objects.all(), help_text="Id of the second checkpoint."
    )
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=[(name, method.title) for name, method in METHODS.items()]),
        required=False,
        allow_null=True,
        allow_empty=False,
        help_text="Comparison methods; omit or null for all of them: "
        + "; ".join(f"`{name}` ({method.title})" for name, method in METHODS.items())
        + ".",
    )
    parameters = ReportParametersSerializer(required=False, help_text="Optional engine parameters.")
    evidence = LinkField(
        model=EvidenceArtifact,
        required=False,
        help_text="Slug of an existing evidence artifact that will cite the report; by default a draft "
        "analysis artifact is created for it.",
    )
