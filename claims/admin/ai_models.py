"""Admin for AI models and their checkpoints."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from claims.admin.base import ChangeReasonForm, KnowledgeBaseAdmin, PublicRecordAdmin
from claims.errors import ProvenanceError
from claims.models import AIModel, Checkpoint
from claims.models.ai_models import resolve_location
from claims.pipeline.checkpoints import checkpoint_inspect
from claims.services import report_request

CHECKPOINT_COMPUTED = [
    "total_size", "layout_family", "layer_count", "content_hash", "file_hashes", "file_stats", "config",
    "tokenizer_digest",
]  # fmt: skip


class CheckpointInline(admin.TabularInline):
    model = Checkpoint
    fields = ["revision", "format", "location", "uploaded_file", "content_hash"]
    readonly_fields = ["content_hash"]
    extra = 0
    show_change_link = True


@admin.register(AIModel)
class AIModelAdmin(PublicRecordAdmin):
    list_display = [
        "name",
        "developer",
        "family",
        "parameters_total",
        "release_date_display",
        "declared_base",
        "status_badge",
    ]
    list_filter = ["status", "family", "declared_relation"]
    list_select_related = ["developer", "declared_base"]
    search_fields = ["name", "family", "hub_id", "developer__name"]
    autocomplete_fields = ["developer", "declared_base", "release_date_source"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CheckpointInline]

    @admin.display(description="released", ordering="release_date")
    def release_date_display(self, obj):
        return obj.release_date_display


class CheckpointForm(ChangeReasonForm):
    """Reads the headers on save, so a wrong path or a broken file is a field error at once."""

    def clean(self):
        cleaned = super().clean()
        # An uploaded file is only on disk after the save: the worker checks it when it reads it.
        if not self.errors and cleaned.get("location"):
            try:
                self.instance.location = cleaned["location"] = str(resolve_location(cleaned["location"]))
                checkpoint_inspect(self.instance)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(Checkpoint)
class CheckpointAdmin(KnowledgeBaseAdmin):
    form = CheckpointForm
    list_display = ["__str__", "model", "revision", "format", "total_size", "short_hash", "updated_at"]
    list_filter = ["format"]
    list_select_related = ["model"]
    search_fields = ["model__name", "revision", "content_hash"]
    autocomplete_fields = ["model"]
    readonly_fields = CHECKPOINT_COMPUTED
    actions = ["compare"]

    @admin.action(description="Compare with… (one checkpoint: choose the other; two: request the report)")
    def compare(self, request, queryset):
        """Two selected checkpoints: request their report at once. One: open the request form with it."""
        if not request.user.has_perm("claims.add_fingerprintreport"):
            self.message_user(request, "You may not request fingerprint reports.", messages.ERROR)
            return None
        checkpoints = list(queryset[:3])
        add_url = reverse("admin:claims_fingerprintreport_add")
        if len(checkpoints) == 1:
            return HttpResponseRedirect(f"{add_url}?{urlencode({'checkpoint_a': checkpoints[0].pk})}")
        if len(checkpoints) != 2:
            self.message_user(request, "Select one checkpoint, or the two to compare.", messages.WARNING)
            return None
        try:
            report, _created = report_request(
                checkpoint_a=checkpoints[0],
                checkpoint_b=checkpoints[1],
                methods=None,
                parameters=None,
                user=request.user,
            )
        except ProvenanceError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        self.message_user(
            request, f"Report {report.slug} is {report.get_status_display()}.", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:claims_fingerprintreport_change", args=[report.pk]))

    @admin.display(description="content hash")
    def short_hash(self, obj):
        return obj.content_hash[:12]
