"""The synthetic lineage generator writes valid, deterministic checkpoints with the promised relations."""

from __future__ import annotations

import hashlib
import json
import struct
import tracemalloc
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
from safetensors.numpy import load_file

from provenance.fingerprint import synthetic
from provenance.fingerprint.synthetic import (
    SIZES,
    BaseModel,
    PrunedModel,
    build_lineage_set,
    write_checkpoint_of_size,
    write_model,
)


def _read_all(folder: Path) -> dict[str, np.ndarray]:
    """Every tensor of a bf16 checkpoint as float32, parsed by hand (numpy has no bf16 loader)."""
    out = {}
    for f in sorted(folder.glob("*.safetensors")):
        raw = f.read_bytes()
        n = struct.unpack("<Q", raw[:8])[0]
        header = json.loads(raw[8 : 8 + n])
        for name, h in header.items():
            if name == "__metadata__":
                continue
            start, stop = h["data_offsets"]
            assert h["dtype"] == "BF16"
            out[name] = np.frombuffer(raw[8 + n + start : 8 + n + stop], ml_dtypes.bfloat16).reshape(
                h["shape"]
            )
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())}


def test_the_lineage_set_is_sharded_bf16_with_index_config_and_tokenizer(lineage_set):
    base = lineage_set["base"]
    index = json.loads((base / "model.safetensors.index.json").read_text())
    shards = sorted(p.name for p in base.glob("*.safetensors"))
    assert len(shards) > 1 and set(index["weight_map"].values()) == set(shards)
    tensors = _read_all(base)
    assert set(index["weight_map"]) == set(tensors)
    assert index["metadata"]["total_size"] == sum(t.nbytes for t in tensors.values())
    config = json.loads((base / "config.json").read_text())
    assert config["model_type"] == "qwen2" and config["num_hidden_layers"] == 12
    assert config["num_key_value_heads"] < config["num_attention_heads"]  # GQA
    assert tensors["model.layers.0.self_attn.k_proj.weight"].shape == (64, 128)
    tok = json.loads((base / "tokenizer.json").read_text())
    assert tok["model"]["type"] == "BPE" and len(tok["model"]["vocab"]) == config["vocab_size"]


def test_the_f32_variant_loads_with_the_reference_safetensors_library(tmp_path):
    model = BaseModel(SIZES["tiny"], seed=3)
    folder = write_model(model, tmp_path / "f32", dtype="F32", max_shard_bytes=1 << 40)
    loaded = load_file(folder / "model.safetensors")
    plan = {t.name: t for t in model.plan()}
    name = "model.layers.3.mlp.down_proj.weight"
    assert loaded[name].dtype == np.float32
    np.testing.assert_array_equal(loaded[name], np.concatenate(list(model.blocks(plan[name]))))
    assert not (folder / "model.safetensors.index.json").exists()


def test_writing_is_deterministic(tmp_path):
    model = synthetic.lineage_models()["finetune"]
    a = write_model(model, tmp_path / "a")
    b = write_model(model, tmp_path / "b")
    assert _digest(a) == _digest(b)


def test_the_pruned_copy_keeps_every_second_layer_byte_for_byte(lineage_set):
    base, pruned = _read_all(lineage_set["base"]), _read_all(lineage_set["pruned"])
    manifest = json.loads((lineage_set["base"].parent / "lineage.json").read_text())
    kept = manifest["models"]["pruned"]["kept_layers"]
    assert kept == [0, 2, 4, 6, 8, 10]
    for j, i in enumerate(kept):
        a = base[f"model.layers.{i}.self_attn.q_proj.weight"]
        b = pruned[f"model.layers.{j}.self_attn.q_proj.weight"]
        assert a.tobytes() == b.tobytes()
    assert json.loads((lineage_set["pruned"] / "config.json").read_text())["num_hidden_layers"] == 6


