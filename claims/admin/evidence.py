"""Admin for evidence artifacts."""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from claims import services
from claims.admin.base import PublicRecordAdmin, status_badge_html
from claims.errors import ProvenanceError
from claims.markdown import render_markdown
from claims.models import EvidenceArtifact, SourceCapture, SourceSuggestion

CAPTURE_FAILED_HELP = mark_safe(
    "<p><strong>What to do:</strong> open the URL in a browser. If the page moved, correct the URL and "
    "save; if it answers again, press <em>Archive now</em> to try once more; if it is gone or refuses "
    "archiving, attach a copy you saved yourself under <em>Archived file</em> (its SHA-256 is recorded).</p>"
)


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
    lead_fields = ("title", "kind", "url", "slug", "author", "published_on", "date_precision", "description")
    editorial_readonly = [
        *PublicRecordAdmin.editorial_readonly,
        "sha256",
        "report_overview",
        "captures_overview",
    ]
    list_select_related = ["author", "report"]
    actions = [*PublicRecordAdmin.actions, "archive_now"]

    def _archive(self, request, record) -> bool:
        try:
            capture = services.capture_request(evidence=record, user=request.user)
        except ProvenanceError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return False
        self.message_user(
            request,
            f"“{record}”: capture {capture.get_status_display()} (it runs on the archive queue).",
            messages.SUCCESS,
        )
        return True

    @admin.action(
        description="Archive now: capture the source URL (WARC, screenshot, PDF, text)",
        permissions=["change"],
    )
    def archive_now(self, request, queryset):
        for record in queryset:
            self._archive(request, record)

    def response_change(self, request, obj):
        if "_archive_now" in request.POST:
            self._archive(request, obj)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.display(description="captures of the source")
    def captures_overview(self, obj):
        """Every capture, newest first (status, when, why it failed), and the "Archive now" button,
        which saves the form and queues a capture."""
        if obj is None or obj.pk is None:
            return "Save the record first."
        captures = list(obj.captures.all()[:20])
        rows = format_html_join(
            "",
            "<li>{} {} {}{}</li>",
            (
                (
                    status_badge_html(c.status, c.get_status_display()),
                    f"{c.requested_at:%Y-%m-%d %H:%M} UTC",
                    f"HTTP {c.http_status} → {c.final_url}" if c.final_url else "",
                    f" - {c.error}" if c.error else "",
                )
                for c in captures
            ),
        )
        suggestions = format_html_join(
            "",
            '<li><a href="{}">{}</a> ({})</li>',
            (
                (
                    reverse("admin:claims_sourcesuggestion_change", args=[s.pk]),
                    s.sentence,
                    s.get_state_display(),
                )
                for s in obj.source_suggestions.all()[:10]
            ),
        )
        button = (
            mark_safe('<input type="submit" name="_archive_now" value="Archive now">')
            if obj.url
            else "no URL to archive"
        )
        latest = captures[0] if captures else None
        in_progress = latest is not None and latest.status in (
            SourceCapture.Status.QUEUED,
            SourceCapture.Status.RUNNING,
        )
        # Queued or running: the page follows it without a reload (static/js/admin-captures.js polls
        # the overview's own address, ``captures_view``).
        watch = (
            format_html(
                ' data-captures-url="{}" aria-live="polite"',
                reverse("admin:claims_evidenceartifact_captures", args=[obj.pk]),
            )
            if in_progress
            else ""
        )
        return format_html(
            '<div class="captures-overview"{}><ul>{}</ul>{}{}<p>{}</p></div>',
            watch,
            rows or mark_safe("<li>No capture exists yet.</li>"),
            CAPTURE_FAILED_HELP
            if latest is not None and latest.status == SourceCapture.Status.FAILED
            else "",
            format_html("<p>Watch suggestions:</p><ul>{}</ul>", suggestions) if suggestions else "",
            button,
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/captures/",
                self.admin_site.admin_view(self.captures_view),
                name="claims_evidenceartifact_captures",
            ),
            *super().get_urls(),
        ]

    def captures_view(self, request, pk: int):
        """The captures overview alone (an HTML fragment, never cached): what the change page's script
        swaps in while a capture is queued or running."""
        record = self.get_object(request, str(pk))
        if record is None or not self.has_view_permission(request, record):
            raise Http404
        response = HttpResponse(self.captures_overview(record))
        response["Cache-Control"] = "no-store"
        return response

    class Media:
        js = ["js/admin-captures.js"]

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
            render_markdown(report.summary_as_read) if report.summary else "",
        )

    @admin.display(description="published", ordering="published_on")
    def published_on_display(self, obj):
        return obj.published_on_display

    @admin.display(description="archived copy", boolean=True)
    def archived(self, obj):
        return bool(obj.archived_file)


@admin.register(SourceCapture)
class SourceCaptureAdmin(admin.ModelAdmin):
    """Captures are written by the archive worker only; editors read them here."""

    list_display = ["evidence", "status_badge", "requested_at", "http_status", "final_url", "error"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["status", "trigger"]
    list_select_related = ["evidence"]
    search_fields = ["url", "final_url", "evidence__title"]

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return status_badge_html(obj.status, obj.get_status_display())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SourceSuggestion)
class SourceSuggestionAdmin(admin.ModelAdmin):
    """What the watch suggests; an editor confirms (applied through the service) or dismisses."""

    list_display = ["sentence", "evidence", "state", "detail", "created_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["evidence"]
    readonly_fields = [
        "evidence",
        "kind",
        "observed_on",
        "detail",
        "state",
        "created_at",
        "decided_at",
        "decided_by",
    ]
    fields = readonly_fields
    actions = ["confirm", "dismiss"]
    change_form_template = "admin/claims/sourcesuggestion/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, service, done):
        for suggestion in queryset:
            try:
                service(suggestion=suggestion, user=request.user)
            except ProvenanceError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"{suggestion.sentence}: {done}.", messages.SUCCESS)

    # -- the change form's Confirm / Dismiss buttons (the list actions' code on this one suggestion) --
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/confirm/", wrap(self.confirm_view), name="claims_sourcesuggestion_confirm"
            ),
            path(
                "<path:object_id>/dismiss/", wrap(self.dismiss_view), name="claims_sourcesuggestion_dismiss"
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_decide": self.has_change_permission(request)}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def confirm_view(self, request, object_id: str):
        return self._button(request, object_id, services.suggestion_confirm, "confirmed")

    def dismiss_view(self, request, object_id: str):
        return self._button(request, object_id, services.suggestion_dismiss, "dismissed")

    def _button(self, request, object_id: str, service, done: str):
        """A decision button (a POST), with the list actions' permission, then back to the form.
        A suggestion already settled is refused by the service, which says so."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        suggestion = self.get_object(request, unquote(object_id))
        if suggestion is None:
            raise Http404(f"No source suggestion with the id “{object_id}”.")
        self._decide(request, [suggestion], service, done)
        return HttpResponseRedirect(
            reverse("admin:claims_sourcesuggestion_change", args=[quote(suggestion.pk)])
        )

    @admin.action(description="Confirm: apply to the evidence record", permissions=["change"])
    def confirm(self, request, queryset):
        self._decide(request, queryset, services.suggestion_confirm, "confirmed")

    @admin.action(description="Dismiss", permissions=["change"])
    def dismiss(self, request, queryset):
        self._decide(request, queryset, services.suggestion_dismiss, "dismissed")
