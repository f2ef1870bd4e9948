"""The statistics pass equals a float64 reference computed on the whole tensor, for every dtype and
for tensors spread over many chunks; samples sit at the documented logical positions."""

from __future__ import annotations

import hashlib
import json
import math

import blake3
import ml_dtypes
import numpy as np
import pytest
from engine_files import llama_tensors, safetensors_bytes

from provenance.fingerprint import kernels
from provenance.fingerprint.fingerprint import ModelFingerprint, Role, sample_positions
from provenance.fingerprint.stats import fingerprint_checkpoint

RTOL = 1e-6


def reference(values: np.ndarray) -> dict[str, float]:
    x = values.astype(np.float64).ravel()
    f = x[np.isfinite(x)]
    return {
        "count": x.size,
        "mean": f.mean(),
        "std_pop": f.std(ddof=0),
        "std_sample": f.std(ddof=1),
        "fro_norm": math.sqrt((f * f).sum()),
        "min": f.min(),
        "max": f.max(),
        "nan_count": int(np.isnan(x).sum()),
        "inf_count": int(np.isinf(x).sum()),
    }


def assert_matches(part, values: np.ndarray) -> None:
    ref = reference(values)
    for k, v in ref.items():
        assert getattr(part, k) == pytest.approx(v, rel=RTOL, abs=0), k


def llama_with(dtype, scale_shift: float = 0.0) -> dict[str, np.ndarray]:
    t = llama_tensors(layers=2, d=32, ff=48, kv=16, dtype=np.float32, seed=3)
    # Shift a matrix away from zero mean: the naive sum-of-squares formula would lose digits here.
    t["model.layers.1.mlp.up_proj.weight"] = t["model.layers.1.mlp.up_proj.weight"] + np.float32(scale_shift)
    return {k: v.astype(dtype) for k, v in t.items()}


