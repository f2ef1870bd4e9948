"""Architecture layouts: which stored tensor (or slice of one) is layer N's Q, K, V, O, MLP, expert...

``resolve_layout(shapes, config)`` recognises the family from the tensor names (and
``config.model_type`` when present) and returns one :class:`PartSpec` per part. A part is a whole
tensor, or a slice of a fused one, described so the statistics pass can extract it chunk by chunk
from the stored row-major bytes:

* ``rows``: a tuple of stored row ranges (of a 2-D tensor, or entries of a 1-D one) whose
  concatenation is the part (fused ``query_key_value`` of GPT-NeoX/Falcon, Phi's ``Wqkv``);
* ``cols``: a stored column range, transposed (GPT-2 Conv1D keeps weights as (in, out): the part is
  ``stored[:, c0:c1].T`` so every part has ``torch.nn.Linear``'s (out, in) orientation);
* neither: the whole tensor as stored.

Supported: Llama / Mistral / Qwen2 / Qwen3 / Gemma-style (``layers.N.self_attn.q_proj``; q/k/v
biases; MLP ``gate/up/down_proj``; Phi-2's HF names ``dense``/``fc1``/``fc2``; Phi-3's fused
``qkv_proj`` and ``gate_up_proj``), MoE experts (Qwen2-MoE/DeepSeek ``mlp.experts.E.*_proj``, shared
experts with ``expert=-1``; Mixtral ``block_sparse_moe.experts.E.w1/w3/w2`` = gate/up/down), GPT-2,
GPT-NeoX (per-head interleaved ``query_key_value``), Falcon (per-head interleaved, the 7B multi-query
``[q..., k, v]`` and the 40B/180B grouped ``new_decoder_architecture``), Phi-1/1.5 ``mixer.Wqkv``,
BERT/RoBERTa and DistilBERT, llama.cpp's GGUF names for every architecture it converts
(``blk.N.attn_q``, fused ``attn_qkv``, stacked experts ``ffn_up_exps`` split into one part per
expert, shared experts ``ffn_up_shexp``, ``token_embd``/``output``), Meta's original Llama/Mistral names (``layers.N.attention.wq``,
``feed_forward.w1/w3/w2``), each with or without a prefix such as ``model.``. Not placed in a role:
DeepSeek-V3's latent-attention projections (OTHER; its ``o_proj`` is O), Mamba/RWKV-style blocks
(UnknownLayoutError), phi-1.5's original ``layers.0.wte`` embedding (placed as OTHER in layer 0).
Fused splits that depend on head counts read them from ``config.json``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import UnknownLayoutError
from .fingerprint import Role

SAMPLED_ROLES = frozenset({*Role.ATTENTION, *Role.MLP, Role.ROUTER, Role.EMBED, Role.LM_HEAD})
SHARED_EXPERT = -1  # ``expert`` of a shared (always active) expert, so it never collides with a dense MLP


@dataclass(frozen=True)
class PartSpec:
    """One part and how to extract it from its stored tensor (see the module docstring)."""

    key: str
    tensor: str
    layer: int | None
    role: str | None
    expert: int | None
    shape: tuple[int, ...]  # logical, Linear (out, in) orientation
    stored_shape: tuple[int, ...]
    rows: tuple[tuple[int, int], ...] | None = None
    cols: tuple[int, int] | None = None

    @property
    def sampled(self) -> bool:
        return len(self.shape) == 2 and self.role in SAMPLED_ROLES

    @property
    def row_width(self) -> int:
        """Entries per stored row (1 for a 1-D tensor)."""
        return int(np.prod(self.stored_shape[1:], dtype=np.int64)) if len(self.stored_shape) > 1 else 1

    def element_ranges(self) -> list[tuple[int, int]]:
        """Stored flat [start, stop) element ranges of a row-selected or whole part."""
        w = self.row_width
        if self.rows is None:
            return [(0, int(np.prod(self.stored_shape, dtype=np.int64)))]
        return [(r0 * w, r1 * w) for r0, r1 in self.rows]

    def stored_index(self, logical: np.ndarray) -> np.ndarray:
        """Map flat indices in the logical orientation to flat indices in the stored tensor."""
        logical = np.asarray(logical, dtype=np.int64)
        if self.cols is not None:
            c0 = self.cols[0]
            n_in = self.shape[1] if len(self.shape) == 2 else 1
            i, j = np.divmod(logical, n_in)  # logical (i, j) is stored (j, c0 + i)
            return j * self.stored_shape[-1] + c0 + i
        if self.rows is None:
            return logical
        w = self.row_width
        r, c = np.divmod(logical, w)
        lengths = np.array([b - a for a, b in self.rows], dtype=np.int64)
        starts = np.array([a for a, _ in self.rows], dtype=np.int64)
        cum = np.concatenate([[0], np.cumsum(lengths)])
        k = np.searchsorted(cum, r, side="right") - 1
        return (starts[k] + (r - cum[k])) * w + c


@dataclass(frozen=True)
class Layout:
    """Every part of a checkpoint. ``family`` is config.json's model_type when given, else the
    layout's name; ``num_layers`` is one more than the highest layer index placed."""

    family: str
    num_layers: int
    parts: list[PartSpec]


