"""A dispute's timeline entries (``claims.api.timeline``) as JSON."""

from __future__ import annotations

from rest_framework import serializers

from claims.api.serializers.fields import LinkSerializer, api_url, is_visible, markdown_html, record_name
from claims.models import Claim, EvidenceArtifact


def _link(request, record) -> dict | None:
    if not is_visible(record):
        return None
    return {"slug": record.slug, "name": record_name(record), "url": api_url(request, record)}


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
        }
        if isinstance(record, Claim):
            return {
                **base,
                "title": record.title,
                "record": _link(request, record),
                "party": _link(request, record.claimant),
                "responds_to": _link(request, record.responds_to),
                "kind": record.kind,
                "assessment": record.assessment,
                "text_html": markdown_html(record.statement),
            }
        if isinstance(record, EvidenceArtifact):
            return {
                **base,
                "title": record.title,
                "record": _link(request, record),
                "party": _link(request, record.author),
                "kind": record.kind,
                "text_html": markdown_html(record.description),
            }
        return {  # RightOfReply
            **base,
            "title": f"{record.party}: {record.get_outcome_display()}",
            "party": _link(request, record.party),
            "claim": _link(request, record.claim),
            "kind": record.outcome,
            "text_html": markdown_html(record.answer),
        }


class TimelineSerializer(serializers.Serializer):
    dispute = LinkSerializer(help_text="The dispute.")
    entries = TimelineEntrySerializer(many=True, help_text="Oldest first; undated entries last.")
