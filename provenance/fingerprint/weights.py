"""Bounded reads of two open checkpoints for the weight-reading methods, and the hidden-basis anchor.

The fingerprint methods never touch weights. ``embedding_anchor``, ``neuron_matching`` and
``expert_upcycling`` must: they compare matrices row by row after undoing permutations of hidden
units. ``PairWeights`` wraps the two open ``Checkpoint`` objects and gives them, per comparison:

* ``part(side, layer, role, expert)``: one matrix in ``torch.nn.Linear``'s (out, in) orientation,
  float32, read on demand and never cached (memory: the stored tensor plus its float32 copy);
* ``hidden_alignment()``: how B's residual (hidden) dimensions map to A's, computed once from the
  embedding rows of the tokens both vocabularies share and cached for every method of the pair.

The anchor (AWM, Zeng et al., arXiv 2510.06738): shared token strings → embedding rows (at most
``MAX_SHARED_TOKENS``, a deterministic subsample) → column cosine matrix (d_a × d_b, columns centred
over the tokens) → ``scipy.optimize.linear_sum_assignment`` on 1 − |cos|, keeping the sign. That
undoes a permutation, sign flips and width pruning of the hidden units. Two extensions, both
decided from the embeddings alone (never from the matrices the methods then compare, so a method's
null stays valid whatever is chosen):

* an orthogonal Procrustes fit when the widths are equal, there are at least 2 × d shared tokens
  and the signed permutation fits poorly but a rotation fits well (a rotated residual stream,
  as SliceGPT/QuaRot-style transforms produce);
* the stored order ("identity") when the anchor is no better than for shuffled tokens (a replaced
  vocabulary: the shared rows were re-initialised) and the widths are equal.

Memory: while aligning, at most three of the four n × d float32 arrays (the embedding rows of each
model and their centred unit copies; n ≤ 8192: 3 × 64 MB for d = 2048, 3 × 128 MB for d = 4096),
plus the d_a × d_b cosine matrix in float64 (32 MB for d = 2048) and scipy's working copy; all freed
once the alignment is found. Only the alignment (three length-d vectors, or a d × d rotation) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from .checkpoint import Checkpoint
from .errors import FingerprintError, IncompatibleModelsError
from .fingerprint import Role
from .layouts import Layout, PartSpec, resolve_layout
from .tokenizers import Vocabulary, find_tokenizer, read_vocabulary, shared_tokens

MAX_SHARED_TOKENS = 8192
"""Embedding rows read per model for the anchor (a deterministic subsample when more are shared)."""
MIN_SHARED_TOKENS = 32
ANCHOR_MARGIN = 0.2
"""The anchor is trusted when its matched |cos| beats the shuffled-token baseline by this much."""
ROTATION_MIN_QUALITY = 0.85
ANCHOR_SEED = 20251008

Key = tuple[int, str, int | None]


@dataclass
class HiddenAlignment:
    """B's hidden dimensions in A's basis: ``apply_b(W_b)`` columns line up with ``apply_a(W_a)``'s.

    ``kind``: "signed_permutation" (AWM; ``idx_a``/``idx_b``/``sign``), "rotation" (``matrix`` =
    orthogonal d_b × d_a map) or "identity" (stored order, equal widths). ``quality``: mean |cos| of
    the matched embedding columns (1 for identical embeddings); ``baseline``: the same after
    shuffling B's token rows (what unrelated embeddings give); ``shared_tokens``: rows used.
    """

    kind: str
    idx_a: np.ndarray
    idx_b: np.ndarray
    sign: np.ndarray
    quality: float
    baseline: float
    shared_tokens: int
    total_shared: int
    matrix: np.ndarray | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    width_b: int = 0  # d_b, B's hidden width

    @property
    def size(self) -> int:
        return int(self.idx_a.size)

    def apply_a(self, w: np.ndarray, positions: np.ndarray | None = None) -> np.ndarray:
        """A's (out, d_a) matrix restricted to the matched hidden dims, in matched order
        (only the matched dims at ``positions`` when given: cheaper than slicing afterwards)."""
        if self.kind != "signed_permutation":
            return w if positions is None else w[:, positions]
        return w[:, self.idx_a if positions is None else self.idx_a[positions]]

    def apply_b(self, w: np.ndarray, positions: np.ndarray | None = None) -> np.ndarray:
        """B's (out, d_b) matrix mapped into A's (matched) hidden basis (see ``apply_a``)."""
        if self.kind == "rotation":
            m = self.matrix if positions is None else self.matrix[:, positions]
            return (w.astype(np.float64) @ m).astype(np.float32)
        if self.kind == "identity":
            return w if positions is None else w[:, positions]
        idx, sign = (
            (self.idx_b, self.sign) if positions is None else (self.idx_b[positions], self.sign[positions])
        )
        return w[:, idx] * sign[None, :].astype(w.dtype)

    def a_in_b(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """A's (out, d_a) matrix moved into B's hidden basis, and the columns of B to compare with it
        (None: all, in stored order). The inverse direction of ``apply_b``: moving the few rows
        sampled from A is cheaper than moving all of B's (no column gather or product over B).
        Every map here is orthogonal, so cosines and distances are the same either way."""
        if self.kind == "identity":
            return w, None
        if self.kind == "rotation":  # b ≈ a Mᵀ when b M ≈ a and M is orthogonal
            return (w.astype(np.float64) @ self.matrix.T.astype(np.float64)).astype(np.float32), None
        moved = w[:, self.idx_a] * self.sign[None, :].astype(w.dtype)
        if self.idx_b.size == self.width_b:
            out = np.empty((w.shape[0], self.width_b), dtype=moved.dtype)
            out[:, self.idx_b] = moved
            return out, None
        return moved, self.idx_b

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "matched_dims": self.size,
            "quality": self.quality,
            "shuffled_baseline": self.baseline,
            "shared_tokens_used": self.shared_tokens,
            "shared_tokens": self.total_shared,
            "sign_flips": int(np.count_nonzero(self.sign < 0)) if self.kind == "signed_permutation" else 0,
            "permuted": int(np.count_nonzero(self.idx_a != self.idx_b))
            if self.kind == "signed_permutation"
            else 0,
            **self.detail,
        }


def _layout(ckpt: Checkpoint) -> Layout:
    return resolve_layout({n: t.shape for n, t in ckpt.tensors.items()}, ckpt.config)


def read_part(ckpt: Checkpoint, spec: PartSpec) -> np.ndarray:
    """One part as float32 in (out, in) orientation. Memory: the stored tensor + its float32 copy
    (only the part's rows of a row-sliced part, e.g. one expert of a GGUF stack)."""
    if spec.rows is not None:  # a fused slice or one expert of a stack: only its rows are read
        out = ckpt.read_row_ranges(spec.tensor, spec.rows)
    elif spec.cols is not None:
        out = ckpt.read_tensor(spec.tensor)[:, spec.cols[0] : spec.cols[1]].T
    else:
        out = ckpt.read_tensor(spec.tensor)
    return np.ascontiguousarray(out, dtype=np.float32).reshape(spec.shape)  # one expert of a stacked tensor


def read_rows(ckpt: Checkpoint, spec: PartSpec, rows: np.ndarray) -> np.ndarray:
    """Rows ``rows`` (sorted, unique) of a whole 2-D part, streamed: float32 (len(rows), width).

    Memory: the output plus one chunk of about 16 MB; the rest of the matrix is never held.
    """
    if spec.rows is not None or spec.cols is not None or len(spec.stored_shape) != 2:
        return read_part(ckpt, spec)[rows]
    n_rows, width = spec.stored_shape
    info = ckpt.tensors[spec.tensor]
    per_chunk = max(1, (16 << 20) // max(1, width * info.itemsize))
    out = np.empty((len(rows), width), dtype=np.float32)
    start = 0
    k = 0
    for chunk in ckpt.iter_chunks(spec.tensor, per_chunk * width * info.itemsize):
        block = chunk.reshape(-1, width)
        stop = start + block.shape[0]
        j = k
        while j < len(rows) and rows[j] < stop:
            j += 1
        if j > k:
            out[k:j] = block[rows[k:j] - start]
            k = j
        start = stop
        if k == len(rows) and not ckpt.verifies_whole_tensors:
            break
    return out


def unit_columns(x: np.ndarray) -> np.ndarray:
    """Columns centred over rows and scaled to unit length; constant columns become 0.

    float32 (means accumulated in float64): the result only feeds cosines used to match columns,
    and float32 halves the anchor's largest arrays (8192 × d per model).
    """
    c = np.array(x, dtype=np.float32, copy=True)
    c -= x.mean(axis=0, dtype=np.float64).astype(np.float32)
    norm = np.linalg.norm(c, axis=0)
    c /= np.where(norm > 0, norm, 1.0).astype(np.float32)
    return c


def _cross(ua: np.ndarray, ub: np.ndarray, rows_b: np.ndarray | None = None, block: int = 2048) -> np.ndarray:
    """uaᵀ · ub[rows_b] (d_a × d_b), accumulated over blocks of tokens so no re-ordered copy of ub exists."""
    out = np.zeros((ua.shape[1], ub.shape[1]), dtype=np.float64)
    for s in range(0, ua.shape[0], block):
        sel = slice(s, s + block) if rows_b is None else rows_b[s : s + block]
        out += ua[s : s + block].T @ ub[sel]
    return out


def _signed_assignment(
    ua: np.ndarray, ub: np.ndarray, rows_b: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    cos = _cross(ua, ub, rows_b)  # (d_a, d_b); rows_b re-orders B's tokens (the shuffled baseline)
    ia, ib = linear_sum_assignment(-np.abs(cos))
    matched = cos[ia, ib]
    return ia, ib, np.where(matched < 0, -1.0, 1.0).astype(np.float32), float(np.abs(matched).mean())


class PairWeights:
    """The two open checkpoints of a comparison, their layouts, vocabularies and the shared anchor."""

    def __init__(self, a: Checkpoint, b: Checkpoint):
        self.ckpt = {"a": a, "b": b}
        self.layout = {"a": _layout(a), "b": _layout(b)}
        self.specs: dict[str, dict[Key, PartSpec]] = {
            s: {(p.layer, p.role, p.expert): p for p in lay.parts if p.layer is not None and p.sampled}
            for s, lay in self.layout.items()
        }
        self._alignment: HiddenAlignment | None = None
        self._alignment_error: str | None = None
        self._vocab: dict[str, Vocabulary | None] = {}
        self.cache: dict[str, Any] = {}  # per-pair results one method computes and another reuses

    # -- structure -------------------------------------------------------------------------
    def num_layers(self, side: str) -> int:
        return self.layout[side].num_layers

    def spec(self, side: str, layer: int, role: str, expert: int | None = None) -> PartSpec | None:
        return self.specs[side].get((layer, role, expert))

    def experts(self, side: str, layer: int, role: str = Role.UP) -> list[int | None]:
        """MLP variants of a layer: expert ids in order, then a shared expert (-1), then None for a
        dense MLP; [None] for a dense model."""
        found = {k[2] for k in self.specs[side] if k[0] == layer and k[1] == role}
        experts = sorted(e for e in found if e is not None and e >= 0)
        return (
            experts + sorted(e for e in found if e is not None and e < 0) + ([None] if None in found else [])
        )

    def part(
        self, side: str, layer: int, role: str, expert: int | None = None, rows: np.ndarray | None = None
    ) -> np.ndarray | None:
        """One matrix (float32, (out, in)), or only its ``rows`` (sorted), streamed: then only those
        rows are ever held (plus a ~16 MB read chunk). None if the model has no such part."""
        spec = self.spec(side, layer, role, expert)
        if spec is None:
            return None
        return read_part(self.ckpt[side], spec) if rows is None else read_rows(self.ckpt[side], spec, rows)

    def hidden_size(self, side: str) -> int | None:
        for (_layer, role, _e), spec in self.specs[side].items():
            if role in (Role.Q, Role.UP, Role.GATE):
                return int(spec.shape[1])
        return None

    # -- vocabulary ------------------------------------------------------------------------
    def vocabulary(self, side: str) -> Vocabulary | None:
        if side not in self._vocab and getattr(self.ckpt[side], "vocabulary", None) is not None:
            self._vocab[side] = self.ckpt[side].vocabulary  # a GGUF carries its vocabulary in its metadata
        if side not in self._vocab:
            path = find_tokenizer(self.ckpt[side].root)
            if path is not None:
                self.ckpt[side].checked(path)  # refuses a tokenizer linked out of the permitted folders
            # The link's own name says which kind of tokenizer file it is: read through it.
            self._vocab[side] = read_vocabulary(path) if path is not None else None
        return self._vocab[side]

    def _embedding_spec(self, side: str) -> PartSpec | None:
        parts = [
            p for p in self.layout[side].parts if p.role in (Role.EMBED, Role.LM_HEAD) and len(p.shape) == 2
        ]
        parts.sort(key=lambda p: p.role != Role.EMBED)  # the input embedding first; a tied lm_head else
        return parts[0] if parts else None

    def shared_embeddings(self) -> tuple[np.ndarray, np.ndarray, int]:
        """Embedding rows (float32, n × d) of up to ``MAX_SHARED_TOKENS`` shared tokens, and the total shared."""
        va, vb = self.vocabulary("a"), self.vocabulary("b")
        if va is None or vb is None:
            raise IncompatibleModelsError(
                "no tokenizer file next to "
                + ("A" if va is None else "B")
                + "'s weights: the vocabulary anchor needs both"
            )
        ea, eb = self._embedding_spec("a"), self._embedding_spec("b")
        if ea is None or eb is None:
            raise IncompatibleModelsError("no embedding matrix in " + ("A" if ea is None else "B"))
        shared = [(t, i, j) for t, i, j in shared_tokens(va, vb) if i < ea.shape[0] and j < eb.shape[0]]
        total = len(shared)
        if total > MAX_SHARED_TOKENS:
            # Deterministic in the two vocabularies: the seed is fixed and ``shared`` is sorted.
            pick = np.sort(np.random.default_rng(ANCHOR_SEED).choice(total, MAX_SHARED_TOKENS, replace=False))
            shared = [shared[k] for k in pick]
        if len(shared) < MIN_SHARED_TOKENS:
            raise IncompatibleModelsError(
                f"the vocabularies share only {total} tokens "
                f"(at least {MIN_SHARED_TOKENS} are needed for the anchor)"
            )
        ids_a = np.array([i for _, i, _ in shared], dtype=np.int64)
        ids_b = np.array([j for _, _, j in shared], dtype=np.int64)
        return self._rows("a", ea, ids_a), self._rows("b", eb, ids_b), total

    def _rows(self, side: str, spec: PartSpec, ids: np.ndarray) -> np.ndarray:
        order = np.argsort(ids, kind="stable")
        uniq, inverse = np.unique(ids[order], return_inverse=True)
        rows = read_rows(self.ckpt[side], spec, uniq)
        out = np.empty((len(ids), rows.shape[1]), dtype=np.float32)
        out[order] = rows[inverse]
        return out

    # -- the anchor --------------------------------------------------------------------------
    def hidden_alignment(self) -> HiddenAlignment:
        """B's hidden basis mapped to A's (cached). Raises IncompatibleModelsError when impossible."""
        if self._alignment is None and self._alignment_error is None:
            try:
                self._alignment = self._align()
                self._alignment.width_b = self.hidden_size("b") or 0
            except IncompatibleModelsError as exc:
                self._alignment_error = str(exc)
        if self._alignment is None:
            raise IncompatibleModelsError(self._alignment_error or "no hidden alignment")
        return self._alignment

    def _align(self) -> HiddenAlignment:
        da, db = self.hidden_size("a"), self.hidden_size("b")
        try:
            ea, eb, total = self.shared_embeddings()
        except (IncompatibleModelsError, FingerprintError) as exc:
            if da is not None and da == db:
                ident = np.arange(da)
                return HiddenAlignment(
                    "identity",
                    ident,
                    ident,
                    np.ones(da, np.float32),
                    float("nan"),
                    float("nan"),
                    0,
                    0,
                    detail={"why": f"no anchor ({exc}); stored order"},
                )
            raise IncompatibleModelsError(f"cannot align the hidden dimensions: {exc}") from exc
        n = ea.shape[0]
        ua = unit_columns(ea)
        del ea
        ub = unit_columns(eb)
        del eb
        ia, ib, sign, quality = _signed_assignment(ua, ub)
        # What unrelated embeddings give: the same assignment with B's token rows shuffled.
        baseline = _signed_assignment(ua, ub, np.random.default_rng(ANCHOR_SEED + 1).permutation(n))[3]
        detail: dict[str, Any] = {"permutation_quality": quality}
        if ua.shape[1] == ub.shape[1] and n >= 2 * ua.shape[1] and quality < ROTATION_MIN_QUALITY:
            # A rotated residual stream: Procrustes R minimising ||Ua − Ub R|| over orthogonal R.
            u, _s, vt = np.linalg.svd(ub.T @ ua)
            rot = u @ vt
            fit = float(np.mean(np.sum(ua * (ub @ rot), axis=0)))
            detail["rotation_quality"] = fit
            if fit >= ROTATION_MIN_QUALITY:
                ident = np.arange(ua.shape[1])
                return HiddenAlignment(
                    "rotation",
                    ident,
                    ident,
                    np.ones(ident.size, np.float32),
                    fit,
                    baseline,
                    n,
                    total,
                    matrix=rot,
                    detail=detail,
                )
        if quality < baseline + ANCHOR_MARGIN and da is not None and da == db:
            ident = np.arange(da)
            detail["why"] = (
                "the shared tokens' embeddings align no better than shuffled tokens (a replaced "
                "vocabulary?); hidden dimensions compared in stored order"
            )
            return HiddenAlignment(
                "identity", ident, ident, np.ones(da, np.float32), quality, baseline, n, total, detail=detail
            )
        return HiddenAlignment(
            "signed_permutation",
            ia.astype(np.int64),
            ib.astype(np.int64),
            sign,
            quality,
            baseline,
            n,
            total,
            detail=detail,
        )
