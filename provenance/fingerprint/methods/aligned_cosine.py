"""``aligned_cosine``: centred cosine of corresponding weight matrices, and which layer came from where.

Both fingerprints sample a part of a given shape at the same flat positions (``sample_positions``),
so the cosine of two samples, each centred with its part's exact mean, estimates the centred
cosine of the whole matrices. Unrelated models give ≈ 0 ± 1/√n (hidden units of independent
trainings are in arbitrary order); a fine-tune ≈ 1; long continued pretraining stays well above 0.
Raw, uncentred cosine is never used: on vectors with a large common offset (norm weights ≈ 1) it is
0.94-0.99 even between unrelated models (the Solar-Open-100B vs GLM-4.5-Air trap); that is also why
only attention and MLP matrices enter the score.

Three views:

* ``score``: mean cosine over parts with the same (layer, role, expert) and shape in both models;
* ``layer_similarity``: every layer of A against every layer of B for one role group (default the
  four attention projections, averaged), and the best monotone alignment through it (a DP that may
  skip layers and reuse one for consecutive layers of the other), which recovers pruning
  (B's layer j ← A's layer 2j) and duplication;
* ``expert_vs_dense``: for an MoE against a dense model, each expert's MLP against the dense MLP
  of the same layer (upcycling).

Memory: the two fingerprints' samples (float32) plus one float64 copy of a role's samples at a time.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..calibration import NullDraw, cosine_null
from ..errors import IncompatibleModelsError
from ..fingerprint import ModelFingerprint, PartStats, Role
from . import TITLES
from .base import EXACT_COPY, QUANTISED, RETOKENISED, SAME_ORDER, UPCYCLED, Method, MethodResult

MATCH_ROLES = (*Role.ATTENTION, *Role.MLP)
ALIGN_SIGMAS = 6.0
"""A layer pair enters the alignment only if its similarity exceeds this many null std devs."""

Key = tuple[int, str, int | None]


def _check_sampling(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> None:
    for key in ("sample_size", "seed"):
        va, vb = fp_a.params.get(key), fp_b.params.get(key)
        if va is not None and vb is not None and va != vb:
            raise IncompatibleModelsError(
                f"aligned_cosine: the fingerprints were sampled with different {key} ({va} vs {vb}); "
                "fingerprint both checkpoints with the same settings"
            )


def _unit(p: PartStats) -> np.ndarray | None:
    """The sample centred with the part's exact mean, scaled to unit length (None if constant)."""
    if p.sample is None or p.sample.size < 2:
        return None
    a = p.sample.astype(np.float64) - p.mean
    norm = float(np.sqrt(_dot(a, a)))
    return a / norm if norm > 0 and np.isfinite(norm) else None


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    # einsum, not BLAS: thousands of 16k-element dots are each ~5 µs this way, while a
    # multi-threaded BLAS on a busy 2-core worker spends ~200 µs per call on thread hand-offs.
    return float(np.einsum("i,i->", a, b))


def _sampled(fp: ModelFingerprint, roles: tuple[str, ...] = MATCH_ROLES) -> dict[Key, PartStats]:
    return {
        (p.layer, p.role, p.expert): p
        for p in fp.parts
        if p.layer is not None and p.role in roles and p.sample is not None
    }


