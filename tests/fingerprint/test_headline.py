"""The headline tiers, the readable numbers, the evidence picture and the phases: plain engine code."""

from __future__ import annotations

import math

import pytest

from provenance.fingerprint import charts
from provenance.fingerprint.headline import TIERS, VERDICT_TIERS, evidence_rows, headline
from provenance.fingerprint.methods import METHODS, method_title
from provenance.fingerprint.methods.base import DERIVATIONS
from provenance.fingerprint.progress import (
    CHARTS_PHASE,
    compare_phase,
    phase_fraction,
    phase_text,
    read_phase,
)
from provenance.fingerprint.readable import chance, distance, log_position, odds_in_words, score_text, weighed


def calibration(z, p, size=32, **extra):
    return {"z": z, "p": p, "size": size, "mean": 0.1, "std": 0.05, "samples": [0.1] * size, **extra}


def result(verdict, results, **extra):
    return {"verdict": verdict, "methods": list(results), "results": results, **extra}


ATTN_HIGH = {"score": 0.927, "calibration": calibration(0.6, 0.3), "extra": {}}
FLOOR = 1 / 33

CASES = {
    "shared_weights": result(
        "shared_weights",
        {
            "tensor_identity": {
                "score": 1.0,
                "calibration": calibration(1e6, FLOOR),
                "extra": {"identical_by_content": 145},
            }
        },
    ),
    "lineage_supported": result(
        "lineage_supported",
        {
            "attn_std": ATTN_HIGH,
            "aligned_cosine": {"score": 0.99, "calibration": calibration(8181.6, FLOOR), "extra": {}},
        },
    ),
    "suggestive": result(
        "suggestive",
        {"aligned_cosine": {"score": 0.3, "calibration": calibration(3.4, 0.09), "extra": {}}},
    ),
    "no_evidence": result(
        "no_evidence",
        {
            "attn_std": ATTN_HIGH,
            "aligned_cosine": {"score": 0.0, "calibration": calibration(0.1, 0.5), "extra": {}},
        },
    ),
    "cannot_tell": result(
        "cannot_tell",
        {"attn_std": ATTN_HIGH},
        skipped={"embedding_anchor": "the vocabularies share only 2 tokens"},
        coverage={
            "same_order": {"description": DERIVATIONS["same_order"], "seen_by": ["attn_std"], "blind": {}},
            "moved_units": {
                "description": DERIVATIONS["moved_units"],
                "seen_by": [],
                "blind": {"embedding_anchor": "the vocabularies share only 2 tokens"},
            },
        },
    ),
}


@pytest.mark.parametrize("verdict", list(CASES))
def test_each_verdict_has_its_tier_a_fixed_title_and_names_methods_by_their_titles(verdict):
    said = headline(CASES[verdict])
    tier = VERDICT_TIERS[verdict]
    assert said.tier == tier and said.title.startswith(TIERS[tier])
    words = f"{said.title} {said.sentence}"
    assert not [name for name in METHODS if name in words]  # never an identifier
    assert said.sentence.endswith(".") and said.sentence.count(". ") <= 1


def test_the_sentences_say_why():
    assert headline(CASES["shared_weights"]).sentence.startswith(
        f"{method_title('tensor_identity')} found 145 weight tensors that are exactly the same"
    )
    strong = headline(CASES["lineage_supported"])
    assert strong.title == "Strong evidence of a common origin"
    assert method_title("aligned_cosine") in strong.sentence
    assert "more than 100 standard deviations from unrelated pairs" in strong.sentence
    assert method_title("attn_std") not in strong.sentence  # it never decides
    assert headline(CASES["suggestive"]).title == "Some evidence of a common origin"
    none = headline(CASES["no_evidence"])
    assert none.title == "No evidence of a common origin"
    assert "None of the 2 methods that apply" in none.sentence and "r = 0.927" in none.sentence
    cannot = headline(CASES["cannot_tell"])
    assert cannot.title == "Cannot tell: no method here could see permuted or rotated hidden units"
    assert f"{method_title('embedding_anchor')} (the vocabularies share only 2 tokens)" in cannot.sentence
    assert headline({"results": {}}) is None and headline(None) is None


