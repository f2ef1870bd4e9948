"""Admin for AI models and their checkpoints."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from claims import services
from claims.admin.base import ChangeReasonForm, KnowledgeBaseAdmin, PublicRecordAdmin
from claims.admin.relatives import relatives_html
from claims.admin.reports import report_requested_redirect
from claims.errors import ProvenanceError
from claims.models import AIModel, Checkpoint
from claims.selectors.relatives import model_relatives
from claims.services import report_request
from provenance.fingerprint.sizes import human_bytes

CHECKPOINT_COMPUTED = [
    "total_size", "layout_family", "layer_count", "content_hash", "file_hashes", "file_stats", "config",
    "tokenizer_digest", "source_commit", "source_files", "acquisition_status", "acquisition_bytes",
    "acquisition_total", "acquisition_error",
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


class HubCheckpointForm(forms.Form):
    """The "Add checkpoint from a hub / git repository" form: which model, which hub (the operator's HUBS only),
    which repository (and GGUF file) and revision. ``services.checkpoint_acquire`` does the rest."""

    model = forms.ModelChoiceField(queryset=AIModel.objects.order_by("name"))
    hub = forms.ChoiceField(choices=())
    repo = forms.CharField(
        max_length=200, required=False, label="Repository ID", help_text="e.g. Qwen/Qwen2.5-14B."
    )
    gguf_file = forms.CharField(
        max_length=300, required=False, label="GGUF file",
        help_text="For a repository of GGUF re-uploads holding several quantisations: the one to analyse, "
        "e.g. model-Q4_K_M.gguf (for a split set, its first part: every part is fetched). Empty: the "
        "safetensors weights, or the repository's only GGUF model.",
    )  # fmt: skip
    git_url = forms.CharField(
        max_length=500, required=False, label="or a git repository",
        help_text="Instead of a hub: the https:// URL of a git repository with LFS (a host the operator allows).",
    )  # fmt: skip
    source_revision = forms.CharField(
        max_length=200, initial="main", label="Revision", help_text="A branch, a tag or a commit."
    )
    revision = forms.CharField(
        max_length=200,
        required=False,
        label="Label",
        help_text="How the checkpoint is named; default: the revision.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].choices = [
            (name, f"{name} ({hub.endpoint})") for name, hub in settings.HUBS.items()
        ]


def compare_link(checkpoint: Checkpoint) -> str:
    """ "Compare with…": the report request form with this checkpoint as A (nothing before it is saved)."""
    if checkpoint.pk is None:
        return "—"
    url = f"{reverse('admin:claims_fingerprintreport_add')}?{urlencode({'checkpoint_a': checkpoint.pk})}"
    return format_html('<a class="button" href="{}">Compare with…</a>', url)


class CheckpointInline(admin.TabularInline):
    model = Checkpoint
    form = CheckpointChecks
    fields = ["revision", "format", "location", "uploaded_file", "content_hash_short", "compare"]
    readonly_fields = ["content_hash_short", "compare"]
    extra = 0
    show_change_link = True

    @admin.display(description="content hash")
    def content_hash_short(self, obj):
        """The first 12 hex digits, the whole hash on hover and on the checkpoint's own page."""
        if not obj.content_hash:
            return "not hashed yet"
        return format_html('<code title="{}">{}…</code>', obj.content_hash, obj.content_hash[:12])

    @admin.display(description="compare")
    def compare(self, obj):
        return compare_link(obj)


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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "closest_relatives"] if obj is not None else fields

    @admin.display(description="Closest known relatives")
    def closest_relatives(self, obj):
        """Every checkpoint's lineage-search candidates, drafts included (``claims.admin.relatives``)."""
        return relatives_html(model_relatives(model=obj, preview=True))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Checkpoint:
            return super().save_formset(request, form, formset, change)
        reason = form.cleaned_data.get("change_reason") or ""
        for checkpoint in formset.save(commit=False):
            services.checkpoint_save(checkpoint=checkpoint, user=request.user, reason=reason)
        for checkpoint in formset.deleted_objects:
            services.record_delete(record=checkpoint, user=request.user, reason=reason)
        return None


