"""``expert_upcycling``: which experts of an MoE were initialised from the other (dense) model's MLP.

Dense-to-MoE upcycling (Komatsuzaki et al. 2023; Qwen-1.8B → Qwen1.5-MoE-A2.7B) copies a dense
MLP, whole or cut into slices, into every expert and trains on. Per layer pair (same depth, or as
``embedding_anchor`` matched them) and per expert, in the shared residual basis (``weights``):

1. match the expert's neurons (rows of W_up; at most ``MAX_EXPERT_NEURONS`` sampled) to the dense MLP's
   by ``linear_sum_assignment`` on cosine - this undoes the neuron permutation and finds the slice
   of the dense MLP a fine-grained expert came from;
2. on the matched neurons, centred cosine of the expert's W_gate rows with the dense W_gate rows, of
   W_up rows, and of W_down columns.

The up cosine is inflated by the matching itself (it was maximised), so the evidence per expert is
the mean of the gate and down cosines, which the matching never looked at. For independent weights
each centred cosine of N entries has mean 0 and variance 1/(N − 1) (the closed form
``aligned_cosine`` uses); an expert with z ≥ 5 "looks initialised from the dense MLP". Score = the
mean of that evidence over every expert and layer, calibrated against the same closed-form null.
Caveat: in real models, gate and up rows of one neuron are not independent, so the matching can
lift the gate cosine slightly even between unrelated models; read z of a few units with care.

Cost at real size (Pangu Pro MoE's 64 experts of 1344 neurons against Qwen2.5-14B's dense MLP of
13,824): one assignment per expert and layer. So each expert's matching uses at most
``MAX_EXPERT_NEURONS`` of its neurons (256 × 5120 = 1.3 million entries per compared matrix: an
unrelated cell's z has sd 1 whatever the count, a copied slice's grows with it), the dense rows are
normalised once per layer, the products are float32, and at most
``neuron_matching.MAX_TESTED_LAYERS`` layer pairs are compared, evenly spaced (the choice depends on
the depth alone; the closed-form null counts the entries actually compared).

Memory: one expert's three matrices and the dense MLP's three (float32), the dense W_up's unit rows
(float32), plus the k × I_dense cosine matrix (float64). Reads each compared layer's experts once.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..calibration import NullDraw, calibrate_draws, cosine_null
from ..errors import IncompatibleModelsError
from ..fingerprint import ModelFingerprint, Role
from ..weights import PairWeights
from . import TITLES
from .base import UPCYCLED, Method, MethodResult, weights_only
from .neuron_matching import _layer_pairs, _rows, tested_layers

NAME = "expert_upcycling"
Z_EXPERT = 5.0
MAX_EXPERT_NEURONS = 256
"""Neurons of an expert matched to the dense MLP's (a fixed subsample; see the module docstring)."""


def _unit_rows(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=np.float32)
    return w / np.maximum(np.linalg.norm(w, axis=1, keepdims=True), np.float32(1e-30))


def _centred_cos(x: np.ndarray, y: np.ndarray) -> float:
    a = x.astype(np.float64).ravel()
    b = y.astype(np.float64).ravel()
    a -= a.mean()
    b -= b.mean()
    denom = float(np.sqrt((a @ a) * (b @ b)))
    return float(a @ b / denom) if denom > 0 else float("nan")


def _moe_side(pair: PairWeights) -> str:
    moe = {s: any(k[2] is not None for k in pair.specs[s] if k[1] in Role.MLP) for s in ("a", "b")}
    if moe["a"] == moe["b"]:
        raise IncompatibleModelsError(
            f"{NAME} compares an MoE with a dense model; "
            + ("both are MoE" if moe["a"] else "neither is an MoE")
        )
    return "a" if moe["a"] else "b"


