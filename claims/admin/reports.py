"""Admin for fingerprint reports and the cached per-checkpoint fingerprints.

An editor *requests* a report (two checkpoints and a method set) through the same service as the
API and the command line, so an identical request opens the existing report; either way the editor
lands on the report's page. Everything else is
the worker's: the change page shows status and progress (refreshing itself while the worker runs),
the summary, each score beside its null, the charts, the reproducibility block, and a retry button
for a failed report.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from claims.admin.base import KnowledgeBaseAdmin, status_badge_html
from claims.errors import ProvenanceError
from claims.markdown import render_markdown
from claims.models import Checkpoint, EvidenceArtifact, FingerprintReport, ModelFingerprint
from claims.models.verdicts import verdict_of
from claims.presentation.charts import svg_response
from claims.services import fingerprints_forget, report_request, report_retry
from provenance.fingerprint.methods import METHODS
from provenance.fingerprint.parameters import PARAMETERS
from provenance.fingerprint.sizes import human_bytes

Status = FingerprintReport.Status


def report_requested_redirect(report: FingerprintReport) -> HttpResponseRedirect:
    """After a request, the editor lands on the report's own page (a preview until its evidence is
    published): its status and progress while a worker computes it (an identical request opens the
    report that exists), then the report as readers will read it, with a link to the evidence
    record that publishes it."""
    return HttpResponseRedirect(report.get_absolute_url())


class ReportRequestForm(forms.Form):
    checkpoint_a = forms.ModelChoiceField(queryset=Checkpoint.objects.select_related("model"))
    checkpoint_b = forms.ModelChoiceField(queryset=Checkpoint.objects.select_related("model"))
    methods = forms.MultipleChoiceField(
        choices=[(name, f"{name} - {method.title}") for name, method in METHODS.items()],
        initial=list(METHODS),
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = forms.ModelChoiceField(
        queryset=EvidenceArtifact.objects.filter(kind=EvidenceArtifact.Kind.ANALYSIS, report__isnull=True),
        required=False,
        help_text="An analysis record that will cite the report. Leave empty to create a draft one.",
    )

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # The engine's parameters, with its bounds and its one sentence for a value outside them.
        for name, parameter in PARAMETERS.items():
            self.fields[name] = forms.IntegerField(
                min_value=parameter.minimum,
                max_value=parameter.maximum,
                initial=parameter.default,
                required=False,
                error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), parameter.message),
                help_text=f"{parameter.help} From {parameter.minimum} to {parameter.maximum}.",
            )
        for name in ("checkpoint_a", "checkpoint_b"):
            field = self.fields[name]
            field.widget = AutocompleteSelect(FingerprintReport._meta.get_field(name), admin_site)
            field.widget.choices = field.choices  # a ModelChoiceField binds its choices to its widget

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("checkpoint_a") and cleaned.get("checkpoint_a") == cleaned.get("checkpoint_b"):
            raise ValidationError("Choose two different checkpoints: a report compares two sets of weights.")
        return cleaned

    def parameters(self) -> dict:
        """The parameters the editor set (an empty box takes the engine's default)."""
        return {
            name: self.cleaned_data[name] for name in PARAMETERS if self.cleaned_data.get(name) is not None
        }


@admin.register(FingerprintReport)
class FingerprintReportAdmin(KnowledgeBaseAdmin):
    list_display = [
        "slug",
        "checkpoint_a",
        "checkpoint_b",
        "status_badge",
        "progress",
        "verdict",
        "requested_at",
    ]
    list_filter = ["status", "origin"]
    list_select_related = ["checkpoint_a__model", "checkpoint_b__model"]
    search_fields = ["slug", "request_key", "checkpoint_a__model__name", "checkpoint_b__model__name"]
    actions = ["retry_failed"]
    change_form_template = "admin/claims/fingerprintreport/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "status_badge",
                    "progress",
                    "duration",
                    "checkpoint_a",
                    "checkpoint_b",
                    "evidence_link",
                    "origin_display",
                ]
            },
        ),
        ("What the evidence shows", {"fields": ["summary_html", "scores", "charts_html"]}),
        ("If it failed", {"fields": ["error_message", "error_detail"], "classes": ["collapse"]}),
        ("Reproducibility", {"fields": ["reproducibility"]}),
        (
            "Bookkeeping",
            {
                "fields": ["requested_by", "requested_at", "started_at", "finished_at", "attempts"],
                "classes": ["collapse"],
            },
        ),
    ]
    readonly_fields = [
        "status_badge", "progress", "duration", "checkpoint_a", "checkpoint_b", "evidence_link", "origin_display", "summary_html",
        "scores", "charts_html", "error_message", "error_detail", "reproducibility", "requested_by",
        "requested_at", "started_at", "finished_at", "attempts",
    ]  # fmt: skip

    @admin.display(description="Asked for by")
    def origin_display(self, obj: FingerprintReport) -> str:
        """An editor, or the lineage search with what its screening found (``claims.services.relatives``)."""
        if obj.origin != FingerprintReport.Origin.RELATIVES:
            return str(obj.requested_by or "an editor or the demo loader")
        screened = verdict_of(obj.screening)
        found = f": its screening found {screened.label}" if screened else ""
        return f"the lineage search, to confirm a close relative{found}"

    # -- requesting ------------------------------------------------------------------------------
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {k: request.GET[k] for k in ("checkpoint_a", "checkpoint_b") if k in request.GET}
        form = ReportRequestForm(request.POST or None, initial=initial, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                report, _created = report_request(
                    checkpoint_a=data["checkpoint_a"],
                    checkpoint_b=data["checkpoint_b"],
                    methods=data["methods"],
                    parameters=form.parameters(),
                    user=request.user,
                    evidence=data["evidence"],
                )
            except ProvenanceError as exc:
                form.add_error(None, str(exc))
            else:
                return report_requested_redirect(report)
        context = {
            **self.admin_site.each_context(request),
            "title": "Request a fingerprint comparison",
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/claims/fingerprintreport/request.html", context)

    def response_change(self, request, obj):
        if "_retry" in request.POST:
            self._retry(request, [obj])
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.action(description="Retry the selected failed reports", permissions=["change"])
    def retry_failed(self, request, queryset):
        self._retry(request, queryset)

    def _retry(self, request, reports):
        for report in reports:
            try:
                report_retry(report=report)
            except ProvenanceError as exc:
                self.message_user(request, f"{report.slug}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{report.slug} is queued again.", messages.SUCCESS)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        extra = {
            "refresh_seconds": 5 if report and report.in_progress else None,
            "can_retry": bool(report and report.status == Status.FAILED),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    # -- charts, served to editors (drafts included) from the stored SVG ---------------------------
    def get_urls(self):
        chart = self.admin_site.admin_view(self.chart_view)
        return [
            path("<int:pk>/chart/<slug:name>.svg", chart, name="claims_fingerprintreport_chart"),
            *super().get_urls(),
        ]

    def chart_view(self, request, pk: int, name: str):
        report = self.get_object(request, str(pk))
        if report is None or not self.has_view_permission(request, report):
            raise Http404
        svg = report.charts_as_read.get(name)
        if not svg:
            raise Http404
        return svg_response(svg)

    # -- read-only displays ----------------------------------------------------------------------
    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return status_badge_html(obj.status, obj.get_status_display())

    @admin.display(description="progress")
    def progress(self, obj):
        if obj.status == Status.QUEUED and obj.download:
            return obj.download["text"]
        state = obj.progress_state
        if state and (obj.progress_phase or state["stale"]):
            return state["text"]  # the phase: "reading model A: 42 %", "computing …", "the worker stopped…"
        if not obj.progress_total:
            return "—" if obj.status != Status.SUCCEEDED else "weights already fingerprinted"
        return (
            f"{human_bytes(obj.progress_bytes)} of {human_bytes(obj.progress_total)} read "
            f"({obj.progress_percent} %)"
        )

    @admin.display(description="duration")
    def duration(self, obj):
        if not obj.started_at:
            return "—"
        if not obj.finished_at:
            return "running"
        return f"{(obj.finished_at - obj.started_at).total_seconds():.1f} s"

    @admin.display(description="verdict")
    def verdict(self, obj):
        return (obj.result or {}).get("verdict", "—")

    @admin.display(description="evidence record")
    def evidence_link(self, obj):
        evidence = getattr(obj, "evidence", None)
        if evidence is None:
            return "— (no evidence record cites this report)"
        url = reverse("admin:claims_evidenceartifact_change", args=[evidence.pk])
        return format_html('<a href="{}">{}</a> ({})', url, evidence.title, evidence.get_status_display())

    @admin.display(description="summary")
    def summary_html(self, obj):
        return render_markdown(obj.summary_as_read) if obj.summary else "—"

    @admin.display(description="scores against their null")
    def scores(self, obj):
        results = (obj.result or {}).get("results", {})
        if not results:
            return "—"
        return render_to_string(
            "admin/claims/fingerprintreport/scores.html",
            {"results": results, "skipped": obj.result.get("skipped")},
        )

    @admin.display(description="charts")
    def charts_html(self, obj):
        if not obj.charts_as_read:
            return "—"
        charts = [
            (name, reverse("admin:claims_fingerprintreport_chart", args=[obj.pk, name]))
            for name in obj.charts_as_read
        ]
        return render_to_string("admin/claims/fingerprintreport/charts.html", {"charts": charts})

    @admin.display(description="reproducibility")
    def reproducibility(self, obj):
        return render_to_string("admin/claims/fingerprintreport/reproducibility.html", {"report": obj})


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

    def delete_model(self, request, obj):
        fingerprints_forget(fingerprints=[obj])

    def delete_queryset(self, request, queryset):
        fingerprints_forget(fingerprints=list(queryset))