def test_the_widened_copy_adds_vocabulary_rows_and_tokens(lineage_set):
    base, wide = _read_all(lineage_set["base"]), _read_all(lineage_set["widened"])
    extra = synthetic.WIDEN_EXTRA_TOKENS
    for name in ("model.embed_tokens.weight", "lm_head.weight"):
        assert wide[name].shape == (base[name].shape[0] + extra, base[name].shape[1])
        assert wide[name][: base[name].shape[0]].tobytes() == base[name].tobytes()
    assert (
        wide["model.layers.5.mlp.up_proj.weight"].tobytes()
        == base["model.layers.5.mlp.up_proj.weight"].tobytes()
    )
    tok_b = json.loads((lineage_set["base"] / "tokenizer.json").read_text())["model"]["vocab"]
    tok_w = json.loads((lineage_set["widened"] / "tokenizer.json").read_text())["model"]["vocab"]
    assert len(tok_w) == len(tok_b) + extra and all(tok_w[t] == i for t, i in tok_b.items())
    assert json.loads((lineage_set["widened"] / "config.json").read_text())["vocab_size"] == len(tok_w)


def test_the_upcycled_moe_has_experts_close_to_the_dense_mlp(lineage_set):
    base, moe = _read_all(lineage_set["base"]), _read_all(lineage_set["moe"])
    config = json.loads((lineage_set["moe"] / "config.json").read_text())
    assert config["model_type"] == "qwen2_moe" and config["num_experts"] == 4
    dense = base["model.layers.7.mlp.gate_proj.weight"].astype(np.float32).ravel()
    for e in range(4):
        expert = moe[f"model.layers.7.mlp.experts.{e}.gate_proj.weight"].astype(np.float32).ravel()
        assert np.corrcoef(dense, expert)[0, 1] > 0.95
        assert expert.tobytes() != dense.tobytes()
    assert moe["model.layers.7.mlp.gate.weight"].shape == (4, 128)


def test_sigma_follows_a_non_flat_depth_trend_per_role():
    model = BaseModel(SIZES["tiny"], seed=1)
    for role in "qkvo":
        series = np.array([model.sigma(role, i) for i in range(12)])
        assert series.max() / series.min() > 1.1, role


def test_the_hard_negative_shares_the_recipe_but_no_weights():
    models = synthetic.lineage_models()
    base, twin = models["base"], models["independent_same_recipe"]
    sa = np.array([base.sigma("q", i) for i in range(12)])
    sb = np.array([twin.sigma("q", i) for i in range(12)])
    assert np.corrcoef(sa, sb)[0, 1] > 0.8
    plan = {t.name: t for t in base.plan()}["model.layers.4.self_attn.q_proj.weight"]
    wa, wb = next(base.blocks(plan)).ravel(), next(twin.blocks(plan)).ravel()
    assert abs(np.corrcoef(wa, wb)[0, 1]) < 0.05


def test_tensors_are_generated_in_bounded_blocks():
    blocks = list(synthetic.models._structured_blocks(np.random.default_rng(0), (40000, 256), 0.02))
    assert len(blocks) > 1 and max(b.size for b in blocks) <= synthetic.models.BLOCK_ELEMS
    assert sum(b.shape[0] for b in blocks) == 40000
    assert np.std(np.concatenate(blocks)) == pytest.approx(0.02, rel=0.02)


def test_a_checkpoint_of_a_target_size_lands_within_one_layer_in_bounded_memory(tmp_path):
    target = 160 * 10**6
    tracemalloc.start()
    try:
        folder = write_checkpoint_of_size(tmp_path / "sized", target, max_shard_bytes=64 * 10**6)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = sum(p.stat().st_size for p in folder.glob("*.safetensors"))
    config = json.loads((folder / "config.json").read_text())
    per_layer = size / config["num_hidden_layers"]
    assert abs(size - target) < per_layer
    assert len(list(folder.glob("*.safetensors"))) >= 3
    # numpy reports its buffers to tracemalloc: a few 16 MB blocks at a time, not the 160 MB written
    assert peak < 64 * 10**6, peak


def test_unknown_sizes_and_dtypes_are_refused(tmp_path):
    with pytest.raises(ValueError):
        build_lineage_set(tmp_path, size="huge")
    with pytest.raises(ValueError):
        write_model(PrunedModel(BaseModel(SIZES["tiny"], seed=0), [0]), tmp_path / "x", dtype="I8")
