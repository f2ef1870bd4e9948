"""The index's signatures and digests as stacked NumPy arrays: one query is a few array products.

``Stacked`` groups the indexed signatures by (depth, sample size, seed) and keeps per group the
sketches (n × layers × roles × ``SKETCH_SIZE``), their pooled form and the profiles; ``scores(query)``
returns, for every entry, exactly what ``compare.sketch_score`` and ``compare.profile_r`` give pair by
pair (a test holds them equal), without a Python loop over the entries; ``Stacked.screen`` keeps only
the pooled sketches and profiles (``store.ScreenIndex``). ``Digests`` keeps every
informative tensor digest as the first 64 bits of its BLAKE3, sorted, with its entry, layer and bytes:
a query is one ``searchsorted`` of its own digests (``Digests.of_rows``: only the rows a database
lookup found for the query). Two different tensors share a 64-bit prefix with
probability about 2⁻⁶⁴ per pair (10⁻⁹ for a 2,000-tensor query against 10⁷ indexed tensors).

Both are rebuilt from the index's entries when it changed (an add or a remove marks them stale).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .compare import _stretch
from .exact import Share, Tensor
from .signature import ROLES, SKETCH_SIZE, Signature

NO_SIGNATURE = "no signature"


def _key(digest: str) -> int:
    return int(digest[:16], 16)


@dataclass
class TensorKeys:
    """One checkpoint's informative tensors, compactly: 64-bit digest prefixes, bytes, layers (-1: none)."""

    keys: np.ndarray  # uint64
    nbytes: np.ndarray  # int64
    layer: np.ndarray  # int32

    @classmethod
    def of(cls, tensors: list[Tensor]) -> TensorKeys:
        return cls(
            np.array([_key(t.digest) for t in tensors], dtype=np.uint64),
            np.array([t.nbytes for t in tensors], dtype=np.int64),
            np.array([-1 if t.layer is None else t.layer for t in tensors], dtype=np.int32),
        )

    def to_list(self) -> list:
        return [
            [f"{k:016x}", int(b), (None if x < 0 else int(x))]
            for k, b, x in zip(self.keys.tolist(), self.nbytes, self.layer, strict=True)
        ]


