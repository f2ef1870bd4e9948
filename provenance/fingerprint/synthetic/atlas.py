"""The lineage-search evaluation atlas (issue 24): families of derived models and independent bases.

``atlas_models(families, independents)`` returns {name: (model, kind, family)} where ``kind`` is one
of ``KINDS`` (or "base"/"independent") and ``family`` the family's name (None for an independent).
Each family is a ``BaseModel`` (its own seed; recipes "a" and "b" alternate) and one member of every
kind the engine handles:

| kind            | how it is made from the family's base                                          |
|-----------------|--------------------------------------------------------------------------------|
| ``finetune``    | + noise of 3 % of each σ                                                       |
| ``continued``   | + structured noise of 1.8 σ with depth drift (heavy continued pretraining)     |
| ``permuted``    | a fine-tune with hidden units permuted and sign-flipped, MLP neurons permuted  |
| ``pruned``      | every second layer kept (tensors byte-identical)                               |
| ``depth_grown`` | the middle third of the layers repeated (SOLAR-style), then lightly trained    |
| ``moe``         | upcycled to a 4-expert MoE (experts = dense MLP + noise)                        |
| ``gguf``        | a fine-tune written as GGUF Q8_0 (``write_atlas`` only: a format, not a model) |
| ``merged``      | the mean of a fine-tune and the next family's base (both families are parents) |
| ``transplanted``| the first half of the layers copied into an otherwise independent model        |
| ``retokenised`` | a foreign tokenizer and new embeddings, every other tensor byte-identical      |
| ``retok_permuted`` | a foreign tokenizer on top of ``permuted`` (only a full report aligns it)    |

Independent bases: other seeds, recipes alternating, same shape: the hard negatives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .adversarial import ForeignVocabModel, ResidualTransformModel, _retokenised
from .models import (
    SIZES,
    BaseModel,
    PerturbedModel,
    PrunedModel,
    SyntheticModel,
    TensorPlan,
    UpcycledMoEModel,
)

KINDS = (
    "finetune",
    "continued",
    "permuted",
    "pruned",
    "depth_grown",
    "moe",
    "gguf",
    "merged",
    "transplanted",
    "retokenised",
    "retok_permuted",
)


class MergedModel(SyntheticModel):
    """The element-wise mean of two parents of one shape (a "model soup" across families)."""

    relation = "merged"

    def __init__(self, a: SyntheticModel, b: SyntheticModel):
        self.a, self.b, self.shape = a, b, a.shape
        self.extra = {}

    def plan(self) -> list[TensorPlan]:
        return self.a.plan()

    def sigma(self, role: str, layer: int) -> float:
        return self.a.sigma(role, layer)

    def tokenizer(self) -> dict[str, Any]:
        return self.a.tokenizer()

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        for x, y in zip(self.a.blocks(t), self.b.blocks(t), strict=True):
            yield 0.5 * (x + y)


class TransplantedModel(SyntheticModel):
    """``host`` with the tensors of layers < ``upto`` taken from ``donor`` (byte-identical)."""

    relation = "transplanted"

    def __init__(self, donor: SyntheticModel, host: SyntheticModel, upto: int):
        self.donor, self.host, self.upto, self.shape = donor, host, upto, host.shape
        self.extra = {"transplanted_layers": list(range(upto))}

    def plan(self) -> list[TensorPlan]:
        return self.host.plan()

    def sigma(self, role: str, layer: int) -> float:
        return (self.donor if layer < self.upto else self.host).sigma(role, layer)

    def tokenizer(self) -> dict[str, Any]:
        return self.host.tokenizer()

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        source = self.donor if t.layer is not None and t.layer < self.upto else self.host
        return source.blocks(t)


def _family(base: BaseModel, other: BaseModel, k: int) -> dict[str, SyntheticModel]:
    layers = base.shape.num_layers
    s = 100_000 + 100 * k

    def tuned(tag: int, scale: float = 0.03) -> SyntheticModel:
        return PerturbedModel(base, seed=s + tag, scale=scale)

    third = max(1, layers // 3)
    grown = list(range(0, 2 * third)) + list(range(third, layers))
    permuted = ResidualTransformModel(
        tuned(3), seed=s + 30, rotation="signed_permutation", permute_neurons=True, relation="permuted"
    )
    stranger = BaseModel(base.shape, seed=s + 90, recipe=base.recipe)
    return {
        "finetune": tuned(1),
        "continued": PerturbedModel(base, seed=s + 2, scale=1.8, drift=0.8, relation="continued"),
        "permuted": permuted,
        "pruned": PrunedModel(base, list(range(0, layers, 2))),
        "depth_grown": PerturbedModel(
            PrunedModel(base, grown), seed=s + 4, scale=0.1, relation="depth_grown"
        ),
        "moe": UpcycledMoEModel(base, num_experts=4, seed=s + 5),
        "gguf": tuned(6),
        "merged": MergedModel(tuned(7), other),
        "transplanted": TransplantedModel(base, stranger, layers // 2),
        "retokenised": ForeignVocabModel(base, seed=s + 9, relation="retokenised"),
        "retok_permuted": _retokenised(
            tuned(10), s + 11, "retok_permuted", rotation="signed_permutation", permute_neurons=True
        ),
    }


def atlas_models(
    families: int = 20, independents: int = 40, *, size: str = "tiny", layers: int | None = None
) -> dict[str, tuple[SyntheticModel, str, str | None]]:
    """{name: (model, kind, family)}; ``merged`` members also descend from the next family."""
    shape = SIZES[size] if layers is None else replace(SIZES[size], num_layers=layers)
    bases = [BaseModel(shape, seed=10_000 + f, recipe="ab"[f % 2]) for f in range(families)]
    out: dict[str, tuple[SyntheticModel, str, str | None]] = {}
    for f, base in enumerate(bases):
        fam = f"f{f:02d}"
        out[f"{fam}.base"] = (base, "base", fam)
        for kind, model in _family(base, bases[(f + 1) % families], f).items():
            out[f"{fam}.{kind}"] = (model, kind, fam)
    for i in range(independents):
        out[f"ind{i:02d}"] = (BaseModel(shape, seed=20_000 + i, recipe="ab"[i % 2]), "independent", None)
    return out


def parents_of(name: str, families: int) -> set[str]:
    """The families a member descends from (a merge has two)."""
    fam, kind = name.split(".", 1)
    if kind == "merged":
        return {fam, f"f{(int(fam[1:]) + 1) % families:02d}"}
    return {fam}


def write_atlas_member(model: SyntheticModel, kind: str, folder: Path) -> Path:
    """Write one member: safetensors (bf16), or GGUF Q8_0 for the ``gguf`` kind; returns its path."""
    from .gguf_writer import write_gguf
    from .writer import write_model

    if kind == "gguf":
        return write_gguf(model, folder / "model.gguf", qtype="Q8_0")
    return write_model(model, folder)
