""" "No evidence" only from methods that could have seen it (issue 26).

Each method declares the kinds of derivation it can detect (``Method.detects``); the declarations are
checked here against the engine's synthetic sets (``methods.base.DERIVATIONS`` names the copies that
show each kind; quantised copies are checked in ``test_gguf_lineage.py``). A report says "no
evidence" only when every plausible kind was looked for by a method able to see it (the issue's
command-line case is in ``test_cli.py``).
"""

from __future__ import annotations

import pytest

from provenance.fingerprint.evidence import strength
from provenance.fingerprint.headline import CAVEAT, headline
from provenance.fingerprint.methods import METHODS
from provenance.fingerprint.methods.base import (
    DERIVATIONS,
    EXACT_COPY,
    MOVED_UNITS,
    QUANTISED,
    RETOKENISED,
    SAME_ORDER,
    UPCYCLED,
)
from provenance.fingerprint.report import EXPERTS_VS_DENSE, compare_fingerprints, grade, plausible

SHOWN_BY = {
    EXACT_COPY: ("pruned",),
    SAME_ORDER: ("finetune", "continued"),
    UPCYCLED: ("moe",),
    RETOKENISED: ("vocab_replaced",),
    MOVED_UNITS: ("permuted",),
}
"""The synthetic copies (lineage and adversarial sets, against ``base``) that show each kind."""


def test_every_method_declares_kinds_it_was_shown_to_detect():
    for name, method in METHODS.items():
        assert set(method.detects) <= set(DERIVATIONS), name
        if name in ("attn_std", "tokenizer_overlap"):  # they never decide alone
            assert method.detects == (), name
        else:
            assert method.detects, name
    for kind in DERIVATIONS:
        assert any(kind in m.detects for m in METHODS.values()), kind


@pytest.mark.parametrize("kind", list(SHOWN_BY))
def test_each_declaration_holds_on_the_synthetic_copies_of_its_kind(weight_reports, kind):
    for copy in SHOWN_BY[kind]:
        report = weight_reports[copy]
        strong, _weak = grade({n: r.to_dict() for n, r in report.results.items()})
        for name, method in METHODS.items():
            if kind not in method.detects or name not in report.results:
                continue
            result = report.results[name]
            counted = name in strong or (name == "aligned_cosine" and EXPERTS_VS_DENSE in strong)
            assert counted, (kind, copy, name, strength(result.calibration))
            assert kind in method.sees(result), (kind, copy, name)
            assert name in report.coverage[kind]["seen_by"]
        # Every method that declares the kind and applies to the pair ran here (methods="all").
        declared = {n for n, m in METHODS.items() if kind in m.detects}
        assert declared & set(report.results), (kind, copy)


def test_which_kinds_are_plausible_depends_on_the_pair(lineage_fingerprints):
    fps = lineage_fingerprints
    always = {EXACT_COPY, SAME_ORDER, MOVED_UNITS}
    assert set(plausible(fps["base"], fps["finetune"])) == always  # same tokenizer, both dense
    assert set(plausible(fps["base"], fps["moe"])) == always | {UPCYCLED}
    assert set(plausible(fps["base"], fps["independent"])) == always | {RETOKENISED}
    assert QUANTISED not in plausible(fps["base"], fps["independent"])


def test_a_report_of_fingerprints_only_cannot_rule_out_moved_units(lineage_fingerprints):
    report = compare_fingerprints(lineage_fingerprints["base"], lineage_fingerprints["independent"])
    assert report.verdict == "cannot_tell"
    moved = report.coverage[MOVED_UNITS]
    assert moved["plausible"] and not moved["seen_by"]
    assert moved["would_look"]["weight_matching"] == "not run: it needs the checkpoints' weights"
    said = headline(report.to_dict())
    assert said.title == "Cannot tell: no method here could see permuted or rotated hidden units"
    assert said.caveat == ""


def test_every_no_evidence_headline_carries_the_caveat(weight_reports):
    report = weight_reports["independent"]
    assert report.verdict == "no_evidence"
    assert all(c["seen_by"] for c in report.coverage.values() if c["plausible"])
    said = headline(report.to_dict())
    assert said.tier == "none" and said.caveat == CAVEAT == "Absence of evidence is not independence."
    assert said.to_dict()["caveat"] == CAVEAT
