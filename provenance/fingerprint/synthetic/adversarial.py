"""Adversarial variants of the synthetic base: derived models that same-name comparisons cannot see.

Each is a function-preserving (or, for the vocabulary, a declared) change of ``base`` that a
weight comparison by tensor name and position misses, which is why the anchored methods exist:

| name                     | relation to ``base``                                                        |
|--------------------------|-----------------------------------------------------------------------------|
| ``permuted``             | a light fine-tune whose hidden units are then permuted and sign-flipped     |
|                          | through the whole network (norms permuted with them) and whose MLP neurons  |
|                          | are permuted per layer: the fine-tune's function, no tensor in place        |
| ``rotated``              | a light fine-tune, norm weights folded into the next matrices, residual     |
|                          | stream rotated by a random orthogonal matrix (SliceGPT/QuaRot-style)        |
| ``continued_symmetric``  | continued pretraining (noise of 1 σ) that also drifted along the network's  |
|                          | symmetries: MLP neurons re-ordered, each RoPE plane of Q/K turned by ±90°,  |
|                          | V/O mixed the same way; same-name cosine falls inside its null              |
| ``vocab_replaced``       | another tokenizer and freshly initialised embedding/lm_head rows; every     |
|                          | other tensor byte-identical                                                 |
| ``independent_permuted`` | unrelated (the lineage set's ``independent``), hidden units permuted        |

``retokenised_models`` (issue 15) adds copies whose tokenizer was replaced by one with no string in
common (``foreign_tokenizer``) on top of such moves - permuted, neurons and heads permuted, further
trained (0.3× and 1× noise), rotated, upcycled to an MoE, layer-pruned - and independent controls
with and without the same transforms; only ``weight_matching`` can align those.

Transforms act on whole tensors, so a variant holds one parent tensor (plus its transform) at a
time: fine for the tiny/small shapes these are meant for (a few MB per tensor).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..fingerprint import Role
from .models import (
    _BASE_SCALE,
    SIZES,
    BaseModel,
    ModelShape,
    PerturbedModel,
    PrunedModel,
    SyntheticModel,
    TensorPlan,
    UpcycledMoEModel,
    _rng,
    _structured_blocks,
)
from .tokenizer import make_tokenizer
from .writer import write_model_set

READERS = (Role.Q, Role.K, Role.V, Role.GATE, Role.UP, Role.ROUTER, Role.LM_HEAD, Role.EMBED)
"""Matrices whose input (columns) is the residual stream; O and DOWN write to it (rows)."""


def _full(model: SyntheticModel, t: TensorPlan) -> np.ndarray:
    return np.concatenate([b.reshape(-1) for b in model.blocks(t)]).reshape(t.shape)


class _Derived(SyntheticModel):
    """A model with its parent's plan, config and tokenizer whose tensors are transformed whole."""

    def __init__(self, parent: SyntheticModel, *, seed: int, relation: str):
        self.parent, self.seed, self.relation = parent, seed, relation
        self.shape = parent.shape
        self.extra: dict[str, Any] = {}
        self._plan = {t.name: t for t in parent.plan()}

    def plan(self) -> list[TensorPlan]:
        return self.parent.plan()

    def sigma(self, role: str, layer: int) -> float:
        return self.parent.sigma(role, layer)

    def tokenizer(self) -> dict[str, Any]:
        return self.parent.tokenizer()

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        yield self.transform(t, _full(self.parent, t)).astype(np.float32)

    def transform(self, t: TensorPlan, w: np.ndarray) -> np.ndarray:
        """The parent's tensor as this model stores it; a copy unless a subclass transforms it."""
        return w

    def _neuron_perm(self, layer: int) -> np.ndarray:
        return np.random.default_rng([self.seed, 31, layer]).permutation(self.shape.intermediate_size)


