"""Shared fixtures of the engine tests: writing small real safetensors checkpoints.

Helpers live in ``engine_files.py``. Append new fixtures below; keep each one small and documented.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from engine_files import ComputedOnUse, llama_tensors, safetensors_bytes

ENGINE_TESTS = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """One xdist process per engine module (``make test``'s ``--dist loadgroup``): their module- and
    session-scoped fixtures (written checkpoints, fingerprints, reports of every method) are computed
    once in the run rather than once in each process the module's tests land on; the tests of the
    session's ``weight_reports`` (six modules) share one group. Engine tests use no database, so running
    a group ahead of the database tests (xdist hands out the largest groups first) orders nothing that
    matters. The rest of the suite is handed out test by test, as ``--dist load`` does."""
    for item in items:
        if ENGINE_TESTS not in item.path.parents:
            continue
        group = "weight_reports" if "weight_reports" in item.fixturenames else item.path.stem
        item.add_marker(pytest.mark.xdist_group(f"engine-{group}"))


@pytest.fixture
def write_checkpoint(tmp_path: Path) -> Callable[..., Path]:
    """``write_checkpoint(tensors, *, name="ckpt", shards=1, config=None, tokenizer=None) -> folder``.

    Writes ``model.safetensors`` (one shard) or ``model-0000i-of-0000n.safetensors`` with an index,
    plus ``config.json``/``tokenizer.json`` when given.
    """

    def write(
        tensors: dict[str, np.ndarray],
        *,
        name: str = "ckpt",
        shards: int = 1,
        config: dict[str, Any] | None = None,
        tokenizer: dict[str, Any] | None = None,
    ) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        names = sorted(tensors)
        if shards == 1:
            (folder / "model.safetensors").write_bytes(safetensors_bytes(tensors))
        else:
            weight_map = {}
            for i in range(shards):
                fname = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
                part = {n: tensors[n] for n in names[i::shards]}
                (folder / fname).write_bytes(safetensors_bytes(part))
                weight_map.update(dict.fromkeys(part, fname))
            index = {
                "metadata": {"total_size": sum(t.nbytes for t in tensors.values())},
                "weight_map": weight_map,
            }
            (folder / "model.safetensors.index.json").write_text(json.dumps(index))
        if config is not None:
            (folder / "config.json").write_text(json.dumps(config))
        if tokenizer is not None:
            (folder / "tokenizer.json").write_text(json.dumps(tokenizer))
        return folder

    return write


@pytest.fixture
def llama_checkpoint(write_checkpoint: Callable[..., Path]) -> Path:
    """A 2-layer bf16 Llama-style checkpoint in two shards, with config and tokenizer."""
    return write_checkpoint(
        llama_tensors(),
        shards=2,
        config={
            "model_type": "llama",
            "num_hidden_layers": 2,
            "hidden_size": 16,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
        },
        tokenizer={"model": {"vocab": {"a": 0}}},
    )


# -- the alignment nulls, kept for the session --------------------------------------------------------


@pytest.fixture(scope="session")
def kept_nulls(tmp_path_factory: pytest.TempPathFactory):
    """A null store shared by the run's report fixtures: ``weight_matching``'s null depends only on
    the shapes, method version and parameters (``null_cache``), so models of one shape draw it once in
    the whole run, whichever xdist process first needs it (the run's folder, ``tests/conftest.py``, which
    the product's tests share too). ``test_null_cache`` holds reports identical with a cold, a warm and
    no null store."""
    from tests.run_state import run_nulls

    return run_nulls()


# -- the synthetic lineage set (written once per session; see provenance/fingerprint/synthetic/) --


@pytest.fixture(scope="session")
def lineage_set(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny lineage set on disk: {"base", "finetune", ..., "independent_same_recipe"} → folder."""
    from provenance.fingerprint.synthetic import build_lineage_set

    return build_lineage_set(tmp_path_factory.mktemp("lineage"), size="tiny", seed=0)


@pytest.fixture(scope="session")
def lineage_fingerprints(lineage_set: dict[str, Path]) -> dict[str, Any]:
    """Each lineage model fingerprinted by the real streaming pass (``fingerprint_checkpoint``)."""
    from provenance.fingerprint.stats import fingerprint_checkpoint

    return {name: fingerprint_checkpoint(path) for name, path in lineage_set.items()}


# -- the weight-reading methods: adversarial variants and reports with weights (issue 7) -----------


@pytest.fixture(scope="session")
def adversarial_set(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny adversarial set on disk (``synthetic.adversarial``): base, permuted, rotated, ..."""
    from provenance.fingerprint.synthetic.adversarial import build_adversarial_set

    return build_adversarial_set(tmp_path_factory.mktemp("adversarial"), size="tiny", seed=0)


@pytest.fixture(scope="session")
def weight_reports(
    lineage_set: dict[str, Path],
    lineage_fingerprints: dict[str, Any],
    adversarial_set: dict[str, Path],
    kept_nulls,
) -> dict[str, Any]:
    """``base`` against every other lineage and adversarial model, every method, weights read; each
    report computed when a test first reads it (``ComputedOnUse``).

    The two sets share the same ``base`` (same seed and recipe), so all comparisons use the lineage
    set's base folder. Keys are the model names (they do not collide).
    """
    from provenance.fingerprint.reader import open_checkpoint
    from provenance.fingerprint.report import compare_fingerprints
    from provenance.fingerprint.stats import fingerprint_checkpoint

    base_path = lineage_set["base"]
    paths = {n: p for n, p in {**lineage_set, **adversarial_set}.items() if n != "base"}

    def compare(name: str):
        path = paths[name]
        fp = lineage_fingerprints[name] if name in lineage_fingerprints else fingerprint_checkpoint(path)
        return compare_fingerprints(
            lineage_fingerprints["base"],
            fp,
            methods="all",
            labels=("base", name),
            weights=(open_checkpoint(base_path), open_checkpoint(path)),
            null_cache=kept_nulls,
        )

    return ComputedOnUse(paths, compare)


@pytest.fixture
def hub(lineage_set: dict[str, Path]):
    """The local test hub (claims/demo/hub_server.py) serving the lineage set's base and finetune as
    Org/base and Org/finetune."""
    from claims.demo.hub_server import HubRepo, HubServer

    with HubServer() as server:
        for name in ("base", "finetune"):
            server.add(HubRepo.from_folder(f"Org/{name}", lineage_set[name]))
        yield server