def _pairs(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> list[tuple[Key, PartStats, PartStats]]:
    _check_sampling(fp_a, fp_b)
    pa, pb = _sampled(fp_a), _sampled(fp_b)
    out = [
        (k, pa[k], pb[k])
        for k in sorted(pa.keys() & pb.keys(), key=lambda k: (k[0], k[1], -2 if k[2] is None else k[2]))
        if pa[k].shape == pb[k].shape and pa[k].sample.size == pb[k].sample.size
    ]
    if not out:
        raise IncompatibleModelsError(
            "aligned_cosine: the models have no attention or MLP matrix of the same shape in the same layer"
        )
    return out


def _cosines(pairs: list[tuple[Key, PartStats, PartStats]]) -> list[tuple[Key, float, int]]:
    out = []
    for key, a, b in pairs:
        ua, ub = _unit(a), _unit(b)
        if ua is not None and ub is not None:
            out.append((key, _dot(ua, ub), int(a.sample.size)))
    if not out:
        raise IncompatibleModelsError("aligned_cosine: every matched matrix is constant")
    return out


def score(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> float:
    return float(np.mean([c for _, c, _ in _cosines(_pairs(fp_a, fp_b))]))


# -- layer-to-layer similarity and alignment -----------------------------------------------------------


def layer_similarity(
    fp_a: ModelFingerprint, fp_b: ModelFingerprint, roles: tuple[str, ...] = Role.ATTENTION
) -> tuple[np.ndarray, float]:
    """(L_a × L_b) mean centred cosine over ``roles`` (dense parts only; NaN where no shape matches),
    and the null std of one cell (independent models: Σ_r 1/(n_r − 1) / R², square-rooted)."""
    _check_sampling(fp_a, fp_b)
    units: tuple[dict, dict] = ({}, {})
    for fp, by_role in zip((fp_a, fp_b), units, strict=True):
        for role in roles:
            by_role[role] = [
                (layer, tuple(p.shape), u)
                for layer, p in fp.parts_by(role=role).items()
                if (u := _unit(p)) is not None
            ]
    return similarity_matrix(units[0], units[1], fp_a.num_layers, fp_b.num_layers)


UnitList = list[tuple[int, tuple, np.ndarray]]
"""(layer, shape, centred unit sample) of one role: what ``similarity_matrix`` compares."""


def similarity_matrix(
    units_a: dict[str, UnitList], units_b: dict[str, UnitList], layers_a: int, layers_b: int
) -> tuple[np.ndarray, float]:
    """(L_a × L_b) mean over roles of the cosine between unit samples of the same shape and length
    (NaN where none), and the null std of one cell. Used by ``aligned_cosine`` (fingerprint samples)
    and ``weight_matching`` (samples of the weights in the recovered basis): one implementation."""
    total = np.zeros((layers_a, layers_b))
    count = np.zeros_like(total)
    var_sum = np.zeros_like(total)
    for role in [r for r in units_a if r in units_b]:  # in order: the same float sums every run
        ua: dict[tuple, list[tuple[int, np.ndarray]]] = defaultdict(list)
        ub: dict[tuple, list[tuple[int, np.ndarray]]] = defaultdict(list)
        for units, groups in ((units_a[role], ua), (units_b[role], ub)):
            for layer, shape, u in units:
                groups[(shape, u.size)].append((layer, u))  # (shape, sample length)
        for group in ua.keys() & ub.keys():
            la, ma = zip(*ua[group], strict=True)
            lb, mb = zip(*ub[group], strict=True)
            sim = np.stack(ma) @ np.stack(mb).T
            ix = np.ix_(list(la), list(lb))
            total[ix] += sim
            count[ix] += 1
            var_sum[ix] += 1.0 / max(group[1] - 1, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(count > 0, total / count, np.nan)
        cell_std = np.sqrt(var_sum[count > 0] / count[count > 0] ** 2)
    return matrix, float(cell_std.max()) if cell_std.size else float("nan")


def layer_view(matrix: np.ndarray, cell_std: float, roles: tuple[str, ...] | list[str]) -> dict:
    """The chart-ready layer-to-layer block (``extra.layer_similarity``): the matrix, its null std
    per cell, the threshold (``ALIGN_SIGMAS`` null std devs), the best monotone alignment through it,
    its similarities, ``b_from_a`` (per layer of B: matched layers of A) and their mean."""
    threshold = ALIGN_SIGMAS * cell_std if np.isfinite(cell_std) else float("inf")
    alignment = monotone_alignment(matrix, threshold) if np.isfinite(threshold) else []
    b_from_a: list[list[int]] = [[] for _ in range(matrix.shape[1])]
    for i, j in alignment:
        b_from_a[j].append(i)
    sims = [float(matrix[i, j]) for i, j in alignment]
    return {
        "roles": list(roles),
        "matrix": matrix.tolist(),
        "cell_null_std": cell_std,
        "threshold": threshold,
        "alignment": [[i, j] for i, j in alignment],
        "alignment_similarity": sims,
        "b_from_a": b_from_a,
        "aligned_mean": float(np.mean(sims)) if sims else None,
    }


def per_role_view(cos: list[tuple[Key, float, int]], roles_order: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """(per_layer, by_role) from ((layer, role, expert), cosine, n) triples: per layer and role the
    mean over experts (None where not comparable), per role the mean. ``layers`` are the keys' layers."""
    roles_order = roles_order or MATCH_ROLES
    layers = sorted({k[0] for k, _, _ in cos})
    roles = [r for r in roles_order if any(k[1] == r for k, _, _ in cos)]
    acc: dict[tuple[int, str], list[float]] = defaultdict(list)
    for (layer, role, _expert), c, _n in cos:
        acc[(layer, role)].append(c)
    per_layer = {
        "layers": layers,
        "roles": roles,
        "cosine": {
            r: [float(np.mean(acc[(lay, r)])) if acc[(lay, r)] else None for lay in layers] for r in roles
        },
    }
    by_role = {r: float(np.mean([c for k, c, _ in cos if k[1] == r])) for r in roles}
    return per_layer, by_role


def monotone_alignment(sim: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """Best monotone set of (layer_a, layer_b) pairs maximising Σ (sim − threshold).

    Both indices never decrease along the path; layers may be skipped on either side (pruning,
    inserted layers) and one layer may pair with consecutive layers of the other (duplication).
    Only cells above ``threshold`` can be chosen; NaN cells never. O(L_a × L_b).
    """
    la, lb = sim.shape
    w = np.where(np.isfinite(sim), sim - threshold, -np.inf)
    f = np.zeros((la + 1, lb + 1))  # best chain within the first i rows and j columns
    g = np.full((la + 1, lb + 1), -np.inf)  # best chain ending exactly at cell (i-1, j-1)
    came = np.zeros((la + 1, lb + 1), dtype=np.int8)  # 0: from f[i-1, j-1], 1: g[i-1, j], 2: g[i, j-1]
    for i in range(1, la + 1):
        for j in range(1, lb + 1):
            if w[i - 1, j - 1] > 0:
                options = (f[i - 1, j - 1], g[i - 1, j], g[i, j - 1])
                k = int(np.argmax(options))  # ties go to the one-to-one step (index 0)
                g[i, j] = w[i - 1, j - 1] + options[k]
                came[i, j] = k
            f[i, j] = max(f[i - 1, j], f[i, j - 1], g[i, j])
    pairs: list[tuple[int, int]] = []
    i, j, in_g = la, lb, False
    while i > 0 and j > 0:
        if not in_g:
            if g[i, j] == f[i, j] and np.isfinite(g[i, j]) and f[i, j] > 0:
                in_g = True
            elif f[i - 1, j] == f[i, j]:
                i -= 1
            else:
                j -= 1
            continue
        pairs.append((i - 1, j - 1))
        k = came[i, j]
        if k == 0:
            i, j, in_g = i - 1, j - 1, False
        elif k == 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _expert_vs_dense(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> dict | None:
    """Each expert's MLP against the dense MLP of the same layer, if exactly one model is an MoE."""
    ea = {p.expert for p in fp_a.parts if p.expert is not None and p.role in Role.MLP}
    eb = {p.expert for p in fp_b.parts if p.expert is not None and p.role in Role.MLP}
    if bool(ea) == bool(eb):
        return None
    moe, dense, side = (fp_a, fp_b, "a") if ea else (fp_b, fp_a, "b")
    experts = sorted(ea or eb)
    dense_parts = {(p.layer, p.role): p for p in dense.parts if p.expert is None and p.role in Role.MLP}
    cos: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    inv_dof = 0.0  # Σ 1/(n − 1) over the compared parts: the null variance of their sum of cosines
    for p in moe.parts:
        d = dense_parts.get((p.layer, p.role))
        if p.expert is None or p.role not in Role.MLP or d is None or d.shape != p.shape:
            continue
        ua, ud = _unit(p), _unit(d)
        if ua is not None and ud is not None and ua.size == ud.size:
            cos[p.layer][p.expert].append(_dot(ua, ud))
            inv_dof += 1.0 / max(ua.size - 1, 1)
    if not cos:
        return None
    layers = sorted(cos)
    matrix = [[float(np.mean(cos[layer][e])) if cos[layer][e] else None for e in experts] for layer in layers]
    all_cos = [c for by_expert in cos.values() for cs in by_expert.values() for c in cs]
    mean = float(np.mean(all_cos))
    # Unrelated models: each cosine has mean 0 and variance 1/(n − 1), independently, so the mean
    # over P parts has std sqrt(Σ 1/(n − 1)) / P exactly (the aligned-score null, in closed form).
    null_std = float(np.sqrt(inv_dof)) / len(all_cos)
    return {
        "moe": side,
        "layers": layers,
        "experts": experts,
        "cosine": matrix,
        "mean": mean,
        "parts": len(all_cos),
        "null_std": null_std,
        "z": mean / null_std,
    }


def compare(
    fp_a: ModelFingerprint, fp_b: ModelFingerprint, *, matrix_roles: tuple[str, ...] = Role.ATTENTION
) -> MethodResult:
    """Score = mean centred cosine over same-named, same-shaped attention and MLP matrices.

    ``per_layer``: ``layers``, ``roles``, ``cosine`` (role → per layer value, the mean over experts
    for MoE parts, None where not comparable). ``extra``: ``matched_parts``, ``by_role`` (role →
    mean), ``layer_similarity`` {roles, matrix (L_a × L_b, None where shapes differ), cell_null_std,
    threshold, alignment [[layer_a, layer_b], ...], alignment_similarity, b_from_a (per layer of B:
    matched layers of A), aligned_mean}, ``expert_vs_dense`` (None unless exactly one model is an
    MoE: {moe ("a"/"b"), layers, experts, cosine (layer × expert), mean, parts, null_std, z}).
    """
    cos = _cosines(_pairs(fp_a, fp_b))
    s = float(np.mean([c for _, c, _ in cos]))
    per_layer, by_role = per_role_view(cos)
    matrix, cell_std = layer_similarity(fp_a, fp_b, matrix_roles)
    layer_sim = layer_view(matrix, cell_std, matrix_roles)
    alignment = [tuple(x) for x in layer_sim["alignment"]]
    b_from_a = layer_sim["b_from_a"]
    evd = _expert_vs_dense(fp_a, fp_b)
    extra = {
        "matched_parts": len(cos),
        "by_role": by_role,
        "layer_similarity": layer_sim,
        "expert_vs_dense": evd,
    }

    reading = (
        f"Same-named weight matrices have a mean centred cosine of {s:.3f} over {len(cos)} matrices "
        "(unrelated models: about 0)."
    )
    matched_b = sum(1 for m in b_from_a if m)
    if alignment and (fp_a.num_layers != fp_b.num_layers or any(i != j for i, j in alignment)):
        shown = ", ".join(f"{j}←{i}" for i, j in alignment[:12]) + (" …" if len(alignment) > 12 else "")
        reading += (
            f" Layer alignment: {matched_b} of B's {fp_b.num_layers} layers match a layer of A "
            f"(B←A: {shown})."
        )
    elif fp_a.num_layers == fp_b.num_layers and alignment:
        reading += f" {len(alignment)} of {fp_a.num_layers} layers align one to one."
    if evd:
        reading += (
            f" Model {evd['moe'].upper()}'s experts resemble the other's dense MLP with mean cosine "
            f"{evd['mean']:.3f} (z = {evd['z']:.1f} against independent weights)."
        )
    return MethodResult("aligned_cosine", s, per_layer, reading, extra=extra)


def synthetic_null(
    fp_a: ModelFingerprint, fp_b: ModelFingerprint, size: int, rng: np.random.Generator
) -> NullDraw:
    """The mean over the same matched parts of cosines between independent samples of their lengths."""
    # The same parts ``compare`` averages (constant ones excluded), without recomputing the cosines.
    lengths = [a.sample.size for _, a, b in _pairs(fp_a, fp_b) if a.std_pop > 0 and b.std_pop > 0]
    if not lengths:
        raise IncompatibleModelsError("aligned_cosine: every matched matrix is constant")
    samples = cosine_null(lengths, size, rng).mean(axis=1)
    # Each cosine has mean 0 and variance 1/(n−1), independently: the mean over P parts has
    # variance Σ 1/(n_p − 1) / P², exactly.
    exact_std = float(np.sqrt(np.sum(1.0 / np.maximum(np.asarray(lengths, float) - 1.0, 1.0))) / len(lengths))
    return NullDraw(
        samples,
        "synthetic",
        f"{size} synthetic unrelated pairs: independent weights sampled at the same "
        f"{len(lengths)} matched matrices",
        exact_mean=0.0,
        exact_std=exact_std,
    )


METHOD = Method(
    "aligned_cosine",
    TITLES["aligned_cosine"],
    compare,
    score,
    synthetic_null,
    needs=("matrices of the same shape in the same layers",),
    blind_to="permuted, sign-flipped or rotated hidden units and re-ordered neurons (cosine ≈ 0 as for unrelated models)",
    detects=(EXACT_COPY, SAME_ORDER, QUANTISED, UPCYCLED, RETOKENISED),
)