# --- rules ------------------------------------------------------------------------------------
# A rule maps the name inside a layer ("self_attn.q_proj.weight") to a role; ``split`` names a
# function that turns a fused tensor into several parts.
_PROJ = {"q": Role.Q, "k": Role.K, "v": Role.V, "o": Role.O}


def _is_norm(name: str) -> bool:
    return bool(re.search(r"(norm|^ln|\.ln|ln_\w*|layernorm)", name, re.I))


def _generic(sub: str) -> str:
    """Role of a tensor nothing more specific matched: norm, bias, or other."""
    leaf = sub.rsplit(".", 1)[-1]
    if _is_norm(sub):
        return Role.BIAS if leaf in ("bias", "beta") else Role.NORM
    if leaf == "bias":
        return Role.BIAS
    return Role.OTHER


_LLAMA_RULES: list[tuple[str, str]] = [
    (r"self_attn\.([qkvo])_proj\.weight", "proj"),
    (r"self_attn\.dense\.weight", Role.O),  # phi-2 HF
    (r"self_attn\.qkv_proj\.weight", "split_qkv_rows"),  # phi-3
    (r"(?:mlp|feed_forward)\.gate_up_proj\.weight", "split_gate_up"),  # phi-3
    (r"(?:mlp|feed_forward)\.(gate|up|down)_proj\.weight", "mlp"),
    (r"mlp\.fc1\.weight", Role.UP),
    (r"mlp\.fc2\.weight", Role.DOWN),
    (r"(?:mlp|block_sparse_moe)\.experts\.(\d+)\.(gate|up|down)_proj\.weight", "expert"),
    (r"block_sparse_moe\.experts\.(\d+)\.(w1|w2|w3)\.weight", "expert"),
    (r"mlp\.shared_experts?\.(gate|up|down)_proj\.weight", "shared"),
    (r"(?:mlp|block_sparse_moe)\.gate\.weight", Role.ROUTER),
]
_META_RULES = [  # Meta's original Llama / Mistral "consolidated" names
    (r"attention\.w([qkvo])\.weight", "proj"),
    (r"feed_forward\.(w1|w2|w3)\.weight", "ffn_w"),
]
_GPT2_RULES = [
    (r"attn\.c_attn\.weight", "split_conv1d_qkv"),
    (r"attn\.c_attn\.bias", "split_bias_thirds"),
    (r"attn\.c_proj\.weight", "conv1d_o"),
    (r"mlp\.c_fc\.weight", "conv1d_up"),
    (r"mlp\.c_proj\.weight", "conv1d_down"),
    (r"attn\.(?:masked_)?bias", Role.OTHER),  # causal-mask buffers of old GPT-2 exports
]
_NEOX_RULES = [
    (r"attention\.query_key_value\.(weight|bias)", "split_neox"),
    (r"attention\.dense\.weight", Role.O),
    (r"mlp\.dense_h_to_4h\.weight", Role.UP),
    (r"mlp\.dense_4h_to_h\.weight", Role.DOWN),
    (r"attention\.(?:masked_)?bias|attention\.rotary_emb\.inv_freq", Role.OTHER),
]
_FALCON_RULES = [
    (r"self_attention\.query_key_value\.(weight|bias)", "split_falcon"),
    (r"self_attention\.dense\.weight", Role.O),
    (r"mlp\.dense_h_to_4h\.weight", Role.UP),
    (r"mlp\.dense_4h_to_h\.weight", Role.DOWN),
]
_PHI_RULES = [
    (r"mixer\.Wqkv\.(weight|bias)", "split_qkv_rows"),
    (r"mixer\.out_proj\.weight", Role.O),
    (r"mlp\.fc1\.weight", Role.UP),
    (r"mlp\.fc2\.weight", Role.DOWN),
]
_BERT_RULES = [
    (r"attention\.self\.query\.weight", Role.Q),
    (r"attention\.self\.key\.weight", Role.K),
    (r"attention\.self\.value\.weight", Role.V),
    (r"attention\.output\.dense\.weight", Role.O),
    (r"intermediate\.dense\.weight", Role.UP),
    (r"output\.dense\.weight", Role.DOWN),
]
_DISTILBERT_RULES = [
    (r"attention\.([qkv])_lin\.weight", "proj"),
    (r"attention\.out_lin\.weight", Role.O),
    (r"ffn\.lin1\.weight", Role.UP),
    (r"ffn\.lin2\.weight", Role.DOWN),
]

