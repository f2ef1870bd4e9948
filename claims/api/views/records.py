"""Viewsets of the public records: parties, AI models, disputes, claims, evidence."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from claims.api.pagination import NewestCursorPagination, PagePagination
from claims.api.serializers.ai_models import AIModelSerializer
from claims.api.serializers.claims import ClaimSerializer
from claims.api.serializers.disputes import DisputeSerializer
from claims.api.serializers.evidence import EvidenceSerializer
from claims.api.serializers.fields import api_url, expansions
from claims.api.serializers.parties import PartySerializer
from claims.api.serializers.timeline import TimelineSerializer
from claims.api.views.base import PublicRecordViewSet, expand_parameter
from claims.models import AIModel, Claim, Dispute, EvidenceArtifact, Party
from claims.models.grammar import indefinite
from claims.models.public_state import retraction_json
from claims.selectors import (
    aimodel_collection,
    claim_collection,
    dispute_collection,
    evidence_collection,
    filters,
    party_queryset,
)
from claims.selectors.timeline_pages import timeline_entries, timeline_rows


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
    model = Party
    serializer_class = PartySerializer
    filterset_class = filters.PartyFilter
    ordering_fields = ["name", "updated_at", "created_at"]
    ordering = ["name"]
    expand_options = ("parent",)

    def rows(self, *, preview):
        return party_queryset(preview=preview)


@_documented("AI model", "AI models", ("developer", "declared_base", "release_date_source"))
class AIModelViewSet(PublicRecordViewSet):
    model = AIModel
    serializer_class = AIModelSerializer
    filterset_class = filters.AIModelFilter
    ordering_fields = ["name", "release_date", "updated_at", "created_at"]
    ordering = ["name"]
    expand_options = ("developer", "declared_base", "release_date_source")

    def rows(self, *, preview):
        return aimodel_collection(preview=preview)


@_documented("dispute", "disputes", ("claims",), "`?expand=claims` adds each dispute's public claims.")
class DisputeViewSet(PublicRecordViewSet):
    model = Dispute
    serializer_class = DisputeSerializer
    filterset_class = filters.DisputeFilter
    ordering_fields = ["started_on", "title", "updated_at", "created_at"]
    ordering = ["-started_on", "title"]
    expand_options = ("claims",)

    def rows(self, *, preview):
        return dispute_collection(preview=preview, with_claims="claims" in expansions(self.request))

    @extend_schema(
        summary="A dispute's timeline",
        description="Its public claims, rebuttals, evidence and requests for reply, oldest first, "
        "a page at a time (`?page=`, `?page_size=`, as the other page-numbered lists): `count`, "
        "`next` and `previous` as there, the page's entries under `entries`.",
        responses=TimelineSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=PagePagination, filter_backends=[])
    def timeline(self, request, slug=None):
        dispute = self.get_object()
        self.last_modified = dispute.updated_at
        rows = self.paginate_queryset(list(timeline_rows(dispute=dispute)))
        data = {
            "dispute": {
                "slug": dispute.slug,
                "name": dispute.title,
                "url": api_url(request, dispute),
                "retraction": retraction_json(dispute),
            },
            "count": self.paginator.page.paginator.count,
            "next": self.paginator.get_next_link(),
            "previous": self.paginator.get_previous_link(),
            "entries": timeline_entries(rows),
        }
        return Response(TimelineSerializer(data, context=self.get_serializer_context()).data)


@_documented(
    "claim", "claims and rebuttals",
    ("dispute", "claimant", "source", "subject_model", "alleged_source_model", "responds_to"),
    "Rebuttals are claims with `responds_to` set (`?is_response=true`). Cursor-paginated, newest "
    "first; `?updated_since=` with `?ordering=updated_at` walks changes oldest first.",
)  # fmt: skip
class ClaimViewSet(PublicRecordViewSet):
    model = Claim
    serializer_class = ClaimSerializer
    filterset_class = filters.ClaimFilter
    pagination_class = NewestCursorPagination
    ordering_fields = ["id", "updated_at", "created_at"]
    expand_options = ("dispute", "claimant", "source", "subject_model", "alleged_source_model", "responds_to")

    def rows(self, *, preview):
        return claim_collection(preview=preview)


@_documented(
    "evidence artifact", "evidence artifacts", ("author",),
    "Cursor-paginated, newest first.",
)  # fmt: skip
class EvidenceViewSet(PublicRecordViewSet):
    model = EvidenceArtifact
    serializer_class = EvidenceSerializer
    filterset_class = filters.EvidenceFilter
    pagination_class = NewestCursorPagination
    ordering_fields = ["id", "updated_at", "created_at"]
    expand_options = ("author",)

    def rows(self, *, preview):
        return evidence_collection(preview=preview)