class ResidualTransformModel(_Derived):
    """The residual stream mapped by an orthogonal Q (x' = x Q), optionally MLP neurons permuted.

    Readers W (out, in): W' = W Q; writers (O, DOWN): W' = Qᵀ W; embeddings: E Q. RMSNorm commutes
    with a signed permutation if its weight is permuted too (``fold_norms=False``); for a general
    rotation the norm weights are first folded into the matrices that read the normalised stream
    and set to 1 (``fold_norms=True``). Either way the network computes the same function.
    """

    def __init__(
        self,
        parent: SyntheticModel,
        *,
        seed: int,
        rotation: str,
        permute_neurons: bool,
        relation: str,
        permute_heads: bool = False,
    ):
        super().__init__(parent, seed=seed, relation=relation)
        h = self.shape.hidden_size
        rng = np.random.default_rng([seed, 29])
        if rotation == "signed_permutation":
            self.perm = rng.permutation(h)
            self.sign = np.where(rng.random(h) < 0.5, -1.0, 1.0)
            q = np.zeros((h, h))
            q[self.perm, np.arange(h)] = self.sign  # column j picks s_j · x[perm[j]]
        else:
            q, r = np.linalg.qr(rng.standard_normal((h, h)))
            q *= np.sign(np.diag(r))[None, :]  # Haar-distributed
        self.q = q
        self.fold = rotation != "signed_permutation"
        self.permute_neurons = permute_neurons
        self.permute_heads = permute_heads
        self.extra = {
            "transform": rotation,
            "neurons_permuted": permute_neurons,
            "heads_permuted": permute_heads,
            "function_preserving": True,
        }

    def _head_rows(self, layer: int, leaf: str) -> np.ndarray:
        """Row order of q/k/v (or O's column order) after permuting the KV groups and the query heads
        within each group: a query head keeps its K/V, so attention computes the same thing."""
        s = self.shape
        rng = np.random.default_rng([self.seed, 37, layer])
        groups = rng.permutation(s.num_kv_heads)
        per = s.num_heads // s.num_kv_heads
        within = [rng.permutation(per) for _ in range(s.num_kv_heads)]
        if leaf in ("k_proj", "v_proj"):
            heads = groups
        else:
            heads = np.array([g * per + within[g][k] for g in groups for k in range(per)])
        hd = s.head_dim
        return (heads[:, None] * hd + np.arange(hd)[None, :]).reshape(-1)

    def _norm_before(self, t: TensorPlan) -> np.ndarray | None:
        """The norm weight applied to the stream this matrix reads (None if it reads the raw stream)."""
        if t.role == Role.LM_HEAD:
            name = "model.norm.weight"
        elif t.role in (Role.Q, Role.K, Role.V):
            name = f"model.layers.{t.layer}.input_layernorm.weight"
        elif t.role in (Role.GATE, Role.UP, Role.ROUTER):
            name = f"model.layers.{t.layer}.post_attention_layernorm.weight"
        else:
            return None
        return _full(self.parent, self._plan[name]).astype(np.float64)

    def transform(self, t: TensorPlan, w: np.ndarray) -> np.ndarray:
        w = self._transform(t, w.astype(np.float64))
        if self.permute_heads and t.layer is not None:
            leaf = t.name.rsplit(".", 2)[-2]
            if leaf in ("q_proj", "k_proj", "v_proj"):
                w = w[self._head_rows(t.layer, leaf)]  # weights and biases alike: rows are heads
            elif leaf == "o_proj":
                w = w[:, self._head_rows(t.layer, leaf)]
        return w

    def _transform(self, t: TensorPlan, w: np.ndarray) -> np.ndarray:
        if t.role == Role.NORM:
            return np.ones_like(w) if self.fold else w[self.perm]
        if len(t.shape) != 2:
            return w  # biases live in head/neuron space, not the residual stream
        if t.role in READERS:
            if self.fold:
                g = self._norm_before(t)
                if g is not None:
                    w = w * g[None, :]
            w = w @ self.q
        elif t.role in (Role.O, Role.DOWN):
            w = self.q.T @ w
        if self.permute_neurons and t.layer is not None and t.role in Role.MLP:
            p = self._neuron_perm(t.layer)
            w = w[:, p] if t.role == Role.DOWN else w[p]
        return w


