"""What every knowledge-base admin shares: history with diffs, a change-reason field, race-safe
saves, and for public records the status badge and the publish / unpublish / retract actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from claims import services
from claims.errors import ProvenanceError

# Colour helps the eye; the word carries the meaning (colour-blind editors, screen readers).
STATUS_COLOURS = {
    "draft": "#5f6368",
    "published": "#1e7e34",
    "retracted": "#b3261e",
    "queued": "#5f6368",
    "running": "#0b57d0",
    "succeeded": "#1e7e34",
    "failed": "#b3261e",
}


def status_badge_html(value: str, label: str):
    colour = STATUS_COLOURS.get(value, "#5f6368")
    return format_html(
        '<span style="color:#fff;background:{};padding:1px 6px;border-radius:3px;white-space:nowrap">{}</span>',
        colour,
        label,
    )


class ChangeReasonForm(forms.ModelForm):
    """Adds "reason for this change", stored on the history entry (not a model field)."""

    change_reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Reason for this change",
        help_text="Shown in the record's history, e.g. “new evidence: the Reuters report”.",
        widget=forms.TextInput(attrs={"size": 80}),
    )


class RetractForm(forms.Form):
    note = forms.CharField(
        label="Retraction note",
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="Markdown. Readers see it on the record, which stays visible.",
    )


class KnowledgeBaseAdmin(SimpleHistoryAdmin):
    """Base admin: history (with diffs) and saves that turn a lost race into a form error."""

    form = ChangeReasonForm
    # Editors paste "example.org/paper": assume HTTPS, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason") if hasattr(form, "cleaned_data") else ""
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (IntegrityError, ValidationError):
            if request.method != "POST":
                raise
        # Another editor saved a conflicting row between our validation and our write (the
        # database refused it, or a service validating again before writing did). Validate
        # again: the constraint now sees that row and names the field to fix.
        messages.warning(request, "Another change was saved at the same moment. Check the fields below.")
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            messages.error(request, "This change conflicts with another record and was not saved.")
            return HttpResponseRedirect(request.get_full_path())


class PublicRecordAdmin(KnowledgeBaseAdmin):
    """Admin of a public record: status badge, editorial fields read-only, publishing actions."""

    exclude = ["status"]
    editorial_readonly = [
        "status_badge",
        "published_at",
        "published_by",
        "retracted_at",
        "retracted_by",
        "retraction_note",
        "created_at",
        "updated_at",
    ]
    actions = ["publish", "unpublish", "retract"]

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), *self.editorial_readonly]
        if obj is not None and obj.published_at is not None:
            # Readers, links and search engines know this URL now: the slug stays.
            fields.insert(0, "slug")
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return {}
        return super().get_prepopulated_fields(request, obj)

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return status_badge_html(obj.status, obj.get_status_display())

    def view_on_site(self, obj):
        # Drafts have no public page yet: no link rather than a link to a 404.
        return obj.get_absolute_url() if obj.is_public else None

    def has_publish_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def _transition(self, request, queryset, service, done: str, **kwargs) -> None:
        succeeded = 0
        for record in queryset:
            try:
                service(record=record, user=request.user, **kwargs)
            except (ProvenanceError, ValidationError) as exc:
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"“{record}”: {text}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{succeeded} record(s) {done}.", messages.SUCCESS)

    @admin.action(description="Publish selected records", permissions=["publish"])
    def publish(self, request, queryset):
        self._transition(request, queryset, services.record_publish, "published")

    @admin.action(description="Unpublish selected records (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._transition(request, queryset, services.record_unpublish, "unpublished")

    @admin.action(description="Retract selected records…", permissions=["publish"])
    def retract(self, request, queryset):
        """An intermediate page asks for the note; the records stay public with it."""
        form = RetractForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._transition(
                request, queryset, services.record_retract, "retracted", note=form.cleaned_data["note"]
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Retract {self.opts.verbose_name_plural}",
            "opts": self.opts,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "retract",
        }
        return TemplateResponse(request, "admin/claims/retract.html", context)
