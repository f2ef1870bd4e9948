"""Write a ``SyntheticModel`` as a Hugging Face-style safetensors checkpoint folder.

The header is computed from the plan first, then tensors are generated and written block by block,
so memory stays bounded by ``models.BLOCK_ELEMS`` whatever the checkpoint size. We write the format
ourselves (8-byte length, JSON header padded to 8 bytes, raw row-major data) instead of calling
``safetensors.numpy.save_file``, which needs every tensor in memory at once.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np

from .models import BaseModel, ModelShape, SyntheticModel, TensorPlan, layer_plan

DTYPES: dict[str, tuple[np.dtype, int]] = {
    "BF16": (np.dtype(ml_dtypes.bfloat16), 2),
    "F16": (np.dtype(np.float16), 2),
    "F32": (np.dtype(np.float32), 4),
}


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


def write_model(
    model: SyntheticModel,
    out_dir: str | Path,
    *,
    dtype: str = "BF16",
    max_shard_bytes: int = 2 << 20,
    metadata: dict[str, str] | None = None,
) -> Path:
    """Write ``model`` as a Hugging Face-style checkpoint folder and return the folder.

    One ``model.safetensors`` if it fits in ``max_shard_bytes``, otherwise
    ``model-0000i-of-0000n.safetensors`` shards plus ``model.safetensors.index.json``. Tensors are
    written block by block (at most ``models.BLOCK_ELEMS`` values in memory); the folder is replaced.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, not {dtype!r}")
    np_dtype, itemsize = DTYPES[dtype]
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
            header[t.name] = {
                "dtype": dtype,
                "shape": list(t.shape),
                "data_offsets": [offset, offset + nbytes],
            }
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


def write_model_set(
    root: str | Path,
    make_models: Callable[..., dict[str, SyntheticModel]],
    *,
    manifest_name: str,
    describe: Callable[[str, SyntheticModel], dict[str, Any]],
    size: str = "tiny",
    seed: int = 0,
    dtype: str = "BF16",
    max_shard_bytes: int = 2 << 20,
) -> dict[str, Path]:
    """Write each of ``make_models(size, seed=seed)`` to ``root/<name>`` (``write_model``) and return
    {name: folder}. The set builders (``build_lineage_set``, ``build_adversarial_set``) pass their
    ``size``, ``seed``, ``dtype`` and ``max_shard_bytes`` through to here.

    Also writes ``root/<manifest_name>``: size, seed and dtype, then ``"models"``: per name
    ``describe(name, model)`` (its relation to the set's base and its details). Deterministic in
    (size, seed, dtype): the same call writes byte-identical files. Memory: one tensor block at a
    time, as ``write_model``.
    """
    models = make_models(size, seed=seed)
    header = {"size": size, "seed": seed, "dtype": dtype}
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    manifest: dict[str, Any] = {**header, "models": {}}
    for name, model in models.items():
        paths[name] = write_model(
            model,
            root / name,
            dtype=dtype,
            max_shard_bytes=max_shard_bytes,
            metadata={"synthetic_relation": model.relation},
        )
        manifest["models"][name] = describe(name, model)
    (root / manifest_name).write_text(json.dumps(manifest, indent=2))
    return paths


def write_checkpoint_of_size(
    out_dir: str | Path,
    target_bytes: int,
    *,
    seed: int = 0,
    dtype: str = "BF16",
    max_shard_bytes: int = 1 << 30,
    structured: bool = False,
) -> Path:
    """Write one Qwen2-style checkpoint of about ``target_bytes`` (for benchmarks) and return it.

    Hidden size grows with the target (256 up to 2048) so that at least 4 layers fit; the layer
    count is chosen to land within one layer's size of the target. ``structured=False`` (default)
    generates iid weights, which is faster (no low-rank product) and statistically irrelevant to
    the reading cost. Memory stays bounded by the block size, not the target.
    """
    itemsize = DTYPES[dtype][1]
    for hidden in (2048, 1024, 512, 256):
        inter = int(hidden * 2.75) // 64 * 64
        shape = ModelShape(hidden, 1, max(1, hidden // 128), max(1, hidden // 512), inter, 32000)
        per_layer = sum(int(np.prod(t.shape)) for t in layer_plan(shape, 0)) * itemsize
        fixed = (2 * shape.vocab_size * hidden + hidden) * itemsize
        if (target_bytes - fixed) / per_layer >= 4 or hidden == 256:
            break
    layers = max(1, round((target_bytes - fixed) / per_layer))
    model = BaseModel(replace(shape, num_layers=layers), seed=seed, structured=structured)
    return write_model(model, out_dir, dtype=dtype, max_shard_bytes=max_shard_bytes)