class SymmetryDriftModel(_Derived):
    """Parent moved along symmetries of the network: every same-position comparison loses it.

    Per layer: MLP neurons permuted (gate/up rows, down columns); in each KV group, every RoPE plane
    (dims i and i + d/2 of a head) of Q and K turned by ±90° - the same turn for a K head and the Q
    heads that read it, so q·k and RoPE are unchanged; V rows and O columns turned the same way
    with other signs. A 90° turn makes the raw cosine of a plane exactly zero.
    """

    def __init__(self, parent: SyntheticModel, *, seed: int, relation: str = "continued_symmetric"):
        super().__init__(parent, seed=seed, relation=relation)
        self.extra = {
            "symmetries": ["mlp_neurons", "rope_planes_qk", "vo_planes"],
            "function_preserving": True,
        }

    def _turn(self, rows: np.ndarray, layer: int, group_of_head: np.ndarray, tag: int) -> np.ndarray:
        """Rows of one projection grouped by head; plane (i, i + d/2) of head h → (−s·y, s·x)."""
        s = self.shape
        hd = s.head_dim
        half = hd // 2
        signs = np.where(
            np.random.default_rng([self.seed, tag, layer]).random((s.num_kv_heads, half)) < 0.5, -1.0, 1.0
        )
        out = rows.copy()
        for h, g in enumerate(group_of_head):
            x = rows[h * hd : h * hd + half]
            y = rows[h * hd + half : (h + 1) * hd]
            sg = signs[g][:, None] if rows.ndim == 2 else signs[g]
            out[h * hd : h * hd + half] = -sg * y
            out[h * hd + half : (h + 1) * hd] = sg * x
        return out

    def transform(self, t: TensorPlan, w: np.ndarray) -> np.ndarray:
        s = self.shape
        if t.layer is None:
            return w
        per_group = s.num_heads // s.num_kv_heads
        q_groups = np.arange(s.num_heads) // per_group
        kv_groups = np.arange(s.num_kv_heads)
        leaf = t.name.rsplit(".", 2)[-2]
        if t.role in Role.MLP:
            p = self._neuron_perm(t.layer)
            return w[:, p] if t.role == Role.DOWN else w[p]
        if leaf in ("q_proj", "k_proj"):
            return self._turn(w, t.layer, q_groups if leaf == "q_proj" else kv_groups, 41)
        if leaf == "v_proj":
            return self._turn(w, t.layer, kv_groups, 43)
        if t.role == Role.O:
            # O reads the heads' V outputs: its column blocks turn with V (x ↦ R x needs O ↦ O Rᵀ).
            v_groups = q_groups  # query head h uses the V of its group
            return self._turn(w.T, t.layer, v_groups, 43).T
        return w


class VocabReplacedModel(_Derived):
    """Another tokenizer and new embedding/lm_head rows; every other tensor byte-identical."""

    def __init__(self, parent: SyntheticModel, *, seed: int, relation: str = "vocab_replaced"):
        super().__init__(parent, seed=seed, relation=relation)
        self.extra = {"tokenizer_seed": seed}

    def tokenizer(self) -> dict[str, Any]:
        return make_tokenizer(self.seed, self.shape.vocab_size)

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        if t.role in (Role.EMBED, Role.LM_HEAD):
            yield from _structured_blocks(_rng(self.seed, 9, t.name), t.shape, _BASE_SCALE[t.role])
        else:
            yield from self.parent.blocks(t)


class ForeignVocabModel(VocabReplacedModel):
    """A tokenizer with no string in common with any synthetic one (letters mapped to Greek, so only
    the two special tokens match) and freshly initialised embedding/lm_head rows."""

    def __init__(self, parent: SyntheticModel, *, seed: int, relation: str | None = None):
        super().__init__(parent, seed=seed, relation=relation or parent.relation)
        self.extra = {**getattr(parent, "extra", {}), "tokenizer": "foreign", "tokenizer_seed": seed}

    def tokenizer(self) -> dict[str, Any]:
        return foreign_tokenizer(self.seed, self.shape.vocab_size)


