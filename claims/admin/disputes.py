"""Admin for disputes: the case page where editors work, with its party roles and claims inline."""

from django.contrib import admin
from django.db.models import Count
from django.urls import path

from claims.admin import guided
from claims.admin.base import KnowledgeBaseAdmin, PublicRecordAdmin, status_badge_html
from claims.models import Claim, Dispute, DisputeParty


class DisputePartyInline(admin.TabularInline):
    model = DisputeParty
    fields = ["party", "role", "note"]
    autocomplete_fields = ["party"]
    extra = 0


class ClaimInline(admin.StackedInline):
    """Claims of the dispute. The fields that constraints tie together (kind, responds_to, the two
    models) are all here, so the form validates them; assessing is done on the claim's own page."""

    model = Claim
    fk_name = "dispute"
    fields = [
        ("title", "slug"),
        ("kind", "claimant"),
        ("made_on", "date_precision", "venue"),
        "responds_to",
        ("subject_model", "alleged_source_model"),
        "statement",
        ("assessment", "claim_status"),
    ]
    readonly_fields = ["assessment", "claim_status"]
    autocomplete_fields = ["claimant", "responds_to", "subject_model", "alleged_source_model"]
    prepopulated_fields = {"slug": ["title"]}
    extra = 0
    show_change_link = True
    can_delete = False  # claims are retracted, not deleted

    @admin.display(description="status")
    def claim_status(self, obj):
        return status_badge_html(obj.status, obj.get_status_display())


@admin.register(Dispute)
class DisputeAdmin(PublicRecordAdmin):
    list_display = ["title", "started_on_display", "claim_count", "status_badge", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "summary"]
    autocomplete_fields = ["models_at_stake"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [DisputePartyInline, ClaimInline]
    change_form_template = "admin/claims/dispute/change_form.html"
    change_list_template = "admin/claims/dispute/change_list.html"

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(lambda request, **kwargs: function(self, request, **kwargs))

        return [
            path("guided/", view(guided.guided_view), name="claims_dispute_guided"),
            path("<int:pk>/guided/done/", view(guided.guided_done), name="claims_dispute_guided_done"),
            path("<int:pk>/guided/<slug:step>/", view(guided.guided_view), name="claims_dispute_guided_step"),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        # One query for the whole list, not one count per row.
        return super().get_queryset(request).annotate(claim_total=Count("claims"))

    @admin.display(description="claims", ordering="claim_total")
    def claim_count(self, obj):
        return obj.claim_total

    @admin.display(description="started", ordering="started_on")
    def started_on_display(self, obj):
        return obj.started_on_display


@admin.register(DisputeParty)
class DisputePartyAdmin(KnowledgeBaseAdmin):
    list_display = ["party", "role", "dispute"]
    list_filter = ["role"]
    list_select_related = ["party", "dispute"]
    search_fields = ["party__name", "dispute__title"]
    autocomplete_fields = ["dispute", "party"]