class Digests:
    def __init__(self, entries: list[tuple[int, TensorKeys]]):
        parts = [t for _, t in entries]
        self._sort(
            np.concatenate([t.keys for t in parts]) if parts else np.zeros(0, np.uint64),
            (
                np.concatenate([np.full(len(t.keys), i, dtype=np.int64) for i, t in entries])
                if parts
                else np.zeros(0, np.int64)
            ),
            np.concatenate([t.layer for t in parts]) if parts else np.zeros(0, np.int32),
        )

    @classmethod
    def of_rows(cls, keys: np.ndarray, entry: np.ndarray, layer: np.ndarray) -> Digests:
        """From digest rows a store found (``keys``: the 64-bit prefixes, uint64 or their signed int64
        view; ``entry``: the index ids; ``layer``: -1 for none): only the rows matching a query's
        digests are needed for ``query_keys`` to give what it gives over the whole index."""
        self = cls.__new__(cls)
        self._sort(
            np.asarray(keys).astype(np.int64).view(np.uint64),
            np.asarray(entry, dtype=np.int64),
            np.asarray(layer, dtype=np.int32),
        )
        return self

    def _sort(self, keys: np.ndarray, entry: np.ndarray, layer: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys, self.entry, self.layer = keys[order], entry[order], layer[order]

    def query(self, tensors: list[Tensor], *, exclude: int | None = None) -> dict[int, Share]:
        return self.query_keys(TensorKeys.of(tensors), exclude=exclude)

    def query_keys(self, q: TensorKeys, *, exclude: int | None = None) -> dict[int, Share]:
        if not len(q.keys) or not len(self.keys):
            return {}
        keys, first = np.unique(q.keys, return_index=True)  # a tensor stored twice counts once
        lo = np.searchsorted(self.keys, keys, side="left")
        hi = np.searchsorted(self.keys, keys, side="right")
        shares: dict[int, Share] = defaultdict(Share)
        for k in np.flatnonzero(hi > lo).tolist():
            t = int(first[k])
            layer = None if q.layer[t] < 0 else int(q.layer[t])
            by_entry: dict[int, list[int]] = defaultdict(list)
            for i in range(int(lo[k]), int(hi[k])):
                e = int(self.entry[i])
                if e != exclude:
                    by_entry[e].append(int(self.layer[i]))
            for e, layers in by_entry.items():
                s = shares[e]
                s.tensors += 1
                s.nbytes += int(q.nbytes[t])
                s.query_layers.add(layer)
                s.other_layers.update(None if x < 0 else x for x in layers)
        return dict(shares)


@dataclass
class _Group:
    ids: np.ndarray
    layers: int
    rows: np.ndarray | None  # (n, L, R, K); None in a screen (``Stacked.screen``)
    present: np.ndarray | None  # (n, L, R)
    code: np.ndarray | None  # (n, L, R)
    pooled: np.ndarray  # (n, R, K)
    pooled_code: np.ndarray  # (n, R)
    profile: np.ndarray  # (n, R, 2, L) float64
    has_profile: np.ndarray  # (n, R)


@dataclass
class Scores:
    """Per entry id: the sketch's z and mean cosine (NaN: not comparable, with ``why``), the number of
    parts compared, the profile's r (NaN: no common role) and how many roles it used."""

    z: np.ndarray
    mean_cos: np.ndarray
    parts: np.ndarray
    why: dict[int, str]
    r: np.ndarray
    roles: np.ndarray


class Stacked:
    def __init__(self, signatures: list[Signature | None], names: list[str | None] | None = None):
        self._start(signatures, names)
        for key, ids in self._grouped(signatures).items():
            dense = [signatures[i].dense() for i in ids]
            profile, has = _profiles([signatures[i].profile for i in ids], key[0])
            self.groups[key] = _Group(
                np.array(ids),
                key[0],
                np.stack([d.rows for d in dense]),
                np.stack([d.present for d in dense]),
                np.stack([d.shape_code for d in dense]),
                np.stack([d.pooled for d in dense]),
                np.stack([d.pooled_code for d in dense]),
                profile,
                has,
            )
            rows = self.groups[key].rows
            for n, i in enumerate(ids):  # one copy of the sketches: the signatures now view the stack
                sig = signatures[i]
                for layer, role in sig.sketch:
                    if 0 <= layer < sig.num_layers and role in ROLES:
                        sig.sketch[(layer, role)] = rows[n, layer, ROLES.index(role)]
                sig._dense = None

    @classmethod
    def screen(cls, screens: list, names: list[str | None] | None = None) -> Stacked:
        """The screening form (``store.ScreenRow`` per entry, None where absent): pooled sketches and
        profiles only, a few KB per entry. ``scores`` then gives the exact scores of entries of
        another depth than the query and of the profile, and for entries of the query's depth the
        pooled sketch's z in place of the per-layer one (the same null, about √layers less signal):
        what ``store.search_screened`` ranks to pick the entries to score in full."""
        self = cls.__new__(cls)
        self._start(screens, names)
        for key, ids in self._grouped(screens).items():
            profile, has = _profiles([screens[i].profile for i in ids], key[0])
            self.groups[key] = _Group(
                np.array(ids),
                key[0],
                None,
                None,
                None,
                np.stack([screens[i].pooled for i in ids]),
                np.stack([screens[i].pooled_code for i in ids]),
                profile,
                has,
            )
        return self

    def _start(self, signatures: list, names: list[str | None] | None) -> None:
        self.size = len(signatures)
        self.names = names if names is not None else [None] * self.size
        self.alive = np.array([n is not None for n in self.names], dtype=bool)
        self.tokenizers = [s.tokenizer if s is not None else None for s in signatures]
        self.layers = np.array([s.num_layers if s is not None else 0 for s in signatures], dtype=np.int64)
        self._stretched: dict[tuple, tuple] = {}
        self.groups: dict[tuple, _Group] = {}

    @staticmethod
    def _grouped(signatures: list) -> dict[tuple, list[int]]:
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i, sig in enumerate(signatures):
            if sig is not None:
                groups[(sig.num_layers, sig.sample_size, sig.seed)].append(i)
        return groups

    def scores(self, q: Signature) -> Scores:
        n = self.size
        out = Scores(
            np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, int), {}, np.full(n, np.nan), np.zeros(n, int)
        )
        dq = q.dense()
        q_profile = np.zeros((len(ROLES), 2, q.num_layers))
        q_has = np.zeros(len(ROLES), dtype=bool)
        for r, role in enumerate(ROLES):
            if role in q.profile:
                q_profile[r], q_has[r] = q.profile[role], True
        for (layers, sample_size, seed), g in self.groups.items():
            if sample_size != q.sample_size or seed != q.seed:
                why = (
                    f"the two fingerprints were sampled with different settings (sample size "
                    f"{q.sample_size} and {sample_size}, seed {q.seed} and {seed}): fingerprint both with "
                    "the same settings"
                )
                out.why.update(dict.fromkeys(g.ids.tolist(), why))
            else:
                self._sketch(g, dq, layers == q.num_layers, out)
            self._profile(g, q_profile, q_has, q.num_layers, out)
        return out

    @staticmethod
    def _sketch(g: _Group, dq, same_depth: bool, out: Scores) -> None:
        if same_depth and g.rows is not None:
            both = g.present & dq.present[None]
            valid = both & (g.code == dq.shape_code[None])
            count = valid.sum(axis=(1, 2))
            # Absent parts are zero rows, so one matrix-vector product sums every cosine of parts both
            # have; entries with a part of another shape get it taken back out.
            n, layers, roles, k = g.rows.shape
            total = g.rows.reshape(n, -1) @ dq.rows.reshape(-1)
            odd = np.flatnonzero((both & ~valid).any(axis=(1, 2)))
            if len(odd):
                cos = np.einsum("nlrk,lrk->nlr", g.rows[odd], dq.rows)
                total[odd] = (cos * valid[odd]).sum(axis=(1, 2))
        else:
            valid = (g.pooled_code >= 0) & (g.pooled_code == dq.pooled_code[None])
            cos = _per_role_dot(g.pooled, dq.pooled)
            count = valid.sum(axis=1)
            total = (cos * valid).sum(axis=1)
        ok = count > 0
        ids = g.ids
        with np.errstate(invalid="ignore", divide="ignore"):
            out.z[ids] = np.where(ok, total * np.sqrt(SKETCH_SIZE) / np.sqrt(count), np.nan)
            out.mean_cos[ids] = np.where(ok, total / count, np.nan)
        out.parts[ids] = count
        for i in ids[~ok].tolist():
            out.why[i] = "no attention or MLP matrix of one shape in both models"

    def _profile(self, g: _Group, qp: np.ndarray, q_has: np.ndarray, q_layers: int, out: Scores) -> None:
        """Masked Pearson r over the roles both have. A group shallower than the query is stretched
        to its depth through the query instead (Σ (P E)·x = Σ P·(x Eᵀ), E the stretch): only the
        stretched profiles' per-role sums are computed once per query depth and kept, never a
        stretched copy of the group's profiles."""
        common = max(g.layers, q_layers)
        cache_key = (id(g), common)
        if cache_key not in self._stretched:
            p = g.profile
            if g.layers == common:
                self._stretched[cache_key] = (None, p.sum(axis=(2, 3)), (p * p).sum(axis=(2, 3)))
            else:
                e = _stretch(np.eye(g.layers), common)  # (L, common): a stretched series is s @ e
                syy = np.einsum("nrtl,nrtl->nr", p @ (e @ e.T), p)
                self._stretched[cache_key] = (e, (p @ e.sum(axis=1)).sum(axis=2), syy)
        e, sy_r, syy_r = self._stretched[cache_key]
        x = _stretch(qp.reshape(-1, q_layers), common).reshape(len(ROLES), 2, common)
        xg = x if e is None else x @ e.T  # (R, 2, L): the query brought to the group's own depth
        n = len(g.ids)
        w = (g.has_profile & q_has[None]).astype(np.float64)  # (n, R)
        count = w.sum(axis=1) * 2 * common
        sx = w @ x.sum(axis=(1, 2))
        sxx = w @ (x * x).sum(axis=(1, 2))
        sy = (w * sy_r).sum(axis=1)
        syy = (w * syy_r).sum(axis=1)
        sxy = (w * _per_role_dot(g.profile.reshape(n, len(ROLES), -1), xg.reshape(len(ROLES), -1))).sum(
            axis=1
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = sxy - sx * sy / count
            den = np.sqrt((sxx - sx * sx / count) * (syy - sy * sy / count))
            r = np.where(count > 0, np.where(den > 0, cov / den, 0.0), np.nan)
        out.r[g.ids] = r
        out.roles[g.ids] = w.sum(axis=1).astype(int)


def _profiles(profiles: list[dict[str, np.ndarray]], layers: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, roles, 2, layers) float64 profiles and (n, roles) which roles each has."""
    out = np.zeros((len(profiles), len(ROLES), 2, layers))
    has = np.zeros((len(profiles), len(ROLES)), dtype=bool)
    for n, profile in enumerate(profiles):
        for r, role in enumerate(ROLES):
            if role in profile:
                out[n, r], has[n, r] = profile[role], True
    return out, has


def _per_role_dot(a: np.ndarray, q: np.ndarray) -> np.ndarray:
    """(n, R, M) · (R, M) → (n, R), each role's dot product: one matrix product against the query laid
    out block-diagonally (BLAS, one pass over ``a``) instead of an einsum loop."""
    n, roles, m = a.shape
    block = np.zeros((roles, m, roles), dtype=np.result_type(a, q))
    block[np.arange(roles), :, np.arange(roles)] = q
    return a.reshape(n, roles * m) @ block.reshape(roles * m, roles)
