"""What every knowledge-base admin shares: history with diffs, a change-reason field, race-safe
saves, and for public records the status badge and publish / unpublish / retract, both as list
actions and as buttons on each record's change form (the same services, the same confirmations:
retracting asks for the note)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from claims import services
from claims.errors import ProvenanceError
from claims.services.records import PublishBlocked, publish_requirements

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
    """Adds "reason for this change", stored on the history entry (not a model field) as a reason
    written for readers."""

    change_reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Reason for this change",
        help_text="Written for readers: the public change log shows it beside a changed assessment, "
        "e.g. “new evidence: the Reuters report”. Also kept in the record's history.",
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

    @staticmethod
    def change_reason(form) -> str:
        return (form.cleaned_data.get("change_reason") or "") if hasattr(form, "cleaned_data") else ""

    def save_model(self, request, obj, form, change):
        # The form has applied its fields to ``obj``; the service validates the whole row and saves it.
        # An editor's reason is written for readers; a revert's own note is internal.
        reason = self.change_reason(form)
        services.record_save(
            record=obj,
            user=request.user,
            reason=reason or self.revert_reason(request),
            reason_public=bool(reason),
        )

    # -- history: "Revert" is an edit of the record as it is now ----------------------------------
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """django-simple-history's "Revert", as the record's own change form with the fields that
        form edits filled in from that version, saved like any edit (``save_model``: the service).

        So a revert never brings back an editorial state - a retraction and its note, a publication
        change only through publish / unpublish / retract, with their checks - nor what the pipeline
        computed, and a field read-only on the record now (a published slug) stays read-only.
        (simple-history's own view saved the whole old row, status and note included, and failed
        with a 500 on a published version, whose slug the form no longer has.)"""
        history = self.model.history.model
        version = get_object_or_404(
            history, **{self.opts.pk.attname: unquote(object_id), "history_id": unquote(version_id)}
        )
        request.revert_to = version
        title = f"Revert “{version.instance}” to the version of {version.history_date:%Y-%m-%d %H:%M}"
        return self.changeform_view(
            request, object_id, extra_context={"title": title, **(extra_context or {})}
        )

    def get_object(self, request, object_id, from_field=None):
        record = super().get_object(request, object_id, from_field)
        version = getattr(request, "revert_to", None)
        if record is not None and version is not None:
            editable = set(self.get_form(request, record, change=True).base_fields)
            for field in record._meta.concrete_fields:
                if field.name in editable:
                    setattr(record, field.attname, getattr(version, field.attname))
        return record

    @staticmethod
    def revert_reason(request) -> str:
        version = getattr(request, "revert_to", None)
        return f"Reverted to the version of {version.history_date:%Y-%m-%d %H:%M}" if version else ""

    def save_formset(self, request, form, formset, change):
        """Inline rows are written through the same service as the page's record, with its reason."""
        reason = self.change_reason(form)
        rows = formset.save(commit=False)  # fills deleted_objects; deletes nothing yet
        for row in formset.deleted_objects:
            services.record_delete(record=row, user=request.user, reason=reason)
        for row in rows:
            services.record_save(record=row, user=request.user, reason=reason, reason_public=True)
        formset.save_m2m()

    def delete_model(self, request, obj):
        # The delete view and "delete selected" go through the service: a deleted row leaves every
        # cached page, API read and export of the public content version it was in.
        services.record_delete(record=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        services.records_delete(records=queryset, user=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (IntegrityError, ValidationError):
            if request.method != "POST":
                raise
        # Another editor saved a conflicting row between our validation and our write (the database
        # refused it, or the service's validation saw it). Validate again: the form now sees that
        # row and names the field to fix.
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
    change_form_template = "admin/claims/public_record_change_form.html"
    # What an editor fills in first leads the form; the rest keeps the model's order.
    lead_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        lead = [name for name in self.lead_fields if name in fields]
        return [*lead, *(name for name in fields if name not in lead)]

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), *self.editorial_readonly]
        if obj is not None and obj.slug_is_fixed:
            fields.insert(0, "slug")
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.slug_is_fixed:
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

    # -- the change form's publishing buttons ---------------------------------------------------
    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/publish/", wrap(self.publish_view), name=f"{info}_publish"),
            path(
                "<path:object_id>/publish-with-requirements/",
                wrap(self.publish_with_requirements_view),
                name=f"{info}_publish_with_requirements",
            ),
            path("<path:object_id>/unpublish/", wrap(self.unpublish_view), name=f"{info}_unpublish"),
            path("<path:object_id>/retract/", wrap(self.retract_view), name=f"{info}_retract"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_publish": self.has_publish_permission(request)}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def _record_for_transition(self, request, object_id: str):
        """The record a publishing button acts on, or raise: the permission is checked first, as
        for the list actions."""
        if not self.has_publish_permission(request):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404(f"No {self.opts.verbose_name} with the id “{object_id}”.")
        return record

    def _back_to_change_form(self, record) -> HttpResponseRedirect:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return HttpResponseRedirect(reverse(f"admin:{info}_change", args=[quote(record.pk)]))

    def publish_view(self, request, object_id: str):
        return self._button(request, object_id, services.record_publish, "published")

    def unpublish_view(self, request, object_id: str):
        return self._button(request, object_id, services.record_unpublish, "unpublished")

    def _button(self, request, object_id: str, service, done: str):
        """A publishing button (a POST): the list action's code on this one record, then back to it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = self._record_for_transition(request, object_id)
        self._transition(request, [record], service, done)
        return self._back_to_change_form(record)

    def retract_view(self, request, object_id: str):
        """The retract button: the same note page as the list action, for this one record."""
        record = self._record_for_transition(request, object_id)
        response = self._retract(request, [record])
        return response or self._back_to_change_form(record)

    def _transition(self, request, queryset, service, done: str, **kwargs) -> None:
        succeeded = 0
        for record in queryset:
            try:
                service(record=record, user=request.user, **kwargs)
            except PublishBlocked as exc:
                self.message_user(request, self._blocked_message(exc), messages.ERROR)
            except (ProvenanceError, ValidationError) as exc:
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"“{record}”: {text}", messages.ERROR)
            else:
                succeeded += 1
                self.log_change(request, record, done.capitalize())  # the admin's Recent actions
        if succeeded:
            self.message_user(request, f"{succeeded} record(s) {done}.", messages.SUCCESS)

    @staticmethod
    def _blocked_message(exc) -> str:
        """The service's sentence, a link to each draft the record needs, and the offer to publish
        them all with it (``publish_with_requirements_view``)."""
        record, needed = exc.record, exc.needed
        links = format_html_join(
            ", ", '<a href="{}">{}</a> ({})', ((_change_url(d), d, d._meta.verbose_name) for d in needed)
        )
        info = f"{record._meta.app_label}_{record._meta.model_name}"
        offer = reverse(f"admin:{info}_publish_with_requirements", args=[quote(record.pk)])
        count = f"{len(needed)} record{'s' if len(needed) != 1 else ''}"
        return format_html(
            '“{}”: {} It needs: {}. <a href="{}">Publish it with the {} it needs…</a>',
            record, str(exc), links, offer, count,
        )  # fmt: skip

    def publish_with_requirements_view(self, request, object_id: str):
        """Lists the drafts this record needs (each linked) and, on POST, publishes them and it in one
        transaction (``services.record_publish_with_requirements``); the editor needs the publish
        permission of every kind of record in the list."""
        record = self._record_for_transition(request, object_id)
        needed = publish_requirements(record)
        missing = sorted(
            {d._meta.verbose_name_plural for d in needed if not request.user.has_perm(_publish_perm(d))}
        )
        if request.method == "POST" and not missing:
            try:
                published = services.record_publish_with_requirements(record=record, user=request.user)
            except (ProvenanceError, ValidationError) as exc:
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"“{record}”: {text} Nothing was published.", messages.ERROR)
            else:
                for row in published:
                    self.log_change(request, row, "Published")
                count = len(published)
                self.message_user(
                    request, f"{count} record{'s' if count != 1 else ''} published.", messages.SUCCESS
                )
            return self._back_to_change_form(record)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Publish “{record}” with the records it needs",
            "opts": self.opts,
            "record": record,
            "needed": [(d, _change_url(d), d._meta.verbose_name) for d in needed],
            "missing": missing,
            "cancel_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(record.pk)]
            ),
        }
        return TemplateResponse(request, "admin/claims/publish_with_requirements.html", context)

    @admin.action(description="Publish selected records", permissions=["publish"])
    def publish(self, request, queryset):
        self._transition(request, queryset, services.record_publish, "published")

    @admin.action(description="Unpublish selected records (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._transition(request, queryset, services.record_unpublish, "unpublished")

    @admin.action(description="Retract selected records…", permissions=["publish"])
    def retract(self, request, queryset):
        """An intermediate page asks for the note; the records stay public with it."""
        return self._retract(request, queryset, action="retract")

    def _retract(self, request, records, *, action: str = ""):
        """The note page for ``records``, or (once a note is given) their retraction and None.
        ``action``: the list action posting back to the changelist; empty for the change form's
        button, which posts back to itself."""
        form = RetractForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._transition(
                request, records, services.record_retract, "retracted", note=form.cleaned_data["note"]
            )
            return None
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        single = len(records) == 1 and not action
        context = {
            **self.admin_site.each_context(request),
            "title": f"Retract {self.opts.verbose_name if single else self.opts.verbose_name_plural}",
            "opts": self.opts,
            "form": form,
            "queryset": records,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": action,
            "cancel_url": reverse(f"admin:{info}_change", args=[quote(records[0].pk)])
            if single
            else reverse(f"admin:{info}_changelist"),
        }
        return TemplateResponse(request, "admin/claims/retract.html", context)


def _change_url(record) -> str:
    return reverse(
        f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[quote(record.pk)]
    )


def _publish_perm(record) -> str:
    return f"{record._meta.app_label}.publish_{record._meta.model_name}"
