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

Every tensor is a pure function of (model, tensor name): a derived model regenerates its parent's
tensor and transforms it, so nothing is read back from disk and copies are bit-identical.
Memory: tensors are generated and written in row blocks of at most ``_BLOCK_ELEMS`` values
(16 MB of float32), so writing is bounded whatever the checkpoint size.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np

from .fingerprint import Role

_BLOCK_ELEMS = 1 << 22
_DTYPES: dict[str, tuple[np.dtype, int]] = {
    "BF16": (np.dtype(ml_dtypes.bfloat16), 2),
    "F16": (np.dtype(np.float16), 2),
    "F32": (np.dtype(np.float32), 4),
}
PRUNE_STEP = 2
WIDEN_EXTRA_TOKENS = 64


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
    "tiny": ModelShape(hidden_size=128, num_layers=12, num_heads=4, num_kv_heads=2,
                       intermediate_size=352, vocab_size=512),
    "small": ModelShape(hidden_size=256, num_layers=12, num_heads=8, num_kv_heads=2,
                        intermediate_size=688, vocab_size=2048),
}

# Init scale per role (σ at the start of the depth trend), in the range real 1-7B models show.
_BASE_SCALE = {
    Role.Q: 0.040, Role.K: 0.045, Role.V: 0.020, Role.O: 0.016,
    Role.GATE: 0.022, Role.UP: 0.020, Role.DOWN: 0.013,
    Role.EMBED: 0.020, Role.LM_HEAD: 0.016, Role.ROUTER: 0.010,
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
    """Row ranges [start, stop) of at most ``_BLOCK_ELEMS`` values; depends only on the shape."""
    rows = shape[0]
    cols = int(np.prod(shape[1:], dtype=np.int64)) if len(shape) > 1 else 1
    step = max(1, _BLOCK_ELEMS // max(cols, 1))
    return [(s, min(rows, s + step)) for s in range(0, rows, step)]


def _structured_blocks(rng: np.random.Generator, shape: tuple[int, ...], sigma: float,
                       *, structured: bool = True) -> Iterator[np.ndarray]:
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
            w = 0.8 * w + (0.6 / math.sqrt(rank)) * (u @ v)
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


class SyntheticModel:
    """A checkpoint described as functions: tensor list, tensor blocks, config and tokenizer."""

    family = "qwen2"
    shape: ModelShape
    relation = "base"
    extra: dict[str, Any]

    def plan(self) -> list[TensorPlan]:
        raise NotImplementedError

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        raise NotImplementedError

    def sigma(self, role: str, layer: int) -> float:
        """The σ this model's generator targets for a layer's matrix of that role."""
        raise NotImplementedError

    def tokenizer(self) -> dict[str, Any]:
        raise NotImplementedError

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
            cfg.update(num_experts=s.num_experts, num_experts_per_tok=2,
                       moe_intermediate_size=s.intermediate_size, decoder_sparse_step=1)
        return cfg


def _layer_plan(shape: ModelShape, layer: int) -> list[TensorPlan]:
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
            out += [TensorPlan(q + "gate_proj.weight", (i, h), Role.GATE, layer),
                    TensorPlan(q + "up_proj.weight", (i, h), Role.UP, layer),
                    TensorPlan(q + "down_proj.weight", (h, i), Role.DOWN, layer)]
    else:
        out += [TensorPlan(p + "mlp.gate_proj.weight", (i, h), Role.GATE, layer),
                TensorPlan(p + "mlp.up_proj.weight", (i, h), Role.UP, layer),
                TensorPlan(p + "mlp.down_proj.weight", (h, i), Role.DOWN, layer)]
    return out


def model_plan(shape: ModelShape) -> list[TensorPlan]:
    """Tensor names and shapes of a Qwen2 (or Qwen2-MoE) checkpoint, in file order."""
    h = shape.hidden_size
    plan = [TensorPlan("model.embed_tokens.weight", (shape.vocab_size, h), Role.EMBED, None)]
    for layer in range(shape.num_layers):
        plan += _layer_plan(shape, layer)
    plan += [TensorPlan("model.norm.weight", (h,), Role.NORM, None),
             TensorPlan("lm_head.weight", (shape.vocab_size, h), Role.LM_HEAD, None)]
    return plan


def make_tokenizer(seed: int, n_tokens: int, *, extra: int = 0) -> dict[str, Any]:
    """A Hugging Face ``tokenizer.json`` (BPE) of made-up tokens; ``extra`` appends new merges.

    Ids 0..n_tokens-3 are the alphabet and merges, n_tokens-2 and -1 are special tokens, and the
    ``extra`` widened tokens follow them (as when a vocabulary is extended after release).
    """
    rng = np.random.default_rng([seed, 77])
    vocab: list[str] = list("abcdefghijklmnopqrstuvwxyz") + ["Ġ" + c for c in "aeioustnrl"]
    merges: list[str] = []
    seen = set(vocab)

    def grow(count: int, local_rng: np.random.Generator) -> None:
        # A merge joins any token with a short one (≤ 3 characters); drawing the right side from
        # short tokens keeps rejections rare, so 32k-token vocabularies take well under a second.
        short = [t for t in vocab if len(t) <= 3 and not t.startswith("Ġ")]
        while count > 0:
            lefts = local_rng.integers(0, len(vocab), size=1024)
            rights = local_rng.integers(0, len(short), size=1024)
            for i, j in zip(lefts.tolist(), rights.tolist(), strict=True):
                left, right = vocab[i], short[j]
                token = left + right
                if len(token) > 12 or token in seen:
                    continue
                vocab.append(token)
                seen.add(token)
                merges.append(f"{left} {right}")
                if len(token) <= 3 and not token.startswith("Ġ"):
                    short.append(token)
                count -= 1
                if count == 0:
                    break

    grow(n_tokens - 2 - len(vocab), rng)
    specials = ["<|endoftext|>", "<|pad|>"]
    ids = {tok: i for i, tok in enumerate(vocab)}
    for k, tok in enumerate(specials):
        ids[tok] = n_tokens - 2 + k
    if extra:
        before = len(vocab)
        grow(extra, np.random.default_rng([seed, 78]))
        for k, tok in enumerate(vocab[before:]):
            ids[tok] = n_tokens + k
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": ids[t], "content": t, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True} for t in specials],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": False, "vocab": ids, "merges": merges},
    }


