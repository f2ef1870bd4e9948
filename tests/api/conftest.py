"""Fixtures of the API tests: the personas (anonymous, editor, editor without the permission,
inactive editor) as API clients, a small published world, and the pipeline's model store."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories as f
from tests.pipeline.conftest import empty_queues, lineage_store, model_store, register  # noqa: F401 - fixtures


def set_rates(settings, anon: str, editor: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": anon, "editor": editor},
    }


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(settings):
    """Each test starts with no requests counted, at rates no test reaches by accident (the
    throttling test sets its own)."""
    set_rates(settings, "100000/minute", "100000/minute")
    caches["api_throttle"].clear()
    yield
    caches["api_throttle"].clear()


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def editor_user():
    return f.editor(username="ada")


@pytest.fixture
def editor(editor_user) -> APIClient:
    return token_client(editor_user)


@pytest.fixture
def reviewer() -> APIClient:
    """An editor without write permissions: the Reviewers group may only view."""
    user = f.UserFactory(username="rex")
    user.groups.add(Group.objects.get(name="Reviewers"))
    return token_client(user)


@pytest.fixture
def inactive() -> APIClient:
    user = f.editor(username="ivy")
    client = token_client(user)
    user.is_active = False
    user.save()
    return client


@pytest.fixture
def personas(anon, editor, reviewer, inactive) -> dict[str, APIClient]:
    return {"anonymous": anon, "editor": editor, "reviewer": reviewer, "inactive": inactive}


def retract(record, note="Corrected: wrong date."):
    record.status = "retracted"
    record.retracted_at = timezone.now()
    record.retraction_note = note
    record.save()
    return record


class World:
    """A small published dispute with every kind of record, plus its drafts (``SECRET`` in names)."""

    def __init__(self, n: int = 1, *, drafts: bool = True):
        P = {"published": True}
        self.huawei = f.PartyFactory(slug="huawei", name="Huawei", **P)
        self.lab = f.PartyFactory(slug="noahs-ark-lab", name="Noah's Ark Lab", parent=self.huawei, **P)
        self.alibaba = f.PartyFactory(slug="alibaba", name="Alibaba", **P)
        self.honest = f.PartyFactory(slug="honestagi", name="HonestAGI", kind="pseudonymous", **P)
        self.pangu = f.AIModelFactory(slug="pangu", name="Pangu Pro MoE", developer=self.lab, **P)
        self.qwen = f.AIModelFactory(slug="qwen", name="Qwen2.5-14B", developer=self.alibaba, **P)
        self.ckpt_a = f.CheckpointFactory(model=self.pangu, revision="v1")
        self.ckpt_b = f.CheckpointFactory(model=self.qwen, revision="v1")
        self.paper = f.EvidenceArtifactFactory(slug="paper", title="The paper", author=self.honest, **P)
        self.disputes, self.claims = [], []
        for i in range(n):
            dispute = f.DisputeFactory(slug=f"case-{i}", title=f"Case {i}", **P)
            dispute.models_at_stake.set([self.pangu, self.qwen])
            f.DisputePartyFactory(dispute=dispute, party=self.honest, role="accuser")
            f.DisputePartyFactory(dispute=dispute, party=self.lab, role="accused")
            claim = f.ClaimFactory(
                slug=f"claim-{i}", dispute=dispute, claimant=self.honest, kind="derived_from",
                subject_model=self.pangu, alleged_source_model=self.qwen, source=self.paper,
                made_on=timezone.now().date(), **P,
            )  # fmt: skip
            rebuttal = f.ClaimFactory(
                slug=f"denial-{i}", dispute=dispute, claimant=self.lab, kind="denial", responds_to=claim, **P
            )
            f.EvidenceLinkFactory(claim=claim, evidence=self.paper, stance="supports")
            f.RightOfReplyFactory(claim=claim, party=self.lab)
            self.disputes.append(dispute)
            self.claims += [claim, rebuttal]
        self.report = f.FingerprintReportFactory(checkpoint_a=self.ckpt_a, checkpoint_b=self.ckpt_b)
        self.analysis = f.EvidenceArtifactFactory(
            slug="analysis", title="Our analysis", kind="analysis", report=self.report, **P
        )
        self.retracted = retract(
            f.ClaimFactory(slug="retracted-claim", dispute=self.disputes[0], claimant=self.lab, **P)
        )
        if drafts:
            self.add_drafts()

    def add_drafts(self):
        """Drafts of every kind, linked from public records wherever a link is possible."""
        d = {"name": "SECRET party", "slug": "secret-party"}
        self.draft_party = f.PartyFactory(**d)
        self.draft_model = f.AIModelFactory(
            slug="secret-model", name="SECRET model", developer=self.draft_party
        )
        f.CheckpointFactory(model=self.draft_model, revision="secret-rev")
        self.draft_evidence = f.EvidenceArtifactFactory(slug="secret-evidence", title="SECRET evidence")
        self.draft_dispute = f.DisputeFactory(slug="secret-dispute", title="SECRET dispute")
        dispute = self.disputes[0]
        dispute.models_at_stake.add(self.draft_model)
        f.DisputePartyFactory(dispute=dispute, party=self.draft_party, role="reporter")
        self.draft_claim = f.ClaimFactory(
            slug="secret-claim", title="SECRET claim", dispute=dispute, claimant=self.draft_party,
            responds_to=self.claims[0], kind="denial",
        )  # fmt: skip
        f.EvidenceLinkFactory(claim=self.claims[0], evidence=self.draft_evidence, stance="refutes")
        f.EvidenceLinkFactory(claim=self.draft_claim, evidence=self.paper, stance="context")
        f.RightOfReplyFactory(claim=self.claims[0], party=self.draft_party)
        # A public claim whose links were published and later unpublished: links must vanish.
        self.orphan = f.ClaimFactory(
            slug="orphan-claim", dispute=dispute, claimant=self.honest, source=self.draft_evidence,
            subject_model=self.draft_model, **{"published": True},
        )  # fmt: skip
        self.draft_report = f.FingerprintReportFactory(
            checkpoint_a=self.ckpt_a, checkpoint_b=self.ckpt_b, methods=["tensor_identity"]
        )
        f.EvidenceArtifactFactory(
            slug="secret-analysis", title="SECRET analysis", kind="analysis", report=self.draft_report
        )
        self.lab.parent = self.huawei
        self.draft_child = f.PartyFactory(slug="secret-child", name="SECRET child", parent=self.huawei)


@pytest.fixture
def world(db) -> World:
    return World()
