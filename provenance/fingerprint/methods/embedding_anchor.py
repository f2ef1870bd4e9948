"""``embedding_anchor``: AWM (Zeng et al., ICLR 2026, arXiv 2510.06738) - vocabulary-anchored CKA of W_Q/W_K.

1. Anchor (``weights.PairWeights.hidden_alignment``): the embedding rows of tokens both vocabularies
   share (by string) align B's hidden dimensions to A's by a linear assignment on 1 − |cos|,
   keeping the sign. That undoes permutations, sign flips and width pruning; a rotation fit and the
   stored order are used instead when the embeddings say so (see ``weights``).
2. Per layer, unbiased linear CKA between the aligned W_Q of the two models and between W_K. The
   samples are the (matched) hidden dimensions and the features the output dimensions, so the
   Gram matrices are d × d and the statistic is invariant to any orthogonal change of the
   projection's output space (head order, per-head rotations) and works for different head
   counts (GQA vs MHA) and head dimensions. At most ``MAX_CKA_DIMS`` matched dims are used (a
   deterministic subsample), ``MAX_CKA_DIMS_DEPTH`` when the depths differ.
3. Different depths: layers are matched by ``linear_sum_assignment`` on −(CKA_Q + CKA_K)/2.
4. Score = mean over matched layers of (CKA_Q + CKA_K)/2.

Unbiased HSIC (Song et al. 2012): with K̃, L̃ the Gram matrices with zeroed diagonals,
HSIC = [tr(K̃L̃) + 1ᵀK̃1·1ᵀL̃1/((n−1)(n−2)) − 2/(n−2)·1ᵀK̃L̃1] / (n(n−3)); CKA = HSIC(K,L) /
sqrt(HSIC(K,K)·HSIC(L,L)). It is ≈ 0 for independent matrices whatever n (the biased CKA is not).

Nulls: (a) *shuffled hidden units* (synthetic): B's aligned hidden dims put in a random order, the
same order in every layer - what two independently initialised models give, with these models'
own weight spectra - recomputed exactly from the stored Gram matrices (no re-read); (b) the
*literature* null: AWM's 90 unrelated real pairs, mean 0.00375, σ 0.0028 (summarised by 90 normal
quantiles). The headline is the more conservative (smaller z).

Memory: equal depths - one layer's W_Q and W_K of each model (float32) and four n × n Grams in
float64 plus a float32 copy (n ≤ 1024: 12 MB each); different depths - the Grams of every layer of
both models kept in float32 (n ≤ 512: 1 MB each, 2 × (L_a + L_b) of them). Plus the anchor (see ``weights``). Time:
dominated by reading W_Q/W_K and the d × d anchor assignment (about 1-3 s at d = 2048).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import norm

from ..calibration import NullDraw, calibrate_draws
from ..errors import IncompatibleModelsError
from ..fingerprint import ModelFingerprint, Role
from ..weights import HiddenAlignment, PairWeights
from . import TITLES
from .base import (
    EXACT_COPY,
    MOVED_UNITS,
    QUANTISED,
    RETOKENISED,
    SAME_ORDER,
    Method,
    MethodResult,
    weights_only,
)

NAME = "embedding_anchor"
MAX_CKA_DIMS = 1024
MAX_CKA_DIMS_DEPTH = 512
AWM_NULL_MEAN, AWM_NULL_STD, AWM_NULL_PAIRS = 0.00375, 0.0028, 90
SAMPLE_SEED = 7


@dataclass
class GramStats:
    """What the unbiased HSIC needs of one Gram matrix: K̃ (zero diagonal), K̃1, 1ᵀK̃1, HSIC(K, K),
    and K̃ in float32 for the shuffled-units null (a float32 gather and dot are ~7× faster than
    float64 fancy indexing; the null needs 32 of them per layer and role, and ~1e-6 relative
    error in a trace is far below the null's spread)."""

    k: np.ndarray
    rows: np.ndarray
    total: float
    self_hsic: float
    k32: np.ndarray | None = None

    def shuffled_trace(self, other: GramStats, perm: np.ndarray) -> float:
        """tr(K̃ · L̃[perm][:, perm]) in float32 (BLAS dot of the raveled matrices)."""
        a = self.k32 if self.k32 is not None else self.k.astype(np.float32)
        b = other.k32 if other.k32 is not None else other.k.astype(np.float32)
        return float(np.dot(a.ravel(), b.take(perm, axis=0).take(perm, axis=1).ravel()))

    @classmethod
    def of(cls, x: np.ndarray, dtype: type = np.float64) -> GramStats:
        """``x``: (n samples, features). Memory: the n × n Gram in float32 and float64 (then ``dtype``)."""
        x32 = np.ascontiguousarray(x, dtype=np.float32)
        # float32 product (half the time of float64; entries exact to ~1e-6 relative), then float64
        # for the sums, where the unbiased estimator's terms cancel.
        k = (x32 @ x32.T).astype(np.float64)
        np.fill_diagonal(k, 0.0)
        rows = k.sum(axis=1)
        total = float(rows.sum())
        n = k.shape[0]
        self_hsic = (
            float(np.einsum("ij,ij->", k, k))
            + total * total / ((n - 1) * (n - 2))
            - 2.0 / (n - 2) * float(rows @ rows)
        ) / (n * (n - 3))
        kept = k.astype(dtype, copy=False)
        return cls(
            kept, rows, total, self_hsic, k32=kept if kept.dtype == np.float32 else k.astype(np.float32)
        )


def cka(a: GramStats, b: GramStats, perm: np.ndarray | None = None) -> float:
    """Unbiased linear CKA; ``perm`` re-orders B's samples (the shuffled-units null)."""
    n = a.k.shape[0]
    if perm is None:
        tr = float(np.einsum("ij,ij->", a.k, b.k, dtype=np.float64))
        cross = float(a.rows @ b.rows)
    else:
        tr = a.shuffled_trace(b, perm)
        cross = float(a.rows @ b.rows[perm])
    hsic = (tr + a.total * b.total / ((n - 1) * (n - 2)) - 2.0 / (n - 2) * cross) / (n * (n - 3))
    denom = np.sqrt(max(a.self_hsic, 0.0) * max(b.self_hsic, 0.0))
    return float(hsic / denom) if denom > 0 else float("nan")


def _select(alignment: HiddenAlignment, cap: int) -> np.ndarray:
    """Positions (into the matched dims) used as CKA samples: all, or a fixed subsample of ``cap``."""
    n = alignment.size
    if n <= cap:
        return np.arange(n)
    return np.sort(np.random.default_rng(SAMPLE_SEED).choice(n, cap, replace=False))


def _grams(
    pair: PairWeights,
    side: str,
    layer: int,
    alignment: HiddenAlignment,
    sel: np.ndarray,
    dtype: type = np.float64,
) -> dict[str, GramStats] | None:
    out = {}
    for role in (Role.Q, Role.K):
        w = pair.part(side, layer, role)
        if w is None:
            return None
        w = alignment.apply_a(w, sel) if side == "a" else alignment.apply_b(w, sel)
        out[role] = GramStats.of(w.T, dtype)
        del w
    return out


def _pair_score(
    ga: dict[str, GramStats], gb: dict[str, GramStats], perm: np.ndarray | None = None
) -> tuple[float, float]:
    return cka(ga[Role.Q], gb[Role.Q], perm), cka(ga[Role.K], gb[Role.K], perm)


def _literature_null() -> NullDraw:
    q = (np.arange(AWM_NULL_PAIRS) + 0.5) / AWM_NULL_PAIRS
    return NullDraw(
        AWM_NULL_MEAN + AWM_NULL_STD * norm.ppf(q),
        "literature",
        f"AWM's {AWM_NULL_PAIRS} unrelated real model pairs (mean {AWM_NULL_MEAN}, σ {AWM_NULL_STD}; "
        "summarised by normal quantiles)",
        exact_mean=AWM_NULL_MEAN,
        exact_std=AWM_NULL_STD,
    )


def compare_weights(
    fp_a: ModelFingerprint, fp_b: ModelFingerprint, pair: PairWeights, *, null_size: int, seed: int
) -> MethodResult:
    """Score = mean over matched layers of (CKA_Q + CKA_K)/2, calibrated (see the module docstring).

    ``per_layer``: ``layers_a``, ``layers_b`` (matched pairs, in A's order), ``cka_q``, ``cka_k``,
    ``cka`` (their mean). ``extra``: ``hidden_alignment`` (kind, matched_dims, quality,
    shuffled_baseline, shared tokens, sign flips, permuted), ``cka_dims``, ``layer_matrix`` (L_a × L_b
    mean CKA, only when the depths differ), ``null_mean_per_layer``.
    Also caches the layer matching in ``pair.cache["layer_pairs"]`` for ``neuron_matching``.
    """
    alignment = pair.hidden_alignment()
    la, lb = pair.num_layers("a"), pair.num_layers("b")
    same_depth = la == lb
    sel = _select(alignment, MAX_CKA_DIMS if same_depth else MAX_CKA_DIMS_DEPTH)
    n = sel.size
    if n < 8:
        raise IncompatibleModelsError(f"{NAME}: only {n} hidden dimensions could be matched")
    rng = np.random.default_rng([seed, 0xA11])
    perms = [rng.permutation(n) for _ in range(null_size)]
    extra: dict = {"hidden_alignment": alignment.to_dict(), "cka_dims": int(n)}
    if same_depth:
        pairs: list[tuple[int, int]] = []
        q_vals: list[float] = []
        k_vals: list[float] = []
        null_sums = np.zeros(null_size)
        for layer in range(la):
            ga = _grams(pair, "a", layer, alignment, sel)
            gb = _grams(pair, "b", layer, alignment, sel)
            if ga is None or gb is None:
                continue
            cq, ck = _pair_score(ga, gb)
            pairs.append((layer, layer))
            q_vals.append(cq)
            k_vals.append(ck)
            null_sums += [np.mean(_pair_score(ga, gb, p)) for p in perms]
            del ga, gb
        if not pairs:
            raise IncompatibleModelsError(f"{NAME}: no layer has W_Q and W_K in both models")
        null_samples = null_sums / len(pairs)
    else:
        ga_all = {i: g for i in range(la) if (g := _grams(pair, "a", i, alignment, sel, np.float32))}
        gb_all = {j: g for j in range(lb) if (g := _grams(pair, "b", j, alignment, sel, np.float32))}
        if not ga_all or not gb_all:
            raise IncompatibleModelsError(f"{NAME}: no layer has W_Q and W_K in both models")
        ia, ib = sorted(ga_all), sorted(gb_all)

        def matrix(perm: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
            mq = np.array([[cka(ga_all[i][Role.Q], gb_all[j][Role.Q], perm) for j in ib] for i in ia])
            mk = np.array([[cka(ga_all[i][Role.K], gb_all[j][Role.K], perm) for j in ib] for i in ia])
            return mq, mk

        def matched(mq: np.ndarray, mk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return linear_sum_assignment(-np.nan_to_num((mq + mk) / 2.0, nan=-1.0))

        mq, mk = matrix(None)
        ra, rb = matched(mq, mk)
        pairs = sorted((ia[r], ib[c]) for r, c in zip(ra, rb, strict=True))
        pos = {(ia[r], ib[c]): (r, c) for r, c in zip(ra, rb, strict=True)}
        q_vals = [float(mq[pos[p]]) for p in pairs]
        k_vals = [float(mk[pos[p]]) for p in pairs]
        null_samples = np.empty(null_size)
        for t, p in enumerate(perms):
            nq, nk = matrix(p)
            r, c = matched(nq, nk)
            null_samples[t] = float(np.mean((nq[r, c] + nk[r, c]) / 2.0))
        extra["layer_matrix"] = ((mq + mk) / 2.0).tolist()
        extra["layer_matrix_layers"] = {"a": ia, "b": ib}
        del ga_all, gb_all
    both = [(q + k) / 2.0 for q, k in zip(q_vals, k_vals, strict=True)]
    score = float(np.nanmean(both))
    pair.cache["layer_pairs"] = pairs
    per_layer = {
        "layers_a": [p[0] for p in pairs],
        "layers_b": [p[1] for p in pairs],
        "cka_q": q_vals,
        "cka_k": k_vals,
        "cka": both,
    }
    extra["null_mean"] = float(np.mean(null_samples))
    shuffled = NullDraw(
        null_samples,
        "synthetic",
        f"{null_size} synthetic unrelated pairs: B's aligned hidden units shuffled (one order for "
        f"the whole network), CKA recomputed over the same {len(pairs)} layers",
    )
    result = MethodResult(NAME, score, per_layer, _reading(score, alignment, pairs, la, lb), extra=extra)
    result.calibration = calibrate_draws(score, [shuffled, _literature_null()])
    return result


def _reading(score: float, al: HiddenAlignment, pairs: list[tuple[int, int]], la: int, lb: int) -> str:
    if al.kind == "signed_permutation":
        how = (
            f"{al.size} hidden dimensions matched through {al.shared_tokens} shared tokens' embeddings "
            f"(mean |cos| {al.quality:.2f} against {al.baseline:.2f} for shuffled tokens; "
            f"{al.to_dict()['permuted']} moved, {al.to_dict()['sign_flips']} sign-flipped)"
        )
    elif al.kind == "rotation":
        how = (
            f"B's residual stream is a rotation of A's (fit {al.quality:.2f} over {al.shared_tokens} shared "
            "tokens); the rotation was undone"
        )
    else:
        how = "no usable vocabulary anchor, so hidden dimensions were compared in stored order"
    reading = (
        f"Vocabulary-anchored CKA of W_Q/W_K: mean {score:.3f} over {len(pairs)} layer pairs "
        f"(unrelated real models: about {AWM_NULL_MEAN}); {how}."
    )
    if la != lb:
        reading += f" Depths differ ({la} vs {lb}): layers matched by assignment on CKA."
    return reading


METHOD = Method(
    NAME,
    TITLES[NAME],
    *weights_only(NAME),
    needs_weights=True,
    compare_weights=compare_weights,
    needs=("weights", "a tokenizer next to each model", "W_Q and W_K in every layer"),
    blind_to="moved hidden units when the two vocabularies share no usable tokens (a replaced tokenizer): it then compares in stored order",
    detects=(EXACT_COPY, SAME_ORDER, QUANTISED, RETOKENISED, MOVED_UNITS),
    misses=lambda r: (MOVED_UNITS,) if r.extra["hidden_alignment"]["kind"] == "identity" else (),
)
