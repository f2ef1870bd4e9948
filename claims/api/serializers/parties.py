"""Parties: organisations, labs, people, media outlets, pseudonymous entities."""

from __future__ import annotations

from rest_framework import serializers

from claims.api.serializers.fields import LinkField, MarkdownHTMLField, PublicRecordSerializer
from claims.api.serializers.summaries import PartySummarySerializer
from claims.models import Party


class AliasesField(serializers.ListField):
    """Stored one per line; a list of strings in the API."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(max_length=200), **kwargs)

    def to_representation(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def to_internal_value(self, data):
        items = super().to_internal_value(data)
        if any("\n" in item or "\r" in item for item in items):
            raise serializers.ValidationError("An alias is one line.")
        return "\n".join(item.strip() for item in items if item.strip())


class PartySerializer(PublicRecordSerializer):
    parent = LinkField(
        model=Party, required=False, expand_with=PartySummarySerializer,
        help_text="Parent organisation, e.g. Noah's Ark Lab → Huawei.",
    )  # fmt: skip
    aliases = AliasesField(required=False, help_text="Other names this party is known by.")
    note_html = MarkdownHTMLField(source="note")

    class Meta:
        model = Party
        fields = [
            *PublicRecordSerializer.PUBLIC_FIELDS, "name", "kind", "parent", "country", "website",
            "aliases", "identity_verified", "note", "note_html",
        ]  # fmt: skip
        read_only_fields = PublicRecordSerializer.PUBLIC_READ_ONLY