# llama.cpp's names (gguf-py ``tensor_mapping.py``), the same for every architecture it converts:
# fused ``attn_qkv`` is contiguous [q | k | v] rows (the converter reorders Falcon's and transposes
# GPT-2's), MoE experts are stacked in one (experts, out, in) tensor per projection.
_GGUF_RULES = [
    (r"attn_([qkv])\.weight", "proj"),
    (r"attn_output\.weight", Role.O),
    (r"attn_qkv\.(weight|bias)", "split_qkv_rows"),
    (r"ffn_up\.weight", "gguf_ffn_up"),
    (r"ffn_(gate|down)\.weight", "mlp"),
    (r"ffn_(gate|up|down)_exps\.weight", "stacked_experts"),
    (r"ffn_(gate|up|down)_shexp\.weight", "shared"),
    (r"ffn_gate_inp\.weight", Role.ROUTER),
    (r"ffn_gate_inp_shexp\.weight", Role.OTHER),
]

_EMBED = r"(?:token_embd|embed_tokens|wte|embed_in|word_embeddings|embd\.wte|tok_embeddings)\.weight"
_LM_HEAD = r"(?:lm_head|embed_out|lm_head\.linear|output|cls\.predictions\.decoder)\.weight"


@dataclass(frozen=True)
class _Family:
    name: str
    layer_re: str  # captures (layer index, name inside the layer)
    signature: str  # a name inside a layer that only this family has
    rules: list[tuple[str, str]]


_FAMILIES = [
    # o_proj too: DeepSeek-V3's multi-head latent attention has no q_proj (its q_a/q_b/kv_a/kv_b
    # projections are placed as OTHER; only O is an attention role there).
    _Family(
        "llama",
        r"(?:^|\.)layers\.(\d+)\.(.+)$",
        r"self_attn\.(?:q_proj|qkv_proj|o_proj)\.weight",
        _LLAMA_RULES,
    ),
    _Family("gguf", r"(?:^|\.)blk\.(\d+)\.(.+)$", r"attn_(?:q|qkv|output)\.weight", _GGUF_RULES),
    _Family("llama_meta", r"(?:^|\.)layers\.(\d+)\.(.+)$", r"attention\.wq\.weight", _META_RULES),
    _Family("gpt2", r"(?:^|\.)h\.(\d+)\.(.+)$", r"attn\.c_attn\.weight", _GPT2_RULES),
    _Family("gpt_neox", r"(?:^|\.)layers\.(\d+)\.(.+)$", r"attention\.query_key_value\.weight", _NEOX_RULES),
    _Family("falcon", r"(?:^|\.)h\.(\d+)\.(.+)$", r"self_attention\.query_key_value\.weight", _FALCON_RULES),
    _Family("phi", r"(?:^|\.)(?:layers|h)\.(\d+)\.(.+)$", r"mixer\.Wqkv\.weight", _PHI_RULES),
    _Family("bert", r"(?:^|\.)layer\.(\d+)\.(.+)$", r"attention\.self\.query\.weight", _BERT_RULES),
    _Family("distilbert", r"(?:^|\.)layer\.(\d+)\.(.+)$", r"attention\.q_lin\.weight", _DISTILBERT_RULES),
]


