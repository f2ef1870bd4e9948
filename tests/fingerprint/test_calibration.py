"""Null distributions: z and p arithmetic, degenerate nulls, the σ-trend family, panels, speed."""

from __future__ import annotations

import time

import numpy as np
import pytest
from fingerprint_factory import make_fingerprint

from provenance.fingerprint.calibration import (
    NullDraw,
    calibrate,
    cosine_null,
    panel_null,
    sigma_null_pairs,
    summarise_null,
)
from provenance.fingerprint.methods import METHODS, attn_std
from provenance.fingerprint.report import compare_fingerprints


def test_z_and_empirical_p_follow_their_definitions():
    samples = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    s = summarise_null(0.45, NullDraw(samples, "synthetic", "test"))
    assert s["mean"] == pytest.approx(0.3)
    assert s["std"] == pytest.approx(np.std(samples, ddof=1))
    assert s["z"] == pytest.approx((0.45 - 0.3) / np.std(samples, ddof=1))
    assert s["p"] == pytest.approx((1 + 1) / (5 + 1))  # one sample (0.5) at least as high
    assert summarise_null(0.3, NullDraw(samples, "synthetic", "test"))["p"] == pytest.approx(
        4 / 6
    )  # ties count
    assert summarise_null(9.0, NullDraw(samples, "synthetic", "test"))["p"] == pytest.approx(1 / 6)


def test_a_constant_null_uses_the_declared_std_floor_and_says_so():
    draw = NullDraw(np.zeros(32), "synthetic", "no shared tensors", std_floor=0.01)
    hit = summarise_null(0.05, draw)
    assert hit["std"] == 0.0 and hit["std_floor_applied"] is True
    assert hit["z"] == pytest.approx(5.0) and hit["p"] == pytest.approx(1 / 33)
    miss = summarise_null(0.0, draw)
    assert miss["z"] == 0.0 and miss["p"] == 1.0


def test_closed_form_moments_set_z_while_p_still_comes_from_the_samples():
    samples = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    s = summarise_null(0.45, NullDraw(samples, "synthetic", "test", exact_mean=0.0, exact_std=0.1))
    assert s["moments"] == "exact" and s["z"] == pytest.approx(4.5) and s["p"] == pytest.approx(2 / 6)
    assert summarise_null(0.45, NullDraw(samples, "synthetic", "test"))["moments"] == "sampled"


def test_an_empty_null_gives_no_z_rather_than_a_made_up_one():
    s = summarise_null(0.5, NullDraw(np.array([]), "reference_panel", "no pairs"))
    assert s["size"] == 0 and s["z"] is None and s["p"] is None


