"""``neuron_matching``: the independence test of Zhu, Ahmed, Kuditipudi & Liang (ICML 2025, arXiv 2502.12292).

Null hypothesis: the two models were trained from independent random initialisations. Training
is equivariant to permutations of a layer's MLP neurons, so under the null B's neuron order is
exchangeable with respect to A's, and anything computed from a matching of neurons is an exact
test. Per MLP layer pair:

1. the rows of W_up (one per neuron) in a shared residual basis (``weights.hidden_alignment``: the
   embedding anchor undoes a hidden permutation/sign flip/rotation first; A's sampled rows are
   moved into B's basis, which is cheaper than moving all of B's and changes no cosine);
2. cosine matrix between A's neurons (at most ``MAX_NEURONS``, a fixed subsample) and all of B's,
   ``linear_sum_assignment`` maximising the total cosine;
3. Spearman ρ between A's neuron indices and their matches' indices in B; one-sided p_ℓ (a shared
   origin keeps neurons in place: ρ ≈ 1; independent models: ρ ≈ 0). Where the MLP is gated
   (SwiGLU), also their robust variant: the same matching done on W_gate rows, and Spearman
   between the two matchings - a shared origin finds the same partner twice even when B's neurons
   were deliberately re-ordered, which defeats the first test. It is only valid if a neuron's
   gate row does not resemble its own up row (else unrelated models' matchings agree too), so it
   is skipped where their mean |cos| exceeds ``MAX_GATE_UP_COUPLING`` (reported per layer). The
   layer keeps ln(m · min p) over the m tests run (Bonferroni). Computed in log space, floored at 1e-300 per layer;
4. Fisher: χ² = −2 Σ ln p_ℓ with 2L degrees of freedom → p. The score is −log10 p.

MoE layers: every (A variant, B variant) pair of MLPs in a layer (dense MLP, experts; at most
``MAX_VARIANTS`` experts per side) is tested and the layer keeps the smallest p times the number of
pairs tested (Bonferroni), so an expert upcycled from the other model's dense MLP is found.
Different depths: layers are paired as ``embedding_anchor`` matched them (from attention only, so
the pairing is independent of the MLP neuron orders and the test stays exact).

Deep models: at most ``MAX_TESTED_LAYERS`` layer pairs are tested, evenly spaced over the pairs
(the first and the last always; ``tested_layers``). The choice depends only on how many layer pairs
there are, never on the MLP weights, so under independence every tested layer's p is still exactly
uniform and the Fisher p over the subset is exact: the reduction costs power, not validity. Fisher's
χ² grows with the number of layers, so a copy's score over 16 of 48 layers is about a third of the
full one (for Qwen2.5-14B's shape: −log10 p ≈ 4,800 instead of ≈ 14,400, still ≫ any threshold);
only a copy whose per-layer evidence is faint everywhere (χ² per layer barely above its 2 degrees of
freedom) would need every layer, and that is what the subsample gives up. Measured at the full
Qwen2.5-14B shape in ``benchmarks/RESULTS_REAL_SIZE.md``: it is what keeps a whole pair under 20
minutes on two cores.

Permutation-calibrated L2 (their PERMTEST on distance), when both models are dense with identical
MLP shapes and depth: D = sqrt(Σ over layers and sampled neurons ‖up_a[i] − up_b[i]‖²) against
``L2_PERMUTATIONS`` random re-orderings of B's neurons (each layer independently); p = (k+1)/(T+1).
It reuses the dot products of step 2, so it costs O(neurons) per permutation.

Calibration: the Fisher p is calibrated by construction and is what the verdict weighs
(``evidence.strength``: strong at p ≤ 2.87 × 10⁻⁷, the Gaussian 5 sd tail). It is shown as
"p = 10^-x", never as a z: −log10 p is exponential under independence, not Gaussian. When cheap, a
check is drawn beside it: every layer test run once on independent Gaussian matrices of the compared
shapes, combined by Fisher over resampled layers (one extra pass of matching, not one per null draw);
a score inside that simulated null cannot count as strong.

Memory per layer pair: W_up and W_gate (float32), the k × I_b dot products of W_up (float32,
kept for the L2 test) and of W_gate, and one k × I_b float64 cosine matrix at a time (k ≤ 1024:
23 + 23 + 46 MB for I_b = 5632), plus the L2 test's 128 × I_b random keys and their argsort (3 + 6
MB). Only A's k sampled rows are read (streamed); B's two matrices are read whole (2 × 46 MB for
d = 2048, I = 5632; 2 × 180 MB for a 7B model). Time: two k × d × I_b float32 products and two
rectangular assignments per layer pair.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata
from scipy.stats import t as t_dist

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
    UPCYCLED,
    Method,
    MethodResult,
    weights_only,
)

NAME = "neuron_matching"
MAX_NEURONS = 1024
MAX_VARIANTS = 8
L2_PERMUTATIONS = 999
L2_CHUNK = 128
SIMULATED_NULL_BUDGET = 3_500_000
"""Simulate the null only if one draw costs at most this many cosine-matrix entries."""
NEURON_SEED = 11
MAX_GATE_UP_COUPLING = 0.2
"""The agreement test runs only if a neuron's gate and up rows are this dissimilar on average."""
MAX_TESTED_LAYERS = 16
"""At most this many layer pairs get the per-layer test, evenly spaced (see the module docstring)."""
LN10 = math.log(10.0)
LOG_P_FLOOR = math.log(1e-300)


