"""Admin for AI models and their checkpoints."""

from django.contrib import admin

from claims.admin.base import KnowledgeBaseAdmin, PublicRecordAdmin
from claims.models import AIModel, Checkpoint

CHECKPOINT_COMPUTED = [
    "total_size", "layout_family", "layer_count", "content_hash", "file_hashes", "file_stats", "config",
    "tokenizer_digest",
]  # fmt: skip


class CheckpointInline(admin.TabularInline):
    model = Checkpoint
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


@admin.register(Checkpoint)
class CheckpointAdmin(KnowledgeBaseAdmin):
    list_display = ["__str__", "model", "revision", "format", "total_size", "short_hash", "updated_at"]
    list_filter = ["format"]
    list_select_related = ["model"]
    search_fields = ["model__name", "revision", "content_hash"]
    autocomplete_fields = ["model"]
    readonly_fields = CHECKPOINT_COMPUTED

    @admin.display(description="content hash")
    def short_hash(self, obj):
        return obj.content_hash[:12]
