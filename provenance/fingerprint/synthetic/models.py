"""Synthetic model descriptions: architecture shapes, init recipes, and each lineage relation.

A ``SyntheticModel`` is a set of functions (tensor plan, tensor blocks, config, tokenizer), not
data: every tensor is a pure function of (model, tensor name), generated in row blocks of at most
``BLOCK_ELEMS`` values. A derived model regenerates its parent's tensor and transforms it, so
nothing is read back from disk and copied tensors are bit-identical.

Why the weights are not iid noise: each matrix is a per-row scaled mix of iid noise and a low-rank
component ("trained structure"), and its σ follows a per-role depth trend (the *init recipe*) times
a smooth seed-dependent deviation (the *training*).
"""

from __future__ import annotations

import hashlib
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..fingerprint import Role
from .tokenizer import make_tokenizer

BLOCK_ELEMS = 1 << 22
"""Largest block of values generated at once: 16 MB of float32."""


@dataclass(frozen=True)
class ModelShape:
    """Architecture hyper-parameters of a Qwen2/Llama-style decoder (``num_experts`` 0 = dense)."""

    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    intermediate_size: int
    vocab_size: int
    num_experts: int = 0

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads


SIZES: dict[str, ModelShape] = {
    # 12 layers of GQA attention; ~2.3 M parameters, ~4.6 MB in bf16.
    "tiny": ModelShape(
        hidden_size=128, num_layers=12, num_heads=4, num_kv_heads=2, intermediate_size=352, vocab_size=512
    ),
    "small": ModelShape(
        hidden_size=256, num_layers=12, num_heads=8, num_kv_heads=2, intermediate_size=688, vocab_size=2048
    ),
}

# Init scale per role (σ at the start of the depth trend), in the range real 1-7B models show.
_BASE_SCALE = {
    Role.Q: 0.040,
    Role.K: 0.045,
    Role.V: 0.020,
    Role.O: 0.016,
    Role.GATE: 0.022,
    Role.UP: 0.020,
    Role.DOWN: 0.013,
    Role.EMBED: 0.020,
    Role.LM_HEAD: 0.016,
    Role.ROUTER: 0.010,
}


def _trend_a(role: str, x: np.ndarray) -> np.ndarray:
    """Recipe "a" (the base's): Q/K σ grow with depth with a mid-depth bump, V/O fall then rise."""
    if role in (Role.Q, Role.K):
        return 1.0 + 0.9 * x - 0.4 * x**2 + 0.12 * np.sin(3 * np.pi * x)
    if role == Role.V:
        return 1.25 - 0.35 * x + 0.3 * x**3
    if role == Role.O:
        return 0.8 + 0.5 * np.sqrt(x)
    return 1.0 + 0.25 * x


def _trend_b(role: str, x: np.ndarray) -> np.ndarray:
    """Recipe "b": another plausible convention (Q/K shrink with depth, V grows, O is U-shaped)."""
    if role in (Role.Q, Role.K):
        return 1.5 - 0.6 * x + 0.2 * np.cos(2 * np.pi * x)
    if role == Role.V:
        return 0.8 + 0.6 * x**2
    if role == Role.O:
        return 1.0 + 0.6 * (x - 0.5) ** 2
    return 1.1 - 0.2 * x


RECIPES: dict[str, Callable[[str, np.ndarray], np.ndarray]] = {"a": _trend_a, "b": _trend_b}


