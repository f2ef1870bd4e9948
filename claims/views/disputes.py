"""The dispute list (filters, pagination) and the dispute page (its timeline)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode
from django.views import View

from claims.models import Dispute
from claims.selectors import dispute_filter_options, dispute_list, dispute_page
from claims.views.base import PublicRecordView, can_preview

PAGE_SIZE = 20
STATUSES = [("open", "open"), ("closed", "closed"), ("retracted", "retracted")]


class DisputeList(View):
    """Disputes, newest first; filters by status, party, model and year in the query string."""

    def get(self, request):
        preview = can_preview(request, Dispute)
        options = dispute_filter_options(preview=preview)
        filters = {
            "status": _choice(request.GET.get("status"), [s for s, _ in STATUSES]),
            "party": _choice(request.GET.get("party"), [slug for slug, _ in options["parties"]]),
            "model": _choice(request.GET.get("model"), [slug for slug, _ in options["models"]]),
            "year": _choice(request.GET.get("year"), [str(y) for y in options["years"]]),
        }
        disputes = dispute_list(
            preview=preview,
            status=filters["status"],
            party=filters["party"],
            model=filters["model"],
            year=int(filters["year"]) if filters["year"] else None,
        )
        page = Paginator(disputes, PAGE_SIZE).get_page(request.GET.get("page"))
        active = {name: value for name, value in filters.items() if value}
        return render(
            request,
            "site/dispute_list.html",
            {
                "page": page,
                "filters": filters,
                "options": options,
                "statuses": STATUSES,
                "filter_query": urlencode(active),
                "page_title": "Disputes" + (f" — page {page.number}" if page.number > 1 else ""),
                "page_description": "Every published AI provenance dispute, newest first.",
                "canonical_path": request.path + (f"?{urlencode(active)}" if active else ""),
            },
        )


def _choice(value: str | None, allowed: list[str]) -> str:
    """``value`` if it is one of ``allowed``, else "" (an unknown filter value is ignored, not an error)."""
    return value if value in allowed else ""


class DisputeDetail(PublicRecordView):
    model = Dispute
    shareable = True
    template_name = "site/dispute_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = dispute_page(dispute=self.object, preview=self.preview)
        return context
