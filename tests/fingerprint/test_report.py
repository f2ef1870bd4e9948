"""``compare_fingerprints``: method selection, skipped methods, strict JSON, a summary that never
claims more than the nulls allow."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fingerprint_factory import make_fingerprint, part

from provenance.fingerprint.errors import FingerprintError, IncompatibleModelsError
from provenance.fingerprint.report import compare_fingerprints, resolve_methods


def _pair(rng, *, related: bool, layers: int = 6):
    sig = {r: list(rng.uniform(1, 2, layers)) for r in "qkvo"}
    sa = {(i, r): rng.standard_normal(1024).astype(np.float32) for i in range(layers) for r in "qkvo"}
    if related:
        sb = {k: v + 0.2 * rng.standard_normal(v.size).astype(np.float32) for k, v in sa.items()}
    else:
        sb = {k: rng.standard_normal(v.size).astype(np.float32) for k, v in sa.items()}
    return make_fingerprint(sig, samples=sa, shape=(32, 32)), make_fingerprint(
        sig, samples=sb, shape=(32, 32)
    )


def test_methods_can_be_named_in_a_list_a_string_or_all():
    assert resolve_methods(None) == ["attn_std", "tensor_identity", "aligned_cosine"]
    # "all" adds the weight-reading methods, which the default includes only when weights are given.
    assert resolve_methods("all")[:3] == resolve_methods(None) and "neuron_matching" in resolve_methods("all")
    assert resolve_methods(None, weights=True) == resolve_methods("all")
    assert resolve_methods("aligned_cosine, attn_std") == ["aligned_cosine", "attn_std"]
    with pytest.raises(FingerprintError, match="unknown method"):
        resolve_methods("attn_std,bogus")


def test_a_related_pair_is_reported_as_lineage_with_the_limits_stated():
    fa, fb = _pair(np.random.default_rng(0), related=True)
    report = compare_fingerprints(fa, fb, labels=("alpha", "beta"))
    assert report.verdict == "lineage_supported"
    assert "Centred cosine of aligned weight matrices" in report.summary and "Limits:" in report.summary
    d = json.loads(report.to_json())
    assert d["inputs"]["a"]["label"] == "alpha" and d["params"]["null_size"] == 32
    assert d["engine_version"] and d["schema_version"] == 1


def test_an_unrelated_pair_is_not_called_related_and_absence_is_not_called_independence():
    fa, fb = _pair(np.random.default_rng(1), related=False)
    report = compare_fingerprints(fa, fb)
    # From fingerprints alone no method could see moved hidden units: "cannot tell" (issue 26).
    assert report.verdict == "cannot_tell"
    assert "no evidence of independence" in report.summary


def test_a_method_that_does_not_apply_is_listed_as_skipped_with_its_reason():
    rng = np.random.default_rng(2)
    fa = make_fingerprint({r: list(rng.uniform(1, 2, 6)) for r in "qkvo"})  # no samples
    fb = make_fingerprint({r: list(rng.uniform(1, 2, 6)) for r in "qkvo"})
    report = compare_fingerprints(fa, fb)
    assert set(report.results) == {"attn_std", "tensor_identity"}
    assert "aligned_cosine" in report.skipped and "same shape" in report.skipped["aligned_cosine"]
    assert "Not applicable here: Centred cosine of aligned weight matrices" in report.summary


def test_it_refuses_when_no_method_applies_and_when_the_null_is_too_small():
    fp = make_fingerprint({"gate": [1.0, 2.0]})
    with pytest.raises(IncompatibleModelsError):
        compare_fingerprints(fp, fp, methods=["attn_std", "aligned_cosine"])
    fa, fb = _pair(np.random.default_rng(3), related=False)
    with pytest.raises(FingerprintError):
        compare_fingerprints(fa, fb, null_size=1)


def test_reports_are_deterministic_in_their_seed():
    fa, fb = _pair(np.random.default_rng(4), related=False)
    assert compare_fingerprints(fa, fb, seed=7).to_json() == compare_fingerprints(fa, fb, seed=7).to_json()


def test_experts_copied_from_a_dense_mlp_count_as_evidence_even_when_attention_is_new():
    rng = np.random.default_rng(5)
    mlp = {
        (i, r): rng.standard_normal(1024).astype(np.float32) for i in range(4) for r in ("gate", "up", "down")
    }
    dense = make_fingerprint(samples={**_attention(rng), **mlp}, shape=(32, 32))
    experts = [
        part(
            f"model.layers.{i}.mlp.experts.{e}.{r}_proj.weight",
            i,
            r,
            expert=e,
            shape=(32, 32),
            sample=v + 0.5 * rng.standard_normal(v.size).astype(np.float32),
        )
        for (i, r), v in mlp.items()
        for e in range(4)
    ]
    moe = make_fingerprint(samples=_attention(rng), parts=experts, shape=(32, 32))
    report = compare_fingerprints(dense, moe)
    assert report.results["aligned_cosine"].calibration["z"] < 3  # the attention was trained anew
    assert report.verdict == "lineage_supported"
    assert "experts vs the dense MLP" in report.summary


def _attention(rng):
    return {(i, r): rng.standard_normal(1024).astype(np.float32) for i in range(4) for r in "qkvo"}
