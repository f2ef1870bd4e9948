"""``expert_upcycling``: which experts of an MoE were initialised from a dense model's MLP."""

from __future__ import annotations

from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.report import compare_fingerprints


def test_every_expert_of_the_upcycled_moe_comes_from_the_dense_mlp(weight_reports):
    r = weight_reports["moe"].results["expert_upcycling"]
    assert r.extra["moe"] == "b" and r.extra["from_dense"] == [0, 1, 2, 3]
    assert r.extra["cells"] == 12 * 4 and r.extra["from_dense_cells"] == 48
    assert r.score > 0.9 and r.calibration["z"] >= 5
    assert len(r.per_layer["cos_gate"]) == 12 and len(r.per_layer["cos_gate"][0]) == 4
    assert "4 of 4 experts" in r.reading
    assert "Experts initialised from a dense MLP (upcycling)" in weight_reports["moe"].summary


def test_an_unrelated_dense_model_explains_no_expert(lineage_set, lineage_fingerprints):
    fp_moe, fp_ind = lineage_fingerprints["moe"], lineage_fingerprints["independent"]
    report = compare_fingerprints(
        fp_moe,
        fp_ind,
        methods=["expert_upcycling"],
        labels=("moe", "independent"),
        weights=(open_checkpoint(lineage_set["moe"]), open_checkpoint(lineage_set["independent"])),
    )
    r = report.results["expert_upcycling"]
    assert r.extra["moe"] == "a" and r.extra["from_dense"] == [] and abs(r.calibration["z"]) < 3
    # expert_upcycling sees upcycling only: fine-tunes and moved units were not looked for (issue 26).
    assert report.verdict == "cannot_tell"


def test_two_dense_models_are_not_applicable(weight_reports):
    assert "compares an MoE with a dense model" in weight_reports["finetune"].skipped["expert_upcycling"]
