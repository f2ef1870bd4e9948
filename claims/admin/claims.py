"""Admin for claims: evidence links, rights of reply and the responses to a claim, all inline."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from claims import services
from claims.admin.base import ChangeReasonForm, KnowledgeBaseAdmin, PublicRecordAdmin
from claims.errors import ProvenanceError
from claims.models import Claim, EvidenceLink, RightOfReply
from claims.selectors import reply_sentence


class ClaimAdminForm(ChangeReasonForm):
    def clean(self):
        cleaned = super().clean()
        # The public change log shows who changed an assessment, when *and why*.
        if self.instance.pk and "assessment" in self.changed_data and not cleaned.get("change_reason"):
            self.add_error(
                "change_reason", "Say why the assessment changed; readers see it in the change log."
            )
        return cleaned

    class Meta:
        model = Claim
        fields = "__all__"
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 6}),
            "title": forms.TextInput(attrs={"size": 80}),
        }


class EvidenceLinkInline(admin.TabularInline):
    model = EvidenceLink
    fields = ["evidence", "stance", "note"]
    autocomplete_fields = ["evidence"]
    extra = 0


class RightOfReplyInline(admin.StackedInline):
    model = RightOfReply
    fields = [
        ("party", "asked_by"),
        ("asked_on", "reply_by", "date_precision"),
        ("outcome", "outcome_on"),
        "answer",
        "source",
    ]
    autocomplete_fields = ["party", "asked_by", "source"]
    extra = 0


class ResponseInline(admin.TabularInline):
    """Claims that answer this one; they are edited on their own page (follow the link)."""

    model = Claim
    fk_name = "responds_to"
    verbose_name = "response to this claim"
    verbose_name_plural = "responses to this claim"
    fields = ["title", "claimant", "kind", "made_on", "assessment"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(PublicRecordAdmin):
    form = ClaimAdminForm
    list_display = [
        "title",
        "dispute",
        "claimant",
        "kind",
        "made_on_display",
        "assessment_label",
        "responds_to",
        "status_badge",
    ]
    list_filter = ["status", "assessment", "kind", "dispute"]
    list_select_related = ["dispute", "claimant", "responds_to"]
    search_fields = ["title", "statement", "claimant__name", "dispute__title"]
    autocomplete_fields = [
        "dispute",
        "claimant",
        "source",
        "subject_model",
        "alleged_source_model",
        "responds_to",
    ]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [EvidenceLinkInline, RightOfReplyInline, ResponseInline]

    @admin.display(description="date", ordering="made_on")
    def made_on_display(self, obj):
        return obj.made_on_display

    @admin.display(description="assessment", ordering="assessment")
    def assessment_label(self, obj):
        return obj.get_assessment_display()


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(KnowledgeBaseAdmin):
    list_display = ["evidence", "stance", "claim"]
    list_filter = ["stance"]
    list_select_related = ["evidence", "claim"]
    search_fields = ["evidence__title", "claim__title", "note"]
    autocomplete_fields = ["claim", "evidence"]


@admin.register(RightOfReply)
class RightOfReplyAdmin(KnowledgeBaseAdmin):
    list_display = ["party", "claim", "asked_by", "asked_on", "reply_by", "outcome", "outcome_on"]
    list_filter = ["outcome"]
    list_select_related = ["party", "claim", "asked_by"]
    search_fields = ["party__name", "claim__title", "answer"]
    autocomplete_fields = ["claim", "party", "asked_by", "source"]

    def get_urls(self):
        confirm = self.admin_site.admin_view(self.confirm_no_response_view)
        return [
            path("<int:pk>/confirm-no-response/", confirm, name="claims_rightofreply_confirm_no_response"),
            *super().get_urls(),
        ]

    def confirm_no_response_view(self, request, pk: int):
        """The desk's "Confirm no response" button (a POST): the service records the outcome."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        reply = self.get_object(request, str(pk))
        if reply is None:
            raise Http404
        if not self.has_change_permission(request, reply):
            raise PermissionDenied
        try:
            reply = services.reply_confirm_no_response(reply=reply, user=request.user)
        except ProvenanceError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"Recorded: {reply_sentence(reply, preview=True)}", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:index"))
