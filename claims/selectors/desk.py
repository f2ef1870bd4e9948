"""The editors' desk: what needs an editor's attention, shown on the admin home and emailed.

The desk is a list of **attention providers** (``PROVIDERS``). Each provider is one section of the
desk: it has a ``key`` (stable, used in item keys), a ``title`` (the section heading) and an
``items`` function::

    def items(*, today: datetime.date, limit: int) -> Iterable[AttentionItem]

which returns at most ``limit`` items (the desk asks for one more than it shows, to say "more")
in a **fixed number of queries**, whatever the number of rows (``select_related`` what an item
shows; the desk's query-count test holds every provider to it). An item says what it is about,
links to the record's admin change page, and may carry a *suggestion* for an editor to confirm
with a button (a POST to ``action_url``); the desk never writes anything itself.

To plug in another source of attention items, append one provider (``sources`` below adapts
``claims.selectors.sources.sources_needing_attention`` this way)::

    from claims.selectors import desk
    desk.PROVIDERS.append(desk.AttentionProvider(key="mine", title="Mine", items=my_items))

An item's ``key`` identifies *this occurrence* of the problem (a report that fails again after a
retry is a new occurrence: its key includes the failure time), so the email digest
(``claims.services.desk``) sends each occurrence once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from claims.models import AIModel, Claim, Dispute, EvidenceArtifact, FingerprintReport, Party, RightOfReply
from claims.models.base import format_date
from claims.models.grammar import quoted
from claims.models.verdicts import verdict_of
from claims.selectors.sources import sources_needing_attention

SECTION_LIMIT = 50  # items shown per section; the desk then says there are more


@dataclass(frozen=True)
class AttentionItem:
    """One thing that needs an editor (see the module docstring)."""

    key: str  # unique across the desk, e.g. "report-failed:42:2026-11-30T01:00:00"
    title: str  # what it is about, e.g. "Qwen vs Pangu (failed)"
    url: str  # the record's admin change page
    detail: str = ""  # one line: why it is here
    since: dt.date | dt.datetime | None = None  # when it started needing attention
    suggestion: str = ""  # e.g. 'no response as of 30 November 2026', for an editor to confirm
    action_url: str = ""  # POST here to confirm the suggestion (admin view, CSRF-protected)
    action_label: str = ""


@dataclass(frozen=True)
class AttentionProvider:
    key: str
    title: str
    items: Callable[..., Iterable[AttentionItem]]  # items(*, today, limit)


@dataclass
class DeskSection:
    key: str
    title: str
    items: list[AttentionItem] = field(default_factory=list)
    more: bool = False  # there were more than the desk shows


def _change_url(record) -> str:
    return reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])


def failed_reports(*, today: dt.date, limit: int) -> list[AttentionItem]:
    """Fingerprint reports whose computation failed, newest first (one query)."""
    reports = (
        FingerprintReport.objects.filter(status=FingerprintReport.Status.FAILED)
        .select_related("checkpoint_a__model", "checkpoint_b__model")
        .order_by("-finished_at", "-pk")[:limit]
    )
    return [
        AttentionItem(
            key=f"report-failed:{report.pk}:{report.finished_at:%Y-%m-%dT%H:%M:%S}",
            title=f"{report.checkpoint_a} vs {report.checkpoint_b}",
            url=_change_url(report),
            detail=report.error_message.splitlines()[0] if report.error_message else "failed",
            since=report.finished_at,
        )
        for report in reports
    ]


def overdue_replies(*, today: dt.date, limit: int) -> list[AttentionItem]:
    """Requests for reply still pending after their deadline, oldest deadline first (one query),
    each with the suggestion "no response as of <today>" to confirm
    (``claims.services.reply_confirm_no_response``)."""
    replies = (
        RightOfReply.objects.filter(outcome=RightOfReply.Outcome.PENDING, reply_by__lt=today)
        .select_related("party", "claim")
        .order_by("reply_by", "pk")[:limit]
    )
    return [
        AttentionItem(
            key=f"reply-overdue:{reply.pk}:{reply.reply_by:%Y-%m-%d}",
            title=f"{reply.party}: right of reply on {quoted(reply.claim)}",
            url=_change_url(reply),
            detail=f"asked {reply.asked_on_display}, deadline {format_date(reply.reply_by, 'day')}, no answer recorded",
            since=reply.reply_by,
            suggestion=f"no response as of {format_date(today, 'day')}",
            action_url=reverse("admin:claims_rightofreply_confirm_no_response", args=[reply.pk]),
            action_label="Confirm “no response”",
        )
        for reply in replies
    ]


def sources(*, today: dt.date, limit: int) -> list[AttentionItem]:
    """Sources that disappeared or changed (the watch's open suggestions, to confirm or dismiss on
    their page) and records whose latest capture failed, newest first: ``claims.selectors.sources.
    sources_needing_attention`` (two queries) as desk items."""
    items = []
    for source in sources_needing_attention()[:limit]:
        suggested = source.kind.startswith("source_")
        items.append(
            AttentionItem(
                key=f"{source.kind}:{source.evidence.pk}:{source.since:%Y-%m-%dT%H:%M:%S}",
                title=source.sentence,
                url=source.admin_url,
                detail=f"evidence: {source.evidence}",
                since=source.since,
                suggestion="confirm or dismiss it on the suggestion's page (follow the link)"
                if suggested
                else "",
            )
        )
    return items


def relatives_to_confirm(*, today: dt.date, limit: int) -> list[AttentionItem]:
    """Reports the lineage search asked for (``claims.services.relatives``) whose analysis evidence is
    still a draft, newest first (one query): each links to that draft, which an editor publishes
    (the report then confirms a relative for readers) or deletes (dismissed: never suggested again).
    An item's key follows the report's state, so the digest tells once when it is queued and once
    when it has finished."""
    reports = (
        FingerprintReport.objects.filter(
            origin=FingerprintReport.Origin.RELATIVES, evidence__in=EvidenceArtifact.objects.drafts()
        )
        .select_related("checkpoint_a__model", "checkpoint_b__model", "evidence")
        .order_by("-requested_at", "-pk")[:limit]
    )
    items = []
    for report in reports:
        screened = verdict_of(report.screening)
        detail = f"lineage search: {screened.label if screened else 'a close relative'}; "
        headline = report.headline
        detail += (
            f"full report: {headline.title}" if headline else f"full report {report.get_status_display()}"
        )
        items.append(
            AttentionItem(
                key=f"relatives:{report.pk}:{report.status}",
                title=f"{report.checkpoint_a} and {report.checkpoint_b}: possible relatives",
                url=_change_url(report.evidence),
                detail=detail,
                since=report.requested_at,
                suggestion="publish the analysis if the report confirms it, or delete the draft to dismiss it",
            )
        )
    return items


STALE_DRAFT_MODELS = [Dispute, Claim, EvidenceArtifact, Party, AIModel]


def stale_drafts(*, today: dt.date, limit: int) -> list[AttentionItem]:
    """Drafts nobody has changed for ``DESK_STALE_DRAFT_DAYS`` days, least recently changed first
    (one query per kind of public record: five, whatever the number of drafts)."""
    days = settings.DESK_STALE_DRAFT_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    drafts = []
    for model in STALE_DRAFT_MODELS:
        drafts += model.objects.drafts().filter(updated_at__lt=cutoff).order_by("updated_at", "pk")[:limit]
    drafts.sort(key=lambda record: record.updated_at)
    return [
        AttentionItem(
            key=f"draft-stale:{record._meta.model_name}:{record.pk}:{record.updated_at:%Y-%m-%dT%H:%M:%S}",
            title=f"{record} ({record._meta.verbose_name})",
            url=_change_url(record),
            detail=f"draft, unchanged for {(timezone.now() - record.updated_at).days} days",
            since=record.updated_at,
        )
        for record in drafts[:limit]
    ]


PROVIDERS: list[AttentionProvider] = [
    AttentionProvider(
        key="sources", title="Sources that disappeared or changed, captures that failed", items=sources
    ),
    AttentionProvider(key="reports", title="Fingerprint reports that failed", items=failed_reports),
    AttentionProvider(key="relatives", title="Possible relatives to confirm", items=relatives_to_confirm),
    AttentionProvider(key="replies", title="Rights of reply past their deadline", items=overdue_replies),
    AttentionProvider(key="drafts", title="Drafts untouched for a while", items=stale_drafts),
]


def editors_desk(*, today: dt.date | None = None, limit: int = SECTION_LIMIT) -> list[DeskSection]:
    """Every provider's section, in ``PROVIDERS`` order, with at most ``limit`` items each."""
    today = today or timezone.localdate()
    sections = []
    for provider in PROVIDERS:
        items = list(provider.items(today=today, limit=limit + 1))
        sections.append(
            DeskSection(key=provider.key, title=provider.title, items=items[:limit], more=len(items) > limit)
        )
    return sections