class BaseModel(SyntheticModel):
    """A freshly "trained" model: recipe trend × seed deviation per role and layer."""

    def __init__(self, shape: ModelShape, *, seed: int, recipe: str = "a", deviation: float = 0.03,
                 structured: bool = True):
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
            yield from _structured_blocks(rng, t.shape, self.sigma(t.role, t.layer),
                                          structured=self.structured)

    def tokenizer(self) -> dict[str, Any]:
        return make_tokenizer(self.seed, self.shape.vocab_size)


class PerturbedModel(SyntheticModel):
    """Parent + noise: a fine-tune (small ``scale``) or continued pretraining (large, with drift).

    The noise added to a layer's matrix has std ``scale × parent σ × (1 + drift × (depth − ½))``,
    so a drift changes the σ trend as long training does; 1-D tensors get proportionally less.
    """

    def __init__(self, parent: SyntheticModel, *, seed: int, scale: float, drift: float = 0.0,
                 relation: str = "finetune"):
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
        yield mean + 0.5 * _BASE_SCALE[t.role] * rng.standard_normal((self.extra_tokens, t.shape[1]),
                                                                    dtype=np.float32)

    def tokenizer(self) -> dict[str, Any]:
        parent = self.parent
        seed = getattr(parent, "seed", 0)
        return make_tokenizer(seed, parent.shape.vocab_size, extra=self.extra_tokens)


class UpcycledMoEModel(SyntheticModel):
    """Qwen2-MoE made from a dense parent: experts = the layer's dense MLP + noise, router new,
    attention, norms and embeddings copied with small noise (the upcycled model was trained on)."""

    relation = "moe"

    def __init__(self, parent: SyntheticModel, *, num_experts: int, seed: int,
                 expert_noise: float = 0.15, shared_noise: float = 0.05):
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


# -- writing -------------------------------------------------------------------------------------

def _shards(plan: list[TensorPlan], itemsize: int, max_shard_bytes: int) -> list[list[TensorPlan]]:
    shards: list[list[TensorPlan]] = [[]]
    size = 0
    for t in plan:
        nbytes = int(np.prod(t.shape)) * itemsize
        if shards[-1] and size + nbytes > max_shard_bytes:
            shards.append([])
            size = 0
        shards[-1].append(t)
        size += nbytes
    return shards


