"""The product's kept nulls (issue 27): rows every worker shares, safe when two insert the same key at once,
filled by the runner and by ``manage.py precompute_nulls``."""

from __future__ import annotations

import json
import threading
from io import StringIO

import pytest
from django.db import connection

from claims.models import KeptNull
from claims.services.null_cache import DatabaseNullCache

KEY = "a" * 64

# How nulls are kept is what this module tests: its tests start with no kept null (tests/conftest.py).
pytestmark = pytest.mark.fresh_engine


@pytest.mark.django_db
def test_a_second_put_of_the_same_key_keeps_one_row_and_raises_nothing():
    store = DatabaseNullCache()
    assert store.get(KEY) is None
    store.put(KEY, {"method": "weight_matching", "log_ps": ["-0x1.0p+0"]})
    store.put(KEY, {"method": "weight_matching", "log_ps": ["-0x1.0p+0"]})  # the other worker, later
    assert KeptNull.objects.count() == 1
    assert store.get(KEY) == {"method": "weight_matching", "log_ps": ["-0x1.0p+0"]}
    assert KeptNull.objects.get().method == "weight_matching"


@pytest.mark.django_db(transaction=True)
def test_two_workers_inserting_the_same_key_at_once_both_succeed():
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            store = DatabaseNullCache()
            barrier.wait()
            if store.get(KEY) is None:  # both see nothing, both computed, both insert
                barrier.wait()
                store.put(KEY, {"method": "weight_matching", "margins": ["0x1.0p-1"]})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and KeptNull.objects.filter(key=KEY).count() == 1


@pytest.mark.django_db
def test_precompute_nulls_keeps_the_null_the_runner_then_reads(register, lineage_store, tmp_path, settings):
    from django.core.management import call_command

    from claims.models import FingerprintReport
    from claims.pipeline.reports.runner import report_run
    from claims.services import report_request
    from provenance.fingerprint.methods import weight_matching

    base = lineage_store / "lineage" / "base"
    out = StringIO()
    call_command("precompute_nulls", str(base), stdout=out)
    assert "computed in" in out.getvalue() and KeptNull.objects.count() == 1
    out = StringIO()
    call_command("precompute_nulls", str(base / "config.json"), stdout=out)  # same shape, from its config
    assert "already kept" in out.getvalue() and KeptNull.objects.count() == 1

    weight_matching._null_layer_tests.cache_clear()
    a, b = register("base"), register("finetune")
    report = report_request(checkpoint_a=a, checkpoint_b=b, methods=None, parameters=None, user=None)[0]
    assert report_run(report_id=report.pk) == "succeeded"
    assert weight_matching._null_layer_tests.cache_info().misses == 0  # the worker read the row
    result = FingerprintReport.objects.get(pk=report.pk).result
    assert result["results"]["weight_matching"]["extra"]["aligned_null"]["drawn"]
    assert KeptNull.objects.count() == 1


@pytest.mark.django_db
def test_precompute_nulls_refuses_a_bad_path_and_says_why_a_wide_shape_has_none(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("precompute_nulls", str(tmp_path / "missing"))
    (tmp_path / "config.json").write_text('{"hidden_size": "x"}')
    with pytest.raises(CommandError, match="config.json"):
        call_command("precompute_nulls", str(tmp_path / "config.json"))
    qwen14b = {
        "hidden_size": 5120,
        "num_hidden_layers": 48,
        "num_attention_heads": 40,
        "num_key_value_heads": 8,
        "intermediate_size": 13824,
    }
    (tmp_path / "config.json").write_text(json.dumps(qwen14b))
    out = StringIO()
    call_command("precompute_nulls", str(tmp_path / "config.json"), stdout=out)
    assert "too wide" in out.getvalue() and KeptNull.objects.count() == 0


@pytest.mark.django_db
def test_with_null_cache_off_the_runner_keeps_no_row(register, settings):
    from claims.pipeline.reports.runner import report_run
    from claims.services import report_request

    settings.NULL_CACHE = False
    a, b = register("base"), register("finetune")
    report = report_request(
        checkpoint_a=a, checkpoint_b=b, methods=["weight_matching"], parameters=None, user=None
    )[0]
    assert report_run(report_id=report.pk) == "succeeded"
    assert KeptNull.objects.count() == 0
    settings.NULL_CACHE = True
    report = report_request(
        checkpoint_a=a, checkpoint_b=b, methods=["weight_matching"], parameters={"seed": 1}, user=None
    )[0]
    assert report_run(report_id=report.pk) == "succeeded"
    assert KeptNull.objects.count() == 1  # on: the worker keeps what it computed
