"""Viewsets of the public records: parties, AI models, disputes, claims, evidence."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from claims.api.pagination import NewestCursorPagination
from claims.api.serializers.ai_models import AIModelSerializer
from claims.api.serializers.claims import ClaimSerializer
from claims.api.serializers.disputes import DisputeSerializer
from claims.api.serializers.evidence import EvidenceSerializer
from claims.api.serializers.fields import api_url
from claims.api.serializers.parties import PartySerializer
from claims.api.serializers.timeline import TimelineSerializer
from claims.api.views.base import PublicRecordViewSet, expand_parameter
from claims.models import (
    AIModel,
    Checkpoint,
    Claim,
    Dispute,
    DisputeParty,
    EvidenceArtifact,
    EvidenceLink,
    Party,
    RightOfReply,
)
from claims.models.grammar import indefinite
from claims.models.public_state import retraction_json
from claims.models.visibility import public_q
from claims.selectors import captures_queryset, dispute_timeline, filters
from claims.selectors.timeline import CLAIM_RELATED, EVIDENCE_RELATED, REPORT_MODELS


def _documented(name: str, plural: str, expand: tuple[str, ...], extra: str = ""):
    """The OpenAPI summaries of a public record's routes."""
    params = [expand_parameter(expand)] if expand else []
    return extend_schema_view(
        list=extend_schema(summary=f"List public {plural}", description=extra, parameters=params),
        retrieve=extend_schema(summary=f"One {name} by slug", parameters=params),
        create=extend_schema(summary=f"Create {indefinite(name)} (a draft; editors only)"),
        update=extend_schema(summary=f"Replace {indefinite(name)}'s fields (editors only)"),
        partial_update=extend_schema(summary=f"Change some of {indefinite(name)}'s fields (editors only)"),
    )


@_documented("party", "parties", ("parent",))
class PartyViewSet(PublicRecordViewSet):
    queryset = Party.objects.select_related("parent")
    serializer_class = PartySerializer
    filterset_class = filters.PartyFilter
    ordering_fields = ["name", "updated_at", "created_at"]
    ordering = ["name"]
    expand_options = ("parent",)


@_documented("AI model", "AI models", ("developer", "declared_base", "release_date_source"))
class AIModelViewSet(PublicRecordViewSet):
    queryset = AIModel.objects.select_related(
        "developer", "declared_base", "release_date_source"
    ).prefetch_related(Prefetch("checkpoints", queryset=Checkpoint.objects.order_by("revision")))
    serializer_class = AIModelSerializer
    filterset_class = filters.AIModelFilter
    ordering_fields = ["name", "release_date", "updated_at", "created_at"]
    ordering = ["name"]
    expand_options = ("developer", "declared_base", "release_date_source")


@_documented("dispute", "disputes", ("claims",), "`?expand=claims` adds each dispute's public claims.")
class DisputeViewSet(PublicRecordViewSet):
    serializer_class = DisputeSerializer
    filterset_class = filters.DisputeFilter
    ordering_fields = ["started_on", "title", "updated_at", "created_at"]
    ordering = ["-started_on", "title"]
    expand_options = ("claims",)

    def get_queryset(self):
        # A role is shown when its party is public (the dispute itself may be an editor's draft).
        roles = DisputeParty.objects.filter(public_q(Party, "party__")).select_related("party")
        self.queryset = Dispute.objects.prefetch_related(
            Prefetch("models_at_stake", queryset=AIModel.objects.order_by("name")),
            Prefetch("roles", queryset=roles.order_by("role", "party__name")),
        )
        if "claims" in self.request.query_params.get("expand", ""):
            self.queryset = self.queryset.prefetch_related(
                Prefetch(
                    "claims",
                    queryset=Claim.objects.public().select_related("dispute").order_by("made_on", "pk"),
                )
            )
        return super().get_queryset()

    @extend_schema(
        summary="A dispute's timeline",
        description="Its public claims, rebuttals, evidence and requests for reply, oldest first.",
        responses=TimelineSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, slug=None):
        dispute = self.get_object()
        self.last_modified = dispute.updated_at
        data = {
            "dispute": {
                "slug": dispute.slug,
                "name": dispute.title,
                "url": api_url(request, dispute),
                "retraction": retraction_json(dispute),
            },
            "entries": dispute_timeline(dispute=dispute),
        }
        return Response(TimelineSerializer(data, context=self.get_serializer_context()).data)


@_documented(
    "claim", "claims and rebuttals",
    ("dispute", "claimant", "source", "subject_model", "alleged_source_model", "responds_to"),
    "Rebuttals are claims with `responds_to` set (`?is_response=true`). Cursor-paginated, newest "
    "first; `?updated_since=` with `?ordering=updated_at` walks changes oldest first.",
)  # fmt: skip
class ClaimViewSet(PublicRecordViewSet):
    queryset = Claim.objects.select_related(*CLAIM_RELATED).prefetch_related(
        Prefetch(
            "responses", queryset=Claim.objects.public().select_related("dispute").order_by("made_on", "pk")
        ),
        Prefetch(
            "evidence_links",
            queryset=EvidenceLink.objects.public()
            .select_related("claim__dispute", *EVIDENCE_RELATED)
            .order_by("stance", "pk"),
        ),
        Prefetch(
            "replies",
            queryset=RightOfReply.objects.public()
            .select_related("claim__dispute", "party", "asked_by", *(f"source__{p}" for p in REPORT_MODELS))
            .order_by("asked_on", "pk"),
        ),
    )
    serializer_class = ClaimSerializer
    filterset_class = filters.ClaimFilter
    pagination_class = NewestCursorPagination
    ordering_fields = ["id", "updated_at", "created_at"]
    expand_options = ("dispute", "claimant", "source", "subject_model", "alleged_source_model", "responds_to")


@_documented(
    "evidence artifact", "evidence artifacts", ("author",),
    "Cursor-paginated, newest first.",
)  # fmt: skip
class EvidenceViewSet(PublicRecordViewSet):
    # Captures are public exactly when their record is (visibility.py): the record's rule covers them,
    # so the readers' captures are taken as in preview; only the succeeded ones, as on the site.
    queryset = EvidenceArtifact.objects.select_related("author", *REPORT_MODELS).prefetch_related(
        Prefetch("captures", queryset=captures_queryset(preview=True))
    )
    serializer_class = EvidenceSerializer
    filterset_class = filters.EvidenceFilter
    pagination_class = NewestCursorPagination
    ordering_fields = ["id", "updated_at", "created_at"]
    expand_options = ("author",)