_GREEK = str.maketrans("abcdefghijklmnopqrstuvwxyz", "αβγδεζηθικλμνξοπρστυφχψωϊϋ")


def foreign_tokenizer(seed: int, n_tokens: int) -> dict[str, Any]:
    """``make_tokenizer`` with every letter mapped to a Greek one: no merge or token string is shared."""
    tok = make_tokenizer(seed, n_tokens)
    model = tok["model"]
    model["vocab"] = {k.translate(_GREEK): v for k, v in model["vocab"].items()}
    model["merges"] = [m.translate(_GREEK) for m in model["merges"]]
    return tok


ADVERSARIAL_RELATED = frozenset({"permuted", "rotated", "continued_symmetric", "vocab_replaced"})
"""Names in the adversarial set derived from ``base``; ``independent_permuted`` is not."""

RETOKENISED_RELATED = (
    "retok_permuted",
    "retok_permuted_neurons_heads",
    "retok_trained_0.3",
    "retok_trained_1.0",
    "retok_rotated",
    "retok_moe",
    "retok_pruned",
)
"""Derived from ``base``, tokenizer fully replaced (no shared string) and hidden units moved."""
RETOKENISED_CONTROLS = (
    "control",
    "control_other_recipe",
    "control_transformed",
    "control_other_recipe_transformed",
)
"""Independent of ``base`` (other seeds; recipe "b" for the second pair), with and without the transforms."""


def _retokenised(parent: SyntheticModel, seed: int, relation: str, **transform: Any) -> SyntheticModel:
    """``parent`` with its residual stream moved (``ResidualTransformModel``) and a foreign tokenizer."""
    moved = ResidualTransformModel(parent, seed=seed, relation=relation, **transform)
    model = ForeignVocabModel(moved, seed=seed + 500, relation=relation)
    model.extra = {**moved.extra, "tokenizer": "foreign"}
    return model


def independent_model(shape: ModelShape, k: int, *, seed: int = 0) -> SyntheticModel:
    """The k-th of a series of mutually independent models of ``shape`` (null checks): recipes "a"
    and "b" alternate; odd k get a foreign tokenizer, even k are also re-tokenised with their hidden
    units, MLP neurons and heads permuted (what ``weight_matching`` must align)."""
    base = BaseModel(shape, seed=seed + 500 + k, recipe="ab"[k % 2])
    if k % 2:
        return ForeignVocabModel(base, seed=seed + 900 + k)
    return _retokenised(
        base,
        seed + 700 + k,
        "independent",
        rotation="signed_permutation",
        permute_neurons=True,
        permute_heads=True,
    )


