"""Exact relatives: the tensors a checkpoint shares bit for bit with others, by their digests.

Which tensors count (``informative``): tensors of the fingerprint's ``tensor_hash`` (BLAKE3 since
schema 2) that are neither constant (every part of std 0: ``tensor_identity`` leaves those out too)
nor small: 1-D tensors (norms, biases) and anything under ``MIN_TENSOR_BYTES`` are skipped, because
they collide between unrelated models - an RMSNorm left at its all-ones init, a zero bias, a
LayerNorm reset by a common recipe hash the same in every model that has them, and would make every
pair of one width look related. A shared 2-D weight matrix never collides by chance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..fingerprint import ModelFingerprint

MIN_TENSOR_BYTES = 4096


@dataclass(frozen=True)
class Tensor:
    digest: str
    nbytes: int
    layer: int | None


def informative(fp: ModelFingerprint) -> list[Tensor]:
    """The tensors whose digest is evidence (see the module docstring), in the fingerprint's order."""
    constant: dict[str, bool] = defaultdict(lambda: True)
    layer: dict[str, int | None] = {}
    for p in fp.parts:
        constant[p.tensor] = constant[p.tensor] and p.count > 0 and p.std_pop == 0.0
        layer.setdefault(p.tensor, p.layer)
    return [
        Tensor(t.digest, t.nbytes, layer.get(t.name))
        for t in fp.tensors
        if len(t.shape) >= 2
        and t.nbytes >= MIN_TENSOR_BYTES
        and not (t.name in constant and constant[t.name])
    ]


@dataclass
class Share:
    """What the query shares with one indexed checkpoint."""

    tensors: int = 0
    nbytes: int = 0
    query_layers: set = field(default_factory=set)  # layers of the query holding a shared tensor
    other_layers: set = field(default_factory=set)  # the same tensors' layers in the other model

    def layers_text(self, layers: set) -> str:
        numbered = sorted(x for x in layers if x is not None)
        text = _ranges(numbered)
        if None in layers:
            text = (text + " and " if text else "") + "outside the layers (embeddings, head)"
        return text or "none"


def _ranges(xs: list[int]) -> str:
    out: list[str] = []
    for x in xs:
        if out and out[-1].rsplit("-", 1)[-1] == str(x - 1):
            out[-1] = f"{out[-1].split('-')[0]}-{x}"
        else:
            out.append(str(x))
    return ("layers " if len(xs) > 1 else "layer ") + ", ".join(out) if xs else ""


class ExactIndex:
    """digest → [(entry id, layer)], built once; a query costs one dict look-up per query tensor."""

    def __init__(self) -> None:
        self.by_digest: dict[str, list[tuple[int, int | None]]] = defaultdict(list)

    def add(self, entry: int, tensors: list[Tensor]) -> None:
        for t in tensors:
            self.by_digest[t.digest].append((entry, t.layer))

    def remove(self, entry: int) -> None:
        for digest in list(self.by_digest):
            kept = [x for x in self.by_digest[digest] if x[0] != entry]
            if kept:
                self.by_digest[digest] = kept
            else:
                del self.by_digest[digest]

    def query(self, tensors: list[Tensor], *, exclude: int | None = None) -> dict[int, Share]:
        shares: dict[int, Share] = defaultdict(Share)
        seen: set[str] = set()
        for t in tensors:
            if t.digest in seen:  # a tensor stored twice in the query counts once
                continue
            seen.add(t.digest)
            hits = self.by_digest.get(t.digest)
            if not hits:
                continue
            for entry in {e for e, _ in hits if e != exclude}:
                s = shares[entry]
                s.tensors += 1
                s.nbytes += t.nbytes
                s.query_layers.add(t.layer)
                s.other_layers.update(layer for e, layer in hits if e == entry)
        return dict(shares)