def _cfg(config: Mapping[str, Any] | None, *keys: str, default: Any = None) -> Any:
    for k in keys:
        if config and config.get(k) is not None:
            return config[k]
    return default


def _need(config: Mapping[str, Any] | None, tensor: str, *keys: str) -> int:
    v = _cfg(config, *keys)
    if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
        raise UnknownLayoutError(
            f"splitting the fused tensor {tensor!r} needs {keys[0]} from config.json, which is "
            f"{'missing' if v is None else f'invalid ({v!r})'}",
            tensor=tensor,
        )
    return v


# --- fused splits -------------------------------------------------------------------------------
# Each returns {"q"|"k"|"v": stored row ranges}; the ranges of one label concatenate to that part.


def _blocks(
    pattern: Sequence[str], block: int, roles: Sequence[str]
) -> dict[str, tuple[tuple[int, int], ...]]:
    """Row ranges per label for a stored row sequence of ``block``-row blocks labelled by ``pattern``;
    adjacent blocks of the same label are merged so contiguous parts are a single range."""
    out: dict[str, list[list[int]]] = {r: [] for r in roles}
    for i, lab in enumerate(pattern):
        rs = out[lab]
        if rs and rs[-1][1] == i * block:
            rs[-1][1] = (i + 1) * block
        else:
            rs.append([i * block, (i + 1) * block])
    return {lab: tuple((a, b) for a, b in rs) for lab, rs in out.items()}


def _head_dim(config: Mapping[str, Any] | None, tensor: str, heads: int) -> int:
    hd = _cfg(config, "head_dim")
    if isinstance(hd, int) and hd > 0:
        return hd
    hidden = _need(config, tensor, "hidden_size", "n_embd", "d_model")
    return hidden // heads


def _split_neox(config: Mapping[str, Any] | None, tensor: str, rows: int) -> dict[str, tuple]:
    heads = _need(config, tensor, "num_attention_heads", "n_head")
    hd = rows // (3 * heads)
    return _blocks(["q", "k", "v"] * heads, hd, "qkv")


