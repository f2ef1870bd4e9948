"""``embedding_anchor`` (AWM): unbiased CKA, the vocabulary anchor, layer matching, detection, and
how a report without weights lists it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from provenance.fingerprint.methods.embedding_anchor import GramStats, cka
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.report import compare_fingerprints
from provenance.fingerprint.weights import PairWeights, unit_columns

DERIVED = ["finetune", "continued", "pruned", "widened", "moe"]
INDEPENDENT = ["independent", "independent_same_recipe"]


def _cka(x: np.ndarray, y: np.ndarray) -> float:
    return cka(GramStats.of(x), GramStats.of(y))


def _hsic_by_definition(k: np.ndarray, l_: np.ndarray) -> float:
    """Song et al.'s unbiased HSIC written with explicit sums, as a check of the closed form."""
    n = k.shape[0]
    k, l_ = k.copy(), l_.copy()
    np.fill_diagonal(k, 0)
    np.fill_diagonal(l_, 0)
    one = np.ones(n)
    return float(
        (
            np.trace(k @ l_)
            + (one @ k @ one) * (one @ l_ @ one) / ((n - 1) * (n - 2))
            - 2.0 / (n - 2) * (one @ k @ l_ @ one)
        )
        / (n * (n - 3))
    )


def test_unbiased_cka_matches_its_definition_and_its_invariances():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((60, 20))
    y = x @ rng.standard_normal((20, 12)) + 0.5 * rng.standard_normal((60, 12))
    kx, ky = x @ x.T, y @ y.T
    want = _hsic_by_definition(kx, ky) / np.sqrt(_hsic_by_definition(kx, kx) * _hsic_by_definition(ky, ky))
    assert _cka(x, y) == pytest.approx(want, rel=1e-6)  # Grams are float32 products
    q, _ = np.linalg.qr(rng.standard_normal((20, 20)))
    assert _cka(x, x) == pytest.approx(1.0)
    assert _cka(x, 3.0 * x @ q) == pytest.approx(1.0)  # any rotation of the features, any scale
    assert _cka(x, y) == pytest.approx(_cka(x @ q, y))
    # Features of different widths (GQA's K vs MHA's) are fine: only the samples must line up.
    assert np.isfinite(_cka(x, y[:, :4]))


def test_unbiased_cka_of_independent_matrices_is_near_zero():
    rng = np.random.default_rng(1)
    vals = [_cka(rng.standard_normal((128, 64)), rng.standard_normal((128, 32))) for _ in range(30)]
    assert abs(np.mean(vals)) < 0.01 and np.std(vals) < 0.03


def test_a_permutation_null_of_cka_reorders_samples_without_recomputing_grams():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((40, 8)), rng.standard_normal((40, 6))
    perm = rng.permutation(40)
    assert cka(GramStats.of(x), GramStats.of(y), perm) == pytest.approx(_cka(x, y[perm]))


def test_the_anchor_recovers_a_hidden_permutation_with_sign_flips(adversarial_set):
    pair = PairWeights(open_checkpoint(adversarial_set["base"]), open_checkpoint(adversarial_set["permuted"]))
    al = pair.hidden_alignment()
    assert al.kind == "signed_permutation" and al.size == 128 and al.quality > 0.99
    d = al.to_dict()
    assert d["permuted"] > 100 and 30 < d["sign_flips"] < 100  # a random signed permutation
    ea, eb, total = pair.shared_embeddings()
    assert total == 512
    # B's embedding columns mapped into A's order and sign reproduce A's (up to the 3 % fine-tune).
    assert np.mean(np.sum(unit_columns(al.apply_a(ea)) * unit_columns(al.apply_b(eb)), axis=0)) > 0.99


def test_the_anchor_undoes_a_rotated_residual_stream(adversarial_set):
    pair = PairWeights(open_checkpoint(adversarial_set["base"]), open_checkpoint(adversarial_set["rotated"]))
    al = pair.hidden_alignment()
    assert al.kind == "rotation" and al.quality > 0.95
    assert al.detail["permutation_quality"] < 0.6  # a signed permutation cannot express it


def test_a_replaced_vocabulary_falls_back_to_the_stored_order(adversarial_set):
    pair = PairWeights(
        open_checkpoint(adversarial_set["base"]), open_checkpoint(adversarial_set["vocab_replaced"])
    )
    al = pair.hidden_alignment()
    assert al.kind == "identity" and "replaced vocabulary" in al.detail["why"]


@pytest.mark.parametrize("name", DERIVED)
def test_every_derived_lineage_model_scores_far_above_both_nulls(weight_reports, name):
    r = weight_reports[name].results["embedding_anchor"]
    assert r.score > 0.25 and r.calibration["z"] >= 5
    sources = {n["source"]: n for n in r.calibration["nulls"]}
    assert set(sources) == {"synthetic", "literature"}
    assert sources["synthetic"]["z"] >= 5 and sources["synthetic"]["p"] == pytest.approx(1 / 33)


@pytest.mark.parametrize("name", INDEPENDENT)
def test_unrelated_models_stay_inside_the_null(weight_reports, name):
    r = weight_reports[name].results["embedding_anchor"]
    assert abs(r.score) < 0.02 and abs(r.calibration["z"]) < 3 and r.calibration["p"] >= 0.01


def test_the_pruned_models_layers_are_matched_to_the_kept_ones(weight_reports):
    r = weight_reports["pruned"].results["embedding_anchor"]
    assert r.per_layer["layers_b"] == list(range(6)) and r.per_layer["layers_a"] == [0, 2, 4, 6, 8, 10]
    assert len(r.extra["layer_matrix"]) == 12 and len(r.extra["layer_matrix"][0]) == 6
    assert min(r.per_layer["cka"]) > 0.99


def test_per_layer_cka_series_and_matching_quality_are_in_the_json(weight_reports):
    d = json.loads(weight_reports["continued"].to_json())
    ea = d["results"]["embedding_anchor"]
    assert len(ea["per_layer"]["cka_q"]) == len(ea["per_layer"]["cka_k"]) == 12
    assert ea["extra"]["hidden_alignment"]["kind"] == "signed_permutation"
    assert ea["extra"]["hidden_alignment"]["quality"] > ea["extra"]["hidden_alignment"]["shuffled_baseline"]
    assert d["params"]["weights_read"] is True and d["schema_version"] == 1


def test_without_weights_the_weight_methods_are_skipped_only_when_asked_for(lineage_fingerprints):
    base, fine = lineage_fingerprints["base"], lineage_fingerprints["finetune"]
    default = compare_fingerprints(base, fine)
    assert "embedding_anchor" not in default.methods and not default.skipped
    asked = compare_fingerprints(base, fine, methods="all")
    assert (
        "embedding_anchor" in asked.methods
        and "needs the checkpoints' weights" in asked.skipped["embedding_anchor"]
    )
    assert asked.verdict == default.verdict
