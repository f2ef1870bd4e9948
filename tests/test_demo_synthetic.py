"""The synthetic example of ``load_demo``: labelled, idempotent, computed, and kept apart from the real case."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from claims import models as m
from claims.demo.synthetic_case import load_synthetic_case
from claims.pipeline.reports.runner import report_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(settings, tmp_path):
    settings.MODEL_STORE = [tmp_path.resolve()]
    return tmp_path


def load_all() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_it_loads_twice_without_changing_anything_or_asking_twice(store):
    load_all()
    counts = {
        model: model.objects.count()
        for model in (m.Claim, m.FingerprintReport, m.Checkpoint, m.EvidenceArtifact)
    }
    history = m.Checkpoint.history.count()
    output = load_all()
    assert counts == {model: model.objects.count() for model in counts}
    assert m.Checkpoint.history.count() == history
    assert "Synthetic example loaded: 0 created, 0 updated" in output
    assert m.FingerprintReport.objects.filter(status="queued").count() == 3


def test_every_synthetic_record_says_it_is_synthetic(store):
    load_synthetic_case()
    dispute = m.Dispute.objects.get(slug="synthetic-example-upcycled-model")
    assert dispute.title.startswith("Synthetic example")
    for record in (dispute, *dispute.claims.all(), *m.AIModel.objects.filter(family="Synthetic")):
        assert "Synthetic example" in (record.public_body or ""), record
    assert all("(fictional)" in p.name for p in m.Party.objects.filter(slug__startswith="synthetic-"))


def test_nothing_synthetic_touches_the_founding_dispute(store):
    load_all()
    founding = m.Dispute.objects.get(slug="pangu-pro-moe-qwen")
    evidence = m.EvidenceArtifact.objects.filter(links__claim__dispute=founding).distinct()
    assert not evidence.filter(kind="analysis").exists()
    assert not evidence.filter(report__isnull=False).exists()
    weights = evidence.get(kind="model_weights")
    assert "not on this server" in weights.description and "manage.py fingerprint" in weights.description


def test_its_reports_show_the_upcycled_model_and_clear_the_unrelated_one(store):
    stats = load_synthetic_case()
    for report in stats.reports:
        assert report_run(report_id=report.pk) == "succeeded"
    verdicts = {
        r.evidence.slug: r.result["verdict"] for r in m.FingerprintReport.objects.select_related("evidence")
    }
    assert verdicts == {
        "synthetic-analysis-moe": "lineage_supported",
        "synthetic-analysis-finetune": "lineage_supported",
        "synthetic-analysis-independent": "no_evidence",
    }
    assert all(r.evidence.is_public for r in m.FingerprintReport.objects.select_related("evidence"))
