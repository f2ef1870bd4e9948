"""API routes, mounted at ``/api/`` by ``provenance.urls``: ``v1/`` (the resources), ``v1/export/``,
``schema/`` (OpenAPI 3), and ``docs/`` (Swagger UI, its assets served
locally by drf-spectacular-sidecar; Redoc is left out because its page loads web fonts from a CDN). URL names live in the ``api`` namespace.
Any other address under ``/api/`` is the API's JSON 404 (``claims.api.views.fallback``)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims.api.views.export import ClaimReviewFeedView, ExportView
from claims.api.views.fallback import unknown_route
from claims.api.views.links import CheckpointViewSet, EvidenceLinkViewSet
from claims.api.views.records import (
    AIModelViewSet,
    ClaimViewSet,
    DisputeViewSet,
    EvidenceViewSet,
    PartyViewSet,
)
from claims.api.views.reports import ReportViewSet
from claims.site_url import on_site

app_name = "api"


class APIRootView(DefaultRouter.APIRootView):
    """The list of collections, linked under ``SITE_URL`` (``claims.site_url``), not the request's Host."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data = {name: on_site(url) for name, url in response.data.items()}
        return response


router = DefaultRouter()
router.APIRootView = APIRootView
router.register("parties", PartyViewSet, basename="party")
router.register("models", AIModelViewSet, basename="model")
router.register("checkpoints", CheckpointViewSet, basename="checkpoint")
router.register("disputes", DisputeViewSet, basename="dispute")
router.register("claims", ClaimViewSet, basename="claim")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("evidence-links", EvidenceLinkViewSet, basename="evidencelink")
router.register("reports", ReportViewSet, basename="report")

urlpatterns = [
    path("v1/export/", ExportView.as_view(), name="export"),
    path("v1/export/claimreview/", ClaimReviewFeedView.as_view(), name="export-claimreview"),
    # No trailing slash: the chart is a file (the router would add one).
    re_path(
        r"^v1/reports/(?P<slug>[^/]+)/charts/(?P<name>[^/]+)\.svg$",
        ReportViewSet.as_view({"get": "chart"}),
        name="report-chart",
    ),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its start-up script from a URL: the site's CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"", unknown_route, name="unknown-route"),  # last: whatever no route above matched
]
