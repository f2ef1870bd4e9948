"""The documented cases (``claims.demo.cases``) and the founding dispute, as ``load_demo`` writes them:
loaded through the services, published, idempotent, every statement sourced, every party offered
its reply, and every public page of every case readable."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils.html import escape

from claims import models as m
from claims.demo import founding_dispute
from claims.demo.cases import CASES, case_reason

pytestmark = pytest.mark.django_db

ALL_CASES = (founding_dispute, *CASES)
# The kinds of source of record an assessment other than "unverified" must name (issue 25).
SOURCES_OF_RECORD = ("admission", "statement", "analysis")


@pytest.fixture
def loaded() -> str:
    out = StringIO()
    call_command("load_demo", "--no-synthetic", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows in every table of the app, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_app_config("claims").get_models()
    }


def case_disputes() -> list[m.Dispute]:
    return [m.Dispute.objects.get(slug=case.DISPUTE["slug"]) for case in ALL_CASES]


def test_there_are_six_documented_cases_besides_the_founding_one():
    slugs = {case.DISPUTE["slug"] for case in CASES}
    assert len(slugs) == len(CASES) >= 6 and founding_dispute.DISPUTE["slug"] not in slugs


def test_every_case_loads_published_through_the_services_with_its_own_reason(loaded):
    assert "Documented cases loaded:" in loaded
    for case in CASES:
        dispute = m.Dispute.objects.get(slug=case.DISPUTE["slug"])
        assert dispute.status == "published" and dispute.claims.count() == len(case.CLAIMS)
        assert dispute.history.earliest().history_change_reason == case_reason(case)
        assert not dispute.history.filter(history_reason_public=True).exists()  # an internal reason
    for model in (m.Party, m.AIModel, m.Dispute, m.Claim, m.EvidenceArtifact):
        assert not model.objects.exclude(status="published").exists(), model


def test_loading_twice_changes_no_row_and_writes_no_history(loaded):
    first = row_counts()
    out = StringIO()
    call_command("load_demo", "--no-synthetic", stdout=out)
    assert row_counts() == first
    assert "Documented cases loaded: 0 created, 0 updated" in out.getvalue()


def test_every_claim_and_evidence_record_has_a_source_with_address_publisher_and_date(loaded):
    """A source lacking its address, publisher or date says so: "unconfirmed" in its description.
    The model-weights placeholder of the founding dispute is not a source (nothing is cited from it)."""
    sources = m.EvidenceArtifact.objects.exclude(kind="model_weights")
    assert sources.count() >= 30
    for evidence in sources:
        complete = evidence.url and evidence.author_id and evidence.published_on
        assert complete or "unconfirmed" in evidence.description.lower(), evidence.slug
        cited = evidence.links.exists() or evidence.claims_sourced.exists()
        assert cited or m.AIModel.objects.filter(release_date_source=evidence).exists(), evidence.slug
    for claim in m.Claim.objects.all():
        assert claim.source_id and claim.evidence_links.exists(), claim.slug
        assert claim.source.url or "unconfirmed" in claim.source.description.lower(), claim.slug


def test_every_assessment_other_than_unverified_names_its_source_of_record(loaded):
    assessed = m.Claim.objects.exclude(assessment="unverified")
    assert assessed.filter(assessment="supported").count() >= 3
    for claim in assessed:
        rationale = claim.assessment_rationale.lower()
        assert "source of record" in rationale or "sources of record" in rationale, claim.slug
        assert any(kind in rationale for kind in SOURCES_OF_RECORD), claim.slug


def test_every_party_named_in_a_case_has_its_reply_or_its_own_words_on_record(loaded):
    """Accused parties each have a right-of-reply record (the answer on record, or "no response as
    of" the date of the latest source) or a response of their own (a denial, an admission, a
    clarification); accusers and rights holders have a reply record or their own claim on record."""
    for dispute in case_disputes():
        replied = set(
            m.RightOfReply.objects.filter(claim__dispute=dispute).values_list("party__slug", flat=True)
        )
        claims = dispute.claims.all()
        responded = set(claims.filter(responds_to__isnull=False).values_list("claimant__slug", flat=True))
        spoke = set(claims.values_list("claimant__slug", flat=True))
        for role in dispute.roles.select_related("party"):
            if role.role == "accused":
                assert role.party.slug in replied | responded, (dispute.slug, role.party.slug)
            elif role.role in ("accuser", "rights_holder"):
                assert role.party.slug in replied | spoke, (dispute.slug, role.party.slug)
    for reply in m.RightOfReply.objects.all():
        assert reply.source_id and reply.outcome != "pending", reply
        assert reply.outcome != "no_response" or reply.outcome_on is not None, reply  # "as of" a date


def test_no_loaded_text_is_empty(loaded):
    texts = {
        m.Dispute: ("title", "summary"),
        m.Claim: ("title", "statement", "venue", "assessment_rationale"),
        m.EvidenceArtifact: ("title", "description"),
        m.Party: ("name", "note"),
        m.AIModel: ("name", "description"),
    }
    for model, fields in texts.items():
        for record in model.objects.all():
            for name in fields:
                assert getattr(record, name).strip(), (model.__name__, record.slug, name)
    assert not m.RightOfReply.objects.filter(outcome="answered", answer="").exists()


def test_quotes_in_another_language_carry_their_translation_and_say_who_made_it(loaded):
    quoted = [
        *m.Claim.objects.exclude(original_text=""),
        *m.EvidenceArtifact.objects.exclude(original_text=""),
    ]
    assert len(quoted) >= 8
    for record in quoted:
        assert record.original_language.startswith("zh") and record.translation.strip(), record.slug
        assert record.machine_translation and "not yet checked by a human" in record.translator, record.slug


def test_the_founding_dispute_has_the_addresses_of_its_sources_and_what_followed(loaded):
    evidence = {
        e.slug: e for e in m.EvidenceArtifact.objects.filter(links__claim__dispute__slug="pangu-pro-moe-qwen")
    }
    assert evidence["reuters-report-july-2025"].url.startswith("https://www.thestar.com.my/")
    statement = evidence["noahs-ark-lab-statement-2025-07-05"]
    assert statement.url and "并非基于其他厂商模型增量训练" in statement.original_text
    assert "incremental training" in statement.translation
    assert (
        evidence["whistleblower-github-account"].url
        == "https://github.com/HW-whistleblower/True-Story-of-Pangu"
    )
    assert "withdrawn by arXiv Admin" in evidence["arxiv-2507-03014-withdrawal"].description
    github = evidence["honestagi-github-repository"]
    assert github.url == "https://github.com/HonestAGI/LLM-Fingerprint" and github.removed_at_source
    assert "(not on this server)" not in evidence["pangu-and-qwen-weights"].title
    dispute = m.Dispute.objects.get(slug="pangu-pro-moe-qwen")
    assert "What followed" in dispute.summary


def test_every_public_page_of_every_case_renders(client, loaded):
    for dispute in case_disputes():
        page = client.get(dispute.get_absolute_url())
        assert page.status_code == 200 and escape(dispute.title) in page.content.decode(), dispute.slug
        assert client.get(f"/api/v1/disputes/{dispute.slug}/").status_code == 200, dispute.slug
        records = [
            *dispute.claims.all(),
            *dispute.models_at_stake.all(),
            *m.Party.objects.filter(dispute_roles__dispute=dispute).distinct(),
            *m.EvidenceArtifact.objects.filter(links__claim__dispute=dispute).distinct(),
        ]
        for record in records:
            assert client.get(record.get_absolute_url()).status_code == 200, record.get_absolute_url()
