"""Fixtures of the public-site tests: the demo dispute, a real fingerprint report, editors.

The report is computed in-process by the pipeline on the synthetic lineage set (the pipeline tests'
fixtures, imported here), and made public the only way a report becomes public: through its
evidence record.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from claims.demo.loader import load_founding_dispute
from claims.demo.synthetic_case import load_synthetic_case
from claims.models import Dispute, EvidenceArtifact, FingerprintReport
from claims.pipeline.reports.runner import report_run
from claims.services import report_request
from tests.factories import UserFactory, editor
from tests.pipeline.conftest import lineage_store, model_store, register  # noqa: F401 - fixtures

DEMO_DISPUTE = "pangu-pro-moe-qwen"
DEMO_CLAIM = "honestagi-pangu-derived-from-qwen"


@pytest.fixture
def demo(db) -> Dispute:
    load_founding_dispute()
    return Dispute.objects.get(slug=DEMO_DISPUTE)


def publish(record) -> None:
    record.status = record.Status.PUBLISHED
    record.published_at = timezone.now()
    record.save()


@pytest.fixture
def make_report(request):
    """``make_report(a, b)`` → a succeeded report of lineage models ``a`` and ``b``, public."""
    register_checkpoint = request.getfixturevalue("register")

    def make(a: str = "base", b: str = "finetune", *, public: bool = True) -> FingerprintReport:
        report, _created = report_request(
            checkpoint_a=register_checkpoint(a),
            checkpoint_b=register_checkpoint(b),
            methods=None,
            parameters=None,
            user=None,
            enqueue=False,
        )
        assert report_run(report_id=report.pk) == "succeeded"
        report.refresh_from_db()
        if public:  # public means: the evidence record and both compared models are published
            for model in {report.checkpoint_a.model, report.checkpoint_b.model}:
                if not model.is_public:
                    publish(model)
            publish(report.evidence)
        return report

    return make


SYNTHETIC_DISPUTE = "synthetic-example-upcycled-model"
SYNTHETIC_CLAIM = "synthetic-moe-upcycled"


@pytest.fixture
def demo_report(demo, request) -> FingerprintReport:
    """The synthetic example's public report (base vs upcycled MoE), computed in-process.

    It is cited by the synthetic example's claim, never by the founding dispute: nothing synthetic
    is ever attached to the real case, in the tests either.
    """
    request.getfixturevalue("model_store")  # the synthetic checkpoints go into the test model store
    load_synthetic_case()
    report = FingerprintReport.objects.get(evidence__slug="synthetic-analysis-moe")
    assert report_run(report_id=report.pk) == "succeeded"
    report.refresh_from_db()
    return report


@pytest.fixture
def editor_client(client):
    client.force_login(editor())
    return client


@pytest.fixture
def staff_without_permission_client(client):
    client.force_login(UserFactory(is_staff=True))
    return client


def evidence_for(report: FingerprintReport) -> EvidenceArtifact:
    return EvidenceArtifact.objects.get(report=report)
