"""``weight_matching``: align two models' hidden units from the weights alone, then test the MLP neurons.

For a copy whose tokenizer and embeddings were replaced: no token is shared, so the vocabulary
anchor (``embedding_anchor``, ``neuron_matching``) has nothing to align B's residual stream with.
The residual basis is instead recovered from matrices every layer has:

1. Per layer, two Gram matrices of the residual stream, both invariant to any re-ordering or
   rotation of heads and MLP neurons: the readers' G_r = Σ_{Q,K,V} (W g)ᵀ(W g) / ‖W g‖² (input
   norm weights g folded in, so a rotation that folded the norms is seen the same way) and the
   writer's G_o = W_O W_Oᵀ / ‖W_O‖². Each is centred (G − tr G/d · I) and scaled to unit norm.
   Under a map x_b = x_a R of the residual stream (R a signed permutation or a rotation), every
   such Gram transforms as G_b = Rᵀ G_a R (the invariant of the Gram-matrix literature).
2. R is found by maximising Σ_ℓ tr(G_a R G_b Rᵀ), the weight-matching objective of Git Re-Basin
   (Ainsworth, Hayase & Srinivasa, ICLR 2023) restricted to the residual symmetry, by their
   alternating linearisation: C = Σ_ℓ G_a R_t G_b, then R_{t+1} = the best map for ⟨C, R⟩ -
   a linear assignment on |C| keeping sign(C) for a signed permutation, the polar factor of C
   (orthogonal Procrustes) for a rotation. Starting points: for the permutation, a linear
   assignment on per-dimension invariants (each Gram's diagonal and off-diagonal row norm),
   signs from the leading eigenvector of Σ G_a ∘ (S G_b S); for the rotation, the eigenvectors of
   a fixed random combination of the Grams (R = U_a S U_bᵀ) with signs fixed the same way.
3. Fit = mean cosine between G_a and R G_b Rᵀ over the Grams; baseline = the same procedure with
   B's layers rolled by half the depth (layers that share no origin, same shapes and spectra). The
   alignment is *found* when the fit beats the baseline by ``ALIGN_MARGIN``. The signed permutation
   is tried first; the rotation (which fits unrelated Grams far better, so has a higher baseline)
   only when the permutation is not found.
4. Different depths (a pruned copy): a layer-to-layer similarity from the reader Grams' eigenvalue
   spectra (invariant to every residual map), through ``aligned_cosine``'s monotone layer alignment
   (layers stay in order, may be skipped), made one to one.
5. The one sign no Gram sees (x ↦ −x of the whole residual stream is itself a symmetry: RMSNorm is
   odd) is fixed from the MLP by a statistic B's neuron order cannot change (``_orient``).
6. The test: ``neuron_matching`` (Zhu et al., ICML 2025) in the recovered basis - MLP neurons of
   A matched to B's by cosine, Spearman against the identity and the gate-vs-up agreement test
   (which survives re-ordered neurons), Fisher over layers. Score = −log10 p.
7. ``aligned_cosine``'s comparisons on the weights in the recovered basis (``aligned_comparisons``,
   the same code): centred cosine per paired layer and role, the layer-to-layer matrix of the
   attention roles and its monotone alignment (``extra.aligned``; charted on the report page).

Why the null holds with the alignment: R is computed from attention matrices and norms only, and
every Gram used is unchanged by a re-ordering of B's MLP neurons. So under independence B's neuron
order stays exchangeable given R, and the per-layer tests keep their exact law (as with the
vocabulary anchor). The fit also gets its own null (the rolled-layer baseline). And every report
draws the end-to-end null: independent synthetic models of the compared shapes (``aligned_null``:
up to 8 pairs, up to 4 layers, within ``NULL_BUDGET``), aligned by the same procedure and tested;
it depends only on the shapes and parameters, so it is kept per shape when a store is given
(``kept_null_layer_tests``, ``null_cache``).
The verdict weighs the Fisher p (``evidence.strength``: strong at p ≤ 2.87 × 10⁻⁷, the Gaussian
5 sd tail), and a score inside the null with the alignment cannot count as strong. No z is shown:
−log10 p is exponential under independence, not Gaussian. Over many independent pairs the Fisher p
stays uniform (``tests/fingerprint/test_weight_matching.py``, ``benchmarks/bench_weight_matching.py``).

Blind spots: different hidden widths (no square residual map); a rotation the Grams cannot pin
down (tiny models with few layers; continued training that moves the Grams more than the fit
margin); MLP-only evidence (the attention must survive to align, the MLP to test); a model
retrained so long that both the Grams and the neurons moved. The aligned per-role cosines are ≈ 0
for heads or neurons re-ordered within a layer (the neuron test is what sees those copies).

Memory: two d × d float32 Grams per used layer and model (at most ``GRAM_BUDGET_BYTES`` in all:
layers are subsampled evenly beyond it; 4 layers at d = 2048), one layer's Q/K/V/O at a time while
building them, plus ``neuron_matching``'s per-layer bound. Time: O(iterations × Grams × d³).
Measured (``benchmarks/bench_methods.py``, 2 × 2.07 GB, d = 2048, a loaded 2-core machine): 74 CPU-s
and 782 MB peak RSS, against 29 CPU-s and 399 MB for ``neuron_matching`` alone in the same run.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from .. import calibration
from ..calibration import NullDraw
from ..errors import IncompatibleModelsError
from ..fingerprint import ModelFingerprint, Role
from ..null_cache import NullStore, cached, null_key
from ..weights import HiddenAlignment, PairWeights, read_part
from . import TITLES, aligned_cosine, neuron_matching
from .base import (
    EXACT_COPY,
    MOVED_UNITS,
    RETOKENISED,
    SAME_ORDER,
    UPCYCLED,
    Method,
    MethodResult,
    weights_only,
)

NAME = "weight_matching"
GRAM_BUDGET_BYTES = 256 << 20
MAX_ITERATIONS = 10
ROTATION_ITERATIONS = 8
ROTATION_TOLERANCE = 1e-6
ALIGN_MARGIN = 0.1
COMBINATION_SEED = 20230501
ORIENT_LAYERS = 3
ORIENT_ROWS = 256


# -- Grams -----------------------------------------------------------------------------------------


def _input_norm(pair: PairWeights, side: str, layer: int, width: int) -> np.ndarray | None:
    for spec in pair.layout[side].parts:
        if (
            spec.layer == layer
            and spec.role == Role.NORM
            and tuple(spec.shape) == (width,)
            and "input" in spec.tensor
        ):
            return read_part(pair.ckpt[side], spec).astype(np.float64)
    return None


def _centred_unit(g: np.ndarray) -> np.ndarray:
    """(G − tr G/d · I) / ‖·‖ as float32, computed in place in ``g`` (float64, the caller's scratch):
    no d × d identity or copies (at d = 5120 each is 210 MB)."""
    g[np.diag_indices_from(g)] -= np.trace(g) / g.shape[0]
    norm = float(np.linalg.norm(g))
    if norm > 0:
        g /= norm
    return g.astype(np.float32)


def layer_grams(pair: PairWeights, side: str, layer: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(reader Gram, writer Gram) of one layer, centred and unit (see the module docstring)."""
    width = pair.hidden_size(side)
    if width is None:
        return None
    g = _input_norm(pair, side, layer, width)
    reader = np.zeros((width, width))
    for role in (Role.Q, Role.K, Role.V):
        w = pair.part(side, layer, role)
        if w is None or w.shape[1] != width:
            return None
        # float32 products (half the time of float64; ~1e-6 relative error, far below what the
        # matching resolves), sums of squares in float64.
        w = w * (g[None, :].astype(np.float32) if g is not None else np.float32(1.0))
        product = w.T @ w
        product /= max(float(np.einsum("ij,ij->", w, w, dtype=np.float64)), 1e-300)
        reader += product
        del product, w
    o = pair.part(side, layer, Role.O)
    if o is None or o.shape[0] != width:
        return None
    writer = (o @ o.T).astype(np.float64)
    writer /= max(float(np.einsum("ij,ij->", o, o, dtype=np.float64)), 1e-300)
    del o
    return _centred_unit(reader), _centred_unit(writer)


# -- alignment from Grams --------------------------------------------------------------------------


def _linearised(
    ga: list[np.ndarray], gb: list[np.ndarray], r: np.ndarray | None, perm: tuple | None = None
) -> np.ndarray:
    """C = Σ_g G_a,g R G_b,g (float64), one Gram at a time (no stacked copy). ``perm`` = (ia, ib, sign)
    when R is a signed permutation: R G_b is then a row gather (O(d²), not a d³ product)."""
    c = np.zeros((ga[0].shape[0], gb[0].shape[1]))
    for a, b in zip(ga, gb, strict=True):
        if perm is None:
            rb = r.astype(a.dtype) @ b
        else:
            ia, ib, sign = perm
            rb = np.empty_like(b)
            rb[ia] = b[ib] * sign[:, None].astype(b.dtype)
        c += a @ rb
    return c


SignedPermutation = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(ia, ib, sign): R[ia[k], ib[k]] = sign[k] with ia = 0, 1, ..., d − 1 (a square assignment's rows) -
a signed permutation without its d × d matrix (at Qwen2.5-14B's d = 5120 each dense copy is 210 MB
and each product with one 0.27 TFLOP)."""


def _fit(ga: list[np.ndarray], gb: list[np.ndarray], r: np.ndarray | SignedPermutation) -> float:
    """Mean cosine of G_a and R G_b Rᵀ (unit Grams, orthogonal R: the cosine is the inner product).
    For a signed permutation R G_b Rᵀ is a gather: (R G_b Rᵀ)[i, j] = s_i s_j G_b[ib_i, ib_j]."""
    if isinstance(r, tuple):
        _ia, ib, sign = r
        s32 = sign.astype(np.float32)
        cos = []
        for a, b in zip(ga, gb, strict=True):
            moved = b[np.ix_(ib, ib)]
            moved *= s32[:, None]
            moved *= s32[None, :]
            cos.append(float(np.einsum("ij,ij->", a, moved, dtype=np.float64)))
            del moved
        return float(np.mean(cos))
    r32 = r.astype(np.float32)
    return float(
        np.mean(
            [np.einsum("ij,ij->", a, r32 @ b @ r32.T, dtype=np.float64) for a, b in zip(ga, gb, strict=True)]
        )
    )


def _signs(pairs) -> np.ndarray:
    """Signs s with G_b ≈ S G_a S entrywise, from (G_a, G_b in A's order) pairs given one at a time:
    the leading eigenvector of Σ G_a ∘ G_b is ≈ s·|v|."""
    k = None
    for a, b in pairs:
        if k is None:
            k = a * b
        else:
            k += a * b
    np.fill_diagonal(k, 0.0)
    _vals, vecs = np.linalg.eigh(k)
    del k
    v = vecs[:, -1]
    s = np.where(v < 0, -1.0, 1.0)
    return s if np.sum(s) >= 0 else -s


def _invariants(g: list[np.ndarray]) -> np.ndarray:
    cols = []
    for m in g:
        diag = np.diag(m).astype(np.float64)
        # Off-diagonal row norms: ‖row‖² − diagonal², without a d × d copy with the diagonal zeroed.
        row2 = np.einsum("ij,ij->i", m, m, dtype=np.float64) - diag**2
        cols += [diag, np.sqrt(np.maximum(row2, 0.0))]
    f = np.stack(cols, axis=1)
    f = f - f.mean(axis=0)
    return f / np.maximum(f.std(axis=0), 1e-300)


def signed_permutation(ga: list[np.ndarray], gb: list[np.ndarray]) -> SignedPermutation:
    """R (a signed permutation, as (ia, ib, sign)) maximising Σ tr(G_a R G_b Rᵀ) (see the module
    docstring). Memory: one d × d float64 matrix (the linearisation) and its sign bits at a time."""
    cost = _invariants(ga) @ _invariants(gb).T
    np.negative(cost, out=cost)
    ia, ib = linear_sum_assignment(cost)
    del cost
    sign = _signs((a, b[np.ix_(ib, ib)]) for a, b in zip(ga, gb, strict=True))  # B's Grams in A's order
    for _ in range(MAX_ITERATIONS):
        c = _linearised(ga, gb, None, (ia, ib, sign))
        negative = c < 0
        np.abs(c, out=c)
        np.negative(c, out=c)
        new_ia, new_ib = linear_sum_assignment(c)
        del c
        new_sign = np.where(negative[new_ia, new_ib], -1.0, 1.0)
        del negative
        if np.array_equal(new_ia, ia) and np.array_equal(new_ib, ib) and np.array_equal(new_sign, sign):
            break
        ia, ib, sign = new_ia, new_ib, new_sign
    return ia, ib, sign


def rotation(ga: list[np.ndarray], gb: list[np.ndarray]) -> np.ndarray:
    """R (d × d orthogonal) maximising Σ tr(G_a R G_b Rᵀ): eigenvector start, Procrustes iterations."""
    coef = np.random.default_rng(COMBINATION_SEED).standard_normal(len(ga))
    ha = sum(c * a for c, a in zip(coef, ga, strict=True))
    hb = sum(c * b for c, b in zip(coef, gb, strict=True))
    ua, ub = np.linalg.eigh(ha)[1], np.linalg.eigh(hb)[1]
    s = _signs((ua.T @ a @ ua, ub.T @ b @ ub) for a, b in zip(ga, gb, strict=True))
    r = (ua * s[None, :]) @ ub.T
    for _ in range(ROTATION_ITERATIONS):
        c = _linearised(ga, gb, r)
        u, _sv, vt = np.linalg.svd(c)
        new = u @ vt
        if np.max(np.abs(new - r)) < ROTATION_TOLERANCE:
            break
        r = new
    return r


def align(
    ga: list[np.ndarray], gb: list[np.ndarray], rolled: list[np.ndarray] | None
) -> tuple[str, np.ndarray, float, float, dict[str, float]]:
    """(kind, R, fit, baseline, fits): the signed permutation if it beats its baseline (the same
    procedure on ``rolled``, B's Grams of other layers) by ``ALIGN_MARGIN``; else the rotation if it
    beats its own baseline (a rotation fits unrelated Grams far better than a permutation does); else
    the permutation, not found. ``rolled`` None (one layer): no baseline, never found."""
    perm = signed_permutation(ga, gb)
    fits = {"signed_permutation": _fit(ga, gb, perm)}
    if rolled is None:
        return "signed_permutation", perm, fits["signed_permutation"], float("nan"), fits
    fits["signed_permutation_baseline"] = _fit(ga, rolled, signed_permutation(ga, rolled))
    if fits["signed_permutation"] >= fits["signed_permutation_baseline"] + ALIGN_MARGIN:
        return (
            "signed_permutation",
            perm,
            fits["signed_permutation"],
            fits["signed_permutation_baseline"],
            fits,
        )
    rot = rotation(ga, gb)
    fits["rotation"] = _fit(ga, gb, rot)
    fits["rotation_baseline"] = _fit(ga, rolled, rotation(ga, rolled))
    if fits["rotation"] >= fits["rotation_baseline"] + ALIGN_MARGIN:
        return "rotation", rot, fits["rotation"], fits["rotation_baseline"], fits
    return "signed_permutation", perm, fits["signed_permutation"], fits["signed_permutation_baseline"], fits


def _spectrum(g: np.ndarray) -> np.ndarray:
    return np.linalg.eigvalsh(g)


def _pair_layers(spec_a: dict[int, np.ndarray], spec_b: dict[int, np.ndarray]) -> list[tuple[int, int]]:
    """Layers of different depths paired through the Gram-based layer similarity (the correlation of
    their reader Grams' spectra, centred on the mean spectrum: invariant to every residual map) by
    ``aligned_cosine``'s monotone layer alignment (a pruned copy keeps its layers in order), then
    made one to one (each layer keeps its most similar partner) so the per-layer tests stay
    independent. Falls back to a linear assignment when no cell is positive."""
    ia, ib = sorted(spec_a), sorted(spec_b)
    sim = spectral_similarity(spec_a, spec_b)
    path = aligned_cosine.monotone_alignment(sim, 0.0)
    best_a: dict[int, tuple[float, int]] = {}
    for i, j in path:  # one partner per layer of B, then per layer of A
        if j not in best_a or sim[i, j] > best_a[j][0]:
            best_a[j] = (float(sim[i, j]), i)
    best_b: dict[int, tuple[float, int]] = {}
    for j, (v, i) in best_a.items():
        if i not in best_b or v > best_b[i][0]:
            best_b[i] = (v, j)
    pairs = sorted((i, j) for i, (_v, j) in best_b.items())
    if not pairs:
        r, c = linear_sum_assignment(-sim)
        pairs = sorted(zip(r.tolist(), c.tolist(), strict=True))
    return [(ia[i], ib[j]) for i, j in pairs]


def spectral_similarity(spec_a: dict[int, np.ndarray], spec_b: dict[int, np.ndarray]) -> np.ndarray:
    """(L_a × L_b) correlation of the layers' reader-Gram spectra, centred on the mean spectrum."""
    ia, ib = sorted(spec_a), sorted(spec_b)
    mean = np.mean([spec_a[i] for i in ia] + [spec_b[j] for j in ib], axis=0)
    xa = np.stack([spec_a[i] - mean for i in ia])
    xb = np.stack([spec_b[j] - mean for j in ib])
    xa /= np.maximum(np.linalg.norm(xa, axis=1, keepdims=True), 1e-300)
    xb /= np.maximum(np.linalg.norm(xb, axis=1, keepdims=True), 1e-300)
    return xa @ xb.T


def hidden_alignment_from_weights(pair: PairWeights) -> tuple[HiddenAlignment, list[tuple[int, int]]]:
    """B's residual basis in A's, found from attention Grams alone, and the layer pairs used.

    Raises IncompatibleModelsError when the widths differ or a layer lacks Q/K/V/O.
    """
    da, db = pair.hidden_size("a"), pair.hidden_size("b")
    if da is None or db is None or da != db:
        raise IncompatibleModelsError(
            f"{NAME}: the hidden widths differ ({da} vs {db}); a weight-only alignment needs equal widths"
        )
    la, lb = pair.num_layers("a"), pair.num_layers("b")
    max_layers = max(1, GRAM_BUDGET_BYTES // (2 * 2 * 4 * da * da))  # 2 models × 2 Grams × float32
    if la == lb:
        used = np.unique(np.linspace(0, la - 1, min(la, max_layers)).round().astype(int))
        grams_a = {i: g for i in used if (g := layer_grams(pair, "a", int(i)))}
        grams_b = {i: g for i in used if (g := layer_grams(pair, "b", int(i)))}
        layer_pairs = [(int(i), int(i)) for i in used if i in grams_a and i in grams_b]
        all_pairs = [(i, i) for i in range(la)]
    else:
        # Depth differs: every layer's spectrum is needed to pair them (one layer's Grams at a time).
        spec_a, spec_b = {}, {}
        for side, spec in (("a", spec_a), ("b", spec_b)):
            for i in range(pair.num_layers(side)):
                g = layer_grams(pair, side, i)
                if g is not None:
                    spec[i] = _spectrum(g[0])
        if not spec_a or not spec_b:
            raise IncompatibleModelsError(f"{NAME}: no layer has Q, K, V and O in both models")
        all_pairs = _pair_layers(spec_a, spec_b)
        keep = np.unique(np.linspace(0, len(all_pairs) - 1, min(len(all_pairs), max_layers)).round())
        layer_pairs = [all_pairs[int(k)] for k in keep]
        grams_a = {i: layer_grams(pair, "a", i) for i, _ in layer_pairs}
        grams_b = {j: layer_grams(pair, "b", j) for _, j in layer_pairs}
    if not layer_pairs:
        raise IncompatibleModelsError(f"{NAME}: no layer has Q, K, V and O in both models")
    ga = [g for i, _ in layer_pairs for g in grams_a[i]]
    gb = [g for _, j in layer_pairs for g in grams_b[j]]
    rolled = None
    if len(layer_pairs) >= 2:
        shift = len(layer_pairs) // 2
        rolled = [
            g
            for k in range(len(layer_pairs))
            for g in grams_b[layer_pairs[(k + shift) % len(layer_pairs)][1]]
        ]
    kind, r, fit, baseline, fits = align(ga, gb, rolled)
    found = bool(np.isfinite(baseline) and fit >= baseline + ALIGN_MARGIN)
    detail = {
        "source": "weights",
        **{f"fit_{k}": v for k, v in fits.items()},
        "found": found,
        "grams": len(ga),
        "layers_used": [[i, j] for i, j in layer_pairs],
    }
    ident = np.arange(da)
    if kind == "rotation":
        al = HiddenAlignment(
            "rotation", ident, ident, np.ones(da, np.float32), fit, baseline, 0, 0, matrix=r.T, detail=detail
        )
    else:
        ia, ib, sign = r
        sign = sign.astype(np.float32)
        al = HiddenAlignment("signed_permutation", ia, ib, sign, fit, baseline, 0, 0, detail=detail)
    al.width_b = db
    return al, all_pairs


def _orient(pair: PairWeights, al: HiddenAlignment, layer_pairs: list[tuple[int, int]]) -> float:
    """Fix the one sign the Grams cannot see (x ↦ −x is a symmetry too) from the MLP, in a way B's
    neuron order cannot change: Σ over A's sampled up rows of (max + min) cosine with B's rows is
    positive when matched neurons point the same way. Returns the statistic (flips ``al`` if < 0)."""
    total = 0.0
    for la, lb in layer_pairs[:ORIENT_LAYERS]:
        ea, eb = pair.experts("a", la), pair.experts("b", lb)  # first MLP variant: dense or expert 0
        spec = pair.spec("a", la, Role.UP, ea[0]) if ea else None
        if spec is None or not eb or pair.spec("b", lb, Role.UP, eb[0]) is None:
            continue
        rows = neuron_matching._rows(spec.shape[0], ORIENT_ROWS)
        up_a, cols = al.a_in_b(pair.part("a", la, Role.UP, ea[0], rows=rows))
        up_b = pair.part("b", lb, Role.UP, eb[0])
        up_b = up_b if cols is None else up_b[:, cols]
        a = up_a / np.maximum(np.linalg.norm(up_a, axis=1, keepdims=True), 1e-30)
        b = up_b / np.maximum(np.linalg.norm(up_b, axis=1, keepdims=True), 1e-30)
        cos = a @ b.T
        total += float(np.sum(cos.max(axis=1) + cos.min(axis=1)))
    if total < 0:
        if al.kind == "rotation":
            al.matrix = -al.matrix
        else:
            al.sign = -al.sign
    return total


# -- comparisons in the aligned basis ---------------------------------------------------------------

SAMPLE_ELEMS = 16384
"""Entries sampled per matrix for the aligned cosines (whole rows: ``SAMPLE_ELEMS // d`` of them)."""
WRITERS = (Role.O, Role.DOWN)
"""Roles whose rows (not columns) are the residual stream: compared through their transpose."""


def _residual_rows(
    pair: PairWeights, side: str, layer: int, role: str, expert: int | None
) -> tuple[np.ndarray, tuple[int, int]] | None:
    """A few whole rows of the matrix oriented (other axis, residual): the same rows in both models
    (``neuron_matching._rows`` depends only on the row count), and that orientation's shape."""
    spec = pair.spec(side, layer, role, expert)
    if spec is None or len(spec.shape) != 2:
        return None
    shape = tuple(spec.shape[::-1]) if role in WRITERS else tuple(spec.shape)
    rows = neuron_matching._rows(shape[0], max(1, SAMPLE_ELEMS // max(shape[1], 1)))
    if role in WRITERS:  # one matrix at a time, only its sampled columns kept
        w = pair.part(side, layer, role, expert)
        return np.ascontiguousarray(w[:, rows].T), shape
    return pair.part(side, layer, role, expert, rows=rows), shape


def _unit(w: np.ndarray) -> np.ndarray | None:
    v = w.astype(np.float64).ravel()
    v -= v.mean()
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 and np.isfinite(norm) else None


def _units(
    pair: PairWeights, side: str, al: HiddenAlignment, layer: int, roles: tuple[str, ...]
) -> dict[str, tuple[tuple[int, int], np.ndarray]]:
    """role → (shape, centred unit sample) of one layer, A's moved into B's basis. MLP roles use the
    layer's first variant (dense MLP or expert 0: an MoE's expert 0 against a dense MLP shows
    upcycling)."""
    out = {}
    for role in roles:
        variants = pair.experts(side, layer, role) if role in Role.MLP else [None]
        got = _residual_rows(pair, side, layer, role, variants[0] if variants else None)
        if got is None:
            continue
        w, shape = got
        if side == "a":
            w = al.a_in_b(w)[0]
        u = _unit(w)
        if u is not None:
            out[role] = (shape, u)
    return out


def aligned_comparisons(pair: PairWeights, al: HiddenAlignment, layer_pairs: list[tuple[int, int]]) -> dict:
    """``aligned_cosine``'s comparisons on the weights in the recovered basis (its code: one
    implementation): centred cosine per paired layer and role (attention and MLP), the
    layer-to-layer matrix over the attention roles (every layer of A against every layer of B)
    and its monotone alignment. Bounded: ``SAMPLE_ELEMS`` entries per matrix, one matrix read at a
    time; only the attention samples of every layer are kept (4 × 2 × L × 128 kB).

    Heads and MLP neurons re-ordered within a layer make those roles' cosines ≈ 0 here even when the
    residual alignment is right (the rows compared are heads' and neurons' rows); the neuron test,
    this method's score, is the one that sees through that.
    """
    attention: tuple[dict[str, list], dict[str, list]] = ({}, {})
    for side, store in zip(("a", "b"), attention, strict=True):
        for layer in range(pair.num_layers(side)):
            for role, (shape, u) in _units(pair, side, al, layer, Role.ATTENTION).items():
                store.setdefault(role, []).append((layer, shape, u))
    cos: list[tuple[tuple[int, str, None], float, int]] = []
    by_layer_a = {role: {lay: (sh, u) for lay, sh, u in v} for role, v in attention[0].items()}
    by_layer_b = {role: {lay: (sh, u) for lay, sh, u in v} for role, v in attention[1].items()}
    for k, (la, lb) in enumerate(layer_pairs):
        ua = {r: by_layer_a[r][la] for r in by_layer_a if la in by_layer_a[r]}
        ub = {r: by_layer_b[r][lb] for r in by_layer_b if lb in by_layer_b[r]}
        ua.update(_units(pair, "a", al, la, Role.MLP))
        ub.update(_units(pair, "b", al, lb, Role.MLP))
        for role in (*Role.ATTENTION, *Role.MLP):
            if role in ua and role in ub and ua[role][0] == ub[role][0]:
                cos.append(((k, role, None), float(ua[role][1] @ ub[role][1]), ua[role][1].size))
    per_pair, by_role = aligned_cosine.per_role_view(cos)
    matrix, cell_std = aligned_cosine.similarity_matrix(
        attention[0], attention[1], pair.num_layers("a"), pair.num_layers("b")
    )
    return {
        "cosine": dict(per_pair["cosine"].items()),
        "pairs": per_pair["layers"],
        "by_role": by_role,
        "mean": float(np.mean([c for _, c, _ in cos])) if cos else None,
        "cell_null_std": cell_std,
        "layer_similarity": aligned_cosine.layer_view(matrix, cell_std, Role.ATTENTION),
    }


# -- the null with the alignment -----------------------------------------------------------------------

NULL_MAX_PAIRS = 8
NULL_MIN_PAIRS = 2
NULL_MAX_LAYERS = 4
NULL_MIN_LAYERS = 2
NULL_BUDGET = 128_000_000
"""Parameters generated for the null with the alignment, per report: independent pairs
(``NULL_MIN_PAIRS``-``NULL_MAX_PAIRS``, never more than ``null_size``) of models ``NULL_MIN_LAYERS``-
``NULL_MAX_LAYERS`` deep (the deeper one; the other keeps the compared depth ratio), as many as fit
this budget. Tiny models get 8 pairs of 4 layers; d = 2048, I = 5632 gets 2 pairs of 2 layers."""


NULL_MAX_GENERATED = 150_000_000
"""Above this many generated parameters (the pairs and layers of ``null_plan`` at the compared
shapes: d = 512 about 110 million, d = 1024 0.18 billion, d = 2048 0.36 billion, Qwen2.5-14B's
d = 5120 2.2 billion) the null with the alignment is not drawn per report: at d = 2048 it took
minutes of CPU, more than the comparison itself. Its calibration at small widths is measured in
``benchmarks/RESULTS_METHODS.md``; larger pairs are weighed on the Fisher p and the simulated null."""


def _layer_parameters(pair: PairWeights, side: str) -> int:
    return sum(int(np.prod(spec.shape)) for (layer, _r, _e), spec in pair.specs[side].items() if layer == 0)


def null_plan(pair: PairWeights, null_size: int) -> tuple[int, int, int]:
    """(pairs, layers of A, layers of B) of the null with the alignment (see ``NULL_BUDGET``)."""
    la, lb = pair.num_layers("a"), pair.num_layers("b")
    per_layer = _layer_parameters(pair, "a") + _layer_parameters(pair, "b")
    deepest = max(la, lb)
    deep = max(min(deepest, NULL_MIN_LAYERS), min(deepest, NULL_MAX_LAYERS, NULL_BUDGET // max(per_layer, 1)))
    pairs = min(null_size, NULL_MAX_PAIRS, max(NULL_MIN_PAIRS, NULL_BUDGET // max(per_layer * deep, 1)))
    return pairs, max(1, round(la * deep / deepest)), max(1, round(lb * deep / deepest))


def _shape_of(pair: PairWeights, side: str, layers: int):
    """The ``synthetic.ModelShape`` of one compared model at ``layers`` layers, or None when the
    generator cannot reproduce its attention shapes (Q rows ≠ width)."""
    from ..synthetic.models import ModelShape

    d = pair.hidden_size(side)
    q, k = pair.spec(side, 0, Role.Q), pair.spec(side, 0, Role.K)
    variants = pair.experts(side, 0)
    up = pair.spec(side, 0, Role.UP, variants[0]) if variants else None
    if d is None or q is None or k is None or up is None or q.shape[0] != d:
        return None
    head_dim = max(h for h in range(1, 129) if d % h == 0 and k.shape[0] % h == 0)
    experts = len([e for e in variants if e is not None and e >= 0])
    return ModelShape(
        hidden_size=d,
        num_layers=layers,
        num_heads=d // head_dim,
        num_kv_heads=k.shape[0] // head_dim,
        intermediate_size=int(up.shape[0]),
        vocab_size=64,
        num_experts=experts,
    )


def _aligned_test(
    pair: PairWeights, *, null_size: int, seed: int, fp_a=None, fp_b=None, simulate: bool = True
) -> MethodResult:
    """The whole procedure on one pair: weight-only alignment, orientation, neuron test."""
    alignment, layer_pairs = hidden_alignment_from_weights(pair)
    alignment.detail["orientation"] = _orient(pair, alignment, layer_pairs)
    result = neuron_matching.compare_weights(
        fp_a,
        fp_b,
        pair,
        null_size=null_size,
        seed=seed,
        alignment=alignment,
        layer_pairs=layer_pairs,
        simulate=simulate,
    )
    result.extra["_alignment"] = alignment
    result.extra["_layer_pairs"] = layer_pairs
    return result


@functools.lru_cache(maxsize=32)
def _null_layer_tests(shape_a, shape_b, pairs: int, seed: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-layer ln p of the neuron test, and the Gram fit margins, over ``pairs`` independent model
    pairs of these shapes (synthetic ``BaseModel``s of other seeds, recipes "a"/"b" alternating),
    each written to a temporary folder, aligned from the weights by the same procedure and tested.
    Deterministic in its arguments, so cached per process (reports of same-shaped pairs share it)."""
    from ..reader import open_checkpoint
    from ..synthetic.models import BaseModel
    from ..synthetic.writer import write_model

    log_ps: list[float] = []
    margins: list[float] = []
    with tempfile.TemporaryDirectory(prefix="wm-null-") as tmp:
        for k in range(pairs):
            base = 7_000_000 + 1000 * seed + 2 * k
            a = write_model(BaseModel(shape_a, seed=base, recipe="ab"[k % 2]), Path(tmp) / f"{k}a")
            b = write_model(BaseModel(shape_b, seed=base + 1, recipe="ab"[(k + 1) % 2]), Path(tmp) / f"{k}b")
            r = _aligned_test(
                PairWeights(open_checkpoint(a), open_checkpoint(b)), null_size=8, seed=seed, simulate=False
            )
            log_ps += [v * neuron_matching.LN10 for v in r.per_layer["log10_p"]]
            al = r.extra["_alignment"]
            margins.append(float(al.quality - al.baseline))
            shutil.rmtree(a)
            shutil.rmtree(b)
    return tuple(log_ps), tuple(margins)


NULL_VERSION = 1
"""Version of the null with the alignment: bump it whenever a change of code changes its values (the
kept nulls are keyed on it, with the engine version, ``null_parameters`` and the shapes)."""


def null_parameters(pairs: int, seed: int) -> dict:
    """Every parameter that shapes the per-layer pool of the null with the alignment (its key)."""
    return {
        "pairs": pairs,
        "seed": seed,
        "gram_budget_bytes": GRAM_BUDGET_BYTES,
        "max_iterations": MAX_ITERATIONS,
        "rotation_iterations": ROTATION_ITERATIONS,
        "rotation_tolerance": ROTATION_TOLERANCE,
        "align_margin": ALIGN_MARGIN,
        "combination_seed": COMBINATION_SEED,
        "orient_layers": ORIENT_LAYERS,
        "orient_rows": ORIENT_ROWS,
        "neuron_max_neurons": neuron_matching.MAX_NEURONS,
        "neuron_max_variants": neuron_matching.MAX_VARIANTS,
        "neuron_seed": neuron_matching.NEURON_SEED,
        "neuron_max_tested_layers": neuron_matching.MAX_TESTED_LAYERS,
    }


def null_plan_shapes(pair: PairWeights, null_size: int):
    """(pairs, layers of A, layers of B, shape A, shape B) of the null with the alignment, or the
    sentence saying why it is not drawn for this pair."""
    pairs, na, nb = null_plan(pair, null_size)
    generated = pairs * (na * _layer_parameters(pair, "a") + nb * _layer_parameters(pair, "b"))
    if generated > NULL_MAX_GENERATED:
        return (
            f"the compared layers are too wide to generate independent pairs for every report ({generated / 1e9:.1f} "
            f"billion parameters, more than {NULL_MAX_GENERATED / 1e9:.1f}): the Fisher p is checked against "
            "the simulated null only"
        )
    shape_a, shape_b = _shape_of(pair, "a", na), _shape_of(pair, "b", nb)
    if shape_a is None or shape_b is None:
        return "the compared attention shapes cannot be generated (Q rows differ from the width)"
    return pairs, na, nb, shape_a, shape_b


def null_pool_key(shape_a, shape_b, pairs: int, seed: int) -> str:
    """The kept null's key (``null_cache.null_key``) for these shapes and parameters."""
    return null_key(NAME, NULL_VERSION, null_parameters(pairs, seed), [asdict(shape_a), asdict(shape_b)])


def kept_null_layer_tests(
    shape_a, shape_b, pairs: int, seed: int, store: NullStore | None
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``_null_layer_tests``, kept in ``store`` (None: computed, as before). Floats are stored as
    ``float.hex`` strings: exact, and JSON-safe for a -inf."""

    def compute() -> dict:
        log_ps, margins = _null_layer_tests(shape_a, shape_b, pairs, seed)
        return {
            "method": NAME,
            "log_ps": [float(v).hex() for v in log_ps],
            "margins": [float(v).hex() for v in margins],
        }

    key = null_pool_key(shape_a, shape_b, pairs, seed)
    value = cached(store, key, compute)
    try:
        return tuple(map(float.fromhex, value["log_ps"])), tuple(map(float.fromhex, value["margins"]))
    except (KeyError, TypeError, ValueError):  # a kept value of another form: computed again, kept
        value = compute()
        if store is not None:
            store.put(key, value)
        return tuple(map(float.fromhex, value["log_ps"])), tuple(map(float.fromhex, value["margins"]))


def aligned_null(
    pair: PairWeights, layers: int, null_size: int, seed: int, null_cache: NullStore | None = None
) -> NullDraw | str:
    """The score's null with the alignment in it: independent models of the compared shapes (at most
    ``NULL_MAX_LAYERS`` deep, the depth ratio kept), aligned by the same procedure and tested; the
    per-layer p-values of up to ``NULL_MAX_PAIRS`` such pairs (``null_plan``) are pooled and ``null_size`` Fisher combinations
    over ``layers`` resampled layers drawn (as ``neuron_matching``'s simulated null). A sentence
    instead when the shapes cannot be generated. The pool depends only on the shapes and parameters,
    so it is kept in ``null_cache`` when one is given (``kept_null_layer_tests``)."""
    plan = null_plan_shapes(pair, null_size)
    if isinstance(plan, str):
        return plan
    pairs, na, nb, shape_a, shape_b = plan
    pool, margins = kept_null_layer_tests(shape_a, shape_b, pairs, seed, null_cache)
    if not pool:
        return "no layer of the independent pairs could be tested"
    rng = np.random.default_rng([seed, 0x3A11])
    pool_arr = np.array(pool)
    samples = [
        -neuron_matching.fisher_log_p(list(rng.choice(pool_arr, size=layers)))[1] / neuron_matching.LN10
        for _ in range(null_size)
    ]
    draw = NullDraw(
        np.array(samples),
        "synthetic",
        f"{null_size} draws from {pairs} independent model pairs of the compared shapes ({na} and {nb} "
        "layers), aligned from the weights by the same procedure and tested; Fisher over "
        f"{layers} resampled layers",
        gaussian=False,  # −log10 of a p-value: exponential, so no z
    )
    draw.margins = list(margins)  # type: ignore[attr-defined]
    return draw


# -- the method ------------------------------------------------------------------------------------


def compare_weights(
    fp_a: ModelFingerprint,
    fp_b: ModelFingerprint,
    pair: PairWeights,
    *,
    null_size: int,
    seed: int,
    null_cache: NullStore | None = None,
) -> MethodResult:
    """Weight-only alignment, then the neuron-matching test in that basis; score = −log10 p.

    ``per_layer``: as ``neuron_matching``, plus ``aligned_cosine`` (role → centred cosine per tested
    layer pair, in the recovered basis). ``extra``: as ``neuron_matching`` (``basis`` is the
    weight-only alignment: kind, quality = Gram fit, shuffled_baseline = rolled-layer fit, found,
    fit_signed_permutation, fit_rotation, grams, layers_used) plus ``alignment_found``, ``aligned``
    (``aligned_comparisons``: cosine, by_role, mean, layer_similarity - the chart-ready block of
    ``aligned_cosine``) and ``aligned_null`` (the null with the alignment: its pairs, the Gram fit
    margins found between independent models, or why it was not drawn).

    Calibration: the headline p stays the Fisher p (exact given the alignment, see the module
    docstring); the null with the alignment (``aligned_null``) joins ``nulls``, and becomes the
    headline null when its empirical p is the larger, so an alignment that made independent models
    look alike would stop the score counting as strong (``evidence.strength``).
    """
    result = _aligned_test(pair, null_size=null_size, seed=seed, fp_a=fp_a, fp_b=fp_b)
    alignment = result.extra.pop("_alignment")
    layer_pairs = result.extra.pop("_layer_pairs")
    result.method = NAME
    found = alignment.detail["found"]
    result.extra["alignment_found"] = found
    aligned = aligned_comparisons(pair, alignment, neuron_matching.tested_layers(layer_pairs))
    result.extra["aligned"] = aligned
    result.per_layer["aligned_cosine"] = aligned["cosine"]
    null = aligned_null(pair, result.extra["layers_tested"], null_size, seed, null_cache)
    if isinstance(null, str):
        result.extra["aligned_null"] = {"drawn": False, "why": null}
    else:
        result.extra["aligned_null"] = {
            "drawn": True,
            "pairs": len(null.margins),
            "fit_margins": null.margins,
            "alignments_found": sum(m >= ALIGN_MARGIN for m in null.margins),
        }
        draws = list(result.calibration["nulls"])
        summary = calibration.summarise_null(result.score, null)
        cal = result.calibration
        if summary["p"] is not None and (not cal.get("size") or summary["p"] > (cal.get("p_empirical") or 0)):
            keep = {k: cal[k] for k in ("p", "p_source", "log10_p") if k in cal}
            cal.update(dict(summary.items()), **keep)
            cal["p_empirical"] = summary["p"]
        cal["nulls"] = calibration.json_safe([*draws, summary])
    how = {"signed_permutation": "a permutation with sign flips", "rotation": "a rotation"}[alignment.kind]
    mean = aligned["mean"]
    if np.isfinite(alignment.baseline):
        fit = (
            f"Gram fit {alignment.quality:.2f} against {alignment.baseline:.2f} for layers of no common "
            "origin: " + ("an alignment was found" if found else "no better than chance, no alignment found")
        )
    else:  # one layer's Grams: nothing to roll them against (a wide model under GRAM_BUDGET_BYTES)
        fit = (
            f"Gram fit {alignment.quality:.2f} on one layer (a one-layer model, or the most the memory "
            "budget holds at this width), so the fit has no baseline and whether it beats chance is not "
            "known; the neuron test below stays exact either way"
        )
    result.reading = (
        f"Hidden units aligned from the weights alone ({how} of the residual stream; {fit}"
        + f"). In that basis, MLP neuron matching gives a Fisher-combined p = "
        f"10^{-result.score:.1f} over "
        f"{neuron_matching.layers_phrase(result.extra['layers_tested'], result.extra['layers_total'])} for the hypothesis "
        "that the models were trained from independent initialisations"
        + (
            f"; same-named matrices have a mean centred cosine of {mean:.3f} (unrelated: about 0 ± "
            f"{aligned['cell_null_std']:.3f}; re-ordered heads or neurons also give about 0)."
            if mean is not None
            else "."
        )
    )
    return result


METHOD = Method(
    NAME,
    TITLES[NAME],
    *weights_only(NAME),
    needs_weights=True,
    compare_weights=compare_weights,
    keeps_null=True,
    needs=("weights", "the same hidden width", "Q, K, V and O in every layer", "MLP up projections"),
    blind_to=(
        "different hidden widths; copies whose attention was retrained until its Gram matrices moved "
        "(alignment not found); MLPs retrained from scratch"
    ),
    detects=(EXACT_COPY, SAME_ORDER, UPCYCLED, RETOKENISED, MOVED_UNITS),
)
