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