def retokenised_models(
    size: str = "tiny", *, seed: int = 0, layers: int | None = None
) -> dict[str, SyntheticModel]:
    """``base`` and copies whose tokenizer was fully replaced, plus independent controls (issue 15).

    | name                           | relation to ``base``                                              |
    |--------------------------------|-------------------------------------------------------------------|
    | ``retok_permuted``             | new tokenizer + hidden units permuted and sign-flipped (3 % tune) |
    | ``retok_permuted_neurons_heads``| the same + MLP neurons and attention heads permuted per layer    |
    | ``retok_trained_0.3``/``1.0``  | the same after further training (noise 0.3× / 1× each σ)          |
    | ``retok_rotated``              | new tokenizer + norms folded, residual rotated (Haar)             |
    | ``retok_moe``                  | upcycled MoE (4 experts) + new tokenizer + permuted hidden units  |
    | ``retok_pruned``               | every second layer kept + new tokenizer + permuted hidden units   |
    | ``control*``                   | independent seeds (recipe "a", and "b"), plain or permuted+retok  |

    ``layers`` overrides the depth of ``size`` (the tests use 6 layers to stay fast).
    """
    shape = SIZES[size] if layers is None else replace(SIZES[size], num_layers=layers)
    k = seed * 1000
    base = BaseModel(shape, seed=k + 1, recipe="a")
    perm = {"rotation": "signed_permutation", "permute_neurons": False}
    full = {"rotation": "signed_permutation", "permute_neurons": True, "permute_heads": True}

    def tuned(scale: float, tag: int) -> SyntheticModel:
        return PerturbedModel(
            base, seed=k + tag, scale=scale, relation="continued" if scale > 0.1 else "finetune"
        )

    control = BaseModel(shape, seed=k + 101, recipe="a")
    other = BaseModel(shape, seed=k + 102, recipe="b")
    return {
        "base": base,
        "retok_permuted": _retokenised(tuned(0.03, 201), k + 301, "retok_permuted", **perm),
        "retok_permuted_neurons_heads": _retokenised(tuned(0.03, 202), k + 302, "retok_permuted_nh", **full),
        "retok_trained_0.3": _retokenised(tuned(0.3, 203), k + 303, "retok_trained", **full),
        "retok_trained_1.0": _retokenised(tuned(1.0, 204), k + 304, "retok_trained", **full),
        "retok_rotated": _retokenised(
            tuned(0.03, 205), k + 305, "retok_rotated", rotation="orthogonal", permute_neurons=False
        ),
        "retok_moe": _retokenised(
            UpcycledMoEModel(base, num_experts=4, seed=k + 206), k + 306, "retok_moe", **perm
        ),
        "retok_pruned": _retokenised(
            PrunedModel(base, list(range(0, shape.num_layers, 2))), k + 307, "retok_pruned", **perm
        ),
        "control": ForeignVocabModel(control, seed=k + 401, relation="independent"),
        "control_other_recipe": ForeignVocabModel(other, seed=k + 402, relation="independent"),
        "control_transformed": _retokenised(control, k + 403, "independent", **full),
        "control_other_recipe_transformed": _retokenised(other, k + 404, "independent", **full),
    }


def adversarial_models(size: str = "tiny", *, seed: int = 0) -> dict[str, SyntheticModel]:
    """``base`` (the lineage set's, identical) and its adversarial variants (nothing written)."""
    shape = SIZES[size]
    base = BaseModel(shape, seed=seed * 1000 + 1, recipe="a")
    independent = BaseModel(shape, seed=seed * 1000 + 6, recipe="b")
    return {
        "base": base,
        # A light fine-tune first (3 % noise, like ``finetune``), so that no tensor stays byte-identical.
        "permuted": ResidualTransformModel(
            PerturbedModel(base, seed=seed * 1000 + 17, scale=0.03),
            seed=seed * 1000 + 11,
            rotation="signed_permutation",
            permute_neurons=True,
            relation="permuted",
        ),
        "rotated": ResidualTransformModel(
            PerturbedModel(base, seed=seed * 1000 + 18, scale=0.03),
            seed=seed * 1000 + 12,
            rotation="orthogonal",
            permute_neurons=False,
            relation="rotated",
        ),
        "continued_symmetric": SymmetryDriftModel(
            PerturbedModel(base, seed=seed * 1000 + 13, scale=1.0, relation="continued"),
            seed=seed * 1000 + 14,
        ),
        "vocab_replaced": VocabReplacedModel(base, seed=seed * 1000 + 15),
        "independent_permuted": ResidualTransformModel(
            independent,
            seed=seed * 1000 + 16,
            rotation="signed_permutation",
            permute_neurons=True,
            relation="independent",
        ),
    }


def build_adversarial_set(root: str | Path, **options: Any) -> dict[str, Path]:
    """Write ``base`` and the adversarial variants under ``root``; return {name: folder}.

    ``options`` as ``build_lineage_set``. Also writes ``root/adversarial.json`` (relation,
    derived_from_base, transform details). Deterministic in (size, seed, dtype). Tiny set: ~30 MB,
    a few seconds.
    """

    def describe(name: str, model: SyntheticModel) -> dict[str, Any]:
        return {"relation": model.relation, "derived_from_base": name in ADVERSARIAL_RELATED, **model.extra}

    return write_model_set(
        root, adversarial_models, manifest_name="adversarial.json", describe=describe, **options
    )
