"""Write a ``SyntheticModel`` as a llama.cpp GGUF file, quantised: the copies a hub actually carries.

What ``convert_hf_to_gguf.py`` + ``llama-quantize`` do, for the Qwen2-style synthetic models:
Hugging Face names become llama.cpp's (``model.layers.N.self_attn.q_proj`` → ``blk.N.attn_q``),
MoE experts are stacked into one ``ffn_*_exps`` tensor per projection, the vocabulary goes into
``tokenizer.ggml.*``; with ``arch="llama"`` the rows of W_Q and W_K (and their biases) are
permuted within each head as ``LlamaModel.permute`` does. 2-D weights are quantised to ``qtype``
(a row length the type's block does not divide falls back to Q8_0, then F16, as llama-quantize
does); vectors stay F32. Written with the ``gguf`` package's ``GGUFWriter`` and quantisers; the
package has no K-quant quantiser, so ``quantize_q4_k`` here writes Q4_K blocks (a plain
min/max fit per sub-block, not llama.cpp's search: the same format, a little more error).

Memory: the whole model (the writer holds every tensor until it writes): for tiny test models only.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..gguf_format import GGUF_MAGIC, permute_rows
from .models import SyntheticModel

_NAMES = [
    (r"model\.embed_tokens\.weight", "token_embd.weight"),
    (r"model\.norm\.weight", "output_norm.weight"),
    (r"lm_head\.weight", "output.weight"),
    (r"model\.layers\.(\d+)\.input_layernorm\.weight", r"blk.\1.attn_norm.weight"),
    (r"model\.layers\.(\d+)\.post_attention_layernorm\.weight", r"blk.\1.ffn_norm.weight"),
    (r"model\.layers\.(\d+)\.self_attn\.([qkv])_proj\.(weight|bias)", r"blk.\1.attn_\2.\3"),
    (r"model\.layers\.(\d+)\.self_attn\.o_proj\.weight", r"blk.\1.attn_output.weight"),
    (r"model\.layers\.(\d+)\.mlp\.(gate|up|down)_proj\.weight", r"blk.\1.ffn_\2.weight"),
    (r"model\.layers\.(\d+)\.mlp\.gate\.weight", r"blk.\1.ffn_gate_inp.weight"),
]
_EXPERT = re.compile(r"model\.layers\.(\d+)\.mlp\.experts\.(\d+)\.(gate|up|down)_proj\.weight")
FALLBACK = {"Q4_K": "Q5_0", "Q5_0": "Q8_0", "Q8_0": "F16", "Q4_0": "Q8_0", "Q4_1": "Q8_0", "Q5_1": "Q8_0"}


def gguf_name(hf: str) -> str:
    for pattern, repl in _NAMES:
        if re.fullmatch(pattern, hf):
            return re.sub(pattern, repl, hf)
    raise ValueError(f"no GGUF name for {hf!r}")


def quantize_q4_k(x: np.ndarray) -> np.ndarray:
    """Q4_K blocks of ``x`` (rows of a multiple of 256 values): uint8 (rows, row_length/256 · 144)."""
    rows = x.shape[0]
    blocks = x.astype(np.float32).reshape(-1, 8, 32)
    lo = np.minimum(blocks.min(-1), 0.0)
    hi = np.maximum(blocks.max(-1), lo)
    scale = (hi - lo) / 15.0
    d = (scale.max(-1) / 63.0).astype(np.float16)
    dmin = ((-lo).max(-1) / 63.0).astype(np.float16)
    d32, dmin32 = d.astype(np.float32)[:, None], dmin.astype(np.float32)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        sc = np.clip(np.where(d32 > 0, np.ceil(scale / d32), 0), 0, 63).astype(np.uint8)
        mn = np.clip(np.where(dmin32 > 0, np.round(-lo / dmin32), 0), 0, 63).astype(np.uint8)
        step = (d32 * sc)[..., None]
        q = np.where(step > 0, np.round((blocks + (dmin32 * mn)[..., None]) / step), 0)
    q = np.clip(q, 0, 15).astype(np.uint8)
    packed = np.empty((blocks.shape[0], 144), dtype=np.uint8)
    packed[:, 0:2] = d.reshape(-1, 1).view(np.uint8)
    packed[:, 2:4] = dmin.reshape(-1, 1).view(np.uint8)
    packed[:, 4:8] = (sc[:, :4] & 0x3F) | ((sc[:, 4:] >> 4) << 6)
    packed[:, 8:12] = (mn[:, :4] & 0x3F) | ((mn[:, 4:] >> 4) << 6)
    packed[:, 12:16] = (sc[:, 4:] & 0x0F) | ((mn[:, 4:] & 0x0F) << 4)
    pairs = q.reshape(-1, 4, 2, 32)
    packed[:, 16:] = (pairs[:, :, 0] | (pairs[:, :, 1] << 4)).reshape(-1, 128)
    return packed.reshape(rows, -1)


def quantize(values: np.ndarray, qtype: str) -> tuple[np.ndarray, str]:
    """``values`` stored as ``qtype`` (or its fallback when the row length does not fit the block):
    (the array GGUFWriter takes, the type actually used)."""
    import gguf

    block = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[qtype]][0]
    if values.shape[-1] % block:
        return quantize(values, FALLBACK[qtype])
    if qtype == "Q4_K":
        return quantize_q4_k(values.reshape(-1, values.shape[-1])), qtype
    return gguf.quants.quantize(values.astype(np.float32), gguf.GGMLQuantizationType[qtype]), qtype


def write_gguf(
    model: SyntheticModel,
    path: str | Path,
    *,
    qtype: str = "Q8_0",
    arch: str = "qwen2",
    split_max_tensors: int = 0,
) -> Path:
    """Write ``model`` as one GGUF file at ``path`` (its 2-D weights as ``qtype``; see the module
    docstring) and return the path. ``arch="llama"`` also permutes the Q/K rows as llama.cpp does.
    ``split_max_tensors``: a split set of parts of at most that many tensors, as ``gguf-split``
    writes (``<stem>-0000i-of-0000N.gguf``); the path of its first part is returned."""
    import gguf

    s = model.shape
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    w = gguf.GGUFWriter(path, arch, split_max_tensors=split_max_tensors)
    w.add_block_count(s.num_layers)
    w.add_context_length(2048)
    w.add_embedding_length(s.hidden_size)
    w.add_feed_forward_length(s.intermediate_size)
    w.add_head_count(s.num_heads)
    w.add_head_count_kv(s.num_kv_heads)
    if s.num_experts:
        w.add_expert_count(s.num_experts)
    w.add_name(f"synthetic-{model.relation}-{qtype}")
    tok = model.tokenizer()["model"]
    vocab = sorted(tok["vocab"].items(), key=lambda p: p[1])
    w.add_tokenizer_model("gpt2")
    w.add_token_list([t for t, _ in vocab])
    merges = tok.get("merges") or []
    if merges:
        w.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in merges])

    experts: dict[tuple[int, str], dict[int, np.ndarray]] = {}
    for t in model.plan():
        values = np.concatenate([np.asarray(b, dtype=np.float32).reshape(-1) for b in model.blocks(t)])
        values = values.reshape(t.shape)
        m = _EXPERT.fullmatch(t.name)
        if m:
            experts.setdefault((int(m.group(1)), m.group(3)), {})[int(m.group(2))] = values
            if len(experts[(int(m.group(1)), m.group(3))]) == s.num_experts:
                stacked = np.stack([v for _, v in sorted(experts.pop((int(m.group(1)), m.group(3))).items())])
                _add(w, f"blk.{m.group(1)}.ffn_{m.group(3)}_exps.weight", stacked, qtype)
            continue
        name = gguf_name(t.name)
        if arch == "llama" and re.fullmatch(r"blk\.\d+\.attn_[qk]\.(weight|bias)", name):
            values = permute_rows(values, s.num_heads if ".attn_q." in name else s.num_kv_heads)
        _add(w, name, values, qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    first = w.format_shard_names(path)[0]
    w.close()
    return first


def _add(w: object, name: str, values: np.ndarray, qtype: str) -> None:
    import gguf

    if values.ndim < 2 or qtype == "F32":
        w.add_tensor(name, values.astype(np.float32))  # type: ignore[attr-defined]
        return
    if qtype in ("F16", "BF16"):
        if qtype == "F16":
            w.add_tensor(name, values.astype(np.float16))  # type: ignore[attr-defined]
        else:
            data = gguf.quants.quantize(values, gguf.GGMLQuantizationType.BF16)
            w.add_tensor(name, data, raw_dtype=gguf.GGMLQuantizationType.BF16)  # type: ignore[attr-defined]
        return
    data, used = quantize(values, qtype)
    data = data.reshape(*values.shape[:-1], -1)
    w.add_tensor(name, data, raw_dtype=gguf.GGMLQuantizationType[used])  # type: ignore[attr-defined]


def _random_blocks(rng: np.random.Generator, qtype: str, n_blocks: int) -> np.ndarray:
    """``n_blocks`` random blocks of ``qtype`` whose fp16 scales are small and finite (benchmarks)."""
    import gguf

    size = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[qtype]][1]
    blocks = rng.integers(0, 256, (n_blocks, size), dtype=np.uint8)
    scales = (np.abs(rng.standard_normal((n_blocks, 2))) * 1e-3).astype(np.float16).view(np.uint8)
    if qtype == "Q6_K":
        blocks[:, -2:] = scales[:, :2]  # d is the last field of a Q6_K block
    else:
        blocks[:, :4] = scales  # d (and dmin) first: Q8_0, Q4_K
    return blocks


def write_gguf_of_size(out: str | Path, target_bytes: int, *, seed: int = 0) -> Path:
    """Write one llama GGUF of about ``target_bytes`` (at least that much) for memory benchmarks and
    return its path: hidden 4096, MLP 11008, 32 heads (8 KV heads), vocabulary 32,000, quantised like
    llama-quantize's Q4_K_M (Q4_K, with Q6_K for attn_v, ffn_down and output; norms F32). The block
    bytes are random (finite scales): statistically meaningless, the reading cost is the same.
    Memory: one tensor (at most ~40 MB) at a time; tensors are streamed with ``GGUFWriter``."""
    import gguf

    h, ff, vocab, heads, kv = 4096, 11008, 32000, 32, 8
    kvd = h // heads * kv

    def layer(n: int) -> list[tuple[str, tuple[int, ...], str]]:
        p = f"blk.{n}."
        return [
            (p + "attn_norm.weight", (h,), "F32"),
            (p + "attn_q.weight", (h, h), "Q4_K"),
            (p + "attn_k.weight", (kvd, h), "Q4_K"),
            (p + "attn_v.weight", (kvd, h), "Q6_K"),
            (p + "attn_output.weight", (h, h), "Q4_K"),
            (p + "ffn_norm.weight", (h,), "F32"),
            (p + "ffn_gate.weight", (ff, h), "Q4_K"),
            (p + "ffn_up.weight", (ff, h), "Q4_K"),
            (p + "ffn_down.weight", (h, ff), "Q6_K"),
        ]

    def nbytes(shape: tuple[int, ...], qtype: str) -> int:
        block, size = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[qtype]]
        return int(np.prod(shape)) // block * size

    plan = [
        ("token_embd.weight", (vocab, h), "Q4_K"),
        ("output_norm.weight", (h,), "F32"),
        ("output.weight", (vocab, h), "Q6_K"),
    ]
    n = 0
    while n == 0 or sum(nbytes(s, q) for _, s, q in plan) < target_bytes:
        plan += layer(n)
        n += 1
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    w = gguf.GGUFWriter(path, "llama")
    w.add_block_count(n)
    w.add_context_length(4096)
    w.add_embedding_length(h)
    w.add_feed_forward_length(ff)
    w.add_head_count(heads)
    w.add_head_count_kv(kv)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M)
    for name, shape, qtype in plan:
        if qtype == "F32":
            w.add_tensor_info(name, shape, np.dtype(np.float32), nbytes(shape, qtype))
        else:
            byte_shape = (*shape[:-1], nbytes(shape, qtype) // shape[0])
            w.add_tensor_info(
                name,
                byte_shape,
                np.dtype(np.uint8),
                nbytes(shape, qtype),
                raw_dtype=gguf.GGMLQuantizationType[qtype],
            )
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    rng = np.random.default_rng(seed)
    for _name, shape, qtype in plan:
        if qtype == "F32":
            w.write_tensor_data(np.ones(shape, dtype=np.float32))
        else:
            block = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[qtype]][0]
            data = _random_blocks(rng, qtype, int(np.prod(shape)) // block)
            w.write_tensor_data(data.reshape(shape[0], -1))
    w.close()
    return path


def write_gguf_with_metadata(path: str | Path, *, array_bytes: int = 0, tokens: int = 0) -> Path:
    """A valid one-tensor qwen2 GGUF whose metadata holds what the memory tests need: a ``u8``
    array ``junk.bytes`` of ``array_bytes`` zeros (left as a hole in a sparse file: no disk
    written) and a gpt2 vocabulary of ``tokens`` tokens (``tok0``, ``tok1``, ...); returns the path.
    Written by hand, as GGUFWriter holds the whole metadata in memory. Memory: 100,000 tokens."""
    import struct

    import gguf

    def s(text: str) -> bytes:
        return struct.pack("<Q", len(text.encode())) + text.encode()

    def kv(key: str, vtype: gguf.GGUFValueType) -> bytes:
        return s(key) + struct.pack("<I", vtype)

    string, array = gguf.GGUFValueType.STRING, gguf.GGUFValueType.ARRAY
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(GGUF_MAGIC + struct.pack("<IQQ", 3, 1, 1 + bool(array_bytes) + 2 * bool(tokens)))
        f.write(kv("general.architecture", string) + s("qwen2"))
        if array_bytes:
            f.write(kv("junk.bytes", array) + struct.pack("<IQ", gguf.GGUFValueType.UINT8, array_bytes))
            f.seek(array_bytes, 1)
        if tokens:
            f.write(kv("tokenizer.ggml.model", string) + s("gpt2"))
            f.write(kv("tokenizer.ggml.tokens", array) + struct.pack("<IQ", string, tokens))
            for a in range(0, tokens, 100_000):
                f.write(b"".join(s(f"tok{i}") for i in range(a, min(tokens, a + 100_000))))
        f.write(s("token_embd.weight") + struct.pack("<IQQIQ", 2, 32, 2, gguf.GGMLQuantizationType.F32, 0))
        f.write(bytes(-f.tell() % gguf.GGUF_DEFAULT_ALIGNMENT) + bytes(32 * 2 * 4))
    return path
