"""``manage.py fingerprint``: the operator's synchronous path through the same pipeline."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from claims.models import AIModel, EvidenceArtifact, FingerprintReport
from tests.pipeline.conftest import truncate_last_shard

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("fingerprint", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_registers_computes_and_prints_the_scores(model_store, capsys):
    out, _ = run("lineage/base", "lineage/moe", "--methods", "attn_std,aligned_cosine")

    report = FingerprintReport.objects.get()
    assert report.status == "succeeded"
    assert f"Report {report.slug}: lineage_supported" in out
    assert "aligned_cosine" in out and " z " in out
    assert "reading weights:" in capsys.readouterr().err  # progress on stderr
    assert set(AIModel.objects.values_list("name", flat=True)) == {"base", "moe"}
    assert report.evidence.kind == EvidenceArtifact.Kind.ANALYSIS


def test_it_compares_a_safetensors_folder_with_a_quantised_gguf(model_store):
    from tests.pipeline.test_pipeline_checkpoints import gguf_copy

    gguf = gguf_copy(model_store, "Q4_0")
    out, _ = run("lineage/base", gguf.name, "--methods", "attn_std,aligned_cosine")
    report = FingerprintReport.objects.get()
    assert report.status == "succeeded" and f"Report {report.slug}: lineage_supported" in out
    assert report.checkpoint_b.format == "gguf"


def test_it_cites_the_given_evidence_and_reuses_existing_models(model_store):
    evidence = EvidenceArtifact.objects.create(title="Recomputation", slug="recomputation", kind="analysis")
    run("lineage/base", "lineage/finetune", "--methods", "attn_std", "--evidence", str(evidence.pk))
    run("lineage/base", "lineage/finetune", "--methods", "attn_std")  # already computed: no new report
    evidence.refresh_from_db()
    assert evidence.report.status == "succeeded"
    assert FingerprintReport.objects.count() == 1


def test_a_path_outside_the_store_is_a_clear_error(model_store):
    with pytest.raises(CommandError, match="outside the model store"):
        run("/etc", "lineage/base")


def test_a_corrupt_checkpoint_is_a_clear_error(model_store, copy_of):
    location = copy_of("finetune")
    shard = truncate_last_shard(location)
    with pytest.raises(CommandError, match=f"{shard.name} is truncated"):
        run("lineage/base", location)


def test_a_method_without_a_score_prints_the_engines_table_with_a_dash(model_store):
    # Defect 14: a result whose score is null (NaN in the engine) crashed the command's own formatter
    # with "unsupported format string passed to NoneType.__format__"; it now prints the engine's table.
    run("lineage/base", "lineage/finetune", "--methods", "attn_std,aligned_cosine")
    report = FingerprintReport.objects.get()
    report.result["results"]["attn_std"]["score"] = None
    report.result["results"]["attn_std"]["calibration"]["z"] = None
    report.save()

    out, _ = run("lineage/base", "lineage/finetune", "--methods", "attn_std,aligned_cosine")

    row = next(line for line in out.splitlines() if line.startswith("attn_std"))
    assert row.split()[1] == "-"
    assert next(line for line in out.splitlines() if line.startswith("method")).split()[:2] == [
        "method",
        "score",
    ]
    assert f"Summary ({report.result['verdict']})" in out
