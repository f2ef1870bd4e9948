"""The index pages: every public claim, party, AI model, evidence record and report, browsable.

Each view names its ``claims.selectors.browse`` index and the words of its page; the selector does
the filtering (the API's filters), the sorting and the paging, under the visibility rule.
"""

from __future__ import annotations

from django.shortcuts import render
from django.views import View

from claims.selectors import browse
from claims.views.base import can_preview


class IndexView(View):
    index: browse.Index
    title: str
    noun: tuple[str, str]  # singular, plural: "1 claim", "3 claims"
    description: str
    row_template: str
    feed: str = ""  # URL name of the page's Atom feed, if it has one

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.query_parameters = browse.parameters(cls.index)  # what index_page reads (claims.query_params)

    def get(self, request):
        preview = can_preview(request, self.index.model)
        listing = browse.index_page(self.index, request.GET, preview=preview)
        number = listing.page.number
        return render(
            request,
            "site/index.html",
            {
                "listing": listing,
                "page": listing.page,
                "preview": preview,
                "row_template": self.row_template,
                "heading": self.title,
                "noun": self.noun,
                "feed": self.feed,
                "page_title": self.title + (f" — page {number}" if number > 1 else ""),
                "page_description": self.description,
                "canonical_path": request.path + (f"?{listing.query}" if listing.active else ""),
            },
        )


class ClaimList(IndexView):
    index = browse.CLAIMS
    title = "Claims"
    noun = ("claim", "claims")
    description = "Every published claim, rebuttal and counter-analysis, with the newsroom's assessment."
    row_template = "site/_row_claim.html"
    feed = "claims:feed-claims-atom"


class PartyList(IndexView):
    index = browse.PARTIES
    title = "Parties"
    noun = ("party", "parties")
    description = "Organisations, labs, people and outlets in AI provenance disputes."
    row_template = "site/_row_party.html"


class AIModelList(IndexView):
    index = browse.MODELS
    title = "AI models"
    noun = ("AI model", "AI models")
    description = "AI models in provenance disputes, with their developers and declared lineage."
    row_template = "site/_row_aimodel.html"


class EvidenceList(IndexView):
    index = browse.EVIDENCE
    title = "Evidence"
    noun = ("evidence record", "evidence records")
    description = "Papers, statements, code, weights and analyses cited in AI provenance disputes."
    row_template = "site/_row_evidence.html"
    feed = "claims:feed-evidence-atom"


class ReportList(IndexView):
    index = browse.REPORTS
    title = "Fingerprint reports"
    noun = ("report", "reports")
    description = "Fingerprint comparisons of AI model weights, each score beside its null, with the verdict."
    row_template = "site/_row_report.html"
    feed = "claims:feed-reports-atom"