def _split_falcon(config: Mapping[str, Any] | None, tensor: str, rows: int) -> dict[str, tuple]:
    heads = _need(config, tensor, "num_attention_heads", "n_head")
    hd = _head_dim(config, tensor, heads)
    if _cfg(config, "new_decoder_architecture", default=False):
        kv = _need(config, tensor, "num_kv_heads", "n_head_kv")
        group = ["q"] * (heads // kv) + ["k", "v"]
        return _blocks(group * kv, hd, "qkv")
    if _cfg(config, "multi_query", default=True):  # HF FalconConfig's default, the 7B layout
        return _blocks(["q"] * heads + ["k", "v"], hd, "qkv")
    return _blocks(["q", "k", "v"] * heads, hd, "qkv")


def _split_qkv_rows(config: Mapping[str, Any] | None, tensor: str, rows: int) -> dict[str, tuple]:
    """Contiguous [q | k | v] rows (Phi ``Wqkv``, Phi-3 ``qkv_proj``); k and v may be narrower (GQA)."""
    heads = _cfg(config, "num_attention_heads", "n_head")
    kv = _cfg(config, "num_key_value_heads", "n_head_kv", default=heads)
    if (
        isinstance(heads, int)
        and isinstance(kv, int)
        and heads > 0
        and kv > 0
        and rows % (heads + 2 * kv) == 0
    ):
        hd = rows // (heads + 2 * kv)
        q, k = heads * hd, kv * hd
    else:
        q = k = rows // 3
    return {"q": ((0, q),), "k": ((q, q + k),), "v": ((q + k, rows),)}


_ROW_SPLITS: dict[str, Callable[..., dict[str, tuple]]] = {
    "split_neox": _split_neox,
    "split_falcon": _split_falcon,
    "split_qkv_rows": _split_qkv_rows,
    "split_bias_thirds": lambda c, t, rows: {
        "q": ((0, rows // 3),),
        "k": ((rows // 3, 2 * rows // 3),),
        "v": ((2 * rows // 3, rows),),
    },
}
_QKV_ROLE = {"q": Role.Q, "k": Role.K, "v": Role.V}


def _place(
    fam: _Family, name: str, shape: tuple[int, ...], layer: int, sub: str, config: Mapping[str, Any] | None
) -> list[PartSpec]:
    def whole(role: str, expert: int | None = None) -> list[PartSpec]:
        return [PartSpec(name, name, layer, role, expert, shape, shape)]

    def conv1d(role: str, parts: Sequence[tuple[str, str]] = ()) -> list[PartSpec]:
        if len(shape) != 2:
            raise UnknownLayoutError(f"Conv1D weight {name!r} is not 2-D: {list(shape)}", tensor=name)
        n_in, n_out = shape
        if not parts:
            return [PartSpec(name, name, layer, role, None, (n_out, n_in), shape, cols=(0, n_out))]
        if n_out % len(parts):
            raise UnknownLayoutError(
                f"fused {name!r} of shape {list(shape)} does not split in {len(parts)} equal column blocks",
                tensor=name,
            )
        w = n_out // len(parts)
        return [
            PartSpec(f"{name}#{s}", name, layer, r, None, (w, n_in), shape, cols=(i * w, (i + 1) * w))
            for i, (s, r) in enumerate(parts)
        ]

    for pattern, what in fam.rules:
        m = re.fullmatch(pattern, sub)
        if not m:
            continue
        if what == "proj":
            return whole(_PROJ[m.group(1)])
        if what == "mlp":
            return whole({"gate": Role.GATE, "up": Role.UP, "down": Role.DOWN}[m.group(1)])
        if what == "ffn_w":
            return whole({"w1": Role.GATE, "w3": Role.UP, "w2": Role.DOWN}[m.group(1)])
        if what == "expert":
            kind = {"w1": "gate", "w3": "up", "w2": "down"}.get(m.group(2), m.group(2))
            return whole({"gate": Role.GATE, "up": Role.UP, "down": Role.DOWN}[kind], int(m.group(1)))
        if what == "shared":
            return whole({"gate": Role.GATE, "up": Role.UP, "down": Role.DOWN}[m.group(1)], SHARED_EXPERT)
        if what == "gguf_ffn_up":  # Phi-3's converter stores the fused [gate | up] as ffn_up
            ff = _cfg(config, "intermediate_size")
            if _cfg(config, "model_type") == "phi3" and isinstance(ff, int) and shape[0] == 2 * ff:
                what = "split_gate_up"
            else:
                return whole(Role.UP)
        if what == "stacked_experts":
            role = {"gate": Role.GATE, "up": Role.UP, "down": Role.DOWN}[m.group(1)]
            if len(shape) != 3:
                raise UnknownLayoutError(f"stacked experts {name!r} are not 3-D: {list(shape)}", tensor=name)
            return [
                PartSpec(f"{name}#{e}", name, layer, role, e, shape[1:], shape, rows=((e, e + 1),))
                for e in range(shape[0])
            ]
        if what == "split_conv1d_qkv":
            return conv1d("", [("q", Role.Q), ("k", Role.K), ("v", Role.V)])
        if what.startswith("conv1d_"):
            return conv1d({"o": Role.O, "up": Role.UP, "down": Role.DOWN}[what[7:]])
        if what == "split_gate_up":
            half = shape[0] // 2
            return [
                PartSpec(f"{name}#{s}", name, layer, r, None, (half, *shape[1:]), shape, rows=(rr,))
                for s, r, rr in (("gate", Role.GATE, (0, half)), ("up", Role.UP, (half, shape[0])))
            ]
        if what in _ROW_SPLITS:
            rows = shape[0] if shape else 0
            split = _ROW_SPLITS[what](config, name, rows)
            is_bias = len(shape) == 1
            got = sum(b - a for rs in split.values() for a, b in rs)
            if got != rows or rows == 0:
                raise UnknownLayoutError(
                    f"fused {name!r} has {rows} rows, which the {fam.name} head layout from config.json "
                    f"does not explain ({got} expected)",
                    tensor=name,
                )
            out = []
            for s, rs in split.items():
                n = sum(b - a for a, b in rs)
                out.append(
                    PartSpec(
                        f"{name}#{s}",
                        name,
                        layer,
                        Role.BIAS if is_bias else _QKV_ROLE[s],
                        None,
                        (n, *shape[1:]),
                        shape,
                        rows=rs,
                    )
                )
            return out
        return whole(what)
    return whole(_generic(sub))


def _detect_family(names: Sequence[str]) -> _Family | None:
    """The family whose signature tensors are most numerous among ``names`` (None if none)."""
    best, best_n = None, 0
    for fam in _FAMILIES:
        n = 0
        for name in names:
            m = re.search(fam.layer_re, name)
            if m and re.fullmatch(fam.signature, m.group(2)):
                n += 1
        if n > best_n:
            best, best_n = fam, n
    return best


def resolve_layout(shapes: Mapping[str, Sequence[int]], config: Mapping[str, Any] | None = None) -> Layout:
    """Place every tensor (name -> stored shape) of a checkpoint; raise UnknownLayoutError if the
    names match no known family, or a fused tensor cannot be split with the config's head counts.

    Tensors a family does not know still get one whole part (role NORM, BIAS or OTHER), so every
    tensor has statistics. Memory: proportional to the number of tensors.
    """
    names = sorted(shapes)
    fam = _detect_family(names)
    if fam is None:
        shown = ", ".join(repr(n) for n in names[:5])
        raise UnknownLayoutError(
            f"no known layout (Llama/Qwen2/Mistral/MoE, GPT-2, GPT-NeoX, Falcon, Phi, BERT) places these "
            f"tensors in layers: {shown}{f' and {len(names) - 5} more' if len(names) > 5 else ''}",
            tensor=names[0] if names else None,
        )
    parts: list[PartSpec] = []
    layers: set[int] = set()
    for name in names:
        shape = tuple(int(s) for s in shapes[name])
        m = re.search(fam.layer_re, name)
        if m:
            layer = int(m.group(1))
            layers.add(layer)
            parts.extend(_place(fam, name, shape, layer, m.group(2), config))
            continue
        if re.search(rf"(?:^|\.){_EMBED}$", name):
            role = Role.EMBED
        elif re.search(rf"(?:^|\.){_LM_HEAD}$", name) or name == "lm_head.weight":
            role = Role.LM_HEAD
        else:
            role = _generic(name)
        parts.append(PartSpec(name, name, None, role, None, shape, shape))
    family = _family_name(fam, config, parts)
    return Layout(family, max(layers) + 1 if layers else 0, parts)


def _family_name(fam: _Family, config: Mapping[str, Any] | None, parts: list[PartSpec]) -> str:
    model_type = _cfg(config, "model_type")
    if isinstance(model_type, str) and model_type:
        return model_type
    if fam.name == "llama":
        if any("block_sparse_moe" in p.tensor for p in parts):
            return "mixtral"
        if any(p.expert is not None for p in parts):
            return "qwen2_moe"
    return fam.name
