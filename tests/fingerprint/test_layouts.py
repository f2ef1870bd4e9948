"""Layouts place every tensor of each supported family, and fused projections split correctly.

Fused tensors are hand-built from known Q, K, V matrices in the family's storage layout (per-head
interleaving, multi-query, grouped, Conv1D orientation); the statistics pass must return each part
exactly, in Linear (out, in) orientation, through small chunks.
"""

from __future__ import annotations

import numpy as np
import pytest

from provenance.fingerprint.errors import UnknownLayoutError
from provenance.fingerprint.fingerprint import Role
from provenance.fingerprint.layouts import SHARED_EXPERT, resolve_layout
from provenance.fingerprint.stats import fingerprint_checkpoint

RNG = np.random.default_rng(0)


def matrices(rows_q: int, rows_kv: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Q, K, V with a distinct offset each, so a wrong split cannot go unnoticed."""
    q = RNG.standard_normal((rows_q, d)).astype(np.float32) + 10
    k = RNG.standard_normal((rows_kv, d)).astype(np.float32) + 20
    v = RNG.standard_normal((rows_kv, d)).astype(np.float32) + 30
    return q, k, v


def heads(m: np.ndarray, hd: int) -> list[np.ndarray]:
    return [m[i : i + hd] for i in range(0, m.shape[0], hd)]


def parts_of(write_checkpoint, tensors, config=None, **kw):
    """Each part's full values in logical orientation (sample_size covers the whole part)."""
    fp = fingerprint_checkpoint(
        write_checkpoint(tensors, config=config, **kw), chunk_bytes=40, sample_size=10**6
    )
    return fp, {p.key: p for p in fp.parts}


def assert_part(part, expected: np.ndarray, role: str, layer: int) -> None:
    assert (part.role, part.layer, part.shape) == (role, layer, list(expected.shape))
    np.testing.assert_array_equal(part.sample.reshape(expected.shape), expected)
    assert part.mean == pytest.approx(expected.astype(np.float64).mean(), rel=1e-9)


def test_gpt2_conv1d_c_attn_is_split_in_columns_and_transposed(write_checkpoint):
    d = 8
    q, k, v = matrices(d, d, d)
    up = RNG.standard_normal((4 * d, d)).astype(np.float32)
    down = RNG.standard_normal((d, 4 * d)).astype(np.float32)
    o = RNG.standard_normal((d, d)).astype(np.float32)
    bias = np.arange(3 * d, dtype=np.float32)
    t = {
        "transformer.h.0.attn.c_attn.weight": np.concatenate([q.T, k.T, v.T], axis=1),
        "transformer.h.0.attn.c_attn.bias": bias,
        "transformer.h.0.attn.c_proj.weight": o.T.copy(),
        "transformer.h.0.mlp.c_fc.weight": up.T.copy(),
        "transformer.h.0.mlp.c_proj.weight": down.T.copy(),
        "transformer.h.0.ln_1.weight": np.ones(d, np.float32),
        "transformer.h.0.attn.bias": np.ones((1, 1, 4, 4), np.float32),
        "transformer.wte.weight": np.ones((5, d), np.float32),
        "transformer.wpe.weight": np.ones((4, d), np.float32),
    }
    fp, p = parts_of(write_checkpoint, t)
    assert fp.family == "gpt2" and fp.num_layers == 1
    name = "transformer.h.0.attn.c_attn.weight"
    for s, m, role in (("q", q, Role.Q), ("k", k, Role.K), ("v", v, Role.V)):
        assert_part(p[f"{name}#{s}"], m, role, 0)
    assert_part(p["transformer.h.0.attn.c_proj.weight"], o, Role.O, 0)
    assert_part(p["transformer.h.0.mlp.c_fc.weight"], up, Role.UP, 0)
    assert_part(p["transformer.h.0.mlp.c_proj.weight"], down, Role.DOWN, 0)
    assert p["transformer.h.0.attn.c_attn.bias#k"].mean == pytest.approx(bias[d : 2 * d].mean())
    assert p["transformer.h.0.attn.c_attn.bias#k"].role == Role.BIAS
    assert p["transformer.h.0.ln_1.weight"].role == Role.NORM
    assert p["transformer.h.0.attn.bias"].role == Role.OTHER
    assert p["transformer.wte.weight"].role == Role.EMBED and p["transformer.wpe.weight"].role == Role.OTHER


def test_gpt_neox_query_key_value_is_interleaved_per_head(write_checkpoint):
    n_heads, hd = 4, 3
    d = n_heads * hd
    q, k, v = matrices(d, d, d)
    fused = np.concatenate(
        [blk for h in range(n_heads) for blk in (heads(q, hd)[h], heads(k, hd)[h], heads(v, hd)[h])]
    )
    qb, kb, vb = (np.full(d, c, np.float32) for c in (1, 2, 3))
    fused_bias = np.concatenate([b[h * hd : (h + 1) * hd] for h in range(n_heads) for b in (qb, kb, vb)])
    t = {
        "gpt_neox.layers.0.attention.query_key_value.weight": fused,
        "gpt_neox.layers.0.attention.query_key_value.bias": fused_bias,
        "gpt_neox.layers.0.attention.dense.weight": np.eye(d, dtype=np.float32),
        "gpt_neox.layers.0.mlp.dense_h_to_4h.weight": np.ones((2 * d, d), np.float32),
        "gpt_neox.embed_in.weight": np.ones((7, d), np.float32),
        "embed_out.weight": np.ones((7, d), np.float32),
    }
    fp, p = parts_of(write_checkpoint, t, {"model_type": "gpt_neox", "num_attention_heads": n_heads})
    name = "gpt_neox.layers.0.attention.query_key_value.weight"
    for s, m, role in (("q", q, Role.Q), ("k", k, Role.K), ("v", v, Role.V)):
        assert_part(p[f"{name}#{s}"], m, role, 0)
    for s, c in (("q", 1), ("k", 2), ("v", 3)):
        bias = p[f"gpt_neox.layers.0.attention.query_key_value.bias#{s}"]
        assert (bias.mean, bias.std_pop, bias.role) == (c, 0, Role.BIAS)
    assert p["gpt_neox.layers.0.attention.dense.weight"].role == Role.O
    assert p["embed_out.weight"].role == Role.LM_HEAD and p["gpt_neox.embed_in.weight"].role == Role.EMBED


FALCON_NAME = "transformer.h.0.self_attention.query_key_value.weight"


def falcon_tensors(fused: np.ndarray, d: int) -> dict[str, np.ndarray]:
    return {
        FALCON_NAME: fused,
        "transformer.h.0.self_attention.dense.weight": np.eye(d, dtype=np.float32),
        "transformer.word_embeddings.weight": np.ones((5, d), np.float32),
        "transformer.h.0.ln_attn.weight": np.ones(d, np.float32),
    }


def test_falcon_7b_multi_query_layout(write_checkpoint):
    n_heads, hd = 4, 2
    d = n_heads * hd
    q, k, v = matrices(d, hd, d)
    fp, p = parts_of(
        write_checkpoint,
        falcon_tensors(np.concatenate([q, k, v]), d),
        {"model_type": "falcon", "hidden_size": d, "num_attention_heads": n_heads, "multi_query": True},
    )
    for s, m, role in (("q", q, Role.Q), ("k", k, Role.K), ("v", v, Role.V)):
        assert_part(p[f"{FALCON_NAME}#{s}"], m, role, 0)
    assert p["transformer.word_embeddings.weight"].role == Role.EMBED
    assert p["transformer.h.0.ln_attn.weight"].role == Role.NORM


def test_falcon_new_decoder_architecture_groups_queries_per_kv_head(write_checkpoint):
    n_heads, n_kv, hd = 8, 2, 2
    d = n_heads * hd
    q, k, v = matrices(d, n_kv * hd, d)
    per = n_heads // n_kv
    qh, kh, vh = heads(q, hd), heads(k, hd), heads(v, hd)
    fused = np.concatenate([blk for g in range(n_kv) for blk in (*qh[g * per : (g + 1) * per], kh[g], vh[g])])
    config = {
        "hidden_size": d,
        "num_attention_heads": n_heads,
        "num_kv_heads": n_kv,
        "new_decoder_architecture": True,
    }
    fp, p = parts_of(write_checkpoint, falcon_tensors(fused, d), config)
    assert fp.family == "falcon"
    for s, m, role in (("q", q, Role.Q), ("k", k, Role.K), ("v", v, Role.V)):
        assert_part(p[f"{FALCON_NAME}#{s}"], m, role, 0)


def test_falcon_without_multi_query_is_interleaved_per_head(write_checkpoint):
    n_heads, hd = 3, 2
    d = n_heads * hd
    q, k, v = matrices(d, d, d)
    fused = np.concatenate(
        [b for h in range(n_heads) for b in (heads(q, hd)[h], heads(k, hd)[h], heads(v, hd)[h])]
    )
    config = {"hidden_size": d, "num_attention_heads": n_heads, "multi_query": False}
    _, p = parts_of(write_checkpoint, falcon_tensors(fused, d), config)
    for s, m, role in (("q", q, Role.Q), ("k", k, Role.K), ("v", v, Role.V)):
        assert_part(p[f"{FALCON_NAME}#{s}"], m, role, 0)


def test_phi_wqkv_is_contiguous_q_k_v_rows(write_checkpoint):
    d = 6
    q, k, v = matrices(d, d, d)
    t = {
        "transformer.h.0.mixer.Wqkv.weight": np.concatenate([q, k, v]),
        "transformer.h.0.mixer.out_proj.weight": np.eye(d, dtype=np.float32),
        "transformer.h.0.mlp.fc1.weight": np.ones((2 * d, d), np.float32),
        "transformer.h.0.ln.weight": np.ones(d, np.float32),
        "transformer.embd.wte.weight": np.ones((3, d), np.float32),
        "lm_head.linear.weight": np.ones((3, d), np.float32),
    }
    fp, p = parts_of(write_checkpoint, t)
    assert fp.family == "phi"
    for s, m, role in (("q", q, Role.Q), ("k", k, Role.K), ("v", v, Role.V)):
        assert_part(p[f"transformer.h.0.mixer.Wqkv.weight#{s}"], m, role, 0)
    assert p["transformer.h.0.mixer.out_proj.weight"].role == Role.O
    assert p["transformer.h.0.mlp.fc1.weight"].role == Role.UP
    assert (
        p["lm_head.linear.weight"].role == Role.LM_HEAD
        and p["transformer.embd.wte.weight"].role == Role.EMBED
    )


def test_phi3_fused_qkv_with_grouped_kv_heads_and_gate_up(write_checkpoint):
    n_heads, n_kv, hd = 4, 2, 2
    d = n_heads * hd
    q, k, v = matrices(d, n_kv * hd, d)
    gate, up = RNG.standard_normal((2, 5, d)).astype(np.float32)
    t = {
        "model.layers.0.self_attn.qkv_proj.weight": np.concatenate([q, k, v]),
        "model.layers.0.mlp.gate_up_proj.weight": np.concatenate([gate, up]),
    }
    _, p = parts_of(write_checkpoint, t, {"num_attention_heads": n_heads, "num_key_value_heads": n_kv})
    for s, m, role in (("q", q, Role.Q), ("k", k, Role.K), ("v", v, Role.V)):
        assert_part(p[f"model.layers.0.self_attn.qkv_proj.weight#{s}"], m, role, 0)
    assert_part(p["model.layers.0.mlp.gate_up_proj.weight#gate"], gate, Role.GATE, 0)
    assert_part(p["model.layers.0.mlp.gate_up_proj.weight#up"], up, Role.UP, 0)


# --- name-only placement ---------------------------------------------------------------------
def place(names: dict[str, tuple[int, ...]], config=None):
    layout = resolve_layout(names, config)
    return layout, {p.key: (p.layer, p.role, p.expert) for p in layout.parts}


def test_llama_qwen2_names_with_biases_and_norms():
    names = {}
    for i in range(3):
        for x in "qkvo":
            names[f"model.layers.{i}.self_attn.{x}_proj.weight"] = (4, 4)
        for x in "qkv":
            names[f"model.layers.{i}.self_attn.{x}_proj.bias"] = (4,)
        for x in ("gate", "up", "down"):
            names[f"model.layers.{i}.mlp.{x}_proj.weight"] = (4, 4)
        names[f"model.layers.{i}.input_layernorm.weight"] = (4,)
    names |= {"model.embed_tokens.weight": (9, 4), "lm_head.weight": (9, 4), "model.norm.weight": (4,)}
    layout, p = place(names, {"model_type": "qwen2"})
    assert (layout.family, layout.num_layers) == ("qwen2", 3)
    assert p["model.layers.2.self_attn.k_proj.weight"] == (2, Role.K, None)
    assert p["model.layers.1.self_attn.q_proj.bias"] == (1, Role.BIAS, None)
    assert p["model.layers.0.mlp.down_proj.weight"] == (0, Role.DOWN, None)
    assert p["model.layers.0.input_layernorm.weight"] == (0, Role.NORM, None)
    assert p["model.embed_tokens.weight"] == (None, Role.EMBED, None)
    assert p["lm_head.weight"] == (None, Role.LM_HEAD, None)
    assert p["model.norm.weight"] == (None, Role.NORM, None)
    sampled = {q.key for q in layout.parts if q.sampled}
    assert "model.layers.0.self_attn.q_proj.weight" in sampled and "model.norm.weight" not in sampled


def test_mixtral_experts_w1_w3_w2_are_gate_up_down():
    names = {
        "model.layers.0.self_attn.q_proj.weight": (4, 4),
        "model.layers.0.block_sparse_moe.gate.weight": (8, 4),
    }
    for e in range(8):
        for w in ("w1", "w2", "w3"):
            names[f"model.layers.0.block_sparse_moe.experts.{e}.{w}.weight"] = (6, 4)
    layout, p = place(names)
    assert layout.family == "mixtral"
    assert p["model.layers.0.block_sparse_moe.experts.5.w1.weight"] == (0, Role.GATE, 5)
    assert p["model.layers.0.block_sparse_moe.experts.5.w3.weight"] == (0, Role.UP, 5)
    assert p["model.layers.0.block_sparse_moe.experts.5.w2.weight"] == (0, Role.DOWN, 5)
    assert p["model.layers.0.block_sparse_moe.gate.weight"] == (0, Role.ROUTER, None)


def test_qwen2_moe_and_deepseek_experts_and_shared_experts():
    names = {
        "model.layers.0.self_attn.q_proj.weight": (4, 4),
        "model.layers.0.mlp.gate.weight": (4, 4),
        "model.layers.0.mlp.experts.3.up_proj.weight": (6, 4),
        "model.layers.0.mlp.shared_expert.down_proj.weight": (4, 6),
        "model.layers.0.mlp.shared_expert_gate.weight": (1, 4),
        "model.layers.1.mlp.shared_experts.gate_proj.weight": (6, 4),
    }
    layout, p = place(names)
    assert layout.family == "qwen2_moe"
    assert p["model.layers.0.mlp.experts.3.up_proj.weight"] == (0, Role.UP, 3)
    assert p["model.layers.0.mlp.shared_expert.down_proj.weight"] == (0, Role.DOWN, SHARED_EXPERT)
    assert p["model.layers.1.mlp.shared_experts.gate_proj.weight"] == (1, Role.GATE, SHARED_EXPERT)
    assert p["model.layers.0.mlp.gate.weight"] == (0, Role.ROUTER, None)
    assert p["model.layers.0.mlp.shared_expert_gate.weight"] == (0, Role.OTHER, None)


@pytest.mark.parametrize("prefix", ["", "bert.", "roberta."])
def test_bert_names_with_or_without_a_prefix(prefix):
    pre = f"{prefix}encoder.layer.4."
    names = {
        pre + "attention.self.query.weight": (4, 4),
        pre + "attention.self.key.weight": (4, 4),
        pre + "attention.self.value.weight": (4, 4),
        pre + "attention.output.dense.weight": (4, 4),
        pre + "attention.output.LayerNorm.weight": (4,),
        pre + "intermediate.dense.weight": (8, 4),
        pre + "output.dense.weight": (4, 8),
        pre + "output.LayerNorm.bias": (4,),
        prefix + "embeddings.word_embeddings.weight": (9, 4),
    }
    layout, p = place(names)
    assert (layout.family, layout.num_layers) == ("bert", 5)
    for suffix, role in (
        ("attention.self.query.weight", Role.Q),
        ("attention.self.value.weight", Role.V),
        ("attention.output.dense.weight", Role.O),
        ("intermediate.dense.weight", Role.UP),
        ("output.dense.weight", Role.DOWN),
        ("attention.output.LayerNorm.weight", Role.NORM),
        ("output.LayerNorm.bias", Role.BIAS),
    ):
        assert p[pre + suffix] == (4, role, None)
    assert p[prefix + "embeddings.word_embeddings.weight"] == (None, Role.EMBED, None)


def test_distilbert_and_phi2_hf_names():
    _, p = place(
        {
            "distilbert.transformer.layer.1.attention.q_lin.weight": (4, 4),
            "distilbert.transformer.layer.1.attention.out_lin.weight": (4, 4),
            "distilbert.transformer.layer.1.ffn.lin2.weight": (4, 8),
        }
    )
    assert p["distilbert.transformer.layer.1.attention.q_lin.weight"] == (1, Role.Q, None)
    assert p["distilbert.transformer.layer.1.ffn.lin2.weight"] == (1, Role.DOWN, None)
    _, p = place(
        {
            "model.layers.0.self_attn.q_proj.weight": (4, 4),
            "model.layers.0.self_attn.dense.weight": (4, 4),
            "model.layers.0.mlp.fc1.weight": (8, 4),
            "model.layers.0.mlp.fc2.weight": (4, 8),
        }
    )
    assert p["model.layers.0.self_attn.dense.weight"] == (0, Role.O, None)
    assert p["model.layers.0.mlp.fc2.weight"] == (0, Role.DOWN, None)


def test_an_unknown_layout_names_the_tensors_it_could_not_place():
    with pytest.raises(UnknownLayoutError, match="'blocks.0.mixer.in_proj.weight'") as info:
        resolve_layout({"blocks.0.mixer.in_proj.weight": (4, 4), "blocks.0.norm.weight": (4,)})
    assert info.value.tensor == "blocks.0.mixer.in_proj.weight"


def test_a_fused_split_without_head_counts_says_what_config_is_missing():
    with pytest.raises(UnknownLayoutError, match="needs num_attention_heads from config.json"):
        resolve_layout({"gpt_neox.layers.0.attention.query_key_value.weight": (12, 4)})


def test_a_fused_tensor_that_the_head_layout_does_not_explain():
    config = {"hidden_size": 8, "num_attention_heads": 4, "multi_query": True}
    with pytest.raises(UnknownLayoutError, match="does not explain") as info:
        resolve_layout({FALCON_NAME: (13, 8)}, config)
    assert info.value.tensor == FALCON_NAME


def test_meta_consolidated_names_and_deepseek_latent_attention():
    layout, p = place(
        {
            "layers.0.attention.wq.weight": (4, 4),
            "layers.0.attention.wo.weight": (4, 4),
            "layers.0.feed_forward.w1.weight": (8, 4),
            "layers.0.feed_forward.w3.weight": (8, 4),
            "layers.0.attention_norm.weight": (4,),
            "tok_embeddings.weight": (9, 4),
            "output.weight": (9, 4),
        }
    )
    assert layout.family == "llama_meta"
    assert p["layers.0.attention.wq.weight"] == (0, Role.Q, None)
    assert p["layers.0.feed_forward.w1.weight"] == (0, Role.GATE, None)
    assert p["layers.0.feed_forward.w3.weight"] == (0, Role.UP, None)
    assert p["layers.0.attention_norm.weight"] == (0, Role.NORM, None)
    assert p["tok_embeddings.weight"] == (None, Role.EMBED, None)
    assert p["output.weight"] == (None, Role.LM_HEAD, None)
    layout, p = place(
        {"model.layers.0.self_attn.q_a_proj.weight": (3, 4), "model.layers.0.self_attn.o_proj.weight": (4, 4)}
    )
    assert layout.family == "llama"
    assert p["model.layers.0.self_attn.q_a_proj.weight"] == (0, Role.OTHER, None)
    assert p["model.layers.0.self_attn.o_proj.weight"] == (0, Role.O, None)


@pytest.mark.parametrize("chunk_bytes", [40, 10**6])
def test_samples_of_split_and_transposed_parts_sit_at_logical_positions(write_checkpoint, chunk_bytes):
    from provenance.fingerprint.fingerprint import sample_positions

    d, n_heads = 12, 4
    q, k, v = matrices(d, d, d)
    hd = d // n_heads
    neox = np.concatenate(
        [b for h in range(n_heads) for b in (heads(q, hd)[h], heads(k, hd)[h], heads(v, hd)[h])]
    )
    t = {
        "h.0.attn.c_attn.weight": np.concatenate([q.T, k.T, v.T], axis=1),
        "layers.0.attention.query_key_value.weight": neox,
    }
    for name, fused in t.items():
        folder = write_checkpoint(
            {name: fused}, name=f"{name[:3]}{chunk_bytes}", config={"num_attention_heads": n_heads}
        )
        fp = fingerprint_checkpoint(folder, chunk_bytes=chunk_bytes, sample_size=20, seed=5)
        by_key = {p.key: p for p in fp.parts}
        for s, m in (("q", q), ("k", k), ("v", v)):
            expected = m.ravel()[sample_positions(list(m.shape), 20, 5)]
            np.testing.assert_array_equal(by_key[f"{name}#{s}"].sample, expected)
