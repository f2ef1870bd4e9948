"""Admin for evidence artifacts."""

from django.contrib import admin

from claims.admin.base import PublicRecordAdmin
from claims.models import EvidenceArtifact


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
    list_select_related = ["author"]
    search_fields = ["title", "url", "description", "author__name"]
    autocomplete_fields = ["author", "report"]
    prepopulated_fields = {"slug": ["title"]}
    editorial_readonly = [*PublicRecordAdmin.editorial_readonly, "sha256"]

    @admin.display(description="published", ordering="published_on")
    def published_on_display(self, obj):
        return obj.published_on_display

    @admin.display(description="archived copy", boolean=True)
    def archived(self, obj):
        return bool(obj.archived_file)
