"""Public URLs of the site. Detail pages are ``claims:<record>-detail`` (used by get_absolute_url)."""

from django.urls import path, register_converter

from claims import feeds, views
from claims.views import sharing
from provenance.query_guard import IdConverter

register_converter(IdConverter, "id")

app_name = "claims"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("search/", views.search, name="search"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("disputes/", views.DisputeList.as_view(), name="dispute-list"),
    path("disputes/<slug:slug>/", views.DisputeDetail.as_view(), name="dispute-detail"),
    path("disputes/<slug:slug>/card.png", sharing.dispute_card, name="dispute-card"),
    path("disputes/<slug:slug>/embed/", sharing.dispute_embed, name="dispute-embed"),
    path("claims/", views.ClaimList.as_view(), name="claim-list"),
    path("claims/<slug:slug>/", views.ClaimDetail.as_view(), name="claim-detail"),
    path("claims/<slug:slug>/card.png", sharing.claim_card, name="claim-card"),
    path("claims/<slug:slug>/embed/", sharing.claim_embed, name="claim-embed"),
    path("parties/", views.PartyList.as_view(), name="party-list"),
    path("parties/<slug:slug>/", views.PartyDetail.as_view(), name="party-detail"),
    path("models/", views.AIModelList.as_view(), name="aimodel-list"),
    path("models/<slug:slug>/", views.AIModelDetail.as_view(), name="aimodel-detail"),
    path("evidence/", views.EvidenceList.as_view(), name="evidence-list"),
    path("evidence/<slug:slug>/", views.EvidenceDetail.as_view(), name="evidence-detail"),
    path("evidence/<slug:slug>/archive", views.evidence_archive, name="evidence-archive"),
    path(
        "evidence/<slug:slug>/captures/<id:capture_id>/<slug:kind>",
        views.capture_artefact,
        name="capture-artefact",
    ),
    path("reports/", views.ReportList.as_view(), name="report-list"),
    path("reports/<slug:slug>/", views.ReportDetail.as_view(), name="report-detail"),
    path("reports/<slug:slug>/card.png", sharing.report_card, name="report-card"),
    path("reports/<slug:slug>/embed/", sharing.report_embed, name="report-embed"),
    path("reports/<slug:slug>/report.json", views.report_json, name="report-json"),
    path("reports/<slug:slug>/layers/<slug:method>.csv", views.report_layers_csv, name="report-layers-csv"),
    path("reports/<slug:slug>/charts/<slug:name>.svg", views.report_chart, name="report-chart"),
    path("feeds/disputes.rss", feeds.DisputeFeed(), name="feed-disputes-rss"),
    path("feeds/disputes.atom", feeds.DisputeAtomFeed(), name="feed-disputes-atom"),
    path("feeds/claims.rss", feeds.ClaimFeed(), name="feed-claims-rss"),
    path("feeds/claims.atom", feeds.ClaimAtomFeed(), name="feed-claims-atom"),
    path("feeds/evidence.atom", feeds.EvidenceAtomFeed(), name="feed-evidence-atom"),
    path("feeds/reports.atom", feeds.ReportAtomFeed(), name="feed-reports-atom"),
]
