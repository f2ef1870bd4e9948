"""One standard of evidence (issue 26): every method is decided on the same tail probability.

The Fisher-combined p of ``neuron_matching`` and ``weight_matching`` was once turned into a "z" by
measuring −log10 p in standard deviations of its exponential law, so p = 0.0025 read as "5 sd" and an
independent pair got "lineage supported". These tests pin the one rule (``evidence.strength``) and
what every reader (verdict, headline, reading, evidence picture) makes of it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2, norm

from provenance.fingerprint import charts
from provenance.fingerprint.calibration import NullDraw, calibrate_draws, summarise_null
from provenance.fingerprint.evidence import P_STRONG, P_WEAK, sd_equivalent, strength
from provenance.fingerprint.headline import evidence_rows, headline
from provenance.fingerprint.methods import method_title
from provenance.fingerprint.methods.base import MethodResult
from provenance.fingerprint.methods.neuron_matching import fisher_calibration
from provenance.fingerprint.report import _finish_reading, _summary, grade


def test_the_thresholds_are_the_gaussian_tails_of_5_and_3_sd():
    assert pytest.approx(norm.sf(5)) == P_STRONG and pytest.approx(2.87e-7, rel=2e-3) == P_STRONG
    assert pytest.approx(norm.sf(3)) == P_WEAK and pytest.approx(1.35e-3, rel=2e-3) == P_WEAK


def test_the_exact_law_z_conversion_is_gone():
    # p = 0.0025 over 6 layers: the old conversion read it as z = (2.6 − 0.434) / 0.434 ≈ 5.
    log_ps = [math.log(0.0025 ** (1 / 6))] * 6
    cal = fisher_calibration(log_ps, [])
    assert cal["z"] is None and cal["p_source"] == "fisher"
    assert not [n for n in cal["nulls"] if "1/ln 10" in (n.get("description") or "")]
    assert strength(cal) != "strong"
    # A null of −log10 p is declared non-Gaussian: its summary carries no z at all.
    draw = NullDraw(-np.log10(np.random.default_rng(0).uniform(size=32)), "synthetic", "x", gaussian=False)
    assert summarise_null(5.0, draw)["z"] is None


def test_a_fisher_p_counts_by_the_same_tail_as_every_other_method():
    def fisher(log10_p):
        return calibrate_draws(
            -log10_p, [], exact_p=10**log10_p, exact_p_source="fisher", exact_log10_p=log10_p
        )

    assert strength(fisher(math.log10(P_STRONG) - 0.01)) == "strong"
    assert strength(fisher(math.log10(P_STRONG) + 0.01)) == "weak"
    assert strength(fisher(math.log10(P_WEAK) + 0.01)) == "none"
    assert strength(fisher(-1784.3)) == "strong" and sd_equivalent(fisher(-1784.3)) > 90
    assert sd_equivalent(fisher(math.log10(P_STRONG))) == pytest.approx(5.0)
    # A Gaussian-treated null: z ≥ 5 and beyond every draw; z alone with draws above it is only weak.
    assert strength({"z": 5.2, "p": 1 / 33, "size": 32}) == "strong"
    assert strength({"z": 5.2, "p": 2 / 33, "size": 32}) == "weak"
    assert strength({"z": 2.9, "p": 1 / 33, "size": 32}) == "none"
    assert strength({"z": None, "p": None, "size": 0}) == "unweighed"


def test_a_simulated_null_that_disagrees_vetoes_a_strong_fisher_p():
    inside = NullDraw(np.linspace(0.0, 20.0, 32), "synthetic", "simulated", gaussian=False)
    log_ps = [math.log(1e-2)] * 6  # −log10 p ≈ 8.3: p ≈ 5e-9, but 8 of 32 simulated draws are higher
    cal = fisher_calibration(log_ps, [inside])
    assert cal["p"] < P_STRONG and strength(cal) == "weak"


def test_2000_independent_per_layer_p_value_sets_give_no_strong_verdict():
    """Uniform per-layer p's (what independent models give) through the same Fisher combination and
    grading: no strong verdict; "some evidence" about as often as its tail says (0.135 %)."""
    rng = np.random.default_rng(26)
    strong = weak = 0
    for _ in range(2000):
        cal = fisher_calibration(list(np.log(rng.uniform(size=6))), [])
        found_strong, found_weak = grade({"weight_matching": {"calibration": cal, "extra": {}}})
        strong += bool(found_strong)
        weak += bool(found_weak)
    assert strong == 0
    assert weak <= 12  # expected 2.7; the old "z ≥ 3" on the exponential law let p ≤ 0.016 through


def _independent_weight_matching(fisher_p: float = 0.0015, *, layer_p: float | None = None) -> MethodResult:
    """The issue's pair: weight_matching alone, a Fisher p of 0.0015 over 6 layers (−log10 p = 2.8),
    no alignment found; or six layers of p = ``layer_p`` each."""
    log_ps = [math.log(layer_p) if layer_p else -chi2.isf(fisher_p, 12) / 12] * 6
    cal = fisher_calibration(log_ps, [])
    result = MethodResult(
        "weight_matching",
        -cal["log10_p"],
        {"log10_p": [v / math.log(10) for v in log_ps]},
        "Hidden units aligned from the weights alone (no alignment found).",
        calibration=cal,
        extra={"alignment_found": False, "basis": {"kind": "rotation"}, "layers_tested": 6},
    )
    _finish_reading(result)
    return result


def test_the_independent_pair_of_the_issue_reads_no_evidence_or_cannot_tell():
    wm = _independent_weight_matching()
    assert wm.calibration["p"] == pytest.approx(0.0015, rel=1e-6)
    assert "far outside" not in wm.reading and "not rare enough" in wm.reading and "z =" not in wm.reading
    verdict, summary = _summary({"weight_matching": wm}, {}, "trained", "random-init", 32, weights_read=True)
    assert verdict in ("no_evidence", "cannot_tell"), summary
    doc = {"verdict": verdict, "methods": ["weight_matching"], "results": {"weight_matching": wm.to_dict()}}
    said = headline(doc)
    assert said.tier in ("none", "cannot_tell") and not said.title.startswith("Strong")
    [row] = evidence_rows(doc)
    assert row["level"] == "none" and row["z"] is None and row["scale"] == "p"
    assert row["text"].startswith("p = 0.0015") and "standard deviation" not in row["text"]
    assert row["sd"] == pytest.approx(norm.isf(0.0015), rel=1e-6)


def test_a_copy_on_an_exact_p_reads_as_a_p_value_everywhere():
    wm = _independent_weight_matching(layer_p=1e-300)
    doc = {
        "verdict": "lineage_supported",
        "methods": ["weight_matching"],
        "results": {"weight_matching": wm.to_dict()},
    }
    said = headline(doc)
    assert said.tier == "strong" and "p < 10^-1783, exact under independence" in said.sentence
    assert "standard deviations" not in said.sentence
    [row] = evidence_rows(doc)
    assert row["level"] == "strong" and row["z"] is None
    svg = charts.evidence_svg([row])
    assert method_title("weight_matching") in svg and "p &lt; 10^-1783" in svg and "(p ≤ 2.9e-07)" in svg


def test_a_report_stored_under_the_old_z_rule_is_read_by_today_s_standard():
    """A stored result whose weight_matching 'z' of 5.5 (the exponential law) made it 'lineage_supported':
    read today, its row is no evidence, and the headline says the report needs recomputing."""
    old = {
        "z": 5.5,
        "p": 0.0015,
        "p_source": "fisher",
        "log10_p": math.log10(0.0015),
        "size": 32,
        "p_empirical": 1 / 33,
        "nulls": [{"z": 5.5, "p": 1 / 33, "size": 32, "description": "draws of the exact null (1/ln 10)"}],
    }
    doc = {
        "verdict": "lineage_supported",
        "methods": ["weight_matching"],
        "results": {"weight_matching": {"score": 2.82, "calibration": old, "extra": {}}},
    }
    said = headline(doc)
    assert "earlier standard of evidence" in said.sentence and "recomputed" in said.sentence
    [row] = evidence_rows(doc)
    assert row["level"] == "none" and row["z"] is None and "standard deviations" not in row["text"]
