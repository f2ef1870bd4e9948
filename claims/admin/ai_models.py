"""Admin for AI models and their checkpoints."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from claims import services
from claims.admin.base import ChangeReasonForm, KnowledgeBaseAdmin, PublicRecordAdmin
from claims.errors import ProvenanceError
from claims.models import AIModel, Checkpoint
from claims.services import report_request

CHECKPOINT_COMPUTED = [
    "total_size", "layout_family", "layer_count", "content_hash", "file_hashes", "file_stats", "config",
    "tokenizer_digest",
]  # fmt: skip


class CheckpointChecks(forms.ModelForm):
    """Runs the service's door check while validating, so a wrong path, a broken file or a format
    that is not what the files are is a field error at once (and the save cannot fail on it)."""

    def _post_clean(self):
        # Django's hook after the instance is built: Checkpoint.clean has resolved the location
        # and refused identity changes of hashed weights; the files are read only when they changed.
        super()._post_clean()
        identity_changed = set(self.changed_data) & set(Checkpoint.IDENTITY_FIELDS)
        if self.errors or not (self.instance.pk is None or identity_changed):
            return
        try:
            services.checkpoint_validate(checkpoint=self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class CheckpointForm(CheckpointChecks, ChangeReasonForm):
    pass


class CheckpointInline(admin.TabularInline):
    model = Checkpoint
    form = CheckpointChecks
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

    def save_formset(self, request, form, formset, change):
        if formset.model is not Checkpoint:
            return super().save_formset(request, form, formset, change)
        reason = form.cleaned_data.get("change_reason") or ""
        for checkpoint in formset.save(commit=False):
            services.checkpoint_save(checkpoint=checkpoint, user=request.user, reason=reason)
        for checkpoint in formset.deleted_objects:
            formset.delete_existing(checkpoint)
        return None


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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_hashed:
            fields += Checkpoint.IDENTITY_FIELDS  # the rule itself is Checkpoint.clean's
        return fields

    def save_model(self, request, obj, form, change):
        services.checkpoint_save(
            checkpoint=obj, user=request.user, reason=form.cleaned_data.get("change_reason") or ""
        )

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
