"""RSS and Atom feeds: new and updated disputes, new claims; Atom feeds of new evidence and of new
fingerprint reports (django.contrib.syndication).

Items are the public records; descriptions are the sanitised Markdown, as on the pages. Every name
in an item is the reader's name of that record (``public_name``), so a retracted record reads
"… (record retracted by Provenance on <date>)" here as on the pages (``claims.models.public_state``),
and a retracted item's description starts with the retraction note. Every link
is under ``SITE_URL`` (``claims.site_url``): the syndication framework would take the request's Host.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from claims.markdown import render_markdown
from claims.models import Claim, Dispute, EvidenceArtifact, FingerprintReport
from claims.models.public_state import retraction_of
from claims.models.visibility import public_name
from claims.selectors import evidence_queryset, report_queryset
from claims.site_url import site_url

FEED_SIZE = 30


def with_retraction(record, description: str) -> str:
    """An item's description, preceded by the retraction and its note when ``record`` is retracted."""
    retraction = retraction_of(record)
    if retraction is None:
        return description
    return f"<p><strong>{retraction.label}.</strong></p>{render_markdown(retraction.note)}{description}"


class SiteFeed(Feed):
    page = "/"  # the page the feed follows
    url_name = ""  # the feed's own route

    def link(self) -> str:
        return site_url(self.page)

    def feed_url(self) -> str:
        return site_url(reverse(self.url_name))

    def item_link(self, item) -> str:
        return site_url(item.get_absolute_url())


class DisputeFeed(SiteFeed):
    title = "Provenance — disputes"
    page = "/disputes/"
    url_name = "claims:feed-disputes-rss"
    description = "New and updated AI provenance disputes."

    def items(self):
        return Dispute.objects.public().order_by("-updated_at", "-pk")[:FEED_SIZE]

    def item_title(self, item: Dispute) -> str:
        return public_name(item)

    def item_description(self, item: Dispute) -> str:
        return with_retraction(item, render_markdown(item.summary))

    def item_pubdate(self, item: Dispute):
        return item.published_at

    def item_updateddate(self, item: Dispute):
        return item.updated_at


class DisputeAtomFeed(DisputeFeed):
    feed_type = Atom1Feed
    url_name = "claims:feed-disputes-atom"
    subtitle = DisputeFeed.description


class ClaimFeed(SiteFeed):
    title = "Provenance — claims"
    page = "/claims/"
    url_name = "claims:feed-claims-rss"
    description = "New claims, rebuttals and counter-analyses, with the newsroom's assessment."

    def items(self):
        return (
            Claim.objects.public()
            .select_related("claimant", "dispute")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item: Claim) -> str:
        """'Claimant: title (assessment: …)', without the claimant when the title already names it."""
        claimant, title = public_name(item.claimant), public_name(item)
        said = title if claimant.casefold() in title.casefold() else f"{claimant}: {title}"
        return f"{said} (assessment: {item.get_assessment_display()})"

    def item_description(self, item: Claim) -> str:
        return with_retraction(item, render_markdown(item.statement))

    def item_author_name(self, item: Claim) -> str:
        return public_name(item.claimant)

    def item_pubdate(self, item: Claim):
        return item.published_at

    def item_updateddate(self, item: Claim):
        return item.updated_at

    def item_categories(self, item: Claim):
        return [item.get_kind_display(), public_name(item.dispute)]


class ClaimAtomFeed(ClaimFeed):
    feed_type = Atom1Feed
    url_name = "claims:feed-claims-atom"
    subtitle = ClaimFeed.description


class EvidenceAtomFeed(SiteFeed):
    feed_type = Atom1Feed
    title = "Provenance — evidence"
    page = "/evidence/"
    url_name = "claims:feed-evidence-atom"
    subtitle = description = "New evidence records: papers, statements, code, weights and analyses."

    def items(self):
        return evidence_queryset().order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, item: EvidenceArtifact) -> str:
        return f"{public_name(item)} ({item.get_kind_display()})"

    def item_description(self, item: EvidenceArtifact) -> str:
        return with_retraction(item, render_markdown(item.description))

    def item_author_name(self, item: EvidenceArtifact) -> str:
        return public_name(item.author)

    def item_pubdate(self, item: EvidenceArtifact):
        return item.published_at

    def item_updateddate(self, item: EvidenceArtifact):
        return item.updated_at


class ReportAtomFeed(SiteFeed):
    """Reports readers may see (their evidence record is public), newest first, with the verdict."""

    feed_type = Atom1Feed
    title = "Provenance — fingerprint reports"
    page = "/reports/"
    url_name = "claims:feed-reports-atom"
    subtitle = description = "New fingerprint comparisons of AI model weights, with their verdicts."

    def items(self):
        return report_queryset().order_by("-requested_at", "-pk")[:FEED_SIZE]

    def item_title(self, item: FingerprintReport) -> str:
        verdict = item.verdict
        outcome = verdict.label if verdict else item.get_status_display()
        return f"{item.public_title}: {outcome}"

    def item_description(self, item: FingerprintReport) -> str:
        text = render_markdown(item.summary_as_read)
        said = item.headline
        if said is not None and said.caveat:  # it travels with every "no evidence" verdict
            text = format_html("<p><strong>{}</strong></p>", said.caveat) + text
        return text

    def item_pubdate(self, item: FingerprintReport):
        return item.evidence.published_at or item.requested_at

    def item_updateddate(self, item: FingerprintReport):
        return item.updated_at
