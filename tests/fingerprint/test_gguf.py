"""The GGUF reader: bad input (one test each, then fuzzed), every supported type against the ``gguf``
package's reference, split sets, llama.cpp names, the Q/K un-permutation and the vocabulary."""

from __future__ import annotations

import struct
import time

import gguf
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.fingerprint.cli import main
from provenance.fingerprint.errors import (
    CheckpointFormatError,
    EmptyCheckpointError,
    FingerprintError,
    MissingShardError,
    TruncatedFileError,
)
from provenance.fingerprint.fingerprint import Role
from provenance.fingerprint.gguf_format import SUPPORTED_TYPES, GgufCheckpoint, UnsupportedQuantisationError
from provenance.fingerprint.layouts import SHARED_EXPERT, resolve_layout
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.stats import fingerprint_checkpoint
from provenance.fingerprint.synthetic import BaseModel, ModelShape, write_model
from provenance.fingerprint.synthetic.gguf_writer import write_gguf
from provenance.fingerprint.tokenizers import read_vocabulary

T = gguf.GGMLQuantizationType


def _str(s: str) -> bytes:
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def _kv(key: str, value: object) -> bytes:
    if isinstance(value, str):
        return _str(key) + struct.pack("<I", 8) + _str(value)
    if isinstance(value, list):
        return _str(key) + struct.pack("<IIQ", 9, 8, len(value)) + b"".join(_str(v) for v in value)
    return _str(key) + struct.pack("<I", 4) + struct.pack("<I", value)


