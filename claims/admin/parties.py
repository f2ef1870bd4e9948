"""Admin for parties."""

from django.contrib import admin

from claims.admin.base import PublicRecordAdmin
from claims.models import Party


@admin.register(Party)
class PartyAdmin(PublicRecordAdmin):
    list_display = ["name", "kind", "parent", "identity_verified", "country", "status_badge", "updated_at"]
    list_filter = ["status", "kind", "identity_verified"]
    list_select_related = ["parent"]
    search_fields = ["name", "aliases", "note"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
