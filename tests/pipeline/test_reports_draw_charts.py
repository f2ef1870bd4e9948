"""``manage.py reports_draw_charts`` draws the charts a report computed before the worker drew them
lacks, and nothing twice."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims.models import FingerprintReport
from tests.factories import FingerprintReportFactory

pytestmark = pytest.mark.django_db


def test_it_draws_the_charts_a_report_lacks_once():
    sigma = {role: [1.0, 1.5, 2.0] for role in "qkvo"}
    report = FingerprintReportFactory(
        status=FingerprintReport.Status.SUCCEEDED,
        result={"results": {"attn_std": {"score": 0.9, "per_layer": {"sigma_a": sigma, "sigma_b": sigma}}}},
        finished_at=timezone.now(),
    )
    queued = FingerprintReportFactory()
    assert report.charts_as_read == {}

    out = io.StringIO()
    call_command("reports_draw_charts", stdout=out)
    assert out.getvalue().strip() == "drew the charts of 1 report"
    report.refresh_from_db()
    assert "sigma_curves" in report.charts_as_read and report.charts_labels == list(report.labels)
    queued.refresh_from_db()
    assert queued.charts == {}

    again = io.StringIO()
    call_command("reports_draw_charts", stdout=again)
    assert again.getvalue().strip() == "drew the charts of 0 reports"