def gguf_bytes(
    tensors: list[tuple[str, tuple[int, ...], int, bytes]],
    kv: dict[str, object] | None = None,
    *,
    version: int = 3,
    alignment: int = 32,
    counts: tuple[int, int] | None = None,
) -> bytes:
    """A GGUF file by hand: ``tensors`` are (name, GGUF dims (innermost first), type id, stored bytes)."""
    kv = {"general.architecture": "qwen2", **(kv or {})}
    head = b"GGUF" + struct.pack("<I", version)
    n_t, n_kv = counts or (len(tensors), len(kv))
    head += struct.pack("<QQ", n_t, n_kv) + b"".join(_kv(k, v) for k, v in kv.items())
    offset, body = 0, b""
    for name, dims, ttype, data in tensors:
        head += _str(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
        head += struct.pack("<IQ", ttype, offset)
        pad = b"\0" * (-len(data) % alignment)
        body += data + pad
        offset += len(data) + len(pad)
    return head + b"\0" * (-len(head) % alignment) + body


def f32(name: str, rows: int = 2, cols: int = 32, seed: int = 0) -> tuple[str, tuple[int, ...], int, bytes]:
    values = np.random.default_rng(seed).standard_normal((rows, cols)).astype(np.float32)
    return (name, (cols, rows), int(T.F32), values.tobytes())


VALID_TENSORS = [
    f32("blk.0.attn_q.weight"),
    f32("blk.0.attn_k.weight", seed=1),
    f32("token_embd.weight", seed=2),
]


def write(tmp_path, data: bytes, name: str = "model.gguf"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def refused(path, kind=CheckpointFormatError) -> FingerprintError:
    t0 = time.monotonic()
    with pytest.raises(kind) as info:
        fingerprint_checkpoint(path)
    assert time.monotonic() - t0 < 1
    return info.value


# -- bad input, one test each ---------------------------------------------------------------------------------


def test_a_valid_hand_made_file_reads(tmp_path):
    fp = fingerprint_checkpoint(write(tmp_path, gguf_bytes(VALID_TENSORS)))
    assert fp.family == "qwen2" and {p.role for p in fp.parts} >= {Role.Q, Role.K, Role.EMBED}


def test_wrong_magic(tmp_path):
    p = write(tmp_path, b"GGUX" + gguf_bytes(VALID_TENSORS)[4:])
    # Not GGUF by its magic, so it is read as safetensors, and refused as such.
    assert "model.gguf" in str(refused(p))


def test_wrong_magic_of_a_gguf_named_split_part_names_the_magic(tmp_path):
    from provenance.fingerprint.gguf_format import read_gguf_header

    p = write(tmp_path, b"GGUX" + gguf_bytes(VALID_TENSORS)[4:])
    with pytest.raises(CheckpointFormatError, match="not a GGUF file"):
        read_gguf_header(p)


def test_unsupported_version(tmp_path):
    e = refused(write(tmp_path, gguf_bytes(VALID_TENSORS, version=1)))
    assert "version 1" in str(e) and "model.gguf" in str(e)


def test_truncated_header(tmp_path):
    data = gguf_bytes(VALID_TENSORS)
    refused(write(tmp_path, data[:60]), TruncatedFileError)


def test_tensor_data_past_the_end(tmp_path):
    data = gguf_bytes(VALID_TENSORS)
    e = refused(write(tmp_path, data[:-100]), TruncatedFileError)
    assert e.tensor == "token_embd.weight"


def test_alignment_not_a_power_of_two(tmp_path):
    e = refused(write(tmp_path, gguf_bytes(VALID_TENSORS, {"general.alignment": 48}, alignment=48)))
    assert "general.alignment" in str(e) and "power of two" in str(e)


@pytest.mark.parametrize("counts", [(10**12, 1), (3, 10**12), (2**64 - 1, 2**64 - 1)])
def test_absurd_counts(tmp_path, counts):
    e = refused(write(tmp_path, gguf_bytes(VALID_TENSORS, counts=counts)))
    assert "more than the file can hold" in str(e)


def test_string_length_past_the_end(tmp_path):
    data = bytearray(gguf_bytes(VALID_TENSORS))
    data[24:32] = struct.pack("<Q", 2**40)  # the length of the first key
    e = refused(write(tmp_path, bytes(data)), TruncatedFileError)
    assert "past the end" in str(e)


def test_unsupported_quantisation_type_names_tensor_and_type(tmp_path):
    bad = ("blk.0.attn_v.weight", (256, 1), int(T.IQ2_XXS), b"\0" * 66)
    e = refused(write(tmp_path, gguf_bytes([*VALID_TENSORS, bad])), UnsupportedQuantisationError)
    assert e.tensor == "blk.0.attn_v.weight" and "IQ2_XXS" in str(e)


def test_impossible_dimensions_beside_a_zero_one(tmp_path):
    bad = ("blk.0.attn_v.weight", (32, 2**62, 0), int(T.F32), b"")
    e = refused(write(tmp_path, gguf_bytes([*VALID_TENSORS, bad])))
    assert e.tensor == "blk.0.attn_v.weight" and "impossible dimensions" in str(e)


def test_unknown_type_id(tmp_path):
    bad = ("blk.0.attn_v.weight", (32, 1), 999, b"\0" * 128)
    e = refused(write(tmp_path, gguf_bytes([*VALID_TENSORS, bad])))
    assert e.tensor == "blk.0.attn_v.weight" and "999" in str(e)


def test_duplicated_tensor_names(tmp_path):
    e = refused(write(tmp_path, gguf_bytes([*VALID_TENSORS, f32("token_embd.weight")])))
    assert "appears twice" in str(e) and e.tensor == "token_embd.weight"


def test_duplicated_metadata_keys(tmp_path):
    data = gguf_bytes(VALID_TENSORS, {"general.name": "x"})
    data = data.replace(_kv("general.name", "x"), _kv("general.architecture", "qwen2"))
    assert "appears twice" in str(refused(write(tmp_path, data)))


def test_a_file_with_no_tensors(tmp_path):
    refused(write(tmp_path, gguf_bytes([])), EmptyCheckpointError)


def _split(tmp_path, n_written: int) -> None:
    for k in range(1, n_written + 1):
        tensors = VALID_TENSORS[k - 1 :: 2]
        kv = {"split.count": 2} if k == 1 else {}
        write(tmp_path, gguf_bytes(tensors, kv), f"m-{k:05d}-of-00002.gguf")


def test_a_split_set_reads_every_part(tmp_path):
    _split(tmp_path, 2)
    ckpt = open_checkpoint(tmp_path / "m-00001-of-00002.gguf")
    assert isinstance(ckpt, GgufCheckpoint) and len(ckpt.files) == 2
    assert set(ckpt.tensors) == {t[0] for t in VALID_TENSORS}
    assert len(fingerprint_checkpoint(tmp_path).files) == 2  # the folder works too


def test_a_split_set_with_a_missing_part(tmp_path):
    _split(tmp_path, 1)
    e = refused(tmp_path / "m-00001-of-00002.gguf", MissingShardError)
    assert "m-00002-of-00002.gguf" in str(e)


def test_a_folder_of_several_quantisations_asks_for_one(tmp_path):
    write(tmp_path, gguf_bytes(VALID_TENSORS), "a-Q8_0.gguf")
    write(tmp_path, gguf_bytes(VALID_TENSORS), "a-Q4_K_M.gguf")
    assert "give the path of the one to read" in str(refused(tmp_path))


def test_the_cli_says_one_line_for_a_bad_gguf(tmp_path, capsys):
    p = write(tmp_path, gguf_bytes(VALID_TENSORS, counts=(10**12, 1)))
    assert main(["inspect", str(p), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


VALID = gguf_bytes(VALID_TENSORS, {"llama.attention.head_count": 1})
FUZZ = settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
mutation = st.one_of(
    st.tuples(st.just("set"), st.integers(0, len(VALID) - 1), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.integers(0, len(VALID)), st.just(0)),
    st.tuples(st.just("u64"), st.integers(0, len(VALID) - 8), st.integers(0, 2**64 - 1)),
    st.tuples(st.just("u32"), st.integers(0, len(VALID) - 4), st.integers(0, 2**32 - 1)),
)


@FUZZ
@given(mutations=st.lists(mutation, min_size=1, max_size=5))
def test_fuzzed_headers_raise_only_engine_errors(tmp_path, mutations):
    data = bytearray(VALID)
    for kind, at, value in mutations:
        if kind == "set" and at < len(data):
            data[at] = value
        elif kind == "truncate":
            del data[at:]
        elif kind == "u64" and at + 8 <= len(data):
            data[at : at + 8] = struct.pack("<Q", value)
        elif kind == "u32" and at + 4 <= len(data):
            data[at : at + 4] = struct.pack("<I", value)
    p = write(tmp_path, bytes(data))
    t0 = time.monotonic()
    try:
        ckpt = open_checkpoint(p)
        for name in ckpt.tensors:
            ckpt.read_tensor(name)
        fingerprint_checkpoint(ckpt, chunk_bytes=13, sample_size=5)
    except FingerprintError as e:
        assert str(e)
    assert time.monotonic() - t0 < 1


@FUZZ
@given(version=st.sampled_from([2, 3]), rest=st.binary(max_size=400))
def test_random_bytes_after_a_gguf_magic_raise_only_engine_errors(tmp_path, version, rest):
    p = write(tmp_path, b"GGUF" + struct.pack("<I", version) + rest)
    t0 = time.monotonic()
    try:
        fingerprint_checkpoint(p, chunk_bytes=13, sample_size=5)
    except FingerprintError as e:
        assert str(e)
    assert time.monotonic() - t0 < 1


# -- types against the reference ------------------------------------------------------------------------------


@pytest.mark.parametrize("qtype", SUPPORTED_TYPES)
def test_every_supported_type_dequantises_as_the_gguf_package_does(tmp_path, qtype):
    block, size = gguf.GGML_QUANT_SIZES[T[qtype]]
    rows, cols = 3, 2 * 256
    rng = np.random.default_rng(7)
    if qtype in ("F32", "F16", "BF16"):
        values = rng.standard_normal((rows, cols)).astype(np.float32)
        raw = {"F32": values, "F16": values.astype(np.float16)}.get(qtype)
        raw = (raw if raw is not None else gguf.quants.quantize(values, T.BF16)).tobytes()
    else:  # random blocks with sane fp16 scales: every bit pattern of the quants is exercised
        blocks = rng.integers(0, 256, (rows * cols // block, size), dtype=np.uint8)
        scales = (rng.standard_normal(blocks.shape[0]) * 0.01).astype(np.float16).view(np.uint8)
        if qtype.endswith("_K"):
            blocks[:, -2:] = scales.reshape(-1, 2)  # Q2_K..Q5_K/Q6_K keep d (and dmin) at the end or start
            blocks[:, :2] = scales.reshape(-1, 2)
            if qtype in ("Q2_K", "Q4_K", "Q5_K"):
                off = {"Q2_K": size - 4, "Q4_K": 0, "Q5_K": 0}[qtype]
                blocks[:, off : off + 4] = np.tile(scales.reshape(-1, 2), 2)
        else:
            blocks[:, :2] = scales.reshape(-1, 2)
            if qtype in ("Q4_1", "Q5_1"):
                blocks[:, 2:4] = scales.reshape(-1, 2)
        raw = blocks.tobytes()
    p = write(tmp_path, gguf_bytes([("blk.0.attn_q.weight", (cols, rows), int(T[qtype]), raw)]))
    ref_tensor = gguf.GGUFReader(p).tensors[0]
    ref = gguf.quants.dequantize(ref_tensor.data, ref_tensor.tensor_type).reshape(rows, cols)
    ckpt = open_checkpoint(p)
    np.testing.assert_array_equal(ckpt.read_tensor("blk.0.attn_q.weight"), ref)
    chunks = list(ckpt.iter_chunks("blk.0.attn_q.weight", chunk_bytes=4 * block))
    assert len(chunks) > 1
    np.testing.assert_array_equal(np.concatenate(chunks), ref.reshape(-1))
    fp = fingerprint_checkpoint(ckpt, chunk_bytes=4 * block)
    part = fp.parts[0]
    finite = ref[np.isfinite(ref)]
    assert part.mean == pytest.approx(float(finite.mean(dtype=np.float64)), rel=1e-5, abs=1e-9)
    assert part.std_sample == pytest.approx(float(finite.std(ddof=1, dtype=np.float64)), rel=1e-5)
    assert fp.tensors[0].dtype == qtype and fp.tensors[0].nbytes == len(raw)
    import hashlib

    import blake3

    assert fp.tensors[0].digest == blake3.blake3(raw).hexdigest()  # the stored bytes, not the values
    assert fp.files[0].sha256 == hashlib.sha256(p.read_bytes()).hexdigest()


# -- synthetic copies: round trips, names, vocabulary --------------------------------------------------------

SHAPE = ModelShape(256, 6, 4, 2, 512, 512)  # rows of 256 and 512 values: Q4_K blocks fit everywhere
ERROR = {"F16": 1e-3, "Q8_0": 0.01, "Q4_K": 0.1}  # relative RMS error of the quantised values


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    root = tmp_path_factory.mktemp("gguf")
    base = BaseModel(SHAPE, seed=3)
    out = {"base": write_model(base, root / "base", dtype="F32")}
    for q, arch in (("F16", "llama"), ("Q8_0", "qwen2"), ("Q4_K", "llama")):
        out[q] = write_gguf(base, root / f"base-{q}.gguf", qtype=q, arch=arch)
    out["independent-Q4_K"] = write_gguf(
        BaseModel(SHAPE, seed=4, recipe="b"), root / "ind-Q4_K.gguf", qtype="Q4_K"
    )
    return out


@pytest.mark.parametrize("qtype", ["F16", "Q8_0", "Q4_K"])
def test_a_quantised_copy_lines_up_with_its_original_row_for_row(copies, qtype):
    st_ckpt, g = open_checkpoint(copies["base"]), open_checkpoint(copies[qtype])
    for hf, name in [
        ("model.layers.0.self_attn.q_proj.weight", "blk.0.attn_q.weight"),
        ("model.layers.2.self_attn.k_proj.weight", "blk.2.attn_k.weight"),
        ("model.layers.2.self_attn.k_proj.bias", "blk.2.attn_k.bias"),
        ("model.layers.5.mlp.down_proj.weight", "blk.5.ffn_down.weight"),
        ("model.embed_tokens.weight", "token_embd.weight"),
    ]:
        a, b = st_ckpt.read_tensor(hf), g.read_tensor(name)
        assert a.shape == b.shape
        assert np.sqrt(np.mean((a - b) ** 2)) / a.std() < ERROR[qtype if b.ndim == 2 else "F16"], name
    expected = {"F16": "F16", "Q8_0": "Q8_0", "Q4_K": "Q4_K"}[qtype]
    assert g.tensors["blk.0.attn_q.weight"].dtype == expected


def test_without_the_unpermutation_llama_q_rows_would_not_line_up(copies):
    g = open_checkpoint(copies["F16"])
    t = g.tensors["blk.0.attn_q.weight"]
    assert t.head_rows == SHAPE.head_dim
    stored = np.frombuffer(t.path.read_bytes()[t.start : t.start + t.nbytes], dtype="<f2").reshape(t.shape)
    a = open_checkpoint(copies["base"]).read_tensor("model.layers.0.self_attn.q_proj.weight")
    assert np.abs(stored - a).max() > 10 * np.abs(g.read_tensor(t.name) - a).max()


def test_the_vocabulary_comes_from_the_metadata(copies):
    g = open_checkpoint(copies["Q8_0"])
    st_vocab = read_vocabulary(copies["base"] / "tokenizer.json")
    assert g.vocabulary is not None and g.vocabulary.tokens == st_vocab.tokens
    assert g.vocabulary.sha256 == st_vocab.sha256
    assert fingerprint_checkpoint(g).tokenizer_sha256 == st_vocab.sha256


def test_the_cli_inspects_a_gguf(copies, capsys):
    assert main(["inspect", str(copies["Q4_K"]), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "layout: llama   layers: 6" in out and "Q4_K" in out


def test_llama_cpp_names_map_to_layers_roles_and_experts():
    d, ff, e = 64, 128, 4
    shapes = {
        "token_embd.weight": (100, d),
        "output.weight": (100, d),
        "output_norm.weight": (d,),
        "blk.0.attn_norm.weight": (d,),
        "blk.0.attn_qkv.weight": (d + 2 * 16, d),
        "blk.0.attn_output.weight": (d, d),
        "blk.0.ffn_gate_inp.weight": (e, d),
        "blk.0.ffn_gate_exps.weight": (e, ff, d),
        "blk.0.ffn_down_exps.weight": (e, d, ff),
        "blk.0.ffn_up_shexp.weight": (ff, d),
        "blk.1.attn_q.weight": (d, d),
        "blk.1.ffn_up.weight": (ff, d),
    }
    lay = resolve_layout(
        shapes, {"model_type": "qwen2_moe", "num_attention_heads": 4, "num_key_value_heads": 1}
    )
    by = {(p.layer, p.role, p.expert): p for p in lay.parts}
    assert lay.family == "qwen2_moe" and lay.num_layers == 2
    assert by[(0, Role.Q, None)].shape == (d, d) and by[(0, Role.K, None)].shape == (16, d)
    assert by[(0, Role.GATE, 3)].shape == (ff, d) and by[(0, Role.DOWN, 0)].shape == (d, ff)
    assert by[(0, Role.UP, SHARED_EXPERT)].tensor == "blk.0.ffn_up_shexp.weight"
    assert by[(0, Role.ROUTER, None)].tensor == "blk.0.ffn_gate_inp.weight"
    assert by[(None, Role.EMBED, None)].tensor == "token_embd.weight"
    assert by[(None, Role.LM_HEAD, None)].tensor == "output.weight"
    assert by[(0, Role.NORM, None)].tensor == "blk.0.attn_norm.weight"
    assert by[(1, Role.UP, None)].sampled


def test_one_expert_of_a_stacked_tensor_reads_as_its_own_matrix(tmp_path):
    from provenance.fingerprint.weights import read_part

    stack = np.random.default_rng(0).standard_normal((3, 4, 32)).astype(np.float32)
    p = write(
        tmp_path, gguf_bytes([*VALID_TENSORS, ("blk.0.ffn_up_exps.weight", (32, 4, 3), 0, stack.tobytes())])
    )
    ckpt = open_checkpoint(p)
    lay = resolve_layout({n: t.shape for n, t in ckpt.tensors.items()}, ckpt.config)
    spec = next(s for s in lay.parts if s.role == Role.UP and s.expert == 2)
    np.testing.assert_array_equal(read_part(ckpt, spec), stack[2])
    fp = fingerprint_checkpoint(ckpt)
    part = next(q for q in fp.parts if q.key == spec.key)
    assert part.mean == pytest.approx(float(stack[2].mean(dtype=np.float64)), rel=1e-6)


def test_the_compiled_float_moments_agree_with_numpy():
    from provenance.fingerprint.kernels import float_moments, float_moments_numpy

    x = np.random.default_rng(1).standard_normal(100_000).astype(np.float32) * 3 + 1
    x[[5, 17]] = np.nan
    x[[9]] = -np.inf
    got, want = float_moments(x), float_moments_numpy(x)
    assert got[:3] == want[:3] == (99_997, 2, 1)
    np.testing.assert_allclose(got[3:], want[3:], rtol=1e-9)
    assert float_moments(np.full(3, np.nan, dtype=np.float32))[:3] == (0, 3, 0)


def _arch(arch: str, names: dict[str, tuple[int, ...]], heads: int = 4, kv: int = 4, ff: int = 96):
    """Open a hand-made GGUF of ``arch`` holding ``names`` (numpy shapes, zeros) and resolve its layout."""
    import tempfile
    from pathlib import Path

    kvs = {
        "general.architecture": arch,
        f"{arch}.block_count": 1,
        f"{arch}.embedding_length": 64,
        f"{arch}.feed_forward_length": ff,
        f"{arch}.attention.head_count": heads,
        f"{arch}.attention.head_count_kv": kv,
    }
    tensors = [(n, tuple(reversed(s)), int(T.F32), bytes(4 * int(np.prod(s)))) for n, s in names.items()]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "m.gguf"
        p.write_bytes(gguf_bytes(tensors, kvs))
        ckpt = open_checkpoint(p)
        lay = resolve_layout({n: t.shape for n, t in ckpt.tensors.items()}, ckpt.config)
    return lay, {(q.layer, q.role, q.expert): q for q in lay.parts}


D = 64
DENSE = {
    "token_embd.weight": (100, D),
    "output_norm.weight": (D,),
    "blk.0.attn_norm.weight": (D,),
    "blk.0.attn_output.weight": (D, D),
    "blk.0.ffn_up.weight": (96, D),
    "blk.0.ffn_down.weight": (D, 96),
}
SEPARATE = {"blk.0.attn_q.weight": (D, D), "blk.0.attn_k.weight": (16, D), "blk.0.attn_v.weight": (16, D)}


@pytest.mark.parametrize(
    ("arch", "family", "extra", "kv", "k_rows"),
    [
        ("llama", "llama", {**SEPARATE, "blk.0.ffn_gate.weight": (96, D), "output.weight": (100, D)}, 1, 16),
        ("mistral", "mistral", {**SEPARATE, "blk.0.ffn_gate.weight": (96, D)}, 1, 16),
        ("qwen2", "qwen2", {**SEPARATE, "blk.0.attn_q.bias": (D,), "blk.0.ffn_gate.weight": (96, D)}, 1, 16),
        ("phi2", "phi", {"blk.0.attn_qkv.weight": (3 * D, D), "blk.0.attn_qkv.bias": (3 * D,)}, 4, D),
        ("gpt2", "gpt2", {"position_embd.weight": (32, D), "blk.0.attn_qkv.weight": (3 * D, D)}, 4, D),
        ("falcon", "falcon", {"blk.0.attn_qkv.weight": (D + 2 * 16, D)}, 1, 16),
        (
            "bert",
            "bert",
            {**SEPARATE, "token_types.weight": (2, D), "blk.0.layer_output_norm.weight": (D,)},
            1,
            16,
        ),
    ],
)
def test_each_architecture_places_its_gguf_tensors(arch, family, extra, kv, k_rows):
    lay, by = _arch(arch, {**DENSE, **extra}, kv=kv)
    assert lay.family == family and lay.num_layers == 1
    assert by[(0, Role.Q, None)].shape == (D, D) and by[(0, Role.K, None)].shape == (k_rows, D)
    assert by[(0, Role.V, None)].shape == (k_rows, D) and by[(0, Role.O, None)].shape == (D, D)
    assert by[(0, Role.UP, None)].shape == (96, D) and by[(0, Role.DOWN, None)].shape == (D, 96)
    assert by[(None, Role.EMBED, None)].tensor == "token_embd.weight"


def test_phi3s_fused_gate_up_is_split():
    _lay, by = _arch(
        "phi3", {**DENSE, "blk.0.attn_qkv.weight": (3 * D, D), "blk.0.ffn_up.weight": (2 * 96, D)}
    )
    gate, up = by[(0, Role.GATE, None)], by[(0, Role.UP, None)]
    assert gate.rows == ((0, 96),) and up.rows == ((96, 192),) and up.shape == (96, D)


@pytest.mark.parametrize("arch", ["qwen2moe", "qwen3moe"])
def test_moe_architectures_place_each_stacked_expert_and_the_shared_one(arch):
    names = {
        **DENSE,
        **SEPARATE,
        "blk.0.ffn_gate_inp.weight": (8, D),
        "blk.0.ffn_gate_exps.weight": (8, 32, D),
        "blk.0.ffn_up_exps.weight": (8, 32, D),
        "blk.0.ffn_down_exps.weight": (8, D, 32),
        "blk.0.ffn_gate_shexp.weight": (96, D),
        "blk.0.ffn_gate_inp_shexp.weight": (1, D),
    }
    lay, by = _arch(arch, names, kv=1)
    assert lay.family == {"qwen2moe": "qwen2_moe", "qwen3moe": "qwen3_moe"}[arch]
    assert {e for (_l, r, e) in by if r == Role.UP and e is not None and e >= 0} == set(range(8))
    assert by[(0, Role.DOWN, 7)].shape == (D, 32) and by[(0, Role.GATE, SHARED_EXPERT)].shape == (96, D)
    assert by[(0, Role.ROUTER, None)].shape == (8, D)


def test_the_header_we_parse_is_the_gguf_packages(copies):
    from provenance.fingerprint.gguf_format import read_gguf_header

    ours = read_gguf_header(copies["Q4_K"])
    ref = gguf.GGUFReader(copies["Q4_K"])
    assert ours.header_bytes == ref.data_offset and ours.alignment == ref.alignment
    by_name = {t.name: t for t in ours.tensors}
    assert set(by_name) == {t.name for t in ref.tensors}
    for t in ref.tensors:
        mine = by_name[t.name]
        assert mine.shape == tuple(int(d) for d in reversed(t.shape)) and mine.dtype == t.tensor_type.name
        assert (mine.start, mine.nbytes) == (int(t.data_offset), int(t.n_bytes))
    assert ours.metadata["general.architecture"] == "llama"
    tokens = ref.fields["tokenizer.ggml.tokens"]
    assert list(ours.metadata["tokenizer.ggml.tokens"]) == [
        bytes(tokens.parts[i]).decode() for i in tokens.data
    ]


def test_version_2_reads_and_a_big_endian_file_is_named_as_such(tmp_path):
    assert len(open_checkpoint(write(tmp_path, gguf_bytes(VALID_TENSORS, version=2))).tensors) == 3
    big = write(tmp_path, gguf_bytes(VALID_TENSORS, version=3 << 24), "big.gguf")
    assert "big-endian" in str(refused(big))


def test_a_split_set_whose_parts_hold_fewer_tensors_than_declared(tmp_path):
    write(
        tmp_path,
        gguf_bytes(VALID_TENSORS[:2], {"split.count": 2, "split.tensors.count": 4}),
        "m-00001-of-00002.gguf",
    )
    write(tmp_path, gguf_bytes(VALID_TENSORS[2:]), "m-00002-of-00002.gguf")
    assert "split.tensors.count" in str(refused(tmp_path / "m-00001-of-00002.gguf"))


def test_a_tensor_in_two_parts_of_a_split_set_is_refused(tmp_path):
    write(tmp_path, gguf_bytes(VALID_TENSORS[:2], {"split.count": 2}), "m-00001-of-00002.gguf")
    write(tmp_path, gguf_bytes(VALID_TENSORS[1:]), "m-00002-of-00002.gguf")
    e = refused(tmp_path / "m-00001-of-00002.gguf")
    assert "stored twice" in str(e) and e.tensor == VALID_TENSORS[1][0]


def test_raw_reads_are_the_stored_bytes_in_whole_blocks(copies):
    g = open_checkpoint(copies["Q4_K"])
    t = g.tensors["blk.0.attn_q.weight"]
    chunks = [bytes(c) for c in g.iter_raw(t.name, chunk_bytes=1000)]
    assert all(len(c) % 144 == 0 for c in chunks) and len(chunks) > 1
    assert b"".join(chunks) == t.path.read_bytes()[t.start : t.start + t.nbytes]


def test_one_quantised_expert_reads_only_its_rows_and_equals_the_whole_tensors_slice(tmp_path):
    stack = np.random.default_rng(2).standard_normal((3, 4, 64)).astype(np.float32)
    q = gguf.quants.quantize(stack, T.Q8_0)
    p = write(tmp_path, gguf_bytes([("blk.0.ffn_up_exps.weight", (64, 4, 3), int(T.Q8_0), q.tobytes())]))
    ckpt = open_checkpoint(p)
    whole = ckpt.read_tensor("blk.0.ffn_up_exps.weight")
    np.testing.assert_array_equal(ckpt.read_row_ranges("blk.0.ffn_up_exps.weight", [(1, 2)])[0], whole[1])
    np.testing.assert_array_equal(
        ckpt.read_row_ranges("blk.0.ffn_up_exps.weight", [(2, 3), (0, 1)]), whole[[2, 0]]
    )


def test_safetensors_row_ranges_read_only_those_rows(write_checkpoint):
    w = np.arange(6 * 4, dtype=np.float32).reshape(6, 4)
    ckpt = open_checkpoint(write_checkpoint({"a.weight": w, "b.bias": w[:, 0].copy()}))
    np.testing.assert_array_equal(ckpt.read_row_ranges("a.weight", [(1, 3), (5, 6)]), w[[1, 2, 5]])
    np.testing.assert_array_equal(ckpt.read_row_ranges("b.bias", [(4, 6)]), w[4:6, 0])


def test_one_uploaded_part_of_a_split_set_is_refused_naming_the_split():
    import io

    from provenance.fingerprint.gguf_format import checkpoint_of_file, read_gguf_header_from

    data = gguf_bytes(VALID_TENSORS, {"split.count": 3})
    gf = read_gguf_header_from(io.BytesIO(data), size=len(data), name="m-00001-of-00003.gguf")
    with pytest.raises(CheckpointFormatError, match="one part of a GGUF split in 3 files"):
        checkpoint_of_file(gf)
    whole = gguf_bytes(VALID_TENSORS)
    ckpt = checkpoint_of_file(read_gguf_header_from(io.BytesIO(whole), size=len(whole), name="m.gguf"))
    assert set(ckpt.tensors) == {t[0] for t in VALID_TENSORS}
