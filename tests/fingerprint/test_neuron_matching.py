"""``neuron_matching`` (Zhu et al.'s independence test): the statistics, their calibration under
independence, detection on the lineage set, the L2 permutation test and a replaced vocabulary."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2, kstest, spearmanr

from provenance.fingerprint.evidence import strength
from provenance.fingerprint.methods.neuron_matching import fisher_log_p, match_neurons, spearman_log_p

DERIVED = ["finetune", "continued", "pruned", "widened", "moe"]
INDEPENDENT = ["independent", "independent_same_recipe"]


def test_the_spearman_p_value_agrees_with_scipy():
    rng = np.random.default_rng(0)
    x = np.arange(200)
    y = x + rng.normal(0, 400, 200)
    rho, log_p = spearman_log_p(x, y)
    ref = spearmanr(x, y, alternative="greater")
    assert rho == pytest.approx(ref.statistic) and math.exp(log_p) == pytest.approx(ref.pvalue, rel=1e-6)


def test_fisher_agrees_with_scipy_and_stays_finite_in_the_far_tail():
    log_ps = [math.log(0.2), math.log(0.01), math.log(0.5)]
    stat, log_p = fisher_log_p(log_ps)
    assert stat == pytest.approx(-2 * sum(log_ps)) and log_p == pytest.approx(chi2.logsf(stat, 6))
    far = [fisher_log_p([math.log(1e-300)] * k)[1] for k in (1, 12, 48)]
    assert all(np.isfinite(far)) and far[0] > far[1] > far[2]
    # The closed form continues scipy's answer smoothly past where scipy underflows (≈ 1e-300).
    assert fisher_log_p([math.log(1e-60)] * 4)[1] == pytest.approx(
        chi2.logsf(-8 * math.log(1e-60), 8), rel=1e-6
    )
    assert chi2.logsf(-8 * math.log(1e-100), 8) == -np.inf and fisher_log_p([math.log(1e-100)] * 4)[1] < -390


def test_a_deliberate_neuron_permutation_defeats_the_identity_test_but_not_the_agreement_test():
    rng = np.random.default_rng(1)
    up, gate = rng.standard_normal((300, 64)), rng.standard_normal((300, 64))
    perm = rng.permutation(300)
    noise_up, noise_gate = 0.5 * rng.standard_normal((2, 300, 64))
    m = match_neurons(up, (up + noise_up)[perm], gate, (gate + noise_gate)[perm])
    assert abs(m["rho_identity"]) < 0.2 and m["rho_agreement"] > 0.99 and m["log_p"] < math.log(1e-30)


def test_under_independence_the_layer_p_values_are_uniform():
    rng = np.random.default_rng(2)
    ps = [
        math.exp(
            match_neurons(
                rng.standard_normal((80, 24)),
                rng.standard_normal((80, 24)),
                rng.standard_normal((80, 24)),
                rng.standard_normal((80, 24)),
            )["log_p"]
        )
        for _ in range(60)
    ]
    # The Bonferroni step (2 · min p) makes each p conservative, never anti-conservative.
    assert kstest(ps, "uniform").pvalue > 0.001 and np.mean(np.array(ps) < 0.05) < 0.12


@pytest.mark.parametrize("name", DERIVED)
def test_every_derived_lineage_model_rejects_independence(weight_reports, name):
    r = weight_reports[name].results["neuron_matching"]
    assert r.calibration["p"] <= 1e-3 and strength(r.calibration) == "strong"
    assert r.extra["fisher"]["log10_p"] < -10


@pytest.mark.parametrize("name", INDEPENDENT)
def test_unrelated_models_keep_independence(weight_reports, name):
    r = weight_reports[name].results["neuron_matching"]
    assert r.calibration["p"] >= 0.01 and strength(r.calibration) == "none" and r.calibration["z"] is None
    l2 = r.extra["l2_test"]
    assert l2 is not None and l2["p"] > 0.01


def test_the_fisher_p_is_weighed_as_a_p_value_with_a_simulated_check_and_no_z(weight_reports):
    # Issue 26: the exact law of −log10 p (exponential) no longer yields a "z".
    c = weight_reports["independent"].results["neuron_matching"].calibration
    sources = [n["description"] for n in c["nulls"]]
    assert len(sources) == 1 and "simulated" in sources[0] and c["p_source"] == "fisher"
    assert c["z"] is None and all(n["z"] is None for n in c["nulls"]) and c["p_empirical"] is not None


def test_the_l2_permutation_test_separates_fine_tunes_from_their_shuffles(weight_reports):
    for name in ("finetune", "continued"):
        l2 = weight_reports[name].results["neuron_matching"].extra["l2_test"]
        assert l2["p"] == pytest.approx(1 / 1000) and l2["distance"] < l2["null_mean"] - 5 * l2["null_std"]
    pruned = weight_reports["pruned"].results["neuron_matching"].extra
    assert pruned["l2_test"] is None and "same depth" in pruned["l2_test_why"]


def test_the_pruned_model_is_tested_on_the_layers_it_kept(weight_reports):
    r = weight_reports["pruned"].results["neuron_matching"]
    assert r.per_layer["layers_a"] == [0, 2, 4, 6, 8, 10] and r.per_layer["layers_b"] == list(range(6))


def test_an_upcycled_moe_is_tested_expert_by_expert(weight_reports):
    r = weight_reports["moe"].results["neuron_matching"]
    assert all(v.endswith("vs expert 0") or "vs expert" in v for v in r.per_layer["variant"])
    assert set(r.per_layer["pairs_tested"]) == {4}


def test_a_replaced_vocabulary_still_leaves_the_lineage_visible(weight_reports):
    r = weight_reports["vocab_replaced"].results["neuron_matching"]
    assert r.extra["basis"]["kind"] == "identity"
    assert r.calibration["p"] <= 1e-3 and strength(r.calibration) == "strong"
    assert "stored hidden order" in r.reading


def test_the_agreement_test_is_skipped_when_gate_rows_copy_up_rows():
    # Unrelated models whose gate rows resemble their own up rows: both matchings would find the same
    # (random) partner, so agreement would be a false positive. The guard must switch it off.
    rng = np.random.default_rng(3)
    up_a, up_b = rng.standard_normal((200, 48)), rng.standard_normal((200, 48))
    gate_a = up_a + 0.3 * rng.standard_normal((200, 48))
    gate_b = up_b + 0.3 * rng.standard_normal((200, 48))
    m = match_neurons(up_a, up_b, gate_a, gate_b)
    assert m["gate_up_coupling"] > 0.9 and np.isnan(m["rho_agreement"])
    assert m["log_p"] > math.log(0.01)