@admin.register(Checkpoint)
class CheckpointAdmin(KnowledgeBaseAdmin):
    form = CheckpointForm
    list_display = [
        "__str__", "model", "revision", "format", "source_display", "acquisition_status", "total_size", "short_hash",
        "updated_at",
    ]  # fmt: skip
    list_filter = ["format", "source_kind", "acquisition_status"]
    list_select_related = ["model"]
    search_fields = ["model__name", "revision", "content_hash"]
    autocomplete_fields = ["model"]
    # The source is set by "Add checkpoint from a hub / git repository" (services.checkpoint_acquire), never retyped.
    readonly_fields = [
        *CHECKPOINT_COMPUTED, "source_kind", "source_hub", "source_repo", "source_revision", "source_file",
    ]  # fmt: skip
    actions = ["compare"]
    # A saved checkpoint's page leads with its download and "Compare with…"; what the files are
    # (hashes, statistics, config) is folded away: the engine's record, seldom what an editor needs.
    LEAD = ["acquisition_status", "download", "compare_with", "acquisition_error"]
    SOURCE = ["source_kind", "source_hub", "source_repo", "source_revision", "source_file", "source_commit"]
    INTERNAL = [
        "total_size", "layout_family", "layer_count", "content_hash", "file_hashes", "file_stats", "config",
        "tokenizer_digest", "source_files", "acquisition_bytes", "acquisition_total",
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["download", "compare_with"]
        if obj is not None and obj.is_hashed:
            fields += Checkpoint.IDENTITY_FIELDS  # the rule itself is Checkpoint.clean's
        return fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        fields = list(self.get_fields(request, obj))
        placed = set(self.LEAD) | set(self.SOURCE) | set(self.INTERNAL)
        return [
            ("Download and comparison", {"fields": [f for f in self.LEAD if f in fields]}),
            (None, {"fields": [f for f in fields if f not in placed]}),
            ("Source", {"fields": [f for f in self.SOURCE if f in fields]}),
            (
                "Files and statistics (as the engine read them)",
                {"classes": ["collapse"], "fields": [f for f in self.INTERNAL if f in fields]},
            ),
        ]

    @admin.display(description="downloaded")
    def download(self, obj):
        if not obj.acquisition_total:
            return "—"
        return f"{human_bytes(obj.acquisition_bytes)} of {human_bytes(obj.acquisition_total)}"

    @admin.display(description="compare")
    def compare_with(self, obj):
        return compare_link(obj)

    def save_model(self, request, obj, form, change):
        services.checkpoint_save(
            checkpoint=obj,
            user=request.user,
            reason=form.cleaned_data.get("change_reason") or self.revert_reason(request),
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
        return report_requested_redirect(report)

    @admin.display(description="content hash")
    def short_hash(self, obj):
        return obj.content_hash[:12]

    def get_urls(self):
        view = self.admin_site.admin_view(self.add_from_hub_view)
        return [path("add-from-hub/", view, name="claims_checkpoint_add_from_hub"), *super().get_urls()]

    def add_from_hub_view(self, request):
        """Add a checkpoint named by a hub repository and revision; its download is queued."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = HubCheckpointForm(request.POST or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            source = {
                "kind": "git" if data["git_url"] else "hub",
                "hub": data["hub"],
                "repo": data["repo"],
                "url": data["git_url"],
                "revision": data["source_revision"],
                "file": data["gguf_file"],
            }
            checkpoint = None
            try:
                if "_add" not in request.POST:  # the first step: what it will download and run, nothing saved
                    preview = services.checkpoint_preview(source=source)
                else:
                    checkpoint, created = services.checkpoint_acquire(
                        model=data["model"], source=source, revision=data["revision"], note=data["note"],
                        user=request.user,
                    )  # fmt: skip
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    at = ("git_url" if data["git_url"] else "repo") if name == "source" else name
                    form.add_error(at if at in form.fields else None, errors)
            if checkpoint is not None:
                verb = "added; its download is queued" if created else "was registered already"
                self.message_user(request, f"“{checkpoint}” {verb}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:claims_checkpoint_change", args=[checkpoint.pk]))
        context = {**self.admin_site.each_context(request), "title": "Add checkpoint from a hub / git repository", "form": form,
                   "opts": self.model._meta, "preview": preview}  # fmt: skip
        return TemplateResponse(request, "admin/claims/checkpoint/add_from_hub.html", context)
