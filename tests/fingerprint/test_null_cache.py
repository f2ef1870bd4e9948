"""The kept null (issue 27): keyed so that no change of version, parameter or shape reuses a stale null,
safe when two processes compute the same key at once, and the report identical with or without it."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from provenance.fingerprint.methods import weight_matching
from provenance.fingerprint.null_cache import FileNullCache, default_dir
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.report import compare_fingerprints
from provenance.fingerprint.synthetic import SIZES

SHAPE = replace(SIZES["tiny"], num_layers=2)
STALE = {"log_ps": [(-1.0).hex()], "margins": [(0.5).hex()]}


def test_a_change_of_version_parameter_or_shape_is_another_key_never_the_stale_null(tmp_path, monkeypatch):
    store = FileNullCache(tmp_path)
    key = weight_matching.null_pool_key(SHAPE, SHAPE, 2, 0)
    store.put(key, STALE)
    assert weight_matching.kept_null_layer_tests(SHAPE, SHAPE, 2, 0, store) == ((-1.0,), (0.5,))  # kept
    others = {
        weight_matching.null_pool_key(SHAPE, SHAPE, 3, 0),  # pairs (from null_size)
        weight_matching.null_pool_key(SHAPE, SHAPE, 2, 1),  # seed
        weight_matching.null_pool_key(SHAPE, replace(SHAPE, intermediate_size=384), 2, 0),  # shape
    }
    monkeypatch.setattr(weight_matching, "MAX_ITERATIONS", weight_matching.MAX_ITERATIONS + 1)  # a budget
    others.add(weight_matching.null_pool_key(SHAPE, SHAPE, 2, 0))
    monkeypatch.undo()
    monkeypatch.setattr(weight_matching, "NULL_VERSION", weight_matching.NULL_VERSION + 1)  # the method
    others.add(weight_matching.null_pool_key(SHAPE, SHAPE, 2, 0))
    monkeypatch.setattr("provenance.fingerprint.null_cache.ENGINE_VERSION", "9.9.9")  # the engine
    others.add(weight_matching.null_pool_key(SHAPE, SHAPE, 2, 0))
    assert key not in others and len(others) == 6
    # After the version changed, the stale value is not read: the null is computed and kept anew.
    log_ps, margins = weight_matching.kept_null_layer_tests(SHAPE, SHAPE, 2, 0, store)
    assert (log_ps, margins) != ((-1.0,), (0.5,)) and len(margins) == 2
    assert (log_ps, margins) == weight_matching._null_layer_tests(SHAPE, SHAPE, 2, 0)
    assert len(list(tmp_path.glob("*.json"))) == 2
    bumped = weight_matching.null_pool_key(SHAPE, SHAPE, 2, 0)
    store.put(bumped, {"log_ps": "not a list of floats"})  # a kept value of another form: computed again
    assert weight_matching.kept_null_layer_tests(SHAPE, SHAPE, 2, 0, store)[1] == margins
    assert store.get(bumped)["margins"] == [m.hex() for m in margins]  # and kept again


def test_the_report_is_identical_with_a_cold_or_warm_null_cache_and_without(
    lineage_set, lineage_fingerprints, tmp_path
):
    def report(cache):
        weight_matching._null_layer_tests.cache_clear()  # no per-process copy: the store or a fresh null
        weights = (open_checkpoint(lineage_set["base"]), open_checkpoint(lineage_set["finetune"]))
        r = compare_fingerprints(
            lineage_fingerprints["base"],
            lineage_fingerprints["finetune"],
            methods=["weight_matching"],
            weights=weights,
            null_cache=cache,
        )
        return r.to_dict(), weight_matching._null_layer_tests.cache_info().misses

    fresh, computed = report(None)
    assert computed == 1 and fresh["results"]["weight_matching"]["extra"]["aligned_null"]["drawn"]
    cold, computed = report(FileNullCache(tmp_path))
    assert computed == 1 and len(list(tmp_path.glob("*.json"))) == 1
    warm, computed = report(FileNullCache(tmp_path))
    assert computed == 0  # read from the folder, nothing generated
    assert (
        json.dumps(fresh, sort_keys=True)
        == json.dumps(cold, sort_keys=True)
        == json.dumps(warm, sort_keys=True)
    )


WORKER = """
import json, sys
from dataclasses import replace
from provenance.fingerprint.methods import weight_matching
from provenance.fingerprint.null_cache import FileNullCache
from provenance.fingerprint.synthetic import SIZES
shape = replace(SIZES["tiny"], num_layers=2)
sys.stdin.readline()  # both start together
print(json.dumps(weight_matching.kept_null_layer_tests(shape, shape, 2, 0, FileNullCache(sys.argv[1]))))
"""


def test_two_processes_computing_the_same_null_at_once_leave_one_whole_file(tmp_path):
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tmp_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    expected = json.loads(json.dumps(weight_matching._null_layer_tests(SHAPE, SHAPE, 2, 0)))
    assert [json.loads(o) for o in outs] == [expected, expected]
    assert [f.name for f in tmp_path.iterdir()] == [
        f"{weight_matching.null_pool_key(SHAPE, SHAPE, 2, 0)}.json"
    ]
    kept = FileNullCache(tmp_path).get(weight_matching.null_pool_key(SHAPE, SHAPE, 2, 0))
    assert [float.fromhex(v) for v in kept["log_ps"]] == expected[0]


def test_a_bad_key_or_a_truncated_file_is_refused_or_recomputed(tmp_path, monkeypatch):
    store = FileNullCache(tmp_path)
    with pytest.raises(ValueError):
        store.get("../etc/passwd")
    key = "0" * 64
    (tmp_path / f"{key}.json").write_text('{"log_ps": [')
    assert store.get(key) is None
    (tmp_path / "file").write_text("")
    FileNullCache(tmp_path / "file" / "nulls").put(key, {})  # not a folder: nothing kept, no error
    assert FileNullCache(tmp_path / "file" / "nulls").get(key) is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_dir() == tmp_path / "xdg" / "provenance" / "nulls"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_dir() == Path.home() / ".cache" / "provenance" / "nulls"


def test_the_cli_keeps_the_null_in_the_folder_it_names(lineage_set, tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "provenance.fingerprint",
            "compare",
            str(lineage_set["base"]),
            str(lineage_set["finetune"]),
            "--methods",
            "weight_matching",
            "--null-cache",
            str(tmp_path / "nulls"),
            "--null-size",
            "8",  # the smallest the engine takes: what is tested is where the null is kept
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert len(list((tmp_path / "nulls").glob("*.json"))) == 1
