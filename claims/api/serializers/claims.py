"""Claims and rebuttals (a rebuttal is a claim that ``responds_to`` another), with the evidence
linked to each and the newsroom's requests for a right of reply."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.api.serializers.fields import (
    LinkField,
    MarkdownHTMLField,
    PublicRecordSerializer,
    is_visible,
)
from claims.api.serializers.summaries import (
    AIModelSummarySerializer,
    ClaimSummarySerializer,
    DisputeSummarySerializer,
    EvidenceSummarySerializer,
    PartySummarySerializer,
)
from claims.models import AIModel, Claim, Dispute, EvidenceArtifact, EvidenceLink, Party, RightOfReply
from claims.models.language import ORIGINAL_TEXT_FIELDS


class ClaimEvidenceSerializer(serializers.ModelSerializer):
    """One piece of evidence as it bears on this claim."""

    id = serializers.IntegerField(
        read_only=True, help_text="The evidence link's id (/api/v1/evidence-links/<id>/)."
    )
    evidence = LinkField(model=EvidenceArtifact, read_only=True, expand_with=EvidenceSummarySerializer)
    note_html = MarkdownHTMLField(source="note")

    class Meta:
        model = EvidenceLink
        fields = ["id", "evidence", "stance", "note", "note_html"]
        read_only_fields = fields


class RightOfReplySerializer(serializers.ModelSerializer):
    """Whom the newsroom (or another outlet) asked to answer the claim, and what came back."""

    party = LinkField(model=Party, read_only=True, help_text="Who was asked.")
    asked_by = LinkField(
        model=Party, read_only=True, help_text="The outlet that asked; null when our newsroom did."
    )
    source = LinkField(model=EvidenceArtifact, read_only=True, help_text="Where the answer was published.")
    answer_html = MarkdownHTMLField(source="answer")

    class Meta:
        model = RightOfReply
        fields = [
            "party", "asked_by", "asked_on", "reply_by", "date_precision", "outcome", "outcome_on",
            "answer", "answer_html", "source",
        ]  # fmt: skip
        read_only_fields = fields


class ClaimReviewRatingSerializer(serializers.Serializer):
    alternateName = serializers.CharField(help_text="The assessment in words.")  # noqa: N815 - schema.org
    ratingValue = serializers.IntegerField(
        required=False, help_text="1 (refuted) … 5 (supported); absent when unrated."
    )  # noqa: N815
    bestRating = serializers.IntegerField(required=False)  # noqa: N815
    worstRating = serializers.IntegerField(required=False)  # noqa: N815


class ClaimSerializer(PublicRecordSerializer):
    dispute = LinkField(
        model=Dispute, allow_null=False, expand_with=DisputeSummarySerializer, help_text="The dispute."
    )
    claimant = LinkField(
        model=Party, allow_null=False, expand_with=PartySummarySerializer, help_text="Who asserted it."
    )
    source = LinkField(
        model=EvidenceArtifact, required=False, expand_with=EvidenceSummarySerializer,
        help_text="The artifact in which the claim was made.",
    )  # fmt: skip
    subject_model = LinkField(
        model=AIModel,
        required=False,
        expand_with=AIModelSummarySerializer,
        help_text="The model the claim is about.",
    )
    alleged_source_model = LinkField(
        model=AIModel, required=False, expand_with=AIModelSummarySerializer,
        help_text="For lineage claims: the model the subject is said to come from.",
    )  # fmt: skip
    responds_to = LinkField(
        model=Claim, required=False, expand_with=ClaimSummarySerializer,
        help_text="The claim this one answers (set for rebuttals).",
    )  # fmt: skip
    statement_html = MarkdownHTMLField(source="statement")
    assessment_rationale_html = MarkdownHTMLField(source="assessment_rationale")
    is_response = serializers.BooleanField(read_only=True, help_text="True for a rebuttal.")
    responses = serializers.SerializerMethodField(help_text="Public claims that answer this one (rebuttals).")
    evidence = serializers.SerializerMethodField(
        help_text="Public evidence linked to this claim, with its stance."
    )
    replies = RightOfReplySerializer(many=True, read_only=True, help_text="Requests for a right of reply.")
    claim_review_rating = serializers.SerializerMethodField(
        help_text="The assessment as a schema.org Rating; null once the claim or its dispute is retracted "
        "(a retracted record is no longer our review)."
    )

    class Meta:
        model = Claim
        fields = [
            *PublicRecordSerializer.PUBLIC_FIELDS, "title", "dispute", "claimant", "kind", "statement",
            "statement_html", "made_on", "date_precision", "venue", "source", "subject_model",
            "alleged_source_model", "responds_to", "is_response", "responses", "assessment",
            "assessment_rationale", "assessment_rationale_html", "claim_review_rating", "evidence", "replies",
            *ORIGINAL_TEXT_FIELDS,
        ]  # fmt: skip
        read_only_fields = PublicRecordSerializer.PUBLIC_READ_ONLY
        extra_kwargs = {"assessment_rationale": {"required": False}}

    @extend_schema_field(ClaimSummarySerializer(many=True))
    def get_responses(self, obj) -> list[dict]:
        responses = [c for c in obj.responses.all() if is_visible(c)]  # prefetched, public only
        return [self._child("responses", ClaimSummarySerializer).to_representation(c) for c in responses]

    @extend_schema_field(ClaimEvidenceSerializer(many=True))
    def get_evidence(self, obj) -> list[dict]:
        links = [link for link in obj.evidence_links.all() if is_visible(link.evidence)]
        return [self._child("evidence", ClaimEvidenceSerializer).to_representation(link) for link in links]

    def _child(self, name: str, serializer_class):
        """One nested serializer per list, reused for every claim (building one copies its fields)."""
        cache = self.__dict__.setdefault("_children", {})
        if name not in cache:
            cache[name] = serializer_class(context=self.context)
        return cache[name]

    @extend_schema_field(ClaimReviewRatingSerializer(allow_null=True))
    def get_claim_review_rating(self, obj) -> dict | None:
        return obj.claim_review_rating() if obj.is_reviewable else None
