"""Synthetic checkpoints with a known lineage: the ground truth the comparison methods are tested on.

``build_lineage_set(root)`` writes real safetensors checkpoints (bf16 by default, sharded with
``model.safetensors.index.json`` when there is more than one shard, with ``config.json`` and a
BPE-style ``tokenizer.json``) of tiny Qwen2-style models: one base and models derived from it by
the relations that matter in provenance disputes, plus unrelated models of the same shape.

| name                       | relation to ``base``                                                  |
|----------------------------|-----------------------------------------------------------------------|
| ``finetune``               | light fine-tune: every weight + noise of 3 % of its σ                 |
| ``continued``              | continued pretraining: + structured noise of about 1.8 σ, depth drift |
| ``pruned``                 | every second layer kept (0, 2, 4, ...), tensors byte-identical        |
| ``widened``                | 64 tokens added: extra embedding and lm_head rows, rest byte-identical|
| ``moe``                    | Qwen2-MoE upcycled: experts = dense MLP + noise, new router           |
| ``independent``            | unrelated: other seed, other init recipe (σ trend)                    |
| ``independent_same_recipe``| unrelated: other seed, SAME init recipe - the hard negative           |

Why the weights are not iid noise: each matrix is a per-row scaled mix of iid noise and a low-rank
component ("trained structure"), and its σ follows a per-role depth trend (the *init recipe*) times
a smooth seed-dependent deviation (the *training*). Two unrelated models that share a recipe
therefore have strongly correlated σ curves, which is what misled the HonestAGI statistic
(deepseek-llm-7b vs llama2-7b: 0.91).

Modules: ``models`` (shapes, recipes, one class per relation), ``tokenizer``, ``writer`` (bounded-
memory safetensors writing, ``write_model_set`` for a named set with its manifest, and
``write_checkpoint_of_size`` for benchmarks), ``adversarial``
(``build_adversarial_set``: permuted, rotated, symmetry-drifted and vocabulary-replaced variants of
the same base, for the weight-reading methods); this module assembles the lineage set. Every tensor is a pure function of (model, tensor name), so the same call writes
byte-identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .adversarial import ADVERSARIAL_RELATED, adversarial_models, build_adversarial_set
from .models import (
    SIZES,
    BaseModel,
    ModelShape,
    PerturbedModel,
    PrunedModel,
    SyntheticModel,
    UpcycledMoEModel,
    WidenedVocabModel,
)
from .tokenizer import make_tokenizer
from .writer import write_checkpoint_of_size, write_model, write_model_set

__all__ = [
    "ADVERSARIAL_RELATED",
    "RELATED",
    "SIZES",
    "BaseModel",
    "ModelShape",
    "PerturbedModel",
    "PrunedModel",
    "SyntheticModel",
    "UpcycledMoEModel",
    "WidenedVocabModel",
    "adversarial_models",
    "build_adversarial_set",
    "build_lineage_set",
    "lineage_models",
    "make_tokenizer",
    "write_checkpoint_of_size",
    "write_model",
    "write_model_set",
]

PRUNE_STEP = 2
WIDEN_EXTRA_TOKENS = 64


def lineage_models(size: str = "tiny", *, seed: int = 0) -> dict[str, SyntheticModel]:
    """The lineage set as model descriptions (nothing written): see the module docstring."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, not {size!r}")
    shape = SIZES[size]
    base = BaseModel(shape, seed=seed * 1000 + 1, recipe="a")
    kept = list(range(0, shape.num_layers, PRUNE_STEP))
    return {
        "base": base,
        "finetune": PerturbedModel(base, seed=seed * 1000 + 2, scale=0.03, relation="finetune"),
        "continued": PerturbedModel(base, seed=seed * 1000 + 3, scale=1.8, drift=0.8, relation="continued"),
        "pruned": PrunedModel(base, kept),
        "widened": WidenedVocabModel(base, extra_tokens=WIDEN_EXTRA_TOKENS, seed=seed * 1000 + 4),
        "moe": UpcycledMoEModel(base, num_experts=4, seed=seed * 1000 + 5),
        "independent": BaseModel(shape, seed=seed * 1000 + 6, recipe="b"),
        "independent_same_recipe": BaseModel(shape, seed=seed * 1000 + 7, recipe="a"),
    }


RELATED = frozenset({"finetune", "continued", "pruned", "widened", "moe"})
"""Names in the lineage set derived from ``base``; the others are unrelated to it."""


def build_lineage_set(root: str | Path, **options: Any) -> dict[str, Path]:
    """Write the lineage set under ``root`` (one folder per model) and return {name: folder}.

    ``options``: ``size`` ("tiny"), ``seed`` (0), ``dtype`` ("BF16"), ``max_shard_bytes`` (2 MiB),
    as ``write_model_set``. Also writes ``root/lineage.json``: per model its relation to ``base``,
    whether it is derived from it, and relation details (``kept_layers`` for the pruned copy).
    Deterministic in (size, seed, dtype): the same call writes byte-identical files. Tiny set:
    ~45 MB, ~2 s.
    """

    def describe(name: str, model: SyntheticModel) -> dict[str, Any]:
        return {
            "relation": model.relation if name in RELATED else ("base" if name == "base" else "independent"),
            "derived_from_base": name in RELATED,
            "num_layers": model.shape.num_layers,
            **model.extra,
        }

    return write_model_set(root, lineage_models, manifest_name="lineage.json", describe=describe, **options)