def test_cosine_null_has_variance_one_over_n_minus_one():
    rng = np.random.default_rng(0)
    draws = cosine_null([101, 1001], 20000, rng)
    assert draws.shape == (20000, 2)
    assert draws.mean(axis=0) == pytest.approx([0, 0], abs=0.003)
    assert draws.var(axis=0) == pytest.approx([1 / 100, 1 / 1000], rel=0.05)
    # and it matches real centred cosines of independent vectors
    real = []
    for _ in range(2000):
        a, b = rng.standard_normal(101), rng.standard_normal(101)
        a, b = a - a.mean(), b - b.mean()
        real.append(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert np.var(real) == pytest.approx(1 / 100, rel=0.1)


def test_the_sigma_null_contains_pairs_that_share_an_init_recipe():
    rng = np.random.default_rng(1)
    rs = [
        attn_std._mean_r(a, b, list("qkvo"))[0] for a, b in sigma_null_pairs(48, 48, list("qkvo"), 400, rng)
    ]
    rs = np.array(rs)
    # Shared-recipe pairs of unrelated models reach HonestAGI-level correlations (0.91, 0.927)...
    assert np.mean(rs > 0.9) > 0.1
    # ...and independent recipes give anything, so the null is wide.
    assert np.mean(rs < 0.3) > 0.25


def test_a_disputed_level_correlation_is_not_significant_against_the_null():
    # Two 48-layer models: same smooth recipe, their own small training deviations (r ≈ 0.93,
    # the disputed Pangu Pro MoE vs Qwen2.5-14B value).
    rng = np.random.default_rng(2)
    x = np.linspace(0, 1, 48)
    trend = {
        r: 1 + 0.8 * x - 0.3 * x**2 + 0.1 * np.sin(3 * np.pi * x) + 0.1 * k for k, r in enumerate("qkvo")
    }
    a = {r: t * np.exp(0.03 * rng.standard_normal(48)) for r, t in trend.items()}
    b = {r: t * np.exp(0.03 * rng.standard_normal(48)) for r, t in trend.items()}
    fa, fb = make_fingerprint(a), make_fingerprint(b)
    r = attn_std.score(fa, fb)
    assert 0.9 < r < 0.96
    cal = calibrate(METHODS["attn_std"], fa, fb, r)
    assert cal["z"] < 3 and cal["p"] > 0.05
    assert cal["size"] == 32 and cal["source"] == "synthetic" and len(cal["samples"]) == 32


def test_calibration_is_deterministic_in_its_seed():
    rng = np.random.default_rng(3)
    fa = make_fingerprint({r: rng.uniform(1, 2, 12) for r in "qkvo"})
    fb = make_fingerprint({r: rng.uniform(1, 2, 12) for r in "qkvo"})
    m = METHODS["attn_std"]
    one, two = calibrate(m, fa, fb, 0.5, seed=0), calibrate(m, fa, fb, 0.5, seed=0)
    assert one == two
    assert calibrate(m, fa, fb, 0.5, seed=1)["samples"] != one["samples"]


def _panel(rng, depths):
    return [make_fingerprint({r: list(rng.uniform(1, 2, d)) for r in "qkvo"}) for d in depths]


def test_the_panel_null_uses_only_same_depth_pairs_and_leaves_out_the_compared_models():
    rng = np.random.default_rng(4)
    fa, fb = _panel(rng, [12, 12])
    panel = _panel(rng, [12, 12, 12, 24]) + [fa]
    draw = panel_null(METHODS["attn_std"], fa, fb, panel)
    assert draw.source == "reference_panel"
    assert draw.samples.size == 3  # C(3, 2) pairs of 12-layer members; fa and the 24-layer one left out


def test_the_headline_null_is_the_more_conservative_one():
    rng = np.random.default_rng(5)
    base = np.linspace(1, 2, 12)
    fa = make_fingerprint({r: base * np.exp(0.01 * rng.standard_normal(12)) for r in "qkvo"})
    fb = make_fingerprint({r: base * np.exp(0.01 * rng.standard_normal(12)) for r in "qkvo"})
    # A panel of unrelated models that all share this recipe: their pairs correlate highly.
    panel = [
        make_fingerprint({r: base * np.exp(0.01 * rng.standard_normal(12)) for r in "qkvo"}) for _ in range(5)
    ]
    m = METHODS["attn_std"]
    score = attn_std.score(fa, fb)
    cal = calibrate(m, fa, fb, score, reference_panel=panel)
    assert [n["source"] for n in cal["nulls"]] == ["synthetic", "reference_panel"]
    assert cal["nulls"][1]["size"] == 10
    assert cal["z"] == min(n["z"] for n in cal["nulls"])


def test_a_48_layer_pair_is_compared_and_calibrated_in_seconds():
    rng = np.random.default_rng(6)
    n = 16384

    def fp(offset: int):
        samples = {
            (layer, r): rng.standard_normal(n).astype(np.float32) for layer in range(48) for r in "qkvo"
        }
        sig = {r: list(rng.uniform(0.01, 0.05, 48)) for r in "qkvo"}
        return make_fingerprint(sig, samples=samples, shape=(2048, 2048))

    fa, fb = fp(0), fp(1)
    start = time.perf_counter()
    report = compare_fingerprints(fa, fb)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, elapsed  # ~0.3 s on an idle core; the bound leaves room for a loaded CI box
    assert report.results["aligned_cosine"].extra["layer_similarity"]["alignment"] == []
    assert report.verdict == "cannot_tell"  # nothing unusual, but fingerprints cannot see moved units


def test_the_aligned_cosine_null_matches_real_unrelated_checkpoints(tmp_path):
    """z over pairs of independently generated (structured, non-iid) checkpoints is ~ N(0, 1)."""
    from dataclasses import replace

    from provenance.fingerprint.stats import fingerprint_checkpoint
    from provenance.fingerprint.synthetic import SIZES, BaseModel, write_model

    shape = replace(SIZES["tiny"], num_layers=4)
    fps = [
        fingerprint_checkpoint(
            write_model(BaseModel(shape, seed=100 + k, recipe="ab"[k % 2]), tmp_path / str(k))
        )
        for k in range(16)
    ]
    m = METHODS["aligned_cosine"]
    zs = np.array(
        [calibrate(m, fps[k], fps[k + 1], m.score(fps[k], fps[k + 1]))["z"] for k in range(0, 16, 2)]
        + [calibrate(m, fps[k], fps[k + 3], m.score(fps[k], fps[k + 3]))["z"] for k in range(0, 12, 2)]
    )
    assert np.all(np.abs(zs) < 3.5), zs
    assert abs(zs.mean()) < 0.8 and 0.5 < zs.std() < 1.6, (zs.mean(), zs.std())