def _name_key(name: str) -> int:
    """A stable 63-bit integer for a string (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little") >> 1


def _rng(seed: int, tag: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, tag, _name_key(name)])


def _row_blocks(shape: tuple[int, ...]) -> list[tuple[int, int]]:
    """Row ranges [start, stop) of at most ``BLOCK_ELEMS`` values; depends only on the shape."""
    rows = shape[0]
    cols = int(np.prod(shape[1:], dtype=np.int64)) if len(shape) > 1 else 1
    step = max(1, BLOCK_ELEMS // max(cols, 1))
    return [(s, min(rows, s + step)) for s in range(0, rows, step)]


def _structured_blocks(
    rng: np.random.Generator, shape: tuple[int, ...], sigma: float, *, structured: bool = True
) -> Iterator[np.ndarray]:
    """A "trained-looking" matrix of std ≈ sigma in row blocks: per-row scale × (iid + low rank).

    When the whole matrix is one block its std is set to sigma exactly, so the σ series of a tiny
    model is exactly its recipe × deviation; larger matrices use the expected std (within ~1 %).
    """
    rows, cols = shape
    blocks = _row_blocks(shape)
    rank = max(2, min(rows, cols) // 16)
    v = rng.standard_normal((rank, cols), dtype=np.float32) if structured else None
    for start, stop in blocks:
        n = stop - start
        w = rng.standard_normal((n, cols), dtype=np.float32)
        if v is not None:
            u = rng.standard_normal((n, rank), dtype=np.float32)
            # einsum, not BLAS matmul: the same bits on every machine (BLAS kernels differ by CPU),
            # and no thread hand-off cost for these thin products on a busy box.
            w = 0.8 * w + (0.6 / math.sqrt(rank)) * np.einsum("ir,rc->ic", u, v)
            w *= 1.0 + 0.25 * rng.standard_normal((n, 1), dtype=np.float32)
            w *= 1.0 / math.sqrt(1.0625)
        if len(blocks) == 1:
            w -= w.mean()
            w *= sigma / w.std(ddof=1)
        else:
            w *= sigma
        yield w.astype(np.float32, copy=False)


def _smooth_deviation(rng: np.random.Generator, n: int, amplitude: float) -> np.ndarray:
    """A smooth random series (AR(1), φ = 0.6) of std ≈ amplitude: the per-layer effect of training."""
    e = rng.standard_normal(n)
    out = np.empty(n)
    out[0] = e[0]
    for i in range(1, n):
        out[i] = 0.6 * out[i - 1] + 0.8 * e[i]  # stationary variance 0.64 / (1 - 0.36) = 1
    return amplitude * out


@dataclass(frozen=True)
class TensorPlan:
    name: str
    shape: tuple[int, ...]
    role: str
    layer: int | None


class SyntheticModel(ABC):
    """A checkpoint described as functions: tensor list, tensor blocks, config and tokenizer."""

    family = "qwen2"
    shape: ModelShape
    relation = "base"
    extra: dict[str, Any]

    @abstractmethod
    def plan(self) -> list[TensorPlan]: ...

    @abstractmethod
    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]: ...

    @abstractmethod
    def sigma(self, role: str, layer: int) -> float:
        """The σ this model's generator targets for a layer's matrix of that role."""

    @abstractmethod
    def tokenizer(self) -> dict[str, Any]: ...

    def config(self) -> dict[str, Any]:
        s = self.shape
        cfg: dict[str, Any] = {
            "architectures": ["Qwen2MoeForCausalLM" if s.num_experts else "Qwen2ForCausalLM"],
            "model_type": "qwen2_moe" if s.num_experts else "qwen2",
            "hidden_size": s.hidden_size,
            "num_hidden_layers": s.num_layers,
            "num_attention_heads": s.num_heads,
            "num_key_value_heads": s.num_kv_heads,
            "intermediate_size": s.intermediate_size,
            "vocab_size": s.vocab_size,
            "max_position_embeddings": 2048,
            "rms_norm_eps": 1e-6,
            "rope_theta": 10000.0,
            "tie_word_embeddings": False,
            "torch_dtype": "bfloat16",
        }
        if s.num_experts:
            cfg.update(
                num_experts=s.num_experts,
                num_experts_per_tok=2,
                moe_intermediate_size=s.intermediate_size,
                decoder_sparse_step=1,
            )
        return cfg


def layer_plan(shape: ModelShape, layer: int) -> list[TensorPlan]:
    h, kv = shape.hidden_size, shape.num_kv_heads * shape.head_dim
    p = f"model.layers.{layer}."
    out = [
        TensorPlan(p + "input_layernorm.weight", (h,), Role.NORM, layer),
        TensorPlan(p + "self_attn.q_proj.weight", (h, h), Role.Q, layer),
        TensorPlan(p + "self_attn.q_proj.bias", (h,), Role.BIAS, layer),
        TensorPlan(p + "self_attn.k_proj.weight", (kv, h), Role.K, layer),
        TensorPlan(p + "self_attn.k_proj.bias", (kv,), Role.BIAS, layer),
        TensorPlan(p + "self_attn.v_proj.weight", (kv, h), Role.V, layer),
        TensorPlan(p + "self_attn.v_proj.bias", (kv,), Role.BIAS, layer),
        TensorPlan(p + "self_attn.o_proj.weight", (h, h), Role.O, layer),
        TensorPlan(p + "post_attention_layernorm.weight", (h,), Role.NORM, layer),
    ]
    i = shape.intermediate_size
    if shape.num_experts:
        out.append(TensorPlan(p + "mlp.gate.weight", (shape.num_experts, h), Role.ROUTER, layer))
        for e in range(shape.num_experts):
            q = f"{p}mlp.experts.{e}."
            out += [
                TensorPlan(q + "gate_proj.weight", (i, h), Role.GATE, layer),
                TensorPlan(q + "up_proj.weight", (i, h), Role.UP, layer),
                TensorPlan(q + "down_proj.weight", (h, i), Role.DOWN, layer),
            ]
    else:
        out += [
            TensorPlan(p + "mlp.gate_proj.weight", (i, h), Role.GATE, layer),
            TensorPlan(p + "mlp.up_proj.weight", (i, h), Role.UP, layer),
            TensorPlan(p + "mlp.down_proj.weight", (h, i), Role.DOWN, layer),
        ]
    return out


def model_plan(shape: ModelShape) -> list[TensorPlan]:
    """Tensor names and shapes of a Qwen2 (or Qwen2-MoE) checkpoint, in file order."""
    h = shape.hidden_size
    plan = [TensorPlan("model.embed_tokens.weight", (shape.vocab_size, h), Role.EMBED, None)]
    for layer in range(shape.num_layers):
        plan += layer_plan(shape, layer)
    plan += [
        TensorPlan("model.norm.weight", (h,), Role.NORM, None),
        TensorPlan("lm_head.weight", (shape.vocab_size, h), Role.LM_HEAD, None),
    ]
    return plan


class BaseModel(SyntheticModel):
    """A freshly "trained" model: recipe trend × seed deviation per role and layer."""

    def __init__(
        self,
        shape: ModelShape,
        *,
        seed: int,
        recipe: str = "a",
        deviation: float = 0.03,
        structured: bool = True,
    ):
        self.shape, self.seed, self.recipe = shape, seed, recipe
        self.structured = structured
        self.extra = {"recipe": recipe}
        x = np.linspace(0.0, 1.0, shape.num_layers) if shape.num_layers > 1 else np.zeros(1)
        self._sigma: dict[str, np.ndarray] = {}
        for k, role in enumerate((*Role.ATTENTION, *Role.MLP, Role.ROUTER)):
            dev = _smooth_deviation(np.random.default_rng([seed, 11, k]), shape.num_layers, deviation)
            self._sigma[role] = _BASE_SCALE[role] * RECIPES[recipe](role, x) * np.exp(dev)

    def plan(self) -> list[TensorPlan]:
        return model_plan(self.shape)

    def sigma(self, role: str, layer: int) -> float:
        return float(self._sigma[role][layer])

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        rng = _rng(self.seed, 1, t.name)
        if t.role == Role.NORM:
            depth = 0.0 if t.layer is None else t.layer / max(1, self.shape.num_layers - 1)
            yield (0.6 + 0.8 * depth + 0.1 * rng.standard_normal(t.shape)).astype(np.float32)
        elif t.role == Role.BIAS:
            yield (0.02 * rng.standard_normal(t.shape)).astype(np.float32)
        elif t.layer is None:  # embedding / lm_head
            yield from _structured_blocks(rng, t.shape, _BASE_SCALE[t.role], structured=self.structured)
        else:
            yield from _structured_blocks(
                rng, t.shape, self.sigma(t.role, t.layer), structured=self.structured
            )

    def tokenizer(self) -> dict[str, Any]:
        return make_tokenizer(self.seed, self.shape.vocab_size)


class PerturbedModel(SyntheticModel):
    """Parent + noise: a fine-tune (small ``scale``) or continued pretraining (large, with drift).

    The noise added to a layer's matrix has std ``scale × parent σ × (1 + drift × (depth − ½))``,
    so a drift changes the σ trend as long training does; 1-D tensors get proportionally less.
    """

    def __init__(
        self,
        parent: SyntheticModel,
        *,
        seed: int,
        scale: float,
        drift: float = 0.0,
        relation: str = "finetune",
    ):
        self.parent, self.seed, self.scale, self.drift = parent, seed, scale, drift
        self.shape, self.relation = parent.shape, relation
        self.extra = {"parent_relation": parent.relation, "noise_scale": scale, "drift": drift}

    def plan(self) -> list[TensorPlan]:
        return self.parent.plan()

    def sigma(self, role: str, layer: int) -> float:
        return self.parent.sigma(role, layer)

    def tokenizer(self) -> dict[str, Any]:
        return self.parent.tokenizer()

    def noise_sigma(self, t: TensorPlan) -> float:
        if t.layer is None or t.role not in _BASE_SCALE:
            base = _BASE_SCALE.get(t.role, 0.05)
            depth = 0.5
        else:
            base = self.parent.sigma(t.role, t.layer)
            depth = t.layer / max(1, self.shape.num_layers - 1)
        return self.scale * base * (1.0 + self.drift * (depth - 0.5))

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        rng = _rng(self.seed, 2, t.name)
        sigma = self.noise_sigma(t)
        if len(t.shape) == 2:
            noise: Iterator[np.ndarray] = _structured_blocks(rng, t.shape, sigma)
        else:
            noise = iter([sigma * rng.standard_normal(t.shape, dtype=np.float32)])
        for block, delta in zip(self.parent.blocks(t), noise, strict=True):
            yield block + delta


class PrunedModel(SyntheticModel):
    """Keeps the parent's layers ``kept`` (renumbered 0..), all tensors byte-identical."""

    relation = "pruned"

    def __init__(self, parent: SyntheticModel, kept: list[int]):
        self.parent, self.kept = parent, kept
        self.shape = replace(parent.shape, num_layers=len(kept))
        self.extra = {"kept_layers": list(kept)}
        self._source = {}
        parent_plan = {t.name: t for t in parent.plan()}
        for t in self.plan():
            name = t.name
            if t.layer is not None:
                name = name.replace(f"model.layers.{t.layer}.", f"model.layers.{kept[t.layer]}.", 1)
            self._source[t.name] = parent_plan[name]

    def plan(self) -> list[TensorPlan]:
        return model_plan(self.shape)

    def sigma(self, role: str, layer: int) -> float:
        return self.parent.sigma(role, self.kept[layer])

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        return self.parent.blocks(self._source[t.name])

    def tokenizer(self) -> dict[str, Any]:
        return self.parent.tokenizer()