def compare_weights(
    fp_a: ModelFingerprint, fp_b: ModelFingerprint, pair: PairWeights, *, null_size: int, seed: int
) -> MethodResult:
    """Per layer and expert: gate/up/down similarity to the dense MLP after neuron matching.

    ``per_layer``: ``layers`` (the MoE's), ``dense_layers``, ``experts`` (ids), ``evidence`` (layer ×
    expert: mean of gate and down cosines), ``z`` (layer × expert), ``cos_gate``/``cos_up``/
    ``cos_down`` (layer × expert). ``extra``: ``moe`` ("a"/"b"), ``from_dense`` (experts with z ≥ 5 in
    at least half the layers), ``from_dense_cells``, ``cells``, ``neurons``, ``basis``.
    """
    moe = _moe_side(pair)
    dense = "b" if moe == "a" else "a"
    alignment = pair.hidden_alignment()
    layer_pairs = tested_layers(_layer_pairs(pair, fp_a, fp_b, seed))

    def read(side: str, layer: int, role: str, expert: int | None) -> np.ndarray | None:
        w = pair.part(side, layer, role, expert)
        if w is None:
            return None
        if role == Role.DOWN:  # (hidden, neurons): the hidden basis is the row index
            return (alignment.apply_a(w.T) if side == "a" else alignment.apply_b(w.T)).T
        return alignment.apply_a(w) if side == "a" else alignment.apply_b(w)

    layers, dense_layers, evid, zs, cg, cu, cd = [], [], [], [], [], [], []
    experts: list[int] = []
    null_var_terms: list[int] = []  # entries of each compared matrix, for the closed-form null
    neurons = 0
    for la, lb in layer_pairs:
        lm, ld = (la, lb) if moe == "a" else (lb, la)
        ids = [e for e in pair.experts(moe, lm) if e is not None]
        up = read(dense, ld, Role.UP, None) if ids else None
        if up is None:
            continue
        # The dense W_up is kept only as unit rows and their norms (once per layer, for every expert),
        # made before the gate and down are read: at 13,824 × 5120 each float32 copy is 283 MB.
        up_norms = np.linalg.norm(up, axis=1).astype(np.float32)
        dense_up = _unit_rows(up)
        del up
        d = {r: read(dense, ld, r, None) for r in (Role.GATE, Role.DOWN)}
        if any(v is None for v in d.values()):
            continue
        experts = experts or ids
        width = dense_up.shape[1]
        row_e, row_z, row_g, row_u, row_d = [], [], [], [], []
        for e in experts:
            x = {r: read(moe, lm, r, e) for r in Role.MLP}
            if any(v is None for v in x.values()) or x[Role.UP].shape[1] != width:
                (
                    row_e.append(None),
                    row_z.append(None),
                    row_g.append(None),
                    row_u.append(None),
                    row_d.append(None),
                )
                continue
            rows = _rows(x[Role.UP].shape[0], MAX_EXPERT_NEURONS)
            neurons = max(neurons, rows.size)
            # float32 product (~1e-6 relative error, far below what the matching resolves); scipy
            # takes the cosine matrix in float64.
            cos = (_unit_rows(x[Role.UP][rows]) @ dense_up.T).astype(np.float64)
            r, c = linear_sum_assignment(cos, maximize=True)
            src, dst = rows[r], c
            g = _centred_cos(x[Role.GATE][src], d[Role.GATE][dst])
            u = _centred_cos(x[Role.UP][src], dense_up[dst] * up_norms[dst, None])
            dn = _centred_cos(x[Role.DOWN][:, src], d[Role.DOWN][:, dst])
            n_g, n_d = src.size * x[Role.GATE].shape[1], src.size * x[Role.DOWN].shape[0]
            ev = (g + dn) / 2.0
            sd = np.sqrt(1.0 / max(n_g - 1, 1) + 1.0 / max(n_d - 1, 1)) / 2.0
            null_var_terms += [n_g, n_d]
            row_e.append(ev), row_z.append(ev / sd), row_g.append(g), row_u.append(u), row_d.append(dn)
            del x, cos
        del dense_up, d
        layers.append(lm)
        dense_layers.append(ld)
        evid.append(row_e), zs.append(row_z), cg.append(row_g), cu.append(row_u), cd.append(row_d)
    cells = [v for row in evid for v in row if v is not None]
    if not cells:
        raise IncompatibleModelsError(
            f"{NAME}: no expert MLP matches the shape of the dense MLP in the same layer"
        )
    score = float(np.mean(cells))
    from_dense_cells = sum(1 for row in zs for z in row if z is not None and z >= Z_EXPERT)
    from_dense = [
        e
        for k, e in enumerate(experts)
        if sum(1 for row in zs if row[k] is not None and row[k] >= Z_EXPERT) * 2 >= len(zs)
    ]
    per_layer = {
        "layers": layers,
        "dense_layers": dense_layers,
        "experts": experts,
        "evidence": evid,
        "z": zs,
        "cos_gate": cg,
        "cos_up": cu,
        "cos_down": cd,
    }
    extra = {
        "moe": moe,
        "from_dense": from_dense,
        "from_dense_cells": from_dense_cells,
        "cells": len(cells),
        "neurons": neurons,
        "basis": alignment.to_dict(),
    }
    # Each evidence cell is the mean of two cosines; the score the mean of all cells: the null is the
    # mean of every compared cosine (same count per cell), whose std is known in closed form.
    lengths = np.asarray(null_var_terms, dtype=np.float64)
    rng = np.random.default_rng([seed, 0xE0])
    exact_std = float(np.sqrt(np.sum(1.0 / np.maximum(lengths - 1.0, 1.0)))) / lengths.size
    draw = NullDraw(
        cosine_null(lengths, null_size, rng).mean(axis=1),
        "synthetic",
        f"{null_size} synthetic unrelated pairs: independent expert and dense weights over the same "
        f"{len(cells)} (layer, expert) cells",
        exact_mean=0.0,
        exact_std=exact_std,
    )
    who = "A" if moe == "a" else "B"
    reading = (
        f"Model {who}'s experts against the other model's dense MLP after neuron matching: mean gate/down "
        f"cosine {score:.3f}; {len(from_dense)} of {len(experts)} experts look initialised from the dense "
        f"MLP (z ≥ {Z_EXPERT:.0f} in at least half of {len(layers)} layers"
        + (f": {', '.join(map(str, from_dense))})." if from_dense else ").")
    )
    result = MethodResult(NAME, score, per_layer, reading, extra=extra)
    result.calibration = calibrate_draws(score, [draw])
    return result


METHOD = Method(
    NAME,
    TITLES[NAME],
    *weights_only(NAME),
    needs_weights=True,
    compare_weights=compare_weights,
    needs=("weights", "one MoE and one dense model"),
    blind_to="dense-to-dense relations; experts whose hidden units were moved without a vocabulary anchor",
    detects=(UPCYCLED,),
)
