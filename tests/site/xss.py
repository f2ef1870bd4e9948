"""A world with a script-injection payload in every Markdown field (and every title), for the
server-side and the browser XSS tests, and an HTML checker that finds anything executable."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from django.db import models
from django.utils import timezone

from claims import models as m
from tests import factories as f

PAYLOAD = (
    "<script>window.__xss=1;alert(1)</script>"
    '<img src=x onerror="window.__xss=2;alert(2)">'
    '<svg onload="window.__xss=3;alert(3)"></svg>'
    " [click me](javascript:window.__xss=4;alert(4)) "
    '<iframe src="javascript:alert(5)"></iframe>'
    '"><script>window.__xss=6</script>'
    '<a href="javascript:alert(7)">x</a><style>body{display:none}</style>'
)

# Short enough for a 200-character name; the full payload goes into every Markdown field.
TITLE_PAYLOAD = '<script>window.__xss=8</script><img src=x onerror="window.__xss=9">'


def markdown_fields(model: type[models.Model]) -> list[str]:
    """Every text field documented as Markdown ("Markdown. ..." in its help text)."""
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and str(field.help_text).startswith("Markdown")
    ]


def with_payload(model: type[models.Model], **extra) -> dict:
    return dict.fromkeys(markdown_fields(model), PAYLOAD) | extra


@dataclass
class World:
    dispute: m.Dispute
    claim: m.Claim
    response: m.Claim
    retracted: m.Claim
    party: m.Party
    model: m.AIModel
    evidence: m.EvidenceArtifact
    report: m.FingerprintReport | None

    def urls(self) -> list[str]:
        records = [
            self.dispute,
            self.claim,
            self.response,
            self.retracted,
            self.party,
            self.model,
            self.evidence,
        ]
        urls = [r.get_absolute_url() for r in records]
        if self.report is not None:
            urls.append(self.report.get_absolute_url())
        return [
            *urls,
            "/",
            "/disputes/",
            "/search/?q=" + "script",
            "/search/?q=%3Cscript%3Ealert(1)%3C/script%3E",
        ]


def build_world(report: m.FingerprintReport | None = None) -> World:
    """Public records of every kind, each Markdown field (and each title) holding ``PAYLOAD``."""
    title = "Injected " + TITLE_PAYLOAD
    parent = f.PartyFactory(published=True, **with_payload(m.Party, name="Parent " + TITLE_PAYLOAD))
    party = f.PartyFactory(
        published=True, parent=parent, aliases=PAYLOAD, **with_payload(m.Party, name=title)
    )
    model = f.AIModelFactory(published=True, developer=party, **with_payload(m.AIModel, name=title))
    evidence = f.EvidenceArtifactFactory(
        published=True, author=party, **with_payload(m.EvidenceArtifact, title=title)
    )
    dispute = f.DisputeFactory(published=True, **with_payload(m.Dispute, title=title))
    dispute.models_at_stake.add(model)
    f.DisputePartyFactory(dispute=dispute, party=party, **with_payload(m.DisputeParty))
    claim_fields = with_payload(m.Claim, title=title, venue=TITLE_PAYLOAD, assessment="contested")
    claim = f.ClaimFactory(
        published=True, dispute=dispute, claimant=party, source=evidence, subject_model=model, **claim_fields
    )
    response = f.ClaimFactory(
        published=True, dispute=dispute, claimant=party, responds_to=claim, kind="denial", **claim_fields
    )
    retracted = f.ClaimFactory(
        published=True,
        status="retracted",
        retracted_at=timezone.now(),
        dispute=dispute,
        claimant=party,
        **claim_fields,
    )
    f.EvidenceLinkFactory(claim=claim, evidence=evidence, **with_payload(m.EvidenceLink))
    f.RightOfReplyFactory(claim=claim, party=party, outcome="answered", **with_payload(m.RightOfReply))
    if report is not None:
        m.FingerprintReport.objects.filter(pk=report.pk).update(**with_payload(m.FingerprintReport))
        analysis = m.EvidenceArtifact.objects.get(report=report)
        for name, value in with_payload(m.EvidenceArtifact, title="Analysis " + TITLE_PAYLOAD).items():
            setattr(analysis, name, value)
        analysis.save()
        f.EvidenceLinkFactory(claim=claim, evidence=analysis, stance="context", note=PAYLOAD)
    return World(dispute, claim, response, retracted, party, model, evidence, report)


class ExecutableFinder(HTMLParser):
    """Collects what a browser would run: script elements (other than JSON data blocks), event
    handler attributes, javascript: URLs, and elements that load or embed content."""

    DANGEROUS_TAGS = {"iframe", "object", "embed", "svg", "math", "style", "base", "form"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and attributes.get("type") != "application/ld+json":
            self.found.append(f"<script {attributes}>")
        if tag in self.DANGEROUS_TAGS and not (
            tag == "form" and attributes.get("action", "").startswith("/")
        ):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def executable_parts(page: str) -> list[str]:
    finder = ExecutableFinder()
    finder.feed(page)
    return finder.found
