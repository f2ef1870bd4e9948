"""What a database keeps per indexed checkpoint, and the screened search over it (100,000 checkpoints).

``pack(entry)`` splits an ``Entry`` into the parts a store keeps apart, each read by a different step:

* ``tensors``: the informative digests as rows (``prefixes``: the 64-bit prefix as a *signed* 64-bit
  integer, the type a database indexes; bytes; layer, None outside the layers) - found by an indexed
  lookup of the query's prefixes, whatever the index size (``ScreenIndex.shares``);
* ``screen`` (bytes, ~5 KB at 32 layers): a ``ScreenRow`` - the pooled sketch, the profile and what
  groups them - the only part held in memory for every checkpoint;
* ``sketch`` (bytes, 1.8 KB per layer): the per-layer sketch rows as ``Signature.dense`` lays them out
  (float32) and their shape codes, read only for the candidates the screen keeps (no parsing);
* ``meta`` (JSON, a few KB): the rest of ``Entry.to_dict()`` (``unpack`` joins the parts again).

``ScreenIndex.search`` ranks every checkpoint by its screen (``batch.Stacked.screen``: exact scores for
checkpoints of another depth than the query and for the profile; for those of the query's depth the
pooled sketch's z, the same null with about √layers less signal), scores the first ``screen`` in full
with the sketch rows a callback loads (``batch.Stacked.scores``, as ``RelativesIndex`` does), and ranks
again: the candidates, their scores and tiers are ``RelativesIndex.search_entry``'s, unless more than
``screen`` checkpoints of the query's depth screen above a true relative whose per-layer sketch alone
would rank it (one whose mean cosine is below about 3/(8·√roles) - weak, uniform sharing).

Memory: ``ScreenIndex`` holds per checkpoint the pooled sketch (roles × ``SKETCH_SIZE`` float32, 1.8 KB)
and the profile (roles × 2 × layers float64, 3.5 KB at 32 layers); a search loads ``screen`` sketches.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..fingerprint import TENSOR_HASH
from .batch import Digests, Stacked, TensorKeys, _Group
from .exact import Share
from .index import Entry, search_notes
from .search import SearchResult, rank
from .signature import ROLES, SIGNATURE_VERSION, SKETCH_SIZE, Signature

SCREEN = 200
"""Candidates scored in full after the screen (their sketches read from the store). The tests hold
the first ``SCREEN`` equal to the whole index's; that 200 suffices at 100,000 checkpoints is an
estimate (the screen's z has the same null as the full one), not a measurement."""
SCREEN_FORMAT = 1
_HEADER = struct.Struct("<I")


@dataclass
class ScreenRow:
    """One checkpoint's screening form: what ``Stacked.screen`` stacks."""

    num_layers: int
    sample_size: int | None
    seed: int | None
    tokenizer: str | None
    tensor_hash: str
    pooled: np.ndarray  # (roles, SKETCH_SIZE) float32, unit rows or 0 (``Signature.dense``)
    pooled_code: np.ndarray  # (roles,) int64, -1: absent or of several shapes
    profile: dict[str, np.ndarray]  # role -> (2, layers) float32

    @classmethod
    def of(cls, signature: Signature, tensor_hash: str) -> ScreenRow:
        dense = signature.dense()
        return cls(
            signature.num_layers,
            signature.sample_size,
            signature.seed,
            signature.tokenizer,
            tensor_hash,
            dense.pooled,
            dense.pooled_code,
            signature.profile,
        )

    def to_bytes(self) -> bytes:
        roles = [r for r in ROLES if r in self.profile]
        head = json.dumps(
            [
                SCREEN_FORMAT,
                self.num_layers,
                self.sample_size,
                self.seed,
                self.tokenizer,
                self.tensor_hash,
                roles,
            ]
        ).encode()
        parts = [
            _HEADER.pack(len(head)),
            head,
            np.ascontiguousarray(self.pooled, dtype=np.float32).tobytes(),
            np.ascontiguousarray(self.pooled_code, dtype=np.int64).tobytes(),
            *(np.ascontiguousarray(self.profile[r], dtype=np.float32).tobytes() for r in roles),
        ]
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> ScreenRow:
        """Raises ``ValueError`` for bytes of another format (write the entry again)."""
        data = memoryview(data)
        (n,) = _HEADER.unpack_from(data)
        fmt, layers, sample_size, seed, tokenizer, tensor_hash, roles = json.loads(bytes(data[4 : 4 + n]))
        if fmt != SCREEN_FORMAT:
            raise ValueError(f"screen format {fmt} is not {SCREEN_FORMAT}")
        at = 4 + n
        pooled = np.frombuffer(data, np.float32, len(ROLES) * SKETCH_SIZE, at).reshape(
            len(ROLES), SKETCH_SIZE
        )
        at += pooled.nbytes
        code = np.frombuffer(data, np.int64, len(ROLES), at)
        at += code.nbytes
        profile = {}
        for role in roles:
            profile[role] = np.frombuffer(data, np.float32, 2 * layers, at).reshape(2, layers)
            at += 8 * layers
        return cls(layers, sample_size, seed, tokenizer, tensor_hash, pooled, code, profile)


@dataclass
class Packed:
    meta: dict[str, Any]
    sketch: bytes
    screen: bytes | None  # None: no signature (nothing to screen; exact shares only)
    prefixes: np.ndarray  # int64: the digests' 64-bit prefixes, signed
    nbytes: np.ndarray  # int64
    layer: list[int | None]


def pack(entry: Entry) -> Packed:
    """``entry`` in the parts a store keeps (the module docstring)."""
    sig = entry.signature
    meta = {
        "stamp": list(entry.stamp) if entry.stamp else None,
        "tensor_hash": entry.tensor_hash,
        "signature": sig.to_dict(rows=False) if sig else None,  # the rows: ``sketch``, laid out as read
    }
    sketch = b""
    if sig is not None:
        dense = sig.dense()
        sketch = dense.rows.astype(np.float32).tobytes() + dense.shape_code.astype(np.int64).tobytes()
    t = entry.tensors
    return Packed(
        meta,
        sketch,
        ScreenRow.of(entry.signature, entry.tensor_hash).to_bytes() if entry.signature else None,
        t.keys.view(np.int64).copy(),
        t.nbytes.astype(np.int64),
        [None if x < 0 else int(x) for x in t.layer.tolist()],
    )


def dense_sketch(sketch: bytes, layers: int) -> tuple[np.ndarray, np.ndarray]:
    """The stored sketch as ``Signature.dense`` lays it out: rows (layers × roles × ``SKETCH_SIZE``
    float32, zero where absent) and shape codes (layers × roles, -1 where absent); views of ``sketch``."""
    cells = layers * len(ROLES)
    rows = np.frombuffer(sketch, np.float32, cells * SKETCH_SIZE).reshape(layers, len(ROLES), SKETCH_SIZE)
    code = np.frombuffer(sketch, np.int64, cells, rows.nbytes).reshape(layers, len(ROLES))
    return rows, code


def _sketch_rows(meta_sig: dict, sketch: bytes) -> np.ndarray:
    """The rows of ``meta_sig``'s ``sketch_keys``, in order, from the dense layout (a key the dense
    layout has no place for - never written by ``signature_of`` - gets a zero row, which the scores
    ignore as ``dense()`` does)."""
    layers = meta_sig["num_layers"]
    rows, _ = dense_sketch(sketch, layers) if sketch else (None, None)
    out = np.zeros((len(meta_sig["sketch_keys"]), SKETCH_SIZE), dtype=np.float32)
    for n, (layer, role, *_shape) in enumerate(meta_sig["sketch_keys"]):
        if rows is not None and 0 <= layer < layers and role in ROLES:
            out[n] = rows[layer, ROLES.index(role)]
    return out


def unpack(
    name: str, meta: dict, sketch: bytes, prefixes: Iterable[int], nbytes: Iterable[int], layer: Iterable
) -> Entry:
    """The ``Entry`` of the parts ``pack`` made (``Entry.from_dict``: ``OutdatedSignature`` for a
    signature of another version)."""
    tensors = TensorKeys(
        np.array(list(prefixes), dtype=np.int64).view(np.uint64),
        np.array(list(nbytes), dtype=np.int64),
        np.array([-1 if x is None else x for x in layer], dtype=np.int32),
    )
    sig = meta.get("signature")
    rows = _sketch_rows(sig, sketch) if sig and sig.get("version") == SIGNATURE_VERSION else None
    return Entry.from_dict(name, meta, tensors=tensors, rows=rows)


class ScreenIndex:
    """Every indexed checkpoint's ``ScreenRow``, stacked; ``keys``: the store's row of each (what the
    digest rows name and what ``search``'s ``load`` is asked for)."""

    def __init__(self, rows: Iterable[tuple[str, Any, ScreenRow]]):
        rows = list(rows)
        self.names = [name for name, _, _ in rows]
        self.keys = [key for _, key, _ in rows]
        self.ids = {name: i for i, name in enumerate(self.names)}
        self.of_key = {key: i for i, key in enumerate(self.keys)}
        screens = [s for _, _, s in rows]
        self.stale = [name for name, _, s in rows if s.tensor_hash != TENSOR_HASH]
        self._stale_ids = {self.ids[name] for name in self.stale}
        self.stacked = Stacked.screen(screens, self.names)

    def __len__(self) -> int:
        return len(self.names)

    def shares(
        self, query: Entry, found: Iterable[tuple[int, Any, int | None]], *, exclude: int | None = None
    ) -> dict[int, Share]:
        """What ``query`` shares with each checkpoint, from the digest rows matching its prefixes
        (``found``: (prefix, key, layer)), exactly as ``Digests.query_keys`` over the whole index;
        rows of checkpoints not in the index (an older entry of one) or hashed with another algorithm
        are ignored."""
        if query.tensor_hash != TENSOR_HASH:
            return {}
        prefixes, entries, layers = [], [], []
        for prefix, key, layer in found:
            i = self.of_key.get(key)
            if i is not None and i not in self._stale_ids:
                prefixes.append(prefix)
                entries.append(i)
                layers.append(-1 if layer is None else layer)
        return Digests.of_rows(
            np.array(prefixes, dtype=np.int64), np.array(entries), np.array(layers)
        ).query_keys(query.tensors, exclude=exclude)

    def search(
        self,
        query: Entry,
        *,
        found: Iterable[tuple[int, Any, int | None]],
        load: Callable[[list[Any]], list[bytes]],
        exclude: str | None = None,
        limit: int | None = None,
        screen: int = SCREEN,
        only: Iterable[str] | None = None,
        schema: str = "",
    ) -> SearchResult:
        """``RelativesIndex.search_entry`` over the screen (the module docstring): ``found``, the digest
        rows matching the query's prefixes; ``load(keys)``, the stored sketches of those rows, in order;
        ``only``: the names to return (ranked among all; always scored in full)."""
        exclude_id = self.ids.get(exclude) if exclude else None
        notes = search_notes(query, self.stale, schema)
        shares = self.shares(query, found, exclude=exclude_id)
        sig = query.signature
        if sig is None:
            return SearchResult([], notes)
        scores = self.stacked.scores(sig)
        mask = None
        if only is not None:
            mask = np.zeros(len(self), dtype=bool)
            mask[[self.ids[name] for name in only if name in self.ids]] = True
        first = rank(self.stacked, scores, shares, sig, exclude=exclude_id, limit=screen)
        kept = {self.ids[c.name] for c in first} | set(shares)
        if mask is not None:
            kept |= set(np.flatnonzero(mask).tolist())
        same = np.zeros(len(self), dtype=bool)
        for (layers, sample_size, seed), g in self.stacked.groups.items():
            if (layers, sample_size, seed) == (sig.num_layers, sig.sample_size, sig.seed):
                same[g.ids] = True
        done: set[int] = set()
        while True:
            self._score_in_full(sorted(kept - done), sig, scores, load, same)
            done |= kept
            found = rank(self.stacked, scores, shares, sig, exclude=exclude_id, limit=limit, only=mask)
            # A checkpoint the screen ranked lower may rise once the others have their exact scores:
            # the first ``screen`` shown are always scored in full.
            late = {self.ids[c.name] for c in found[:screen]} - done
            if not late:
                return SearchResult(found, notes)
            kept |= late

    def _score_in_full(self, ids: list[int], sig: Signature, scores, load, same: np.ndarray) -> None:
        """Put the per-layer sketch scores of ``ids`` in ``scores`` (``same``: the entries of the
        query's depth and sampling, the only ones the screen scored by their pooled sketch)."""
        need = [i for i in ids if same[i]]
        if not need:
            return
        dense = [dense_sketch(b, sig.num_layers) for b in load([self.keys[i] for i in need])]
        code = np.stack([c for _, c in dense])
        group = _Group(np.array(need), sig.num_layers, np.stack([r for r, _ in dense]), code >= 0, code,
                       None, None, None, None)  # fmt: skip
        for i in need:
            scores.why.pop(i, None)
        Stacked._sketch(group, sig.dense(), True, scores)
