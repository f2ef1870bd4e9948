"""RSS and Atom feeds: new and updated disputes, and new claims (django.contrib.syndication).

Items are the public records; descriptions are the sanitised Markdown, as on the pages.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from claims.markdown import render_markdown
from claims.models import Claim, Dispute
from claims.models.visibility import public_name

FEED_SIZE = 30


class DisputeFeed(Feed):
    title = "Provenance — disputes"
    link = "/disputes/"
    description = "New and updated AI provenance disputes."

    def items(self):
        return Dispute.objects.public().order_by("-updated_at", "-pk")[:FEED_SIZE]

    def item_title(self, item: Dispute) -> str:
        return ("[Retracted] " if item.status == Dispute.Status.RETRACTED else "") + item.title

    def item_description(self, item: Dispute) -> str:
        return render_markdown(item.summary)

    def item_pubdate(self, item: Dispute):
        return item.published_at

    def item_updateddate(self, item: Dispute):
        return item.updated_at


class DisputeAtomFeed(DisputeFeed):
    feed_type = Atom1Feed
    subtitle = DisputeFeed.description


class ClaimFeed(Feed):
    title = "Provenance — claims"
    link = "/disputes/"
    description = "New claims, rebuttals and counter-analyses, with the newsroom's assessment."

    def items(self):
        return (
            Claim.objects.public()
            .select_related("claimant", "dispute")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item: Claim) -> str:
        return f"{public_name(item.claimant)}: {item.title} ({item.get_assessment_display()})"

    def item_description(self, item: Claim) -> str:
        return render_markdown(item.statement)

    def item_author_name(self, item: Claim) -> str:
        return public_name(item.claimant)

    def item_pubdate(self, item: Claim):
        return item.published_at

    def item_updateddate(self, item: Claim):
        return item.updated_at

    def item_categories(self, item: Claim):
        return [item.get_kind_display(), item.dispute.title]


class ClaimAtomFeed(ClaimFeed):
    feed_type = Atom1Feed
    subtitle = ClaimFeed.description
