"""Fill a null store for one shape before any report needs it (``manage.py precompute_nulls``).

Given a checkpoint (any format ``open_checkpoint`` reads) the null with the alignment is planned exactly
as a report comparing two checkpoints of that shape plans it (``weight_matching.null_plan_shapes`` on the
pair (it, it)) and kept under the same key. Given a Hugging Face ``config.json`` (no weights), a
synthetic checkpoint of that shape at the null's depth (at most ``NULL_MAX_LAYERS`` layers, which plans
the same null for a same-shape pair) is written to a temporary folder first; a shape too wide for the
null (``NULL_MAX_GENERATED``) is refused from the config's numbers, before anything is written.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from .null_cache import NullStore


def _shape_from_config(path: Path):
    from .synthetic.models import ModelShape

    c = json.loads(path.read_text())
    c = c.get("text_config", c)
    try:
        d, heads = int(c["hidden_size"]), int(c["num_attention_heads"])
        return ModelShape(
            hidden_size=d,
            num_layers=int(c["num_hidden_layers"]),
            num_heads=heads,
            num_kv_heads=int(c.get("num_key_value_heads") or heads),
            intermediate_size=int(c["intermediate_size"]),
            vocab_size=64,
            num_experts=int(c.get("num_local_experts") or c.get("num_experts") or 0),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path} is not a model config.json with the decoder's sizes ({exc})") from exc


def _too_wide(shape) -> str | None:
    from .methods import weight_matching as wm

    kv = shape.num_kv_heads * shape.head_dim
    experts = max(shape.num_experts, 1)
    per_layer = 2 * shape.hidden_size**2 + 2 * kv * shape.hidden_size
    per_layer += 3 * experts * shape.hidden_size * shape.intermediate_size
    least = wm.NULL_MIN_PAIRS * 2 * min(shape.num_layers, wm.NULL_MIN_LAYERS) * per_layer
    if least > wm.NULL_MAX_GENERATED:
        return (
            f"this shape is too wide for the null with the alignment (at least {least / 1e9:.1f} billion "
            "generated parameters): reports weigh it on the Fisher p and the simulated null, nothing to keep"
        )
    return None


def precompute(path: str | Path, store: NullStore, *, null_size: int, seed: int) -> str:
    """Compute (or find) the null with the alignment for the shape of ``path``; one line saying what."""
    from .methods import weight_matching as wm
    from .reader import open_checkpoint
    from .weights import PairWeights

    path = Path(path)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="null-shape-") as tmp:
        if path.is_file() and path.suffix == ".json":
            shape = _shape_from_config(path)
            if why := _too_wide(shape):
                return why
            from .synthetic.models import BaseModel
            from .synthetic.writer import write_model

            shape = replace(shape, num_layers=min(shape.num_layers, wm.NULL_MAX_LAYERS))
            path = write_model(BaseModel(shape, seed=0), Path(tmp) / "shape")
        checkpoint = open_checkpoint(path)
        plan = wm.null_plan_shapes(PairWeights(checkpoint, checkpoint), null_size)
    if isinstance(plan, str):
        return plan
    pairs, _na, _nb, shape_a, shape_b = plan
    key = wm.null_pool_key(shape_a, shape_b, pairs, seed)
    was_kept = store.get(key) is not None
    wm.kept_null_layer_tests(shape_a, shape_b, pairs, seed, store)
    seconds = time.perf_counter() - started
    verb = "already kept" if was_kept else f"computed in {seconds:.1f} s and kept"
    return f"null with the alignment for {shape_a} ({pairs} pairs, seed {seed}): {verb} (key {key[:12]})"
