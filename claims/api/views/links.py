"""Checkpoints and evidence links: rows without an editorial status of their own, visible when
their parents are (a checkpoint with its AI model; a link with both its claim and its evidence)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from claims import services
from claims.api.serializers.ai_models import CheckpointSerializer, PreviewRequestSerializer, PreviewSerializer
from claims.api.serializers.evidence import EvidenceLinkSerializer
from claims.api.serializers.relatives import RelativesSerializer
from claims.api.views.base import ApiViewMixin, VisibilityMixin, expand_parameter
from claims.models import Checkpoint, EvidenceLink
from claims.models.visibility import can_view_drafts
from claims.selectors import checkpoint_queryset, evidence_link_queryset, filters
from claims.selectors.relatives import checkpoint_relatives, checkpoints_of_hub_id
from provenance.fingerprint.sources.errors import InvalidSourceError


@extend_schema_view(
    list=extend_schema(
        summary="List checkpoints of public AI models", parameters=[expand_parameter(("model",))]
    ),
    retrieve=extend_schema(summary="One checkpoint by id", parameters=[expand_parameter(("model",))]),
    create=extend_schema(
        summary="Register a checkpoint (editors only)",
        description="Reads the safetensors headers at once (bytes, not gigabytes); the weights must be "
        "inside the model store. Registering the same model and revision again updates it.",
    ),
    partial_update=extend_schema(
        summary="Change a checkpoint (editors only)",
        description="Changes this checkpoint. Once its weights are hashed, model, revision and location "
        "are fixed (400 naming the field): register other weights as a new checkpoint.",
    ),
)
class CheckpointViewSet(
    ApiViewMixin,
    VisibilityMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = Checkpoint
    serializer_class = CheckpointSerializer
    filterset_class = filters.CheckpointFilter
    search_fields = ["revision", "model__name"]
    ordering_fields = ["id", "revision", "updated_at"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    expand_options = ("model",)

    def rows(self, *, preview):
        return checkpoint_queryset(preview=preview)

    @extend_schema(
        request=PreviewRequestSerializer,
        responses={200: PreviewSerializer},
        summary="Preview a checkpoint from a hub or git repository (editors only)",
        description="Resolves the revision and lists the files (sizes, commit), says whether the weights "
        "fit the model cache or will be fingerprinted shard by shard, and which methods can run. Nothing "
        "is downloaded or saved; a source that cannot be read is 400 with the hub's sentence.",
    )
    @action(detail=False, methods=["post"])
    def preview(self, request):
        data = PreviewRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preview = services.checkpoint_preview(source=data.validated_data["source"])
        return Response(PreviewSerializer(preview.to_dict()).data)

    @extend_schema(
        responses={200: RelativesSerializer},
        summary="A checkpoint's closest known relatives (lineage search)",
        description="Returns the checkpoint's closest known relatives among every fingerprinted checkpoint, "
        "best first, by the engine's lineage search (bit-identical tensors and calibrated signature scores). "
        "Anonymous readers get only relatives backed by a published report comparing the two checkpoints, "
        "each with that report; an editor's token gets every candidate with its tier and scores. A "
        "checkpoint without a fingerprint answers an empty list with a sentence in `notes`.",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def relatives(self, request, pk=None):
        checkpoint = self.get_object()
        preview = can_view_drafts(request.user, self.model)
        found = checkpoint_relatives(checkpoint=checkpoint, preview=preview)
        return Response(RelativesSerializer(found, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "hub_id",
                str,
                required=True,
                description="A hub ID: `Org/Name` (case-insensitive), or `hf:Org/Name`, `hub:<hub>:Org/Name`.",
                examples=[OpenApiExample("A repository", value="Qwen/Qwen2.5-14B")],
            )
        ],
        responses={200: RelativesSerializer},
        operation_id="v1_checkpoints_relatives_by_hub_id",
        summary="The closest known relatives of a model named by its hub ID (lineage search)",
        description="Finds the checkpoint downloaded from that repository, or of a model declaring that hub "
        "ID (the fingerprinted and newest first), and returns its closest known relatives as the route by "
        "checkpoint id does, with the same rule for readers and editors. 400 for text that is no hub ID; "
        "404 with a sentence when no checkpoint you may see has it (an editor adds it from its hub; once "
        "downloaded it is fingerprinted and placed among its relatives).",
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="relatives",
        url_name="relatives-by-hub-id",
        query_parameters=("hub_id",),
        pagination_class=None,
        filter_backends=[],
    )
    def relatives_by_hub_id(self, request):
        hub_id = request.query_params.get("hub_id", "")
        if not hub_id.strip():
            raise ValidationError({"hub_id": ["Give a hub ID, e.g. ?hub_id=Qwen/Qwen2.5-14B."]})
        preview = can_view_drafts(request.user, self.model)
        try:
            found = checkpoints_of_hub_id(hub_id=hub_id[:300], preview=preview)
        except InvalidSourceError as exc:
            raise ValidationError({"hub_id": [str(exc)]}) from None
        if not found:
            raise NotFound(f"No checkpoint of {hub_id[:300]} is in the knowledge base.")
        relatives = checkpoint_relatives(checkpoint=found[0], preview=preview)
        return Response(RelativesSerializer(relatives, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="List links between public claims and public evidence"),
    retrieve=extend_schema(summary="One evidence link by id"),
    create=extend_schema(summary="Link evidence to a claim with a stance (editors only)"),
    update=extend_schema(summary="Replace an evidence link (editors only)"),
    partial_update=extend_schema(summary="Change an evidence link's stance or note (editors only)"),
    destroy=extend_schema(summary="Remove an evidence link (editors only)"),
)
class EvidenceLinkViewSet(ApiViewMixin, VisibilityMixin, viewsets.ModelViewSet):
    model = EvidenceLink
    serializer_class = EvidenceLinkSerializer
    filterset_class = filters.EvidenceLinkFilter
    search_fields = ["note"]
    ordering_fields = ["id"]
    ordering = ["id"]
    expand_options = ("claim", "evidence")

    def rows(self, *, preview):
        return evidence_link_queryset(preview=preview)

    def perform_destroy(self, instance):
        services.record_delete(record=instance, user=self.request.user)

    def retrieve(self, request, *args, **kwargs):
        return mixins.RetrieveModelMixin.retrieve(self, request, *args, **kwargs)