DTYPES = [
    np.float32,
    np.float16,
    ml_dtypes.bfloat16,
    np.float64,
    ml_dtypes.float8_e4m3fn,
    ml_dtypes.float8_e5m2,
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("chunk_bytes", [7, 100, 16 * 2**20])
def test_it_matches_a_float64_reference_for_each_dtype_and_chunking(write_checkpoint, dtype, chunk_bytes):
    tensors = llama_with(dtype, scale_shift=3.0)
    fp = fingerprint_checkpoint(write_checkpoint(tensors, shards=2), chunk_bytes=chunk_bytes)
    by_key = {p.key: p for p in fp.parts}
    assert set(by_key) == set(tensors)
    for name, values in tensors.items():
        if np.all(values == values.ravel()[0]):  # a constant norm vector: std is exactly 0
            assert by_key[name].std_pop == 0.0
            continue
        assert_matches(by_key[name], values)


def test_a_tensor_larger_than_many_chunks_matches_the_reference(write_checkpoint):
    rng = np.random.default_rng(1)
    big = (rng.standard_normal((300, 257)) * 0.03 + 0.5).astype(np.float32)
    tensors = llama_with(np.float32)
    tensors["model.layers.0.self_attn.q_proj.weight"] = big
    fp = fingerprint_checkpoint(write_checkpoint(tensors), chunk_bytes=1000)
    assert_matches(fp.parts_by(role=Role.Q)[0], big)


def test_nan_and_inf_are_counted_and_left_out_of_the_moments(write_checkpoint):
    for dtype in (np.float32, ml_dtypes.bfloat16, np.float16, ml_dtypes.float8_e5m2, np.float64):
        tensors = llama_with(dtype)
        w = tensors["model.layers.0.self_attn.k_proj.weight"].copy()
        w[0, :3] = np.nan
        w[1, 0] = np.inf
        w[2, 5] = -np.inf
        tensors["model.layers.0.self_attn.k_proj.weight"] = w
        fp = fingerprint_checkpoint(write_checkpoint(tensors, name=np.dtype(dtype).name), chunk_bytes=64)
        part = fp.parts_by(role=Role.K)[0]
        assert (part.nan_count, part.inf_count, part.count) == (3, 2, w.size)
        assert_matches(part, w)


def test_a_part_of_only_nan_has_nan_statistics(write_checkpoint):
    tensors = llama_with(np.float32)
    tensors["model.norm.weight"] = np.full(32, np.nan, dtype=np.float32)
    part = next(
        p for p in fingerprint_checkpoint(write_checkpoint(tensors)).parts if p.key == "model.norm.weight"
    )
    assert part.nan_count == 32 and math.isnan(part.mean) and math.isnan(part.std_pop)


def test_hashes_are_sha256_of_the_file_and_blake3_of_each_tensors_bytes(write_checkpoint):
    tensors = llama_with(ml_dtypes.bfloat16)
    folder = write_checkpoint(tensors, shards=3, tokenizer={"model": {"vocab": {"x": 1}}})
    fp = fingerprint_checkpoint(folder, chunk_bytes=100)
    for f in fp.files:
        assert f.sha256 == hashlib.sha256((folder / f.name).read_bytes()).hexdigest()
        assert f.size == (folder / f.name).stat().st_size
    for t in fp.tensors:
        assert t.digest == blake3.blake3(np.ascontiguousarray(tensors[t.name]).tobytes()).hexdigest()
        assert (t.dtype, t.shape, t.nbytes) == ("BF16", list(tensors[t.name].shape), tensors[t.name].nbytes)
    assert fp.tokenizer_sha256 == hashlib.sha256((folder / "tokenizer.json").read_bytes()).hexdigest()
    assert len(fp.files) == 3
    assert (fp.tensor_hash, fp.schema_version) == ("blake3", 2)
    assert json.loads(fp.to_json())["tensor_hash"] == "blake3"  # recorded in the stored form


def test_samples_are_the_values_at_sample_positions_whatever_the_chunking(write_checkpoint):
    tensors = llama_with(ml_dtypes.bfloat16)
    folder = write_checkpoint(tensors)
    small = fingerprint_checkpoint(folder, chunk_bytes=10, sample_size=50, seed=7)
    large = fingerprint_checkpoint(folder, sample_size=50, seed=7)
    for p, q in zip(small.parts, large.parts, strict=True):
        values = tensors[p.tensor]
        if values.ndim != 2:
            assert p.sample is None
            continue
        expected = values.astype(np.float32).ravel()[sample_positions(p.shape, 50, 7)]
        np.testing.assert_array_equal(p.sample, expected)
        np.testing.assert_array_equal(q.sample, expected)


def test_the_fingerprint_records_layers_params_config_and_round_trips_json(llama_checkpoint):
    fp = fingerprint_checkpoint(llama_checkpoint, chunk_bytes=4096, sample_size=100, seed=1)
    assert (fp.family, fp.num_layers) == ("llama", 2)
    assert fp.params == {"sample_size": 100, "chunk_bytes": 4096, "seed": 1}
    assert fp.config["num_attention_heads"] == 4
    assert fp.sigma_series(Role.Q).shape == (2,)
    back = ModelFingerprint.from_json(fp.to_json())
    assert back.parts[0].key == fp.parts[0].key
    json.loads(fp.to_json())


def test_progress_reports_bytes_up_to_the_total(llama_checkpoint):
    calls: list[tuple[int, int]] = []
    fp = fingerprint_checkpoint(llama_checkpoint, chunk_bytes=256, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (fp.total_bytes, fp.total_bytes)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) > 5


def test_a_single_file_path_is_accepted(tmp_path):
    path = tmp_path / "weights.safetensors"
    path.write_bytes(safetensors_bytes(llama_with(np.float16)))
    fp = fingerprint_checkpoint(path)
    assert fp.num_layers == 2 and fp.files[0].name == "weights.safetensors"


def test_a_file_truncated_after_opening_fails_the_pass_naming_the_tensor(tmp_path):
    from provenance.fingerprint.errors import TruncatedFileError
    from provenance.fingerprint.reader import open_checkpoint

    path = tmp_path / "model.safetensors"
    path.write_bytes(safetensors_bytes(llama_with(np.float32)))
    ckpt = open_checkpoint(path)
    path.write_bytes(path.read_bytes()[: ckpt.total_bytes // 2])
    with pytest.raises(
        TruncatedFileError, match="model.safetensors is truncated: it ended while reading tensor"
    ):
        fingerprint_checkpoint(ckpt, chunk_bytes=256)


def test_memory_is_bounded_by_the_chunk_not_the_tensor(tmp_path):
    import tracemalloc

    rng = np.random.default_rng(0)
    tensors = llama_with(np.float32)
    tensors["model.embed_tokens.weight"] = rng.standard_normal((4096, 1536), dtype=np.float32)  # 24 MB
    path = tmp_path / "model.safetensors"
    path.write_bytes(safetensors_bytes(tensors))
    del tensors
    tracemalloc.start()
    try:
        fingerprint_checkpoint(path, chunk_bytes=2**20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 * 2**20  # 4 read buffers + one float64 slice + samples, well under the 24 MB tensor


# -- the compiled histogram kernel (kernels.py) ------------------------------------------------------


def test_the_compiled_kernel_is_in_use():
    # numba is pinned in requirements.txt: a silent fall back to NumPy would be 5x slower.
    assert kernels.compiled() is not None


@pytest.mark.parametrize("code_dtype", [np.uint8, np.uint16])
def test_the_kernel_counts_every_code_like_bincount(code_dtype):
    rng = np.random.default_rng(5)
    bins = 256 if code_dtype == np.uint8 else 65536
    codes = rng.integers(0, bins, size=300_001, dtype=code_dtype)
    codes[:7] = bins - 1  # the highest code, and runs of one code
    codes[7:20] = 0
    expected = np.bincount(codes, minlength=bins)
    for view in (codes, codes[::3], codes[5:0:-1], np.frombuffer(codes.tobytes(), dtype=code_dtype)):
        for fn in (kernels.histogram, kernels.histogram_numpy):
            counts = np.zeros(bins, dtype=np.int64)
            fn(view, counts)
            fn(view[:0], counts)  # an empty slice adds nothing
            np.testing.assert_array_equal(counts, np.bincount(view, minlength=bins))
    counts = np.full(bins, 10, dtype=np.int64)
    kernels.histogram(codes, counts)  # adds to what is there
    np.testing.assert_array_equal(counts, expected + 10)


def test_the_kernel_refuses_a_histogram_too_small_for_its_codes():
    with pytest.raises(ValueError):
        kernels.histogram(np.zeros(4, dtype=np.uint16), np.zeros(256, dtype=np.int64))
    with pytest.raises(ValueError):
        kernels.histogram(np.zeros(4, dtype=np.uint8), np.zeros(256, dtype=np.int32))
    with pytest.raises(ValueError):
        kernels.histogram(np.zeros(4, dtype=np.int64), np.zeros(65536, dtype=np.int64))


@pytest.mark.parametrize(
    "dtype",
    [np.float16, ml_dtypes.bfloat16, ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2],
    ids=lambda d: np.dtype(d).name,
)
def test_kernel_and_numpy_fallback_give_identical_fingerprints_across_chunk_boundaries(
    write_checkpoint, monkeypatch, dtype
):
    rng = np.random.default_rng(11)
    tensors = llama_with(dtype, scale_shift=0.5)
    big = (rng.standard_normal((97, 131)) * 0.2 + 0.25).astype(np.float32).astype(dtype)
    big[3, 4], big[50, 7], big[96, 130] = np.nan, np.inf, -np.inf  # also in the last chunk
    if dtype == ml_dtypes.float8_e4m3fn:  # e4m3fn has no Inf: its only specials are NaN
        big[50, 7] = big[96, 130] = np.nan
    tensors["model.layers.0.self_attn.q_proj.weight"] = big
    folder = write_checkpoint(tensors)
    chunk = 2 * 1000 + 2  # an odd number of entries per chunk: boundaries fall mid-row
    compiled = fingerprint_checkpoint(folder, chunk_bytes=chunk)
    monkeypatch.setattr(kernels, "histogram", kernels.histogram_numpy)
    fallback = fingerprint_checkpoint(folder, chunk_bytes=chunk)
    for p, q in zip(compiled.parts, fallback.parts, strict=True):
        a, b = p.__dict__.copy(), q.__dict__.copy()
        sa, sb = a.pop("sample"), b.pop("sample")
        assert a.keys() == b.keys()
        for k in a:  # equal counts give bit-equal statistics (NaN where there is no finite entry)
            assert a[k] == b[k] or (isinstance(a[k], float) and math.isnan(a[k]) and math.isnan(b[k])), k
        if sa is not None:
            np.testing.assert_array_equal(sa, sb)
    part = compiled.parts_by(role=Role.Q)[0]
    assert_matches(part, big)
    assert part.nan_count + part.inf_count == 3