def write_model(model: SyntheticModel, out_dir: str | Path, *, dtype: str = "BF16",
                max_shard_bytes: int = 2 << 20, metadata: dict[str, str] | None = None) -> Path:
    """Write ``model`` as a Hugging Face-style checkpoint folder and return the folder.

    One ``model.safetensors`` if it fits in ``max_shard_bytes``, otherwise
    ``model-0000i-of-0000n.safetensors`` shards plus ``model.safetensors.index.json``. Tensors are
    written block by block (at most ``_BLOCK_ELEMS`` values in memory); the folder is replaced.
    """
    if dtype not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, not {dtype!r}")
    np_dtype, itemsize = _DTYPES[dtype]
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shards = _shards(model.plan(), itemsize, max_shard_bytes)
    n = len(shards)
    weight_map: dict[str, str] = {}
    total = 0
    for k, shard in enumerate(shards, start=1):
        fname = "model.safetensors" if n == 1 else f"model-{k:05d}-of-{n:05d}.safetensors"
        header: dict[str, Any] = {"__metadata__": {"format": "pt", **(metadata or {})}}
        offset = 0
        for t in shard:
            nbytes = int(np.prod(t.shape)) * itemsize
            header[t.name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + nbytes]}
            offset += nbytes
            weight_map[t.name] = fname
        raw = json.dumps(header, separators=(",", ":")).encode()
        raw += b" " * (-len(raw) % 8)  # the reference writer pads the header to 8 bytes
        with open(out / fname, "wb") as f:
            f.write(len(raw).to_bytes(8, "little"))
            f.write(raw)
            for t in shard:
                for block in model.blocks(t):
                    f.write(np.ascontiguousarray(block, dtype=np.float32).astype(np_dtype).tobytes())
        total += offset
    if n > 1:
        index = {"metadata": {"total_size": total}, "weight_map": weight_map}
        (out / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))
    cfg = model.config()
    cfg["torch_dtype"] = {"BF16": "bfloat16", "F16": "float16", "F32": "float32"}[dtype]
    (out / "config.json").write_text(json.dumps(cfg, indent=2))
    (out / "tokenizer.json").write_text(json.dumps(model.tokenizer(), ensure_ascii=False))
    return out


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


def build_lineage_set(root: str | Path, *, size: str = "tiny", seed: int = 0, dtype: str = "BF16",
                      max_shard_bytes: int = 2 << 20) -> dict[str, Path]:
    """Write the lineage set under ``root`` (one folder per model) and return {name: folder}.

    Also writes ``root/lineage.json``: per model its relation to ``base``, whether it is derived
    from it, and relation details (``kept_layers`` for the pruned copy). Deterministic in
    (size, seed, dtype): the same call writes byte-identical files. Tiny set: ~45 MB, ~2 s.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    manifest: dict[str, Any] = {"size": size, "seed": seed, "dtype": dtype, "models": {}}
    for name, model in lineage_models(size, seed=seed).items():
        paths[name] = write_model(model, root / name, dtype=dtype, max_shard_bytes=max_shard_bytes,
                                  metadata={"synthetic_relation": model.relation})
        manifest["models"][name] = {
            "relation": model.relation if name in RELATED else ("base" if name == "base" else "independent"),
            "derived_from_base": name in RELATED,
            "num_layers": model.shape.num_layers,
            **model.extra,
        }
    (root / "lineage.json").write_text(json.dumps(manifest, indent=2))
    return paths


def write_checkpoint_of_size(out_dir: str | Path, target_bytes: int, *, seed: int = 0, dtype: str = "BF16",
                             max_shard_bytes: int = 1 << 30, structured: bool = False) -> Path:
    """Write one Qwen2-style checkpoint of about ``target_bytes`` (for benchmarks) and return it.

    Hidden size grows with the target (256 up to 2048) so that at least 4 layers fit; the layer
    count is chosen to land within one layer's size of the target. ``structured=False`` (default)
    generates iid weights, which is faster (no low-rank product) and statistically irrelevant to
    the reading cost. Memory stays bounded by the block size, not the target.
    """
    itemsize = _DTYPES[dtype][1]
    for hidden in (2048, 1024, 512, 256):
        inter = int(hidden * 2.75) // 64 * 64
        shape = ModelShape(hidden, 1, max(1, hidden // 128), max(1, hidden // 512), inter, 32000)
        per_layer = sum(int(np.prod(t.shape)) for t in _layer_plan(shape, 0)) * itemsize
        fixed = (2 * shape.vocab_size * hidden + hidden) * itemsize
        if (target_bytes - fixed) / per_layer >= 4 or hidden == 256:
            break
    layers = max(1, round((target_bytes - fixed) / per_layer))
    model = BaseModel(replace(shape, num_layers=layers), seed=seed, structured=structured)
    return write_model(model, out_dir, dtype=dtype, max_shard_bytes=max_shard_bytes)