class WidenedVocabModel(SyntheticModel):
    """Parent with ``extra_tokens`` new vocabulary rows (mean of the old rows + noise, the usual init)."""

    relation = "widened"

    def __init__(self, parent: SyntheticModel, *, extra_tokens: int, seed: int):
        self.parent, self.extra_tokens, self.seed = parent, extra_tokens, seed
        self.shape = replace(parent.shape, vocab_size=parent.shape.vocab_size + extra_tokens)
        self.extra = {"extra_tokens": extra_tokens}

    def plan(self) -> list[TensorPlan]:
        return model_plan(self.shape)

    def sigma(self, role: str, layer: int) -> float:
        return self.parent.sigma(role, layer)

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        if t.role not in (Role.EMBED, Role.LM_HEAD):
            yield from self.parent.blocks(t)
            return
        old = replace(t, shape=(self.parent.shape.vocab_size, t.shape[1]))
        total = np.zeros(t.shape[1], dtype=np.float64)
        for block in self.parent.blocks(old):
            total += block.sum(axis=0)
            yield block
        rng = _rng(self.seed, 3, t.name)
        mean = (total / old.shape[0]).astype(np.float32)
        yield mean + 0.5 * _BASE_SCALE[t.role] * rng.standard_normal(
            (self.extra_tokens, t.shape[1]), dtype=np.float32
        )

    def tokenizer(self) -> dict[str, Any]:
        parent = self.parent
        seed = getattr(parent, "seed", 0)
        return make_tokenizer(seed, parent.shape.vocab_size, extra=self.extra_tokens)


