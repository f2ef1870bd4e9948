"""The detection table: the synthetic lineage set, written to disk and fingerprinted by the real
streaming pass, compared with ``base`` by every method against its null.

Every derived model must score z ≥ 5 on at least one method (for the MoE, through methods that
look at attention); every unrelated model, including the one sharing the base's init recipe (the
hard negative that fooled HonestAGI's statistic), must stay within |z| < 3 on EVERY method.
"""

from __future__ import annotations

import json

import pytest

from provenance.fingerprint.report import compare_fingerprints
from provenance.fingerprint.synthetic import RELATED

DERIVED = ["finetune", "continued", "pruned", "widened", "moe"]
INDEPENDENT = ["independent", "independent_same_recipe"]


@pytest.fixture(scope="module")
def reports(lineage_fingerprints):
    base = lineage_fingerprints["base"]
    return {
        name: compare_fingerprints(base, fp, labels=("base", name))
        for name, fp in lineage_fingerprints.items()
        if name != "base"
    }


def _z(report, method):
    return report.results[method].calibration["z"]


def test_the_lineage_set_covers_every_relation():
    assert set(DERIVED) == RELATED


@pytest.mark.parametrize("name", DERIVED)
def test_every_derived_model_is_far_outside_the_null_of_some_method(reports, name):
    report = reports[name]
    zs = {m: _z(report, m) for m in report.results}
    assert max(zs.values()) >= 5, zs
    assert report.verdict in ("lineage_supported", "shared_weights")
    strong = [m for m, z in zs.items() if z >= 5]
    assert all(report.results[m].calibration["p"] == pytest.approx(1 / 33) for m in strong)


def test_the_upcycled_moe_is_detected_through_its_attention(reports):
    result = reports["moe"].results["aligned_cosine"]
    assert set(result.per_layer["roles"]) == {"q", "k", "v", "o"}  # experts never match dense MLP names
    assert result.calibration["z"] >= 5
    evd = result.extra["expert_vs_dense"]
    assert evd["moe"] == "b" and evd["experts"] == [0, 1, 2, 3] and evd["mean"] > 0.9
    assert evd["parts"] == 12 * 4 * 3 and evd["z"] >= 5
    assert reports["independent"].results["aligned_cosine"].extra["expert_vs_dense"] is None


@pytest.mark.parametrize("name", INDEPENDENT)
def test_independent_models_stay_inside_every_null(reports, name):
    report = reports[name]
    zs = {m: _z(report, m) for m in report.results}
    assert set(zs) == {"attn_std", "tensor_identity", "aligned_cosine"}
    assert all(abs(z) < 3 for z in zs.values()), zs
    # Nothing unusual, but from fingerprints alone moved hidden units were not looked for (issue 26).
    assert report.verdict == "cannot_tell" and not report.coverage["moved_units"]["seen_by"]


def test_the_hard_negative_fools_the_raw_statistic_but_not_its_calibration(reports):
    attn = reports["independent_same_recipe"].results["attn_std"]
    assert attn.score > 0.85  # like deepseek-llm-7b vs llama2-7b (0.91): high r, unrelated models
    assert abs(attn.calibration["z"]) < 3 and attn.calibration["p"] > 0.05
    assert "cannot carry a conclusion" in reports["independent_same_recipe"].summary


def test_the_pruned_models_alignment_recovers_the_kept_layers(reports, lineage_set):
    manifest = json.loads((lineage_set["base"].parent / "lineage.json").read_text())
    kept = manifest["models"]["pruned"]["kept_layers"]
    assert kept == [0, 2, 4, 6, 8, 10]
    ls = reports["pruned"].results["aligned_cosine"].extra["layer_similarity"]
    assert ls["alignment"] == [[a, b] for b, a in enumerate(kept)]
    assert ls["b_from_a"] == [[a] for a in kept]
    identity = reports["pruned"].results["tensor_identity"]
    assert (
        identity.score == 1.0
        and ["model.layers.1.self_attn.q_proj.weight", "model.layers.2.self_attn.q_proj.weight"]
        in identity.extra["renamed"]
    )


def test_the_widened_copy_shares_everything_but_its_vocabulary_matrices(reports):
    identity = reports["widened"].results["tensor_identity"]
    assert identity.extra["identical_by_name"] == identity.extra["compared_tensors"] - 2
    assert identity.calibration["z"] >= 5


def test_a_fine_tune_is_near_one_and_continued_pretraining_lower_but_detected(reports):
    fine = reports["finetune"].results["aligned_cosine"]
    cont = reports["continued"].results["aligned_cosine"]
    assert fine.score > 0.99
    assert 0.2 < cont.score < 0.8 and cont.calibration["z"] >= 5
    assert reports["continued"].results["tensor_identity"].score == 0.0


def test_reports_are_strict_json_with_the_chart_keys(reports):
    d = json.loads(reports["pruned"].to_json())
    assert d["schema_version"] == 1 and d["methods"] == ["attn_std", "tensor_identity", "aligned_cosine"]
    attn = d["results"]["attn_std"]["per_layer"]
    assert len(attn["sigma_a"]["q"]) == 12 and len(attn["sigma_b"]["q"]) == 6
    matrix = d["results"]["aligned_cosine"]["extra"]["layer_similarity"]["matrix"]
    assert len(matrix) == 12 and len(matrix[0]) == 6
    assert len(d["results"]["aligned_cosine"]["calibration"]["samples"]) == 32
    assert d["inputs"]["a"]["content_hash"] != d["inputs"]["b"]["content_hash"]
    assert "The depths differ (12 vs 6 layers)." in d["notes"]
    assert any("tokenizer files are byte-identical" in n for n in d["notes"])
    assert not any("tokenizer" in n for n in reports["independent"].notes)
