"""The two checkpoints of the founding dispute, as skeletons: Qwen2.5-14B and Pangu Pro MoE with
their real tensor names, roles and config fields, at a reduced width and depth, with synthetic
weights. They let the tests show that the engine reads both real layouts (Pangu's grouped experts,
shared expert, router scale and o_proj bias; Qwen2's q/k/v biases) and what a real comparison of
the two would run, without the 30 and 144 GB of the real weights.

Sources of the configurations (the full-size values; ``checkpoint_bytes`` recomputes the published
sizes from them, and the tests check it):

* Qwen2.5-14B: ``config.json`` of ``Qwen/Qwen2.5-14B`` on Hugging Face (model card: 14.7 B
  parameters, 48 layers, 40 query / 8 key-value heads).
* Pangu Pro MoE: ``configuration_pangu_moe.py`` and ``pangu_moe.py`` of vllm-ascend (tensor names
  read from its ``load_weights``: ``mlp.experts.E.{gate,up,down}_proj``, ``mlp.shared_expert.*``,
  ``mlp.gate``, ``mlp.router_scale``, biases on q/k/v and o), and the technical report (arXiv
  2505.21411: 71.99 B parameters in all, 64 routed experts in 8 groups). vllm-ascend's default
  vocabulary (161,856) would give 72.07 B; the 153,376 tokens used here give the report's 71.99 B.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from ..fingerprint import Role
from .models import BaseModel, ModelShape, TensorPlan, _rng, layer_plan, model_plan
from .tokenizer import make_tokenizer

QWEN2_5_14B: dict[str, Any] = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_size": 5120,
    "intermediate_size": 13824,
    "num_hidden_layers": 48,
    "num_attention_heads": 40,
    "num_key_value_heads": 8,
    "vocab_size": 152064,
    "max_position_embeddings": 131072,
    "rms_norm_eps": 1e-05,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}

PANGU_PRO_MOE: dict[str, Any] = {
    "architectures": ["PanguProMoEForCausalLM"],
    "model_type": "PanGuMoE",
    "hidden_size": 5120,
    "num_hidden_layers": 48,
    "num_attention_heads": 40,
    "num_key_value_heads": 8,
    "vocab_size": 153376,
    "num_experts": 64,
    "num_experts_per_tok": 8,
    "moe_intermediate_size": 1344,
    "shared_expert_intermediate_size": 5376,
    "max_position_embeddings": 131072,
    "rms_norm_eps": 1e-05,
    "rope_theta": 16000000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}

REAL_SOURCES = {
    # What an editor types to compare the real checkpoints (the revision is pinned to a commit
    # when the download starts; this Pangu commit is the one vLLM's supported-models list names).
    "qwen2.5-14b": "hf:Qwen/Qwen2.5-14B@main",
    "pangu-pro-moe": "git+https://gitcode.com/ascend-tribe/pangu-pro-moe-model@15e45a97fa314d86804f93f7faba107b43f8d25c",
}


def parameter_count(config: dict[str, Any]) -> int:
    """Parameters of a checkpoint with this configuration (Qwen2 dense or Pangu Pro MoE)."""
    h, layers, v = config["hidden_size"], config["num_hidden_layers"], config["vocab_size"]
    kv = config["num_key_value_heads"] * (h // config["num_attention_heads"])
    attention = h * h + h + 2 * (kv * h + kv) + h * h + 2 * h  # q, k, v with biases, o, two norms
    if config.get("num_experts"):
        e, moe, shared = (
            config["num_experts"],
            config["moe_intermediate_size"],
            config["shared_expert_intermediate_size"],
        )
        attention += h  # Pangu's o_proj has a bias
        mlp = e * 3 * moe * h + 3 * shared * h + e * h + e  # experts, shared expert, router, router scale
    else:
        mlp = 3 * config["intermediate_size"] * h
    embeddings = v * h * (1 if config.get("tie_word_embeddings") else 2)
    return layers * (attention + mlp) + embeddings + h


def checkpoint_bytes(config: dict[str, Any], *, bytes_per_value: int = 2) -> int:
    """What the weights of a checkpoint with this configuration weigh (bf16: 2 bytes a value)."""
    return parameter_count(config) * bytes_per_value


def reduced(
    config: dict[str, Any], *, hidden: int = 160, layers: int = 4, vocab: int = 640
) -> dict[str, Any]:
    """The same configuration at a width and depth a test can write in a second: head counts kept,
    head size, MLP sizes and vocabulary scaled down; expert count divided by 8 (groups kept)."""
    scale = hidden / config["hidden_size"]
    out = {**config, "hidden_size": hidden, "num_hidden_layers": layers, "vocab_size": vocab}
    if config.get("num_experts"):
        out["num_experts"] = config["num_experts"] // 8
        out["num_experts_per_tok"] = config["num_experts_per_tok"] // 8
        out["moe_intermediate_size"] = max(8, round(config["moe_intermediate_size"] * scale))
        out["shared_expert_intermediate_size"] = max(
            8, round(config["shared_expert_intermediate_size"] * scale)
        )
    else:
        out["intermediate_size"] = max(8, round(config["intermediate_size"] * scale))
    return out


class RealLayoutModel(BaseModel):
    """A checkpoint with the tensor names and config of ``config`` (Qwen2 dense or Pangu Pro MoE)
    and synthetic weights of an independent model (seed, recipe)."""

    relation = "independent"

    def __init__(self, config: dict[str, Any], *, seed: int, recipe: str = "a") -> None:
        self._config = config
        shape = ModelShape(
            hidden_size=config["hidden_size"],
            num_layers=config["num_hidden_layers"],
            num_heads=config["num_attention_heads"],
            num_kv_heads=config["num_key_value_heads"],
            intermediate_size=config.get("intermediate_size") or config["moe_intermediate_size"],
            vocab_size=config["vocab_size"],
        )
        super().__init__(shape, seed=seed, recipe=recipe)
        self.shape = replace(shape, num_experts=config.get("num_experts", 0))

    def config(self) -> dict[str, Any]:
        return dict(self._config)

    def tokenizer(self) -> dict[str, Any]:
        return make_tokenizer(self.seed, self.shape.vocab_size)

    def plan(self) -> list[TensorPlan]:
        c, s = self._config, self.shape
        dense = replace(s, num_experts=0, intermediate_size=c.get("intermediate_size") or 1)
        if not s.num_experts:  # Qwen2.5: the synthetic set's own Qwen2 names
            return model_plan(dense)
        h = s.hidden_size
        out = [TensorPlan("model.embed_tokens.weight", (s.vocab_size, h), Role.EMBED, None)]
        for n in range(s.num_layers):
            p = f"model.layers.{n}."
            attention = [t for t in layer_plan(dense, n) if ".mlp." not in t.name]
            # Pangu's o_proj has a bias, between o_proj.weight and the post-attention norm.
            out += [
                *attention[:-1],
                TensorPlan(p + "self_attn.o_proj.bias", (h,), Role.BIAS, n),
                attention[-1],
            ]
            i, shared = c["moe_intermediate_size"], c["shared_expert_intermediate_size"]
            out += [
                TensorPlan(p + "mlp.gate.weight", (s.num_experts, h), Role.ROUTER, n),
                TensorPlan(p + "mlp.router_scale", (1, s.num_experts), Role.BIAS, n),
            ]
            for e in range(s.num_experts):
                q = f"{p}mlp.experts.{e}."
                out += [
                    TensorPlan(q + "gate_proj.weight", (i, h), Role.GATE, n),
                    TensorPlan(q + "up_proj.weight", (i, h), Role.UP, n),
                    TensorPlan(q + "down_proj.weight", (h, i), Role.DOWN, n),
                ]
            out += [
                TensorPlan(p + "mlp.shared_expert.gate_proj.weight", (shared, h), Role.GATE, n),
                TensorPlan(p + "mlp.shared_expert.up_proj.weight", (shared, h), Role.UP, n),
                TensorPlan(p + "mlp.shared_expert.down_proj.weight", (h, shared), Role.DOWN, n),
            ]
        return [
            *out,
            TensorPlan("model.norm.weight", (h,), Role.NORM, None),
            TensorPlan("lm_head.weight", (s.vocab_size, h), Role.LM_HEAD, None),
        ]

    def blocks(self, t: TensorPlan) -> Iterator[np.ndarray]:
        if t.name.endswith("router_scale"):
            yield (1.0 + 0.05 * _rng(self.seed, 6, t.name).standard_normal(t.shape)).astype(np.float32)
            return
        yield from super().blocks(t)


def founding_skeletons(*, seed: int = 0) -> dict[str, RealLayoutModel]:
    """Reduced Qwen2.5-14B and Pangu Pro MoE skeletons, independent of each other (other seeds and
    init recipes): what the engine sees of the real pair's structure, not of its weights."""
    return {
        "qwen2.5-14b": RealLayoutModel(reduced(QWEN2_5_14B), seed=seed, recipe="a"),
        "pangu-pro-moe": RealLayoutModel(reduced(PANGU_PRO_MOE), seed=seed + 1000, recipe="b"),
    }
