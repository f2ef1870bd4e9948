"""Admin for evidence artifacts."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from claims.admin.base import PublicRecordAdmin, status_badge_html
from claims.markdown import render_markdown
from claims.models import EvidenceArtifact


@admin.register(EvidenceArtifact)
class EvidenceArtifactAdmin(PublicRecordAdmin):
    list_display = [
        "title",
        "kind",
        "author",
        "published_on_display",
        "removed_at_source",
        "archived",
        "status_badge",
    ]
    list_filter = ["status", "kind", "removed_at_source"]
    search_fields = ["title", "url", "description", "author__name"]
    autocomplete_fields = ["author", "report"]
    prepopulated_fields = {"slug": ["title"]}
    editorial_readonly = [*PublicRecordAdmin.editorial_readonly, "sha256", "report_overview"]
    list_select_related = ["author", "report"]

    @admin.display(description="fingerprint report")
    def report_overview(self, obj):
        """For an analysis: the cited report's status, verdict and summary, with a link to it."""
        report = obj.report
        if report is None:
            return "—"
        url = reverse("admin:claims_fingerprintreport_change", args=[report.pk])
        verdict = (report.result or {}).get("verdict", "not computed yet")
        return format_html(
            '<p><a href="{}">{}</a> {} - verdict: <strong>{}</strong></p>{}',
            url,
            report.slug,
            status_badge_html(report.status, report.get_status_display()),
            verdict,
            render_markdown(report.summary) if report.summary else "",
        )

    @admin.display(description="published", ordering="published_on")
    def published_on_display(self, obj):
        return obj.published_on_display

    @admin.display(description="archived copy", boolean=True)
    def archived(self, obj):
        return bool(obj.archived_file)
