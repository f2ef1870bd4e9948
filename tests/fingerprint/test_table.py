"""``table.format_report``: the one text table both command lines print."""

from __future__ import annotations

from provenance.fingerprint.table import format_report


def _report(**result) -> dict:
    described = {"label": "a", "family": "llama", "num_layers": 2, "total_bytes": 2048}
    return {
        "inputs": {"a": described, "b": {**described, "label": "b"}},
        "results": {"attn_std": {"score": 0.5, "reading": "Fine.", "calibration": {"z": 1.0}, **result}},
        "skipped": {"aligned_cosine": "different shapes"},
        "notes": [],
        "verdict": "no_evidence",
        "summary": "Nothing.",
    }


def test_a_method_without_a_score_or_null_numbers_prints_dashes():
    # Defect 14: a stored result with "score": null crashed manage.py fingerprint's own formatter.
    text = format_report(
        _report(score=None, calibration={"mean": 0.1, "std": None, "z": None, "p": None, "size": 8})
    )
    row = next(line for line in text.splitlines() if line.startswith("attn_std"))
    assert row.split()[:5] == ["attn_std", "-", "0.100", "±", "-"]
    assert "aligned_cosine         n/a   different shapes" in text
    assert text.endswith("Summary (no_evidence): Nothing.\n")


def test_a_fisher_p_below_float_range_is_printed_as_a_power_of_ten():
    text = format_report(_report(calibration={"mean": 0.0, "std": 1.0, "z": 9.0, "p": 0.0, "log10_p": -412}))
    assert "1e-412" in text
