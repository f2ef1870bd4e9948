"""A dispute's timeline entries (``claims.api.timeline``) as JSON."""

from __future__ import annotations

from rest_framework import serializers

from claims.api.serializers.fields import (
    RETRACTION_HELP,
    LinkSerializer,
    RetractionSerializer,
    link_of,
    markdown_html,
)
from claims.models import Claim, EvidenceArtifact
from claims.models.public_state import retraction_json
from claims.models.visibility import public_name


class TimelineEntrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["claim", "rebuttal", "evidence", "right_of_reply"], help_text="What happened."
    )
    date = serializers.DateField(allow_null=True, help_text="When; null if unknown (listed last).")
    date_precision = serializers.ChoiceField(
        choices=["day", "month", "year"], help_text="How much of the date is known."
    )
    date_display = serializers.CharField(help_text='The date as precisely as known, e.g. "July 2025".')
    title = serializers.CharField(help_text="One line for the timeline.")
    record = LinkSerializer(
        allow_null=True, help_text="The claim or evidence itself; null for a right of reply."
    )
    party = LinkSerializer(allow_null=True, help_text="Claimant, author, or the party asked to reply.")
    responds_to = LinkSerializer(allow_null=True, help_text="For a rebuttal: the claim it answers.")
    claim = LinkSerializer(allow_null=True, help_text="For a right of reply: the claim it concerns.")
    kind = serializers.CharField(help_text="Claim kind, evidence kind, or the reply's outcome.")
    assessment = serializers.CharField(allow_null=True, help_text="For claims and rebuttals: the assessment.")
    text_html = serializers.CharField(help_text="Statement, description or answer, as sanitised HTML.")
    retraction = RetractionSerializer(
        allow_null=True, help_text=f"For claims and evidence: {RETRACTION_HELP}"
    )

    def to_representation(self, entry):
        request = self.context.get("request")
        record = entry.record
        base = {
            "type": entry.type,
            "date": entry.date.isoformat() if entry.date else None,
            "date_precision": entry.date_precision,
            "date_display": entry.date_display,
            "record": None,
            "party": None,
            "responds_to": None,
            "claim": None,
            "assessment": None,
            "retraction": retraction_json(record),
        }
        if isinstance(record, Claim):
            return {
                **base,
                "title": record.title,
                "record": link_of(request, record),
                "party": link_of(request, record.claimant),
                "responds_to": link_of(request, record.responds_to),
                "kind": record.kind,
                "assessment": record.assessment,
                "text_html": markdown_html(record.statement),
            }
        if isinstance(record, EvidenceArtifact):
            return {
                **base,
                "title": record.title,
                "record": link_of(request, record),
                "party": link_of(request, record.author),
                "kind": record.kind,
                "text_html": markdown_html(record.description),
            }
        return {  # RightOfReply
            **base,
            "title": f"{public_name(record.party)}: {record.get_outcome_display()}",
            "party": link_of(request, record.party),
            "claim": link_of(request, record.claim),
            "kind": record.outcome,
            "text_html": markdown_html(record.answer),
        }


class TimelineSerializer(serializers.Serializer):
    dispute = LinkSerializer(help_text="The dispute.")
    count = serializers.IntegerField(help_text="Entries on every page together.")
    next = serializers.URLField(allow_null=True, help_text="The next page, or null on the last.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, or null on the first.")
    entries = TimelineEntrySerializer(
        many=True, help_text="This page's entries: oldest first, undated entries last."
    )