class UpcycledMoEModel(SyntheticModel):
    """Qwen2-MoE made from a dense parent: experts = the layer's dense MLP + noise, router new,
    attention, norms and embeddings copied with small noise (the upcycled model was trained on)."""

    relation = "moe"

    def __init__(
        self,
        parent: SyntheticModel,
        *,
        num_experts: int,
        seed: int,
        expert_noise: float = 0.15,
        shared_noise: float = 0.05,
    ):
        self.parent, self.seed = parent, seed
        self.shape = replace(parent.shape, num_experts=num_experts)
        self.expert_noise, self.shared_noise = expert_noise, shared_noise
        self.extra = {"num_experts": num_experts, "expert_noise": expert_noise}
        self._trained_copy = PerturbedModel(parent, seed=seed, scale=shared_noise, relation="moe")
        self._dense = {t.name: t for t in parent.plan()}

    def plan(self) -> list[TensorPlan]:
        return model_plan(self.shape)

    def sigma(self, role: str, layer: int) -> float:
        return self.parent.sigma(role, layer)

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        if t.role == Role.ROUTER:
            yield from _structured_blocks(_rng(self.seed, 4, t.name), t.shape, _BASE_SCALE[Role.ROUTER])
            return
        if ".mlp.experts." not in t.name:
            yield from self._trained_copy.blocks(t)
            return
        prefix, rest = t.name.split(".mlp.experts.", 1)
        dense = self._dense[f"{prefix}.mlp.{rest.split('.', 1)[1]}"]
        sigma = self.expert_noise * self.parent.sigma(t.role, t.layer or 0)
        noise = _structured_blocks(_rng(self.seed, 5, t.name), t.shape, sigma)
        for block, delta in zip(self.parent.blocks(dense), noise, strict=True):
            yield block + delta

    def tokenizer(self) -> dict[str, Any]:
        return self.parent.tokenizer()
