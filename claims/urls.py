"""Public URLs of the knowledge base; names are ``claims:<record>-detail`` (used by get_absolute_url)."""

from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("parties/<slug:slug>/", views.PartyDetail.as_view(), name="party-detail"),
    path("models/<slug:slug>/", views.AIModelDetail.as_view(), name="aimodel-detail"),
    path("disputes/<slug:slug>/", views.DisputeDetail.as_view(), name="dispute-detail"),
    path("claims/<slug:slug>/", views.ClaimDetail.as_view(), name="claim-detail"),
    path("evidence/<slug:slug>/", views.EvidenceDetail.as_view(), name="evidence-detail"),
    path("reports/<slug:slug>/", views.ReportDetail.as_view(), name="report-detail"),
]
