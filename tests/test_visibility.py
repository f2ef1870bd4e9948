"""The one visibility rule (``claims.models.visibility``) and the defects it closed.

Defect 1: a draft party's or model's name reached public pages through a published record's
parent, declared base, subject model or right of reply. Defect 2: an analysis citing a report on a
draft model's checkpoint could be published, and then the report page, report.json, the chart, the
other model's page showed the draft model's name and revision. Plus: the site and the API render
the same timeline (one selector).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from claims import services
from claims.errors import ProvenanceError
from claims.models import Claim, EvidenceArtifact, FingerprintReport, Party
from claims.models.visibility import UNPUBLISHED_LABEL, is_public
from tests.factories import (
    AIModelFactory,
    CheckpointFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceArtifactFactory,
    EvidenceLinkFactory,
    FingerprintReportFactory,
    PartyFactory,
    RightOfReplyFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "SECRET-Holdings"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _api(url: str) -> str:
    response = APIClient().get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_a_draft_parent_organisation_is_not_named_on_its_subsidiarys_page(client):
    secret = PartyFactory(name=SECRET)
    party = PartyFactory(published=True, parent=secret)
    page = _page(client, party.get_absolute_url())
    assert SECRET not in page and UNPUBLISHED_LABEL in page
    assert SECRET not in _api(f"/api/v1/parties/{party.slug}/")


def test_a_draft_declared_base_and_developer_are_not_named_on_a_models_page(client):
    base = AIModelFactory(name=SECRET)
    model = AIModelFactory(
        published=True,
        declared_base=base,
        declared_relation="fine_tune",
        developer=PartyFactory(name="Dev-X"),
    )
    page = _page(client, model.get_absolute_url())
    assert SECRET not in page and "Dev-X" not in page and UNPUBLISHED_LABEL in page
    body = _api(f"/api/v1/models/{model.slug}/?expand=developer,declared_base")
    assert SECRET not in body and "Dev-X" not in body


def test_a_claims_draft_subject_model_and_claimant_are_not_named(client):
    claim = ClaimFactory(
        published=True,
        claimant=PartyFactory(name="Claimant-X"),
        subject_model=AIModelFactory(name=SECRET),
        alleged_source_model=AIModelFactory(published=True, name="Qwen"),
    )
    for url in (claim.get_absolute_url(), claim.dispute.get_absolute_url(), "/feeds/claims.atom"):
        page = _page(client, url)
        assert SECRET not in page and "Claimant-X" not in page, url
    assert "Claimant-X" not in _api("/api/v1/export/claimreview/")


def test_a_right_of_reply_to_a_draft_party_is_hidden_and_a_draft_outlet_is_not_named(client):
    claim = ClaimFactory(published=True)
    RightOfReplyFactory(claim=claim, party=PartyFactory(name=SECRET), asked_on=date(2025, 7, 1))
    RightOfReplyFactory(
        claim=claim,
        party=PartyFactory(published=True, name="Alibaba"),
        asked_by=PartyFactory(name="Outlet-X"),
        asked_on=date(2025, 7, 2),
    )
    for url in (claim.get_absolute_url(), claim.dispute.get_absolute_url()):
        page = _page(client, url)
        assert SECRET not in page and "Outlet-X" not in page and "Alibaba" in page, url
    timeline = _api(f"/api/v1/disputes/{claim.dispute.slug}/timeline/")
    assert SECRET not in timeline and "Outlet-X" not in timeline and "Alibaba" in timeline


def test_a_claim_in_a_draft_dispute_is_not_public_anywhere(client):
    claim = ClaimFactory(published=True, dispute=DisputeFactory(title=SECRET), title="Leaked claim")
    assert not is_public(claim) and not Claim.objects.public().filter(pk=claim.pk).exists()
    assert client.get(claim.get_absolute_url()).status_code == 404
    assert APIClient().get(f"/api/v1/claims/{claim.slug}/").status_code == 404
    results = _page(client, "/search/?q=leaked")  # the page echoes "leaked", never the title
    assert "Leaked claim" not in results and SECRET not in results


def _report_on(draft_model_name: str) -> tuple[FingerprintReport, EvidenceArtifact]:
    public_model = AIModelFactory(published=True, name="Qwen-Public", developer=PartyFactory(published=True))
    draft_model = AIModelFactory(name=draft_model_name, developer=PartyFactory(published=True))
    report = FingerprintReportFactory(
        checkpoint_a=CheckpointFactory(model=public_model, revision="v1"),
        checkpoint_b=CheckpointFactory(model=draft_model, revision="secret-rev"),
        charts={"overview": f"<svg xmlns='http://www.w3.org/2000/svg'><text>{draft_model_name}</text></svg>"},
    )
    evidence = EvidenceArtifactFactory(kind="analysis", report=report, title="Analysis")
    return report, evidence


def test_an_analysis_of_a_draft_model_cannot_be_published(client):
    report, evidence = _report_on(SECRET)
    with pytest.raises(ProvenanceError, match=f"Publish “{SECRET}” \\(AI model\\)"):
        services.record_publish(record=evidence, user=None)
    services.record_publish(record=report.checkpoint_b.model, user=None)
    services.record_publish(record=evidence, user=None)
    assert client.get(report.get_absolute_url()).status_code == 200


def test_a_report_on_a_draft_model_stays_hidden_even_if_its_evidence_is_published(client):
    """Rows written around the services (an import, an old row) are held to the same rule."""
    report, evidence = _report_on(SECRET)
    EvidenceArtifact.objects.filter(pk=evidence.pk).update(status="published", published_at=timezone.now())
    assert not FingerprintReport.objects.public().filter(pk=report.pk).exists()
    assert not EvidenceArtifact.objects.public().filter(pk=evidence.pk).exists()
    for url in (
        report.get_absolute_url(),
        f"{report.get_absolute_url()}report.json",
        f"{report.get_absolute_url()}charts/overview.svg",
        evidence.get_absolute_url(),
        f"/api/v1/reports/{report.slug}/",
    ):
        assert client.get(url).status_code == 404, url
    other = _page(client, report.checkpoint_a.model.get_absolute_url())
    assert SECRET not in other and "secret-rev" not in other
    for url in ("/api/v1/reports/", "/api/v1/checkpoints/", "/api/v1/export/", "/api/v1/evidence/"):
        body = _api(url)
        assert SECRET not in body and "secret-rev" not in body, url


def test_the_site_and_the_api_show_the_same_timeline_entries_in_the_same_order(client):
    dispute = DisputeFactory(published=True)
    source = EvidenceArtifactFactory(published=True, title="Paper", published_on=date(2025, 7, 4))
    claim = ClaimFactory(published=True, dispute=dispute, made_on=date(2025, 7, 4), source=source)
    ClaimFactory(published=True, dispute=dispute, made_on=date(2025, 7, 4), responds_to=claim)
    ClaimFactory(published=True, dispute=dispute, made_on=None)
    ClaimFactory(dispute=dispute, made_on=date(2025, 7, 1))  # a draft: in neither
    EvidenceLinkFactory(
        claim=claim, evidence=EvidenceArtifactFactory(published=True, published_on=date(2025, 7, 9))
    )
    EvidenceLinkFactory(claim=claim, evidence=EvidenceArtifactFactory(published_on=date(2025, 7, 2)))  # draft
    RightOfReplyFactory(claim=claim, party=PartyFactory(published=True), asked_on=date(2025, 7, 4))

    api = APIClient().get(f"/api/v1/disputes/{dispute.slug}/timeline/").json()["entries"]
    from_api = [(e["type"], e["date"] or "") for e in api]
    page = _page(client, dispute.get_absolute_url())
    from_site = re.findall(
        r'<li class="event event-([a-z_]+)" id="[^"]+">\s*<p class="event-date"><time(?: datetime="([^"]+)")?',
        page,
    )
    assert from_site == from_api
    assert from_api == [
        ("evidence", "2025-07-04"),
        ("claim", "2025-07-04"),
        ("rebuttal", "2025-07-04"),
        ("right_of_reply", "2025-07-04"),
        ("evidence", "2025-07-09"),
        ("claim", ""),
    ]


def test_public_querysets_and_is_public_agree_on_every_status_combination():
    """The database filter and the check on a loaded row come from one declaration."""
    statuses = ["draft", "published", "retracted"]
    for dispute_status in statuses:
        dispute = DisputeFactory(
            status=dispute_status,
            published_at=timezone.now(),
            retraction_note="x",
            retracted_at=timezone.now(),
        )
        for claim_status in statuses:
            claim = ClaimFactory(
                dispute=dispute,
                status=claim_status,
                published_at=timezone.now(),
                retraction_note="x",
                retracted_at=timezone.now(),
            )
            in_queryset = Claim.objects.public().filter(pk=claim.pk).exists()
            assert in_queryset == is_public(claim) == (dispute_status != "draft" and claim_status != "draft")
    assert Party.objects.public().count() == sum(is_public(p) for p in Party.objects.all())
