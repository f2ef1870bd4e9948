"""Fingerprint reports: request one (``report_request``, as the admin does), poll it, fetch charts."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from claims.api.serializers.reports import (
    ReportListSerializer,
    ReportRequestResultSerializer,
    ReportRequestSerializer,
    ReportSerializer,
)
from claims.api.views.base import ApiViewMixin, VisibilityMixin
from claims.models import FingerprintReport
from claims.presentation.charts import svg_response
from claims.presentation.http_cache import uncached_while_in_progress
from claims.selectors import filters, report_queryset
from claims.services import report_request


@extend_schema_view(
    list=extend_schema(
        summary="List public fingerprint reports",
        description="A report is public when the evidence artifact citing it is. The list leaves out "
        "`result`; fetch one report for it.",
    ),
    retrieve=extend_schema(summary="One report: status, progress, result and chart URLs"),
)
class ReportViewSet(
    ApiViewMixin, VisibilityMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = FingerprintReport
    serializer_class = ReportSerializer
    filterset_class = filters.ReportFilter
    search_fields = ["slug", "checkpoint_a__model__name", "checkpoint_b__model__name"]
    ordering_fields = ["requested_at", "updated_at"]
    ordering = ["-requested_at", "pk"]
    lookup_field = "slug"

    def rows(self, *, preview):
        reports = report_queryset(preview=preview)
        return reports.defer("result") if self.action == "list" else reports

    def get_serializer_class(self):
        return ReportListSerializer if self.action == "list" else ReportSerializer

    def finalize_response(self, request, response, *args, **kwargs):
        if request.method in ("GET", "HEAD") and self.action in ("list", "retrieve"):
            uncached_while_in_progress(response)
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        summary="Request a fingerprint comparison (editors only)",
        description="Creates the report `queued` (with a draft analysis evidence artifact) and hands it "
        "to a worker; poll the returned `url` until `status` is `succeeded` or `failed`. The answer's "
        "`evidence_record` is that evidence artifact (id, slug, status, API address and publish "
        "address), given even while it is a draft. An identical request (same checkpoints' content, "
        "methods, parameters and engine version) returns the existing report with 200; a failed one "
        "is queued again.",
        request=ReportRequestSerializer,
        responses={201: ReportRequestResultSerializer, 200: ReportRequestResultSerializer},
    )
    def create(self, request):
        body = ReportRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        report, created = report_request(
            checkpoint_a=data["checkpoint_a"],
            checkpoint_b=data["checkpoint_b"],
            methods=data.get("methods"),
            parameters=data.get("parameters"),
            evidence=data.get("evidence"),
            user=request.user,
        )
        report = report_queryset(preview=True).get(pk=report.pk)
        return Response(
            ReportRequestResultSerializer(report, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="One chart of a report, as SVG",
        parameters=[
            OpenApiParameter(
                "name", OpenApiTypes.STR, OpenApiParameter.PATH, description="Chart name, from `charts`."
            )
        ],
        responses={(200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR, description="The chart (SVG).")},
    )
    def chart(self, request, slug=None, name=None):
        """Returns one chart of a public, finished report as SVG (its names are in the report's
        `charts`); a report still computing or failed has none (404)."""
        report = self.get_object()
        svg = report.charts_as_read.get(name)
        if svg is None:
            raise Http404
        return svg_response(svg)
