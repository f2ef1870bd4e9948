"""Admin for fingerprint reports and the cached per-checkpoint fingerprints.

Editors create a report request (two checkpoints, a method set, parameters); the pipeline (a later
issue) fills everything else, so those fields are read-only here.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError

from claims.admin.base import ChangeReasonForm, KnowledgeBaseAdmin, status_badge_html
from claims.models import FingerprintReport, ModelFingerprint

PIPELINE_FIELDS = [
    "status_badge",
    "progress",
    "requested_by",
    "requested_at",
    "started_at",
    "finished_at",
    "enqueued_at",
    "heartbeat_at",
    "engine_version",
    "library_versions",
    "input_hashes",
    "request_key",
    "result",
    "error_message",
    "error_detail",
    "timings",
    "attempts",
]


class FingerprintReportForm(ChangeReasonForm):
    def clean(self):
        cleaned = super().clean()
        # The same request is computed once: point the editor at the existing report.
        if self.errors or self.instance.pk:
            return cleaned
        probe = FingerprintReport(
            **{k: cleaned[k] for k in ("checkpoint_a", "checkpoint_b", "methods", "parameters")}
        )
        existing = FingerprintReport.objects.filter(request_key=probe.compute_request_key()).first()
        if existing:
            raise ValidationError(f"This comparison was already requested: report “{existing.slug}”.")
        return cleaned

    class Meta:
        model = FingerprintReport
        fields = ["slug", "checkpoint_a", "checkpoint_b", "methods", "parameters", "summary"]


@admin.register(FingerprintReport)
class FingerprintReportAdmin(KnowledgeBaseAdmin):
    form = FingerprintReportForm
    list_display = ["slug", "checkpoint_a", "checkpoint_b", "status_badge", "progress", "requested_at"]
    list_filter = ["status"]
    list_select_related = ["checkpoint_a__model", "checkpoint_b__model"]
    search_fields = ["slug", "request_key", "checkpoint_a__model__name", "checkpoint_b__model__name"]
    autocomplete_fields = ["checkpoint_a", "checkpoint_b"]
    readonly_fields = PIPELINE_FIELDS

    def get_fields(self, request, obj=None):
        return [*FingerprintReportForm.Meta.fields, "change_reason", *PIPELINE_FIELDS]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.requested_by = request.user
        super().save_model(request, obj, form, change)

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_public else None

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return status_badge_html(obj.status, obj.get_status_display())

    @admin.display(description="progress")
    def progress(self, obj):
        if not obj.progress_total:
            return "—"
        return f"{100 * obj.progress_bytes // obj.progress_total} %"


@admin.register(ModelFingerprint)
class ModelFingerprintAdmin(admin.ModelAdmin):
    """Computed by the engine; nobody edits a cache entry by hand."""

    list_display = ["checkpoint", "engine_version", "content_hash", "bytes_read", "computed_at"]
    list_filter = ["engine_version"]
    list_select_related = ["checkpoint__model"]
    search_fields = ["content_hash", "checkpoint__model__name", "checkpoint__revision"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
