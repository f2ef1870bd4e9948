"""What every public detail page shares: who may see the record, and the page's metadata.

Readers get published and retracted records only (anything else is a 404, exactly as if it did not
exist). An active staff user with the model's view permission (``can_view_drafts``, the rule the API
shares) may open drafts too: the page then says
"preview" in a banner, and its lists include drafts, so an editor sees what publishing would show.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.generic import DetailView

from claims.markdown import render_markdown
from claims.models.grammar import indefinite
from claims.models.visibility import can_view_drafts, public_name, visible
from claims.views.sharing import share_context


def can_preview(request: HttpRequest, model: type[Model]) -> bool:
    """Whether the request's user may preview ``model``'s drafts: the one rule of
    ``claims.models.visibility.can_view_drafts``, which the API applies too."""
    return can_view_drafts(request.user, model)


def description_of(markdown_text: str, *, words: int = 40) -> str:
    """Plain text for a meta description: the Markdown rendered, sanitised, stripped, shortened."""
    text = strip_tags(render_markdown(markdown_text)).replace("\n", " ").strip()
    return Truncator(text).words(words)


class PublicRecordView(DetailView):
    """A public record by slug: readers see published/retracted ones; editors may preview drafts.
    With ``shareable``, a public record's page gets its "Cite this" block and Open Graph image."""

    context_object_name = "record"
    shareable = False

    @property
    def preview(self) -> bool:
        return can_preview(self.request, self.model)

    def get_queryset(self) -> QuerySet:
        return visible(self.base_queryset(), preview=self.preview)

    def base_queryset(self) -> QuerySet:
        return self.model.objects.all()

    def preview_banner(self) -> str:
        """Why an editor sees a page readers cannot ("" when readers can see it too)."""
        if self.object.is_public:
            return ""
        return f"This record is {indefinite(self.object.get_status_display())}"

    def preview_admin_link(self) -> tuple[str, str]:
        """(URL, text) of the admin page where an editor previewing a draft publishes it."""
        opts = self.object._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.object.pk])
        return url, f"Open this {opts.verbose_name} in the admin to publish it"

    def page_description(self) -> str:
        return description_of(getattr(self.object, "public_body", "") or "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        banner = self.preview_banner()
        context.update(
            preview=self.preview,
            preview_banner=banner,
            preview_admin_link=self.preview_admin_link() if banner else None,
            page_title=public_name(self.object, preview=True),
            page_description=self.page_description(),
            canonical_path=self.object.get_absolute_url(),
            og_type="article",
        )
        if self.shareable:
            context.update(share_context(self.request, self.object))
        return context
