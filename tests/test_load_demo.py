"""``manage.py load_demo``: the founding dispute, published, sourced, and idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from claims import models as m

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    """Rows in every table of the app, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_app_config("claims").get_models()
    }


def load() -> str:
    """The founding dispute alone (the synthetic example has its own tests)."""
    out = StringIO()
    call_command("load_demo", "--no-synthetic", stdout=out)
    return out.getvalue()


def test_loading_twice_changes_nothing():
    load()
    first = row_counts()
    output = load()
    assert row_counts() == first
    assert "0 created, 0 updated" in output
    assert m.Claim.objects.filter(dispute__slug="pangu-pro-moe-qwen").count() == 4
    assert first["claims.HistoricalClaim"] == first["claims.Claim"]  # one entry each: the creation


def test_an_editors_retraction_survives_a_reload():
    load()
    m.Claim.objects.filter(slug="whistleblower-continued-training").update(
        status="retracted", retraction_note="x", retracted_at=timezone.now()
    )
    load()
    assert m.Claim.objects.get(slug="whistleblower-continued-training").status == "retracted"


def test_every_record_is_published():
    load()
    for model in (m.Party, m.AIModel, m.Dispute, m.Claim, m.EvidenceArtifact):
        assert model.objects.exists()
        assert not model.objects.exclude(status="published").exists(), model


def test_the_founding_dispute_is_recorded_with_its_sources():
    load()
    dispute = m.Dispute.objects.get(slug="pangu-pro-moe-qwen")
    assert {r.role for r in dispute.roles.filter(party__slug="honestagi")} == {"accuser"}
    assert set(dispute.models_at_stake.values_list("slug", flat=True)) == {"pangu-pro-moe", "qwen2-5-14b"}

    claim = m.Claim.objects.get(slug="honestagi-pangu-derived-from-qwen")
    assert (claim.claimant.slug, claim.kind, claim.assessment) == ("honestagi", "derived_from", "contested")
    assert claim.source.url == "https://arxiv.org/abs/2507.03014"
    assert "0.927" in claim.statement and claim.assessment_rationale
    assert {r.slug for r in claim.responses.all()} == {
        "noahs-ark-lab-denial",
        "pangu-engineers-counter-analysis",
    }
    stances = dict(claim.evidence_links.values_list("evidence__slug", "stance"))
    assert stances["noahs-ark-lab-statement-2025-07-05"] == "refutes"
    assert stances["intrinsic-fingerprint-of-llms"] == "supports"

    reply = claim.replies.get(party__slug="alibaba")
    assert (reply.party.slug, reply.asked_by.slug, reply.outcome) == ("alibaba", "reuters", "no_response")

    denial = m.Claim.objects.get(slug="noahs-ark-lab-denial")
    assert denial.made_on_display == "5 July 2025" and denial.kind == "denial"
    assert m.Claim.objects.get(slug="pangu-engineers-counter-analysis").kind == "counter_analysis"

    honestagi = m.Party.objects.get(slug="honestagi")
    assert not honestagi.identity_verified and "Reuters could not contact" in honestagi.note
    assert m.Party.objects.get(slug="noahs-ark-lab").parent.slug == "huawei"

    pangu = m.AIModel.objects.get(slug="pangu-pro-moe")
    assert (pangu.parameters_total, pangu.parameters_active, pangu.layer_count) == (
        72 * 10**9,
        16 * 10**9,
        48,
    )
    qwen = m.AIModel.objects.get(slug="qwen2-5-14b")
    assert "May 2024" in qwen.description and qwen.release_date_source is not None

    repository = m.EvidenceArtifact.objects.get(slug="honestagi-github-repository")
    assert repository.removed_at_source
    assert (
        m.EvidenceArtifact.objects.get(slug="pangu-pro-moe-technical-report").url
        == "https://arxiv.org/abs/2505.21411"
    )


def test_every_claim_has_a_source_and_evidence():
    load()
    for claim in m.Claim.objects.all():
        assert claim.source_id and claim.evidence_links.exists(), claim
    assert (
        not m.EvidenceArtifact.objects.filter(links__isnull=True, claims_sourced__isnull=True)
        .exclude(slug="qwen2-5-announcement")
        .exists()
    )  # the documented cases (tests/test_cases.py) keep the same rule


def test_the_demo_dispute_is_in_the_admin_and_on_its_public_page(admin_client):
    load()
    dispute = m.Dispute.objects.get(slug="pangu-pro-moe-qwen")
    assert admin_client.get(f"/admin/claims/dispute/{dispute.pk}/change/").status_code == 200
    page = admin_client.get(dispute.get_absolute_url())
    assert page.status_code == 200 and "Pangu Pro MoE" in page.content.decode()


def test_the_demo_fakes_no_capture_and_its_pages_say_so(client, settings):
    """Its sources are real URLs; this server (without network in tests) holds no capture of them,
    and loading the demo queues none even with captures on publication switched on."""
    settings.ARCHIVE_CAPTURE_ON_PUBLISH = True
    load()
    assert not m.SourceCapture.objects.exists()
    evidence = m.EvidenceArtifact.objects.exclude(url="").first()
    assert "No capture exists yet." in client.get(evidence.get_absolute_url()).content.decode()
