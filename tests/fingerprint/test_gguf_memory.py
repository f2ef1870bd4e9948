"""GGUF metadata memory: large arrays are read lazily (as the ``gguf`` package reads them), a cap
refuses a large header unread, and running out of memory is the engine's one sentence, never a
traceback. Memory is measured in a fresh interpreter (``ru_maxrss``), the limits set there too."""

from __future__ import annotations

import io
import json
import mmap
import os
import subprocess
import sys
from pathlib import Path

import gguf
import numpy as np
import pytest

from provenance.fingerprint import gguf_metadata
from provenance.fingerprint.errors import CheckpointFormatError
from provenance.fingerprint.gguf_format import checkpoint_of_file, read_gguf_header, read_gguf_header_from
from provenance.fingerprint.gguf_metadata import GgufStrings
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.synthetic.gguf_writer import write_gguf_with_metadata

ROOT = Path(__file__).resolve().parents[2]
MB = 2**20
V = gguf.GGUFValueType

# Opens a checkpoint in a fresh interpreter and prints how far its peak RSS rose above what the
# imports took; with a second argument, first caps its address space that many MB above its size.
PROBE = """
import json, resource, sys, time
from provenance.fingerprint.cli import main
from provenance.fingerprint.reader import open_checkpoint
if len(sys.argv) > 2:
    size = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
    limit = size + int(sys.argv[2]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.exit(main(["inspect", sys.argv[1], "--quiet"]))
base, t0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.process_time()
ckpt = open_checkpoint(sys.argv[1])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
grew, cpu = (peak - base) / 1024, time.process_time() - t0
print(json.dumps({"grew_mb": grew, "cpu_s": cpu, "tokens": len(ckpt.vocabulary or ())}))
"""