def spearman_log_p(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman ρ and the natural log of its one-sided p-value (ρ > 0), t approximation, log space."""
    m = len(x)
    if m < 4:
        return float("nan"), 0.0
    rx, ry = rankdata(x), rankdata(y)
    rho = float(np.corrcoef(rx, ry)[0, 1])
    if not np.isfinite(rho):
        return float("nan"), 0.0
    r = min(rho, 1.0 - 1e-15)
    t = r * math.sqrt((m - 2) / (1.0 - r * r))
    # Floor at 1e-300 per layer: beyond it the t tail underflows to −inf, and Fisher needs finite terms.
    return rho, max(float(t_dist.logsf(t, m - 2)), LOG_P_FLOOR)


def fisher_log_p(log_ps: list[float]) -> tuple[float, float]:
    """Fisher's χ² = −2 Σ ln p over the layers and ln of its p-value (df = 2L).

    With an even df the survival function has a closed form, Q(L, y) = e^(−y) Σ_{k<L} y^k / k!
    (y = χ²/2), evaluated in log space: exact where scipy's ``chi2.logsf`` underflows to −inf
    (around p = 1e-300).
    """
    stat = -2.0 * float(np.sum(log_ps))
    y = stat / 2.0
    if y <= 0.0:
        return stat, 0.0
    k = np.arange(len(log_ps), dtype=np.float64)
    terms = k * math.log(y) - np.array([math.lgamma(i + 1.0) for i in k])
    top = float(terms.max())
    return stat, min(0.0, -y + top + math.log(float(np.exp(terms - top).sum())))


def _rows(n_rows: int, cap: int) -> np.ndarray:
    if n_rows <= cap:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng([NEURON_SEED, n_rows]).choice(n_rows, cap, replace=False))


def _assign(
    a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows of ``a`` matched to rows of ``b`` maximising total cosine: (full match of a's rows to b's
    indices, -1 where unmatched; matched cosines; raw dots (k × I_b float32); ‖a_i‖²; ‖b_j‖² (float64)).

    The product is float32 (half the memory of float64; ~1e-6 relative error, far below what the
    matching or the L2 test resolve); the cosine matrix handed to scipy is float64, as it requires.
    """
    a32, b32 = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    na2 = np.einsum("ij,ij->i", a32, a32, dtype=np.float64)
    nb2 = np.einsum("ij,ij->i", b32, b32, dtype=np.float64)
    dots = a32 @ b32.T
    cos = dots.astype(np.float64)
    cos /= np.sqrt(np.maximum(na2, 1e-300))[:, None]
    cos /= np.sqrt(np.maximum(nb2, 1e-300))[None, :]
    r, c = linear_sum_assignment(cos, maximize=True)
    match = np.full(a.shape[0], -1, dtype=np.int64)
    match[r] = c
    return match, cos[r, c], dots, na2, nb2


def match_neurons(
    up_a: np.ndarray,
    up_b: np.ndarray,
    gate_a: np.ndarray | None = None,
    gate_b: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> dict:
    """Match A's sampled neurons (rows) to B's by cosine and test the matching two ways.

    * ``identity`` (Zhu et al.'s constrained test): Spearman of the W_up matching against the
      identity - B's neurons sit where A's are;
    * ``agreement`` (their robust variant, when gates are given): Spearman between the matching
      found from W_up and the one found from W_gate - the same neurons are found twice, so it
      survives a deliberate permutation of B's neurons. It assumes gate and up rows of one
      neuron carry no shared signature that two independent models would both reproduce.

    ``log_p`` = ln(m · min p) over the m tests run (Bonferroni; the agreement test needs gates whose
    rows are not coupled to the up rows, see ``gate_up_coupling``). Also returns rho (of the
    better test), rho_identity/rho_agreement, matched_cos (mean cosine of W_up matches), rows (A's
    sampled neuron ids), dots (k × I_b float32, for the L2 test), na2/nb2 (squared row norms).
    ``rows``: when given, ``up_a``/``gate_a`` hold only those rows (A's neuron ids) already sampled.
    """
    if rows is None:
        rows = _rows(up_a.shape[0], MAX_NEURONS)
        up_a, gate_a = up_a[rows], (gate_a[rows] if gate_a is not None else None)
    match, cos, dots, na2, nb2 = _assign(up_a, up_b)
    ok = match >= 0
    rho_i, lp_i = spearman_log_p(rows[ok], match[ok])
    tests = [(lp_i, rho_i)]
    rho_g = float("nan")
    coupling = float("nan")
    if gate_a is not None and gate_b is not None:
        # If a neuron's gate row resembles its own up row, both matchings would find the same
        # partner even between unrelated models: the agreement test is then not valid.
        coupling = max(_row_coupling(gate_a, up_a), _row_coupling(gate_b, up_b))
        if coupling <= MAX_GATE_UP_COUPLING:
            match_g = _assign(gate_a, gate_b)[0]
            both = ok & (match_g >= 0)
            rho_g, lp_g = spearman_log_p(match[both], match_g[both])
            tests.append((lp_g, rho_g))
    log_p, rho = min(tests)
    log_p = min(0.0, log_p + math.log(len(tests)))
    return {
        "rho": rho,
        "rho_identity": rho_i,
        "rho_agreement": rho_g,
        "log_p": log_p,
        "matched_cos": float(cos.mean()),
        "rows": rows,
        "dots": dots,
        "na2": na2,
        "nb2": nb2,
        "gate_up_coupling": coupling,
    }


def _row_coupling(gate: np.ndarray, up: np.ndarray) -> float:
    """Mean |cosine| between each neuron's gate row and its own up row (≈ 1/√d when unrelated)."""
    # einsum with dtype accumulates in float64 through its buffered iterator: no float64 copy of
    # the (I × d) matrices is made.
    num = np.einsum("ij,ij->i", gate, up, dtype=np.float64)
    den = np.sqrt(
        np.einsum("ij,ij->i", gate, gate, dtype=np.float64) * np.einsum("ij,ij->i", up, up, dtype=np.float64)
    )
    return float(np.mean(np.abs(num) / np.maximum(den, 1e-300)))


def _columns(w: np.ndarray, cols: np.ndarray | None) -> np.ndarray:
    return w if cols is None else w[:, cols]


def _layer_pairs(
    pair: PairWeights, fp_a: ModelFingerprint, fp_b: ModelFingerprint, seed: int
) -> list[tuple[int, int]]:
    la, lb = pair.num_layers("a"), pair.num_layers("b")
    if la == lb:
        return [(i, i) for i in range(la)]
    if "layer_pairs" not in pair.cache:
        from . import embedding_anchor  # the layer matching is AWM's; computed once per pair

        embedding_anchor.compare_weights(fp_a, fp_b, pair, null_size=2, seed=seed)
    return list(pair.cache["layer_pairs"])


def tested_layers(layer_pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The layer pairs tested: all of them up to ``MAX_TESTED_LAYERS``, else that many evenly spaced
    (first and last included). A function of the count alone, so the test stays exact."""
    if len(layer_pairs) <= MAX_TESTED_LAYERS:
        return list(layer_pairs)
    keep = np.unique(np.linspace(0, len(layer_pairs) - 1, MAX_TESTED_LAYERS).round().astype(int))
    return [layer_pairs[int(k)] for k in keep]


def _variants(pair: PairWeights, la: int, lb: int) -> list[tuple[int | None, int | None]]:
    va = pair.experts("a", la)[:MAX_VARIANTS]
    vb = pair.experts("b", lb)[:MAX_VARIANTS]
    return [(x, y) for x in va for y in vb]


def _label(ea: int | None, eb: int | None) -> str:
    def one(e: int | None) -> str:
        return "dense" if e is None else ("shared expert" if e < 0 else f"expert {e}")

    return f"{one(ea)} vs {one(eb)}"


def compare_weights(
    fp_a: ModelFingerprint,
    fp_b: ModelFingerprint,
    pair: PairWeights,
    *,
    null_size: int,
    seed: int,
    alignment: HiddenAlignment | None = None,
    layer_pairs: list[tuple[int, int]] | None = None,
    simulate: bool = True,
) -> MethodResult:
    """Fisher-combined Spearman test over MLP layers; score = −log10 p (see the module docstring).

    ``per_layer``: ``layers_a``, ``layers_b``, ``spearman`` (ρ of the best variant pair, of its better
    test), ``spearman_identity``, ``spearman_agreement`` (NaN where not run), ``gate_up_coupling``,
    ``log10_p`` (Bonferroni-corrected per layer), ``matched_cos``, ``variant`` ("dense vs dense",
    "expert 2 vs dense", ...), ``pairs_tested``. ``extra``: ``fisher`` {chi2, df, log10_p, p},
    ``basis`` (the hidden alignment), ``neurons`` (A's neurons sampled per layer), ``l2_test``
    {distance, null_mean, null_std, permutations, p} or None with ``l2_test_why``, ``layers_tested``.
    """
    # ``alignment``/``layer_pairs``: given by ``weight_matching`` (found from the weights alone);
    # by default the vocabulary anchor and AWM's layer matching. ``simulate`` False (a null draw of
    # weight_matching's own): no L2 permutation test and no simulated null, the per-layer tests only.
    alignment = alignment if alignment is not None else pair.hidden_alignment()
    layer_pairs = layer_pairs if layer_pairs is not None else _layer_pairs(pair, fp_a, fp_b, seed)
    layers_total = len(layer_pairs)
    layer_pairs = tested_layers(layer_pairs)
    rng = np.random.default_rng([seed, 0x7E0])
    dense = all(pair.experts("a", i) == [None] and pair.experts("b", j) == [None] for i, j in layer_pairs)
    full_width = alignment.kind != "signed_permutation" or alignment.size == pair.hidden_size(
        "a"
    ) == pair.hidden_size("b")
    l2_ok = simulate and dense and full_width and pair.num_layers("a") == pair.num_layers("b")
    l2_obs = 0.0
    l2_null = np.zeros(L2_PERMUTATIONS)
    l2_why = None
    rows_out: dict[str, list] = {
        k: []
        for k in (
            "layers_a",
            "layers_b",
            "spearman",
            "spearman_identity",
            "spearman_agreement",
            "gate_up_coupling",
            "log10_p",
            "matched_cos",
            "variant",
            "pairs_tested",
        )
    }
    log_ps: list[float] = []
    shapes: list[
        tuple[int, int, int, int, bool]
    ] = []  # (k, I_b, width, variant pairs, gated): simulated null
    neurons = 0
    for la, lb in layer_pairs:
        variants = [
            (x, y)
            for x, y in _variants(pair, la, lb)
            if pair.spec("a", la, Role.UP, x) is not None and pair.spec("b", lb, Role.UP, y) is not None
        ]
        if not variants:
            continue
        best: dict | None = None
        best_label = ""
        for ea, eb in variants:
            # Compared in B's basis: only A's sampled rows are moved (see HiddenAlignment.a_in_b).
            # Only A's sampled rows are read, and moved into B's basis (HiddenAlignment.a_in_b).
            shape_a = tuple(pair.spec("a", la, Role.UP, ea).shape)
            same_shape = shape_a == tuple(pair.spec("b", lb, Role.UP, eb).shape)
            rows = _rows(shape_a[0], MAX_NEURONS)
            up_a, cols = alignment.a_in_b(pair.part("a", la, Role.UP, ea, rows=rows))
            up_b = _columns(pair.part("b", lb, Role.UP, eb), cols)
            spec_ga, spec_gb = pair.spec("a", la, Role.GATE, ea), pair.spec("b", lb, Role.GATE, eb)
            gated = (
                spec_ga is not None
                and spec_gb is not None
                and spec_ga.shape[0] == shape_a[0]
                and spec_gb.shape[0] == up_b.shape[0]
            )
            gate_a = gate_b = None
            if gated:
                gate_a = alignment.a_in_b(pair.part("a", la, Role.GATE, ea, rows=rows))[0]
                gate_b = _columns(pair.part("b", lb, Role.GATE, eb), cols)
            m = match_neurons(up_a, up_b, gate_a if gated else None, gate_b if gated else None, rows=rows)
            if l2_ok and len(variants) == 1:
                if not same_shape:
                    l2_ok, l2_why = False, "MLP shapes differ"
                else:
                    idx = m["rows"]
                    d2 = m["na2"] + m["nb2"][idx] - 2.0 * m["dots"][np.arange(idx.size), idx]
                    l2_obs += float(d2.sum())
                    # T random re-orderings of B's neurons at once (rows of ``perm``), restricted to the
                    # sampled neurons: ‖a_i − b_π(i)‖² = ‖a_i‖² + ‖b_π(i)‖² − 2 a_i·b_π(i).
                    # In chunks of L2_CHUNK permutations, so the random keys stay small (≤ 128 × I_b).
                    for t0 in range(0, L2_PERMUTATIONS, L2_CHUNK):
                        t1 = min(L2_PERMUTATIONS, t0 + L2_CHUNK)
                        perm = np.argsort(rng.random((t1 - t0, up_b.shape[0]), dtype=np.float32), axis=1)[
                            :, idx
                        ]
                        l2_null[t0:t1] += (
                            m["na2"].sum()
                            + m["nb2"][perm].sum(axis=1)
                            - 2.0 * m["dots"][np.arange(idx.size)[None, :], perm].sum(axis=1)
                        )
            shapes.append((m["rows"].size, up_b.shape[0], up_a.shape[1], len(variants), gated))
            neurons = max(neurons, int(m["rows"].size))
            del up_a, up_b, gate_a, gate_b
            m.pop("dots")
            if best is None or m["log_p"] < best["log_p"]:
                best, best_label = m, _label(ea, eb)
        assert best is not None
        # Bonferroni over the variant pairs tested in this layer: ln(min(1, m · p)).
        log_p = min(0.0, best["log_p"] + math.log(len(variants)))
        log_ps.append(log_p)
        for key, val in (
            ("layers_a", la),
            ("layers_b", lb),
            ("spearman", best["rho"]),
            ("spearman_identity", best["rho_identity"]),
            ("spearman_agreement", best["rho_agreement"]),
            ("gate_up_coupling", best["gate_up_coupling"]),
            ("log10_p", log_p / LN10),
            ("matched_cos", best["matched_cos"]),
            ("variant", best_label),
            ("pairs_tested", len(variants)),
        ):
            rows_out[key].append(val)
    if not log_ps:
        raise IncompatibleModelsError(f"{NAME}: no MLP up projection in matched layers of both models")
    stat, log_p = fisher_log_p(log_ps)
    score = -log_p / LN10
    p = math.exp(log_p)
    l2 = None
    if l2_ok and l2_obs > 0:
        k = int(np.count_nonzero(l2_null <= l2_obs))
        l2 = {
            "distance": math.sqrt(l2_obs),
            "null_mean": float(np.sqrt(l2_null).mean()),
            "null_std": float(np.sqrt(l2_null).std(ddof=1)),
            "permutations": L2_PERMUTATIONS,
            "p": (k + 1) / (L2_PERMUTATIONS + 1),
        }
    elif l2_why is None:
        l2_why = "needs two dense models with the same depth, MLP shapes and hidden width"
    extra = {
        "fisher": {"chi2": stat, "df": 2 * len(log_ps), "log10_p": log_p / LN10, "p": p},
        "basis": alignment.to_dict(),
        "neurons": neurons,
        "layers_tested": len(log_ps),
        "layers_total": layers_total,
        "layers_subsampled": len(layer_pairs) < layers_total,
        "l2_test": l2,
        "l2_test_why": None if l2 else l2_why,
    }
    result = MethodResult(
        NAME, score, rows_out, _reading(score, log_p, len(log_ps), layers_total, alignment, l2), extra=extra
    )
    sim = _simulated_null(shapes, len(log_ps), null_size, rng) if simulate else None
    result.calibration = fisher_calibration(log_ps, [sim] if sim is not None else [])
    return result


def fisher_calibration(log_ps: list[float], draws: list[NullDraw]) -> dict:
    """The calibration block of a Fisher-combined score (``weight_matching`` shares it): the exact p
    over the per-layer ln p's, with ``draws`` (non-Gaussian nulls of −log10 p) as checks beside it.
    No z: ``evidence.strength`` weighs the p itself."""
    _stat, log_p = fisher_log_p(log_ps)
    return calibrate_draws(
        -log_p / LN10, draws, exact_p=math.exp(log_p), exact_p_source="fisher", exact_log10_p=log_p / LN10
    )


def _simulated_null(
    shapes: list[tuple[int, int, int, int, bool]], layers: int, size: int, rng: np.random.Generator
) -> NullDraw | None:
    """The test on one simulated unrelated pair, then Fisher over resampled layers (when cheap).

    Every layer test is run once on independent Gaussian W_up (and W_gate) of that layer's shapes,
    with the same Bonferroni step; ``size`` Fisher combinations are then drawn by resampling those
    per-layer p-values with replacement. This checks the per-layer p-values' calibration for these
    shapes at the cost of one extra pass of matching (not ``size`` of them).
    """
    if sum(k * ib * (1 + gated) for k, ib, _w, _v, gated in shapes) > SIMULATED_NULL_BUDGET:
        return None
    per_layer: list[float] = []
    i = 0
    while i < len(shapes):
        v = shapes[i][3]
        best = 0.0
        for k, ib, width, _, gated in shapes[i : i + v]:
            gates = (
                (rng.standard_normal((k, width)), rng.standard_normal((ib, width))) if gated else (None, None)
            )
            best = min(
                best,
                match_neurons(rng.standard_normal((k, width)), rng.standard_normal((ib, width)), *gates)[
                    "log_p"
                ],
            )
        per_layer.append(min(0.0, best + math.log(v)))
        i += v
    pool = np.array(per_layer)
    samples = [-fisher_log_p(list(rng.choice(pool, size=layers)))[1] / LN10 for _ in range(size)]
    return NullDraw(
        np.array(samples),
        "synthetic",
        f"{size} simulated unrelated pairs: the test run on independent Gaussian W_up/W_gate of the "
        f"compared shapes ({layers} layers), Fisher over resampled layers",
        gaussian=False,  # −log10 of a p-value: exponential, so no z
    )


def layers_phrase(tested: int, total: int) -> str:
    """ "12 layers", or "16 of 48 layers (evenly spaced)" when the depth was subsampled."""
    return f"{tested} layers" if tested >= total else f"{tested} of {total} layers (evenly spaced)"


def _reading(
    score: float, log_p: float, layers: int, total: int, al: HiddenAlignment, l2: dict | None
) -> str:
    basis = {
        "signed_permutation": "after undoing the hidden permutation found through the shared vocabulary",
        "rotation": "after undoing the residual rotation found through the shared vocabulary",
        "identity": "in the stored hidden order (no usable vocabulary anchor)",
    }[al.kind]
    reading = (
        f"Matching MLP neurons {basis}, the matches keep their positions far more than chance: "
        if score > 3
        else f"Matching MLP neurons {basis}: "
    )
    reading += (
        f"Fisher-combined p = 10^{log_p / LN10:.1f} over {layers_phrase(layers, total)} for the hypothesis that the "
        "models were trained from independent initialisations."
    )
    if l2 is not None:
        reading += (
            f" L2 distance of the up projections {l2['distance']:.3g} against {l2['null_mean']:.3g} ± "
            f"{l2['null_std']:.2g} with B's neurons shuffled (permutation p = {l2['p']:.3f})."
        )
    return reading


METHOD = Method(
    NAME,
    TITLES[NAME],
    *weights_only(NAME),
    needs_weights=True,
    compare_weights=compare_weights,
    needs=("weights", "gated or plain MLP up projections"),
    blind_to="moved hidden units when no vocabulary anchor exists (see weight_matching); MLPs retrained from scratch",
    detects=(EXACT_COPY, SAME_ORDER, QUANTISED, UPCYCLED, RETOKENISED, MOVED_UNITS),
    misses=lambda r: (MOVED_UNITS,) if r.extra["basis"]["kind"] == "identity" else (),
)
