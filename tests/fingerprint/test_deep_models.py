"""Deep models: the per-layer neuron test runs on at most ``neuron_matching.MAX_TESTED_LAYERS`` evenly spaced layer
pairs (issue 16's sound reduction). It is the full test restricted to those layers, it still finds a
copy (plain, and re-tokenised with its hidden units and neurons permuted), and it keeps unrelated
models independent. 40-layer models, narrow enough to stay fast (hidden 64)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from provenance.fingerprint.evidence import strength
from provenance.fingerprint.methods import neuron_matching
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.report import compare_fingerprints
from provenance.fingerprint.stats import fingerprint_checkpoint
from provenance.fingerprint.synthetic import BaseModel, PerturbedModel, UpcycledMoEModel, write_model
from provenance.fingerprint.synthetic.adversarial import _retokenised
from provenance.fingerprint.synthetic.models import ModelShape

DEPTH = 40
SHAPE = ModelShape(
    hidden_size=64, num_layers=DEPTH, num_heads=4, num_kv_heads=2, intermediate_size=160, vocab_size=256
)


def test_the_tested_layers_are_evenly_spaced_with_first_and_last():
    pairs = [(i, i) for i in range(48)]
    kept = neuron_matching.tested_layers(pairs)
    assert len(kept) == neuron_matching.MAX_TESTED_LAYERS == 16
    assert kept[0] == (0, 0) and kept[-1] == (47, 47)
    gaps = np.diff([i for i, _ in kept])
    assert set(gaps) <= {3, 4}  # 47 / 15 = 3.13: as even as whole layers allow
    short = [(i, 2 * i) for i in range(12)]
    assert neuron_matching.tested_layers(short) == short  # 16 or fewer: every layer, untouched
    assert neuron_matching.tested_layers(pairs) == neuron_matching.tested_layers(
        list(pairs)
    )  # a function of the count alone


@pytest.fixture(scope="module")
def deep(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    root = tmp_path_factory.mktemp("deep")
    base = BaseModel(SHAPE, seed=41, recipe="a")
    models = {
        "base": base,
        "finetune": PerturbedModel(base, seed=42, scale=0.03),
        "retok_permuted": _retokenised(
            PerturbedModel(base, seed=43, scale=0.03),
            44,
            "retok_permuted_nh",
            rotation="signed_permutation",
            permute_neurons=True,
            permute_heads=True,
        ),
        "independent": BaseModel(SHAPE, seed=45, recipe="b"),
        "moe": UpcycledMoEModel(base, num_experts=4, seed=46),
    }
    out = {}
    for name, model in models.items():
        path = write_model(model, root / name)
        out[name] = (path, fingerprint_checkpoint(path))
    return out


def _compare(deep, name: str, methods=("neuron_matching",)):
    (pa, fa), (pb, fb) = deep["base"], deep[name]
    return compare_fingerprints(
        fa, fb, methods=list(methods), weights=(open_checkpoint(pa), open_checkpoint(pb)), null_size=16
    )


def test_a_deep_copy_is_found_on_the_subsample_and_the_reading_says_so(deep):
    r = _compare(deep, "finetune").results["neuron_matching"]
    assert r.extra["layers_tested"] == neuron_matching.MAX_TESTED_LAYERS and r.extra["layers_total"] == DEPTH
    assert r.extra["layers_subsampled"] is True
    assert r.per_layer["layers_a"] == [
        i for i, _ in neuron_matching.tested_layers([(i, i) for i in range(DEPTH)])
    ]
    assert strength(r.calibration) == "strong" and r.extra["fisher"]["log10_p"] < -50
    assert f"16 of {DEPTH} layers (evenly spaced)" in r.reading
    assert r.extra["l2_test"] is not None and r.extra["l2_test"]["p"] == pytest.approx(1 / 1000)


def test_the_subsample_is_the_full_test_restricted_to_those_layers(deep, monkeypatch):
    sub = _compare(deep, "finetune").results["neuron_matching"]
    monkeypatch.setattr(neuron_matching, "MAX_TESTED_LAYERS", DEPTH)
    full = _compare(deep, "finetune").results["neuron_matching"]
    assert full.extra["layers_tested"] == DEPTH and full.extra["layers_subsampled"] is False
    by_layer = dict(zip(full.per_layer["layers_a"], full.per_layer["log10_p"], strict=True))
    assert sub.per_layer["log10_p"] == [by_layer[i] for i in sub.per_layer["layers_a"]]
    # Fisher's χ² grows with the layers: the full score is larger, the subsample's still decisive.
    assert full.score > sub.score > 50


def test_unrelated_deep_models_stay_independent(deep):
    report = _compare(deep, "independent", methods=("neuron_matching", "weight_matching"))
    for name in ("neuron_matching", "weight_matching"):
        r = report.results[name]
        assert r.extra["layers_tested"] == neuron_matching.MAX_TESTED_LAYERS
        assert r.calibration["p"] >= 0.01 and strength(r.calibration) == "none", name


def test_a_deep_retokenised_permuted_copy_is_found_by_weight_matching(deep):
    r = _compare(deep, "retok_permuted", methods=("weight_matching",)).results["weight_matching"]
    assert r.extra["alignment_found"] and r.extra["layers_tested"] == neuron_matching.MAX_TESTED_LAYERS
    assert r.calibration["p"] <= 1e-3 and strength(r.calibration) == "strong"
    # The aligned comparisons cover the tested layer pairs, the layer-to-layer map every layer.
    assert all(len(v) == neuron_matching.MAX_TESTED_LAYERS for v in r.per_layer["aligned_cosine"].values())
    assert "16 of 40 layers (evenly spaced)" in r.reading


def test_a_wide_model_whose_grams_fit_one_layer_says_the_fit_has_no_baseline(deep, monkeypatch):
    from provenance.fingerprint.methods import weight_matching

    # At Qwen2.5-14B's width (5120) the Gram budget holds one layer; here the same on a narrow model.
    monkeypatch.setattr(weight_matching, "GRAM_BUDGET_BYTES", 1)
    r = _compare(deep, "retok_permuted", methods=("weight_matching",)).results["weight_matching"]
    assert r.extra["basis"]["grams"] == 2 and not r.extra["alignment_found"]
    assert (
        "on one layer" in r.reading
        and "no baseline" in r.reading
        and "no better than chance" not in r.reading
    )
    # One layer's two Grams still recover the permutation of a copy: the neuron test finds it.
    assert r.calibration["p"] <= 1e-3 and r.score > 50


def test_a_deep_upcycled_moe_is_compared_on_the_subsample_with_fewer_neurons_per_expert(deep, monkeypatch):
    from provenance.fingerprint.methods import expert_upcycling

    monkeypatch.setattr(expert_upcycling, "MAX_EXPERT_NEURONS", 32)  # of 160: the cap is exercised
    r = _compare(deep, "moe", methods=("expert_upcycling",)).results["expert_upcycling"]
    assert len(r.per_layer["layers"]) == neuron_matching.MAX_TESTED_LAYERS and r.extra["neurons"] == 32
    assert r.extra["from_dense"] == r.per_layer["experts"] and r.calibration["z"] >= 5