def test_exact_p_values_read_as_odds_beside_their_exact_form():
    assert odds_in_words(-2.3) == "about one chance in 200"
    assert odds_in_words(-3.2) == "less than one chance in a thousand"
    assert odds_in_words(-4.0) == "less than one chance in 10,000"
    assert odds_in_words(-6.5) == "less than one chance in a million"
    assert odds_in_words(-12.0) == "less than one chance in a trillion"
    assert odds_in_words(-3553.1) == "less than one chance in a 1 followed by 3,553 zeros"
    assert odds_in_words(-math.inf) == "no chance at all under independence"
    exact = {"p_source": "fisher", "log10_p": -12.5, "p": 0.0, "size": 32}
    assert weighed(exact) == "p < 10^-12, exact under independence: less than one chance in a trillion"


def test_numbers_in_words():
    assert distance(8181.6) == "more than 100 standard deviations from unrelated pairs"
    assert distance(4.23) == "4.2 standard deviations above unrelated pairs"
    assert distance(-1.5) == "1.5 standard deviations below unrelated pairs"
    assert distance(None) == "no unrelated pairs to compare with"
    assert chance({"p": FLOOR, "size": 32}) == "fewer than 1 in 33 — the smallest this null can show"
    assert chance({"p": 6 / 33, "size": 32}) == "5 of 32 unrelated pairs scored as high (p = 0.18)"
    fisher = {"p": 0.0, "size": 32, "p_source": "fisher", "log10_p": -1784.3}
    assert chance(fisher) == (
        "p < 10^-1784: less than one chance in a 1 followed by 1,784 zeros "
        "(exact, not limited by the number of unrelated pairs)"
    )
    # neuron_matching's −log10 sum is shown as the p-value it stands for
    assert score_text("neuron_matching", 1784.3, fisher) == "p < 10^-1784"
    assert score_text("attn_std", 0.9271) == "r = 0.927"
    assert score_text("aligned_cosine", -0.0001) == "cosine = 0.000"
    assert score_text("tensor_identity", 0.5) == "50% of tensors identical"
    assert log_position(0) == 0 and log_position(9) == 1 and log_position(-9) == -1
    assert log_position(1e9) == log_position(1000) and log_position(None) is None


def test_the_evidence_picture_puts_every_method_on_one_row_against_the_threshold():
    rows = evidence_rows(CASES["lineage_supported"])
    assert [(r["name"], r["level"]) for r in rows] == [("attn_std", "none"), ("aligned_cosine", "strong")]
    assert "r = 0.927" in rows[0]["text"] and "never decides alone" in rows[0]["text"]
    svg = charts.evidence_svg(rows)
    for text in (method_title("attn_std"), method_title("aligned_cosine"), "evidence: 5 sd", "log scale"):
        assert text in svg
    assert "evidence" in charts.report_charts(CASES["suggestive"], label_a="A", label_b="B")


def test_the_histogram_legend_does_not_cover_the_score_label(monkeypatch):
    figures = []
    monkeypatch.setattr(charts, "_to_svg", lambda fig, *_: figures.append(fig) or "")
    for score in (0.9, -0.9):  # the label on the right, then on the left (where the legend was)
        charts.null_distribution_svg(method="attn_std", score=score, null_scores=[-0.5, 0.0, 0.5], z=1, p=0.5)
    for fig in figures:
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        legend = ax.get_legend().get_window_extent(renderer)
        label = ax.texts[0].get_window_extent(renderer)
        assert not legend.overlaps(label)
        assert legend.y1 < ax.get_window_extent(renderer).y0  # under the axes


def test_phases_in_words():
    assert phase_text(read_phase("A", 42, 100)) == "reading model A: 42 %"
    assert phase_fraction(read_phase("B", 5, 10)) == 0.5
    assert phase_text(compare_phase("embedding_anchor", 3, 6)) == (
        f"computing {method_title('embedding_anchor')} (method 3 of 6)"
    )
    assert phase_fraction(compare_phase("attn_std", 1, 4)) == 0
    assert phase_text(CHARTS_PHASE) == "drawing charts" and phase_fraction(CHARTS_PHASE) is None
    assert phase_text({}) == ""


def test_a_stored_result_that_lists_no_method_still_has_a_headline():
    """A result with a verdict and no per-method results (hand-made, or stored by another tool) is
    read without a crash: the reports feed and index read every stored result through this."""
    said = headline({"verdict": "no_evidence", "summary": "A vs B: no_evidence."})
    assert said is not None and said.tier == "none" and said.caveat
    assert said.sentence == "No method separates these models from unrelated pairs."
