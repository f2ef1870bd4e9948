"""The comparison methods on hand-built fingerprints: exact values, matching rules, the alignment DP."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fingerprint_factory import make_fingerprint, part
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.fingerprint.errors import IncompatibleModelsError
from provenance.fingerprint.methods import METHODS, aligned_cosine, attn_std, tensor_identity
from provenance.fingerprint.methods.aligned_cosine import monotone_alignment


def _pearson(a, b) -> float:
    a, b = np.asarray(a, float) - np.mean(a), np.asarray(b, float) - np.mean(b)
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


# -- attn_std ---------------------------------------------------------------------------------------


def test_attn_std_reproduces_a_hand_computed_mean_of_four_r():
    # Hand computation (deviations from the mean, Σxy / sqrt(Σx² Σy²)):
    #   Q: [1,2,3,4] vs [1,3,2,4] -> 4 / 5 = 0.8      K: identical -> 1      V: reversed -> -1
    #   O: [1,2,3,4] vs [2,2,2,5] -> 4.5 / sqrt(5 × 6.75) = 0.774597
    a = {"q": [1, 2, 3, 4], "k": [1, 2, 3, 4], "v": [1, 2, 3, 4], "o": [1, 2, 3, 4]}
    b = {"q": [1, 3, 2, 4], "k": [1, 2, 3, 4], "v": [4, 3, 2, 1], "o": [2, 2, 2, 5]}
    result = attn_std.compare(make_fingerprint(a), make_fingerprint(b))
    expected_o = 4.5 / np.sqrt(5 * 6.75)
    assert result.per_layer["r"] == pytest.approx({"q": 0.8, "k": 1.0, "v": -1.0, "o": expected_o}, abs=1e-12)
    assert result.score == pytest.approx((0.8 + 1.0 - 1.0 + expected_o) / 4, abs=1e-12)
    assert result.per_layer["sigma_a"]["q"] == [1, 2, 3, 4]
    assert result.per_layer["stretched"] is None


def test_attn_std_uses_the_sample_std_like_torch_std():
    a, b = (
        make_fingerprint(dict.fromkeys("qkvo", [1, 2, 3, 4])),
        make_fingerprint(dict.fromkeys("qkvo", [1, 2, 3, 4])),
    )
    for p in b.parts:  # a population std that disagrees: the method must not read it
        p.std_pop = 10.0 - p.std_sample
    assert attn_std.score(a, b) == pytest.approx(1.0)


def test_attn_std_zscores_with_the_population_std():
    z = attn_std.zscore(np.array([1.0, 2.0, 3.0, 4.0]))
    assert z == pytest.approx((np.array([1, 2, 3, 4]) - 2.5) / np.sqrt(1.25))
    assert np.isnan(attn_std.zscore(np.array([2.0, 2.0, 2.0]))).all()


def test_attn_std_stretches_the_shorter_series_by_linear_interpolation():
    assert attn_std.stretch(np.array([1.0, 2.0, 3.0]), 5) == pytest.approx([1.0, 1.5, 2.0, 2.5, 3.0])
    short = [1.0, 4.0, 2.0]
    long_ = [1.0, 3.0, 4.0, 2.5, 2.0, 1.0]
    stretched = np.interp(np.linspace(0, 1, 6), np.linspace(0, 1, 3), short)
    expected = _pearson(stretched, long_)
    fa = make_fingerprint(dict.fromkeys("qkvo", short))
    fb = make_fingerprint(dict.fromkeys("qkvo", long_))
    ab, ba = attn_std.compare(fa, fb), attn_std.compare(fb, fa)
    assert ab.score == pytest.approx(expected, abs=1e-12)
    assert ba.score == pytest.approx(expected, abs=1e-12)
    assert ab.per_layer["stretched"] == "a" and ba.per_layer["stretched"] == "b"
    assert len(ab.per_layer["z_a"]["q"]) == 6


def test_attn_std_leaves_out_a_role_whose_series_is_constant():
    a = {"q": [1, 2, 3], "k": [1, 2, 3], "v": [5, 5, 5], "o": [1, 2, 3]}
    b = {"q": [1, 2, 3], "k": [3, 2, 1], "v": [1, 2, 3], "o": [1, 2, 3]}
    result = attn_std.compare(make_fingerprint(a), make_fingerprint(b))
    assert np.isnan(result.per_layer["r"]["v"])
    assert result.score == pytest.approx((1 - 1 + 1) / 3)
    json.dumps(result.to_dict(), allow_nan=False)  # NaN became null


def test_attn_std_refuses_models_without_attention_series():
    fp = make_fingerprint({"gate": [1, 2, 3]})
    with pytest.raises(IncompatibleModelsError):
        attn_std.compare(fp, fp)


# -- tensor_identity -----------------------------------------------------------------------------------


def test_tensor_identity_counts_by_name_and_by_content():
    a = make_fingerprint(
        {"q": [1, 2, 3, 4]}, hashes={f"model.layers.{i}.self_attn.q_proj.weight": f"h{i}" for i in range(4)}
    )
    # B keeps layers 0 and 2 of A, renumbered 0 and 1 (a pruned copy), plus one new tensor.
    b = make_fingerprint(
        {"q": [1, 3, 9]},
        hashes={
            "model.layers.0.self_attn.q_proj.weight": "h0",
            "model.layers.1.self_attn.q_proj.weight": "h2",
        },
    )
    result = tensor_identity.compare(a, b)
    assert result.extra["identical_by_name"] == 1
    assert result.extra["identical_by_content"] == 2
    assert result.score == pytest.approx(2 / 3)
    assert result.extra["renamed"] == [
        ["model.layers.1.self_attn.q_proj.weight", "model.layers.2.self_attn.q_proj.weight"]
    ]
    assert result.per_layer == {"model": "b", "layers": ["0", "1", "2"], "identical": [1.0, 1.0, 0.0]}


def test_tensor_identity_ignores_constant_tensors_shared_by_unrelated_models():
    zeros = part("model.layers.0.self_attn.q_proj.bias", 0, "bias", sigma=0.0)
    zeros.std_pop = 0.0
    a = make_fingerprint({"q": [1, 2]}, parts=[zeros], hashes={zeros.tensor: "same-zero-bytes"})
    b = make_fingerprint({"q": [3, 4]}, parts=[zeros], hashes={zeros.tensor: "same-zero-bytes"})
    result = tensor_identity.compare(a, b)
    assert result.score == 0.0
    assert result.extra["constant_left_out"] == {"a": 1, "b": 1}


def test_tensor_identity_bytes_fraction_weighs_by_size():
    big = part("model.layers.0.mlp.up_proj.weight", 0, "up", shape=(64, 64))
    small = part("model.layers.0.self_attn.q_proj.weight", 0, "q", shape=(8, 8))
    a = make_fingerprint(parts=[big, small], hashes={big.tensor: "H", small.tensor: "x"})
    b = make_fingerprint(parts=[big, small], hashes={big.tensor: "H", small.tensor: "y"})
    result = tensor_identity.compare(a, b)
    assert result.score == 0.5
    assert result.extra["bytes_fraction_by_content"] == pytest.approx(4096 / (4096 + 64))


# -- aligned_cosine ------------------------------------------------------------------------------------


def _samples(rng, layers, roles="qkvo", n=4096):
    return {(layer, r): rng.standard_normal(n).astype(np.float32) for layer in range(layers) for r in roles}


def test_aligned_cosine_estimates_the_cosine_of_perturbed_copies():
    rng = np.random.default_rng(1)
    sa = _samples(rng, 4)
    # b = a + noise of std 1: expected cosine 1/sqrt(2)
    sb = {k: v + rng.standard_normal(v.size).astype(np.float32) for k, v in sa.items()}
    result = aligned_cosine.compare(
        make_fingerprint(samples=sa, shape=(64, 64)), make_fingerprint(samples=sb, shape=(64, 64))
    )
    assert result.score == pytest.approx(1 / np.sqrt(2), abs=0.02)
    assert result.extra["matched_parts"] == 16
    assert result.per_layer["roles"] == ["q", "k", "v", "o"]
    assert result.extra["layer_similarity"]["alignment"] == [[i, i] for i in range(4)]


def test_aligned_cosine_centres_so_a_common_offset_does_not_look_like_similarity():
    rng = np.random.default_rng(2)
    sa = {k: v + 5.0 for k, v in _samples(rng, 3).items()}
    sb = {k: v + 5.0 for k, v in _samples(rng, 3).items()}
    fa, fb = make_fingerprint(samples=sa, shape=(64, 64)), make_fingerprint(samples=sb, shape=(64, 64))
    raw = np.mean([float(sa[k] @ sb[k] / np.linalg.norm(sa[k]) / np.linalg.norm(sb[k])) for k in sa])
    assert raw > 0.9  # the norm-vector trap: uncentred cosine of unrelated vectors
    assert abs(aligned_cosine.score(fa, fb)) < 0.05


def test_aligned_cosine_only_matches_same_shapes_and_refuses_when_nothing_matches():
    rng = np.random.default_rng(3)
    fa = make_fingerprint(samples=_samples(rng, 2), shape=(64, 64))
    fb = make_fingerprint(samples=_samples(rng, 2), shape=(32, 128))
    with pytest.raises(IncompatibleModelsError):
        aligned_cosine.compare(fa, fb)


def test_aligned_cosine_refuses_fingerprints_sampled_differently():
    rng = np.random.default_rng(4)
    s = _samples(rng, 2)
    fa = make_fingerprint(samples=s, shape=(64, 64))
    fb = make_fingerprint(samples=s, shape=(64, 64), params={"sample_size": 16384, "seed": 1})
    with pytest.raises(IncompatibleModelsError, match="seed"):
        aligned_cosine.compare(fa, fb)


def test_layer_similarity_shows_which_layers_a_pruned_model_kept():
    rng = np.random.default_rng(5)
    sa = _samples(rng, 8)
    kept = [0, 2, 4, 6]
    sb = {
        (j, r): sa[(k, r)] + 0.3 * rng.standard_normal(4096).astype(np.float32)
        for j, k in enumerate(kept)
        for r in "qkvo"
    }
    result = aligned_cosine.compare(
        make_fingerprint(samples=sa, shape=(64, 64)), make_fingerprint(samples=sb, shape=(64, 64))
    )
    ls = result.extra["layer_similarity"]
    assert ls["alignment"] == [[k, j] for j, k in enumerate(kept)]
    assert ls["b_from_a"] == [[0], [2], [4], [6]]
    assert np.array(ls["matrix"]).shape == (8, 4)


def test_monotone_alignment_skips_noise_and_keeps_duplicated_layers():
    rng = np.random.default_rng(6)
    sim = 0.01 * rng.standard_normal((4, 5))
    # B = A's layers [0, 1, 1, 2, 3]: layer 1 duplicated
    for j, i in enumerate([0, 1, 1, 2, 3]):
        sim[i, j] = 0.9
    assert monotone_alignment(sim, 0.1) == [(0, 0), (1, 1), (1, 2), (2, 3), (3, 4)]
    assert monotone_alignment(0.01 * rng.standard_normal((3, 3)), 0.1) == []


def test_monotone_alignment_never_crosses_and_never_uses_missing_cells():
    sim = np.array([[0.0, 0.9], [0.8, 0.0]])
    assert monotone_alignment(sim, 0.1) == [(0, 1)]  # the crossing pair cannot join
    sim = np.array([[np.nan, 0.5], [0.5, np.nan]])
    assert monotone_alignment(sim, 0.1) == [(0, 1)]


def test_every_registered_method_result_is_strict_json():
    rng = np.random.default_rng(7)
    sigmas = {r: list(rng.uniform(1, 2, 5)) for r in "qkvo"}
    fa = make_fingerprint(sigmas, samples=_samples(rng, 5), shape=(64, 64))
    fb = make_fingerprint(sigmas, samples=_samples(rng, 5), shape=(64, 64))
    for method in METHODS.values():
        if method.needs_weights:  # covered with real checkpoints in test_embedding_anchor.py and others
            continue
        d = method.compare(fa, fb).to_dict()
        assert d["method"] == method.name
        json.dumps(d, allow_nan=False)


def _brute_force_best(sim: np.ndarray, threshold: float) -> float:
    """Best Σ (sim − threshold) over every valid chain, by enumerating subsets of the useful cells."""
    cells = [(i, j) for i in range(sim.shape[0]) for j in range(sim.shape[1]) if sim[i, j] > threshold]
    best = 0.0
    for mask in range(1, 1 << len(cells)):
        chain = sorted(c for k, c in enumerate(cells) if mask >> k & 1)
        ok = all(
            (i2 > i1 and j2 > j1) or (i2 == i1 and j2 == j1 + 1) or (j2 == j1 and i2 == i1 + 1)
            for (i1, j1), (i2, j2) in zip(chain, chain[1:], strict=False)
        )
        if ok:
            best = max(best, sum(sim[c] - threshold for c in chain))
    return best


@given(st.integers(2, 4), st.integers(2, 4), st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_monotone_alignment_is_optimal_and_valid(rows, cols, seed):
    sim = np.random.default_rng(seed).uniform(-0.2, 1.0, size=(rows, cols))
    pairs = monotone_alignment(sim, 0.3)
    for (i1, j1), (i2, j2) in zip(pairs, pairs[1:], strict=False):
        assert (i2 > i1 and j2 > j1) or (i2 == i1 and j2 == j1 + 1) or (j2 == j1 and i2 == i1 + 1)
    assert all(sim[i, j] > 0.3 for i, j in pairs)
    assert sum(sim[i, j] - 0.3 for i, j in pairs) == pytest.approx(_brute_force_best(sim, 0.3))


def test_experts_are_compared_with_the_dense_mlp_of_the_same_layer():
    rng = np.random.default_rng(8)
    dense = {
        (i, r): rng.standard_normal(2048).astype(np.float32) for i in range(3) for r in ("gate", "up", "down")
    }
    attn = _samples(rng, 3, n=2048)

    def moe(related: bool):
        parts = []
        for (i, r), v in dense.items():
            for e in range(2):
                base = v if related else rng.standard_normal(v.size).astype(np.float32)
                sample = base + 0.3 * rng.standard_normal(v.size).astype(np.float32)
                parts.append(
                    part(
                        f"model.layers.{i}.mlp.experts.{e}.{r}_proj.weight",
                        i,
                        r,
                        sample=sample,
                        shape=(32, 64),
                        expert=e,
                    )
                )
        return make_fingerprint(samples=attn, parts=parts, shape=(32, 64))

    fp_dense = make_fingerprint(samples={**attn, **dense}, shape=(32, 64))
    upcycled = aligned_cosine.compare(fp_dense, moe(True)).extra["expert_vs_dense"]
    unrelated = aligned_cosine.compare(fp_dense, moe(False)).extra["expert_vs_dense"]
    assert upcycled["moe"] == "b" and upcycled["parts"] == 18 and upcycled["mean"] > 0.9 and upcycled["z"] > 5
    assert abs(unrelated["z"]) < 3
    assert upcycled["null_std"] == pytest.approx(np.sqrt(18 / 2047) / 18)
