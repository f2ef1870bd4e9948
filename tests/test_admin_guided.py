"""The guided start (claims/admin/guided.py): "New dispute, step by step" from the disputes list to
the dispute's change page, each step saved whole through the services; refusals are sentences on
the form, never a 500 and never half a record."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.models import Claim, Dispute, DisputeParty, EvidenceArtifact, EvidenceLink, Party, RightOfReply
from claims.services import claim_add_source, dispute_add_party
from tests import factories as f

pytestmark = pytest.mark.django_db
START = reverse("admin:claims_dispute_guided")


def step(dispute: Dispute, key: str) -> str:
    return reverse("admin:claims_dispute_guided_step", args=[dispute.pk, key])


def moved(response) -> str:
    """Where a saved step sends the editor (a refused one shows its errors instead: said here)."""
    if response.status_code != 302:
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
        errors += re.findall(r'<div class="errornote">(.*?)</div>', response.content.decode(), re.S)
        raise AssertionError(f"not saved ({response.status_code}): {errors}")
    return response["Location"]


@pytest.fixture
def editor_client(client):
    client.force_login(f.editor())
    return client


def test_an_editor_records_a_dispute_end_to_end_and_lands_on_what_publishing_needs(editor_client):
    client = editor_client
    listing = client.get(reverse("admin:claims_dispute_changelist")).content.decode()
    assert START in listing and "New dispute, step by step" in listing

    page = client.get(START)
    assert page.status_code == 200 and "1. The dispute" in page.content.decode()
    model_a, model_b = f.AIModelFactory(name="Model A"), f.AIModelFactory(name="Model B")
    response = client.post(
        START,
        {
            "title": "Lab B copied Lab A",
            "summary": "A short case.",
            "started_on_precision": "day",
            "models_at_stake": [model_a.pk, model_b.pk],
        },
    )
    dispute = Dispute.objects.get(title="Lab B copied Lab A")
    assert moved(response) == step(dispute, "parties")
    assert set(dispute.models_at_stake.all()) == {model_a, model_b}
    assert dispute.status == "draft" and dispute.slug == "lab-b-copied-lab-a"

    known = f.PartyFactory(name="Lab A", published=True)
    response = client.post(
        step(dispute, "parties"),
        {
            "new_party_name": "Whistleblower",
            "new_party_kind": "pseudonymous",
            "role": "accuser",
            "_another": "1",
        },
    )
    assert moved(response) == step(dispute, "parties")  # add another
    page = client.get(step(dispute, "parties")).content.decode()
    assert "Whistleblower" in page and "Saved in this step" in page
    response = client.post(step(dispute, "parties"), {"party": known.pk, "role": "accused"})
    assert moved(response) == step(dispute, "claims")
    accuser = Party.objects.get(name="Whistleblower")
    assert accuser.status == "draft"
    assert sorted(DisputeParty.objects.filter(dispute=dispute).values_list("role", flat=True)) == [
        "accused",
        "accuser",
    ]

    response = client.post(
        step(dispute, "claims"),
        {
            "claimant": accuser.pk,
            "kind": "derived_from",
            "subject_model": model_b.pk,
            "alleged_source_model": model_a.pk,
            "title": "Model B is Model A renamed",
            "statement": "They say B was copied.",
            "made_on": "2026-11-02",
            "date_precision": "day",
        },
    )
    assert moved(response) == step(dispute, "sources")
    claim = Claim.objects.get(dispute=dispute)
    assert (claim.claimant, claim.status) == (accuser, "draft")

    response = client.post(
        step(dispute, "sources"),
        {
            "claim": claim.pk,
            "title": "The accuser's post",
            "kind": "social_post",
            "url": "https://example.org/post",
            "stance": "supports",
        },
    )
    assert moved(response) == step(dispute, "reply")
    link = EvidenceLink.objects.get(claim=claim)
    assert (link.evidence.title, link.evidence.url, link.stance) == (
        "The accuser's post",
        "https://example.org/post",
        "supports",
    )

    response = client.post(
        step(dispute, "reply"),
        {
            "claim": claim.pk,
            "party": known.pk,
            "asked_on": "2026-11-03",
            "reply_by": "2026-11-10",
            "date_precision": "day",
        },
    )
    done = reverse("admin:claims_dispute_guided_done", args=[dispute.pk])
    assert moved(response) == done
    assert RightOfReply.objects.get(claim=claim).party == known

    landing = client.get(done, follow=True)
    assert landing.redirect_chain[-1][0] == reverse("admin:claims_dispute_change", args=[dispute.pk])
    text = landing.content.decode()
    # What is still a draft, each record linked: the new party, the claim, the source.
    assert "The dispute is saved as a draft. Publish it with the button below." in text
    still = text.split("Still drafts", 1)[1].split("</li>", 1)[0]
    for record in (accuser, claim, link.evidence):
        assert reverse(f"admin:claims_{record._meta.model_name}_change", args=[record.pk]) in still
    assert reverse("admin:claims_party_change", args=[known.pk]) not in still  # published already
    assert "Add parties, claims and sources step by step" in text  # the way back into the flow


def test_a_refused_step_shows_sentences_and_saves_nothing(editor_client):
    client = editor_client
    dispute = f.DisputeFactory()
    before = (Party.objects.count(), DisputeParty.objects.count())
    both = client.post(
        step(dispute, "parties"), {"party": f.PartyFactory().pk, "new_party_name": "X", "role": "accuser"}
    )
    assert both.status_code == 200 and "one of the two" in both.content.decode()
    no_kind = client.post(step(dispute, "parties"), {"new_party_name": "New lab", "role": "accuser"})
    assert "Say what kind of party" in no_kind.content.decode()
    assert (Party.objects.count() - 1, DisputeParty.objects.count()) == before  # only the factory's party

    outsider = f.PartyFactory()
    claim = client.post(
        step(dispute, "claims"), {"claimant": outsider.pk, "kind": "other", "title": "T", "statement": "S"}
    )
    assert claim.status_code == 200 and "Select a valid choice" in claim.content.decode()
    assert not Claim.objects.filter(dispute=dispute).exists()

    evidence_before = EvidenceArtifact.objects.count()
    bad_url = client.post(
        step(dispute, "sources"), {"title": "T", "kind": "paper", "url": "not a url", "stance": "supports"}
    )
    assert bad_url.status_code == 200 and EvidenceArtifact.objects.count() == evidence_before


def test_the_services_save_whole_steps_or_nothing():
    dispute = f.DisputeFactory()
    lab = f.PartyFactory()
    with pytest.raises(ValidationError, match="one of the two"):
        dispute_add_party(
            dispute=dispute, party=lab, new_party={"name": "X", "kind": "lab"}, role="accuser", user=None
        )
    dispute_add_party(dispute=dispute, party=lab, new_party=None, role="accuser", user=None)
    with pytest.raises(ValidationError, match="listed twice"):
        dispute_add_party(dispute=dispute, party=lab, new_party=None, role="accuser", user=None)
    assert DisputeParty.objects.filter(dispute=dispute).count() == 1  # the first role kept, once

    claim = f.ClaimFactory(dispute=dispute)
    before = EvidenceArtifact.objects.count()
    with pytest.raises(ValidationError):
        claim_add_source(
            claim=claim, evidence={"title": "A paper", "kind": "paper"}, stance="bogus", user=None
        )
    assert EvidenceArtifact.objects.count() == before  # the evidence record went with the refused link
    link = claim_add_source(
        claim=claim,
        evidence={"title": "A paper", "kind": "paper", "published_on": dt.date(2026, 1, 2)},
        stance="refutes",
        user=None,
    )
    assert link.evidence.status == "draft" and link.evidence.slug


def test_the_guided_start_needs_the_add_permission_and_a_real_step(client):
    staff = f.UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_dispute"))
    client.force_login(staff)
    assert client.get(START).status_code == 403
    client.force_login(f.editor())
    dispute = f.DisputeFactory()
    assert client.get(step(dispute, "nonsense")).status_code == 404
    assert (
        client.get(reverse("admin:claims_dispute_guided_step", args=[999999, "parties"])).status_code == 404
    )
    assert client.get(step(dispute, "dispute")).status_code == 404  # the first step makes a new dispute
