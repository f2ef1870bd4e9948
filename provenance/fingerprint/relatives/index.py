"""The index of known checkpoints: exact digests and signatures, in memory and on disk beside a folder.

``RelativesIndex`` holds, per checkpoint, an ``Entry``: its informative tensor digests (``exact``) and
its ``Signature``; ``add``/``remove`` mark the stacked arrays (``batch``) for rebuilding; ``search(fp)``
returns the ranked ``SearchResult``. ``open_folder_index`` keeps one for a folder of saved fingerprint
JSON files in
``<folder>/.relatives-index.json``: opening it re-reads only the files that changed (size or modified
time) and drops the ones that are gone; a stored entry of another signature version is recomputed.

A query whose tensor digests are of another algorithm than the index's (a schema 1 fingerprint:
SHA-256) cannot be matched for exact shares: the result says so in a sentence and the close-relative
scores are still given. A fingerprint the engine cannot read at all is refused by the command line
with a sentence saying to fingerprint the checkpoint again (``cli._cmd_search``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..fingerprint import TENSOR_HASH, ModelFingerprint
from .batch import Digests, Stacked, TensorKeys
from .exact import Tensor, informative
from .search import SearchResult, rank
from .signature import SIGNATURE_VERSION, Signature, signature_of

INDEX_FILE = ".relatives-index.json"
INDEX_FORMAT = 1


@dataclass
class Entry:
    name: str
    tensor_hash: str
    tensors: TensorKeys
    signature: Signature | None
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) of the fingerprint file it came from

    def to_dict(self) -> dict:
        """JSON-safe: what a small store keeps per checkpoint (a database: ``store.pack``)."""
        return {
            "stamp": list(self.stamp) if self.stamp else None,
            "tensor_hash": self.tensor_hash,
            "tensors": self.tensors.to_list(),
            "signature": self.signature.to_dict() if self.signature else None,
        }

    @classmethod
    def from_dict(
        cls, name: str, d: dict, *, tensors: TensorKeys | None = None, rows: np.ndarray | None = None
    ) -> Entry:
        """Raises ``OutdatedSignature`` for a signature of another version: recompute it from the
        checkpoint's fingerprint (``entry_of``), never compare it. ``tensors`` and ``rows`` (the
        sketch rows): the parts a store keeps apart (``store.unpack``), ``d`` then lacking them."""
        sig = d.get("signature")
        if sig is not None and sig.get("version") != SIGNATURE_VERSION:
            raise OutdatedSignature(
                f"{name}: its signature is of version {sig.get('version')}, this engine's is "
                f"{SIGNATURE_VERSION}: compute it again from the fingerprint"
            )
        return cls(
            name,
            d["tensor_hash"],
            TensorKeys.of([Tensor(*t) for t in d["tensors"]]) if tensors is None else tensors,
            Signature.from_dict(sig, rows) if sig else None,
            tuple(d["stamp"]) if d.get("stamp") else None,
        )


class OutdatedSignature(ValueError):
    pass


def entry_of(name: str, fp: ModelFingerprint, stamp: tuple[int, int] | None = None) -> Entry:
    """The index entry of one fingerprint: its informative digests and its signature."""
    return Entry(name, fp.tensor_hash, TensorKeys.of(informative(fp)), signature_of(fp), stamp)


def search_notes(query: Entry, stale: list[str], schema: str = "") -> list[str]:
    """The sentences a search result carries: exact shares not looked for (the query hashes tensors
    with another algorithm), indexed entries not matched bit for bit (``stale``: their names), no
    sketch to compare."""
    notes = []
    if query.tensor_hash != TENSOR_HASH:
        notes.append(
            f"Exact shares were not looked for: this fingerprint hashes tensors with {query.tensor_hash} "
            f"({schema or 'an older schema'}) and the index with {TENSOR_HASH}; fingerprint the "
            "checkpoint again with this engine to compare its tensors bit for bit."
        )
    if stale:
        notes.append(
            f"{len(stale)} indexed fingerprint(s) hash tensors with an older algorithm and were not "
            f"matched bit for bit (e.g. {stale[0]}): fingerprint them again."
        )
    if query.signature is None or not query.signature.sketch:
        notes.append(
            "This fingerprint holds no weight samples, so the sampled-weight sketch cannot be "
            "compared: fingerprint the checkpoint again with samples (the default)."
        )
    return notes


class RelativesIndex:
    def __init__(self) -> None:
        self.entries: list[Entry | None] = []
        self.ids: dict[str, int] = {}
        self._stacked: Stacked | None = None
        self._digests: Digests | None = None
        self._stale: list[str] = []

    def __len__(self) -> int:
        return len(self.ids)

    def add_entry(self, entry: Entry) -> None:
        if entry.name in self.ids:
            self.remove(entry.name)
        i = len(self.entries)
        self.entries.append(entry)
        self.ids[entry.name] = i
        self._stacked = self._digests = None

    def add(self, name: str, fp: ModelFingerprint) -> None:
        self.add_entry(entry_of(name, fp))

    def remove(self, name: str) -> None:
        i = self.ids.pop(name)
        self.entries[i] = None
        self._stacked = self._digests = None

    def _arrays(self) -> tuple[Stacked, Digests]:
        """The stacked signatures and sorted digests, rebuilt after a change (``batch``)."""
        if self._stacked is None or self._digests is None:
            live = [(i, e) for i, e in enumerate(self.entries) if e is not None]
            self._stacked = Stacked(
                [e.signature if e is not None else None for e in self.entries],
                [e.name if e is not None else None for e in self.entries],
            )
            self._stale = [e.name for _, e in live if e.tensor_hash != TENSOR_HASH]
            self._digests = Digests([(i, e.tensors) for i, e in live if e.tensor_hash == TENSOR_HASH])
        return self._stacked, self._digests

    def search(
        self, fp: ModelFingerprint, *, exclude: str | None = None, limit: int | None = None
    ) -> SearchResult:
        """Every indexed checkpoint (or the first ``limit``) ranked against ``fp``; ``exclude``: a name
        left out (the query itself when it is indexed)."""
        return self.search_entry(
            entry_of("", fp), exclude=exclude, limit=limit, schema=f"schema {fp.schema_version}"
        )

    def search_entry(
        self, query: Entry, *, exclude: str | None = None, limit: int | None = None, schema: str = ""
    ) -> SearchResult:
        """``search`` with the query's stored entry instead of its fingerprint (a store searches
        without reading the fingerprint file again)."""
        stacked, digests = self._arrays()
        exclude_id = self.ids.get(exclude) if exclude else None
        notes = search_notes(query, self._stale, schema)
        shares = (
            digests.query_keys(query.tensors, exclude=exclude_id) if query.tensor_hash == TENSOR_HASH else {}
        )
        query_sig = query.signature
        if query_sig is None:
            return SearchResult([], notes)
        candidates = rank(
            stacked, stacked.scores(query_sig), shares, query_sig, exclude=exclude_id, limit=limit
        )
        return SearchResult(candidates, notes)

    # -- on disk -------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "format": INDEX_FORMAT,
            "entries": {e.name: e.to_dict() for e in self.entries if e is not None},
        }

    @classmethod
    def from_dict(cls, d: dict) -> tuple[RelativesIndex, list[str]]:
        """The index and the names whose stored signature is of another version (to recompute)."""
        index, outdated = cls(), []
        if d.get("format") != INDEX_FORMAT:
            return index, outdated
        for name, e in d["entries"].items():
            try:
                index.add_entry(Entry.from_dict(name, e))
            except OutdatedSignature:
                outdated.append(name)
        return index, outdated


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns)


def fingerprint_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.glob("*.json")
        if p.name != INDEX_FILE and not p.name.endswith(".index.json") and p.is_file()
    )


def open_folder_index(
    folder: str | os.PathLike[str], *, save: bool = True
) -> tuple[RelativesIndex, list[str]]:
    """The index of every saved fingerprint in ``folder``, brought up to date (and saved back).

    Returns (index, skipped): sentences for files that are not readable fingerprints.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(20, "not a folder", str(folder))
    path = folder / INDEX_FILE
    try:
        index, _outdated = RelativesIndex.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        index = RelativesIndex()
    files = {p.name: p for p in fingerprint_files(folder)}
    changed = False
    for name in list(index.ids):
        if name not in files or index.entries[index.ids[name]].stamp != _stamp(files[name]):
            index.remove(name)
            changed = True
    skipped = []
    for name, p in files.items():
        if name in index.ids:
            continue
        try:
            fp = ModelFingerprint.from_json(p.read_text())
        except (ValueError, KeyError, TypeError) as exc:
            skipped.append(f"{name}: not a fingerprint this engine reads ({exc}); it was left out")
            continue
        index.add_entry(entry_of(name, fp, _stamp(p)))
        changed = True
    if save and changed:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(index.to_dict(), separators=(",", ":")))
        tmp.replace(path)
    return index, skipped