def probe(*args: object, code: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``PROBE`` on ``args`` with the engine of the folder ``code`` (the benchmark passes an older one)."""
    env = {**os.environ, "PYTHONPATH": str(code), "OPENBLAS_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)], capture_output=True, text=True, cwd=code, env=env
    )


def peak_growth_mb(path: Path) -> dict:
    out = probe(path)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("gguf-memory")
    return {
        "array": write_gguf_with_metadata(root / "array.gguf", array_bytes=200 * MB),  # sparse: no disk
        "huge-array": write_gguf_with_metadata(root / "huge-array.gguf", array_bytes=400 * MB),
        "vocabulary": write_gguf_with_metadata(root / "vocabulary.gguf", tokens=1_000_000),
    }


def test_a_200_mb_metadata_array_is_not_read_into_memory(files):
    # It was a list of 200 M Python ints: 1.77 GB of peak RSS.
    assert peak_growth_mb(files["array"])["grew_mb"] < 64


def test_a_million_token_vocabulary_is_streamed_from_the_file(files):
    # The tokens were a list, then sorted copies of the pairs: 400 MB for 1 M tokens, 1.2 GB for 3 M.
    grew = peak_growth_mb(files["vocabulary"])
    assert grew["tokens"] == 1_000_000 and grew["grew_mb"] < 280


@pytest.mark.parametrize("which", ["huge-array", "vocabulary"])
def test_running_out_of_memory_is_one_sentence_naming_the_file(files, which):
    # Address space for the imports and 150 MB more: the 400 MB array cannot be mapped, the
    # vocabulary not built; either was a MemoryError traceback ("internal error").
    out = probe(files[which], 150)
    assert out.returncode == 2, out.stderr[-3000:]
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr
    assert f"{files[which].name}: reading its" in out.stderr
    assert "needs more memory than this process may use" in out.stderr


def test_a_header_larger_than_the_cap_is_refused_unread(files):
    with pytest.raises(CheckpointFormatError) as info:
        read_gguf_header(files["array"], max_header_bytes=32 * 10**6)
    assert str(info.value).startswith("array.gguf has a GGUF header larger than 32.0 MB")
    assert "key 'junk.bytes'" in str(info.value)
    with pytest.raises(CheckpointFormatError, match="vocabulary.gguf has a GGUF header larger than 1.0 MB"):
        open_checkpoint(files["vocabulary"], max_gguf_header_bytes=10**6)


def test_an_upload_is_capped_as_it_is_read(tmp_path):
    data = write_gguf_with_metadata(tmp_path / "up.gguf", tokens=20_000).read_bytes()
    with pytest.raises(CheckpointFormatError, match="up.gguf has a GGUF header larger than 100.0 KB"):
        read_gguf_header_from(io.BytesIO(data), size=len(data), name="up.gguf", max_header_bytes=100_000)
    gf = read_gguf_header_from(io.BytesIO(data), size=len(data), name="up.gguf", max_header_bytes=10**6)
    assert len(checkpoint_of_file(gf).vocabulary) == 20_000


def mapped(a: np.ndarray) -> bool:
    return isinstance(getattr(a.base, "obj", None), mmap.mmap)


def test_metadata_arrays_read_as_the_gguf_package_reads_them(tmp_path, monkeypatch):
    monkeypatch.setattr(
        gguf_metadata, "LAZY_ARRAY_BYTES", 256
    )  # map arrays from 256 bytes (the writer is slow)
    rng = np.random.default_rng(0)
    w = gguf.GGUFWriter(tmp_path / "arrays.gguf", "qwen2")
    expected: dict[str, list] = {}
    numeric = [(V.UINT8, "u1"), (V.INT16, "i2"), (V.UINT32, "u4"), (V.FLOAT32, "f4"), (V.INT64, "i8")]
    for vtype, dtype in numeric:
        for size in (5, 256 // np.dtype(dtype).itemsize + 3):  # read, then mapped
            values = rng.integers(0, 100, size).astype(dtype).tolist()
            expected[f"n.{vtype.name}.{size}"] = values
            w.add_key_value(f"n.{vtype.name}.{size}", values, V.ARRAY, sub_type=vtype)
    expected["flags"] = [True, False, True]
    w.add_key_value("flags", expected["flags"], V.ARRAY, sub_type=V.BOOL)
    expected["words"] = ["a", "", "ünï", "x" * 3000]
    w.add_key_value("words", expected["words"], V.ARRAY, sub_type=V.STRING)
    w.add_tensor("token_embd.weight", np.ones((2, 32), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    path = tmp_path / "arrays.gguf"
    ref = gguf.GGUFReader(path)
    ours = read_gguf_header(path).metadata
    for key, values in expected.items():
        mine = list(ours[key]) if isinstance(ours[key], GgufStrings) else ours[key].tolist()
        assert mine == values == ref.fields[key].contents(), key
    assert mapped(ours["n.UINT8.259"]) and not mapped(ours["n.UINT8.5"])
    data = path.read_bytes()  # the same header from an upload in memory: read, not mapped
    upload = read_gguf_header_from(io.BytesIO(data), size=len(data), name="arrays.gguf").metadata
    assert all(np.array_equal(upload[k], ours[k]) and not mapped(upload[k]) for k in expected if k != "words")
    assert list(upload["words"]) == expected["words"]
    assert checkpoint_of_file(read_gguf_header_from(io.BytesIO(data), size=len(data), name="a.gguf"))


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ((3, 70_000), "declares 70,000 metadata entries, more than the 65,536 this reader accepts"),
        ((70_000, 1), "declares 70,000 tensors, more than the 65,536 this reader accepts"),
    ],
)
def test_counts_no_model_comes_near_are_refused_before_being_read(tmp_path, counts, message):
    # Each entry or tensor becomes Python objects: 10 M of them in a 300 MB header were gigabytes.
    from tests.fingerprint.test_gguf import VALID_TENSORS, gguf_bytes

    path = tmp_path / "many.gguf"
    path.write_bytes(gguf_bytes(VALID_TENSORS, counts=counts) + bytes(70_000 * 32))
    with pytest.raises(CheckpointFormatError, match=message):
        read_gguf_header(path)


def test_an_array_of_too_many_arrays_is_refused(tmp_path):
    import struct

    from tests.fingerprint.test_gguf import VALID_TENSORS, gguf_bytes

    data = bytearray(gguf_bytes(VALID_TENSORS, {"nested": ["x"]}))
    at = data.index(b"nested") + len("nested") + 4  # its type (array), then its item type and count
    data[at : at + 12] = struct.pack("<IQ", V.ARRAY, 100_000)
    path = tmp_path / "nested.gguf"
    path.write_bytes(bytes(data) + bytes(100_000 * 12))
    with pytest.raises(CheckpointFormatError, match="key 'nested' is an array of 100,000 arrays, more than"):
        read_gguf_header(path)
