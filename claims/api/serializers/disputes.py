"""Disputes: the case, the models at stake, and each party's role in it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import services
from claims.api.serializers.fields import (
    BaseSerializer,
    LinkField,
    LinkListField,
    MarkdownHTMLField,
    PublicRecordSerializer,
    absolute,
    expand_set,
    is_visible,
)
from claims.api.serializers.summaries import ClaimSummarySerializer, PartySummarySerializer
from claims.models import AIModel, Dispute, DisputeParty, Party


class DisputeRoleSerializer(BaseSerializer):
    party = LinkField(
        model=Party, allow_null=False, expand_with=PartySummarySerializer, help_text="The party."
    )
    note_html = MarkdownHTMLField(source="note")

    class Meta:
        model = DisputeParty
        fields = ["party", "role", "note", "note_html"]
        extra_kwargs = {"note": {"required": False}}

    def validate(self, attrs):
        # A PATCH makes every nested field optional; a role still needs its party and its role.
        missing = {name: ["This field is required."] for name in ("party", "role") if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return super().validate(attrs)


class DisputeSerializer(PublicRecordSerializer):
    summary_html = MarkdownHTMLField(source="summary")
    models_at_stake = LinkListField(
        model=AIModel, required=False, help_text="The AI models the dispute is about."
    )
    parties = DisputeRoleSerializer(
        source="roles", many=True, required=False,
        help_text="Each party's role in this dispute (one party may hold several). Writing it replaces "
        "the whole list; a role that stays keeps its record and history.",
    )  # fmt: skip
    timeline_url = serializers.SerializerMethodField(
        help_text="Claims, rebuttals and evidence in date order."
    )
    claims = serializers.SerializerMethodField(
        help_text="The dispute's public claims and rebuttals, with `?expand=claims`; otherwise null."
    )

    many_to_many = ("models_at_stake",)

    class Meta:
        model = Dispute
        fields = [
            *PublicRecordSerializer.PUBLIC_FIELDS, "title", "summary", "summary_html", "started_on",
            "started_on_precision", "ended_on", "models_at_stake", "parties", "timeline_url", "claims",
        ]  # fmt: skip
        read_only_fields = PublicRecordSerializer.PUBLIC_READ_ONLY

    def get_timeline_url(self, obj) -> str:
        from django.urls import reverse

        path = reverse("api:dispute-timeline", kwargs={"slug": obj.slug})
        return absolute(self.context.get("request"), path)

    @extend_schema_field(ClaimSummarySerializer(many=True, allow_null=True))
    def get_claims(self, obj) -> list[dict] | None:
        if "claims" not in expand_set(self.context):
            return None
        claims = [c for c in obj.claims.all() if is_visible(c)]  # prefetched (public only) by the view
        return ClaimSummarySerializer(claims, many=True, context=self.context).data

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["parties"] = [role for role in data["parties"] if role["party"] is not None]
        return data

    def write(self, instance, validated_data):
        roles = validated_data.pop("roles", None)
        data, m2m = self.split_many_to_many(validated_data)
        return services.dispute_save(dispute=instance, data=data, m2m=m2m, roles=roles, user=self.acting_user)
