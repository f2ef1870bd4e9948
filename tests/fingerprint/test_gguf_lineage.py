"""The GGUF detection table: quantised (and llama-permuted) GGUF copies of a bf16 safetensors model
are derived from it by at least one method at z ≥ 5 or p ≤ 1e-3; quantised copies of unrelated
models are not (|z| < 3 and p ≥ 0.01 on every method). Tiny models: the whole table runs in seconds."""

from __future__ import annotations

import pytest
from engine_files import ComputedOnUse

from provenance.fingerprint.cli import main
from provenance.fingerprint.evidence import strength
from provenance.fingerprint.methods import METHODS
from provenance.fingerprint.methods.base import QUANTISED
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.report import compare_fingerprints
from provenance.fingerprint.stats import fingerprint_checkpoint
from provenance.fingerprint.synthetic import BaseModel, ModelShape, write_model
from provenance.fingerprint.synthetic.gguf_writer import write_gguf

SHAPE = ModelShape(256, 6, 4, 2, 512, 512)  # rows of 256/512 values: Q4_K's 256-value blocks fit
DERIVED = {"F16": "llama", "Q8_0": "qwen2", "Q4_K": "llama"}  # llama: Q/K rows permuted by the writer
INDEPENDENT = {"independent-Q4_K": {"seed": 4, "recipe": "b"}, "independent_same_recipe-Q8_0": {"seed": 5}}


@pytest.fixture(scope="module")
def table(tmp_path_factory, kept_nulls):
    root = tmp_path_factory.mktemp("gguf_table")
    base = BaseModel(SHAPE, seed=3)
    original = write_model(base, root / "base", dtype="BF16")
    paths = {q: write_gguf(base, root / f"base-{q}.gguf", qtype=q, arch=a) for q, a in DERIVED.items()}
    for name, kw in INDEPENDENT.items():
        paths[name] = write_gguf(BaseModel(SHAPE, **kw), root / f"{name}.gguf", qtype=name.rsplit("-", 1)[1])
    fps = {name: fingerprint_checkpoint(p) for name, p in {"base": original, **paths}.items()}

    def compare(a: str, b: str):
        pa, pb = ({"base": original, **paths}[n] for n in (a, b))
        return compare_fingerprints(
            fps[a],
            fps[b],
            weights=(open_checkpoint(pa), open_checkpoint(pb)),
            labels=(a, b),
            null_cache=kept_nulls,
        )

    pairs = {name: ("base", name) for name in paths}
    pairs["Q8_0 vs Q4_K"] = ("Q8_0", "Q4_K")  # GGUF against GGUF: two quantisations of one model
    pairs["Q4_K vs independent"] = ("Q4_K", "independent-Q4_K")
    return original, paths, ComputedOnUse(pairs, lambda name: compare(*pairs[name]))


def _calibrated(report):
    return {m: r.calibration for m, r in report.results.items() if strength(r.calibration) != "unweighed"}


@pytest.mark.parametrize("qtype", list(DERIVED))
def test_a_quantised_copy_is_detected_as_derived(table, qtype):
    report = table[2][qtype]
    cal = _calibrated(report)
    strong = [m for m, c in cal.items() if strength(c) == "strong"]
    assert {"aligned_cosine", "embedding_anchor", "neuron_matching"} <= set(strong), cal
    # Every method declaring it can see quantised copies (methods.base.DERIVATIONS) sees this one.
    declared = {n for n, m in METHODS.items() if QUANTISED in m.detects and n in report.results}
    assert declared and declared <= set(strong), (declared, strong)
    assert set(report.coverage[QUANTISED]["seen_by"]) == declared
    assert report.coverage[QUANTISED]["plausible"] == (qtype != "F16")  # F16 is a float copy
    assert report.verdict == "lineage_supported"
    assert report.results["tensor_identity"].score == 0  # quantised bytes are never bit-identical
    d = report.to_dict()
    assert d["inputs"]["a"]["storage_types"] == ["BF16"] and qtype in d["inputs"]["b"]["storage_types"]
    quantised = [n for n in d["notes"] if n.startswith("B is quantised")]
    assert (qtype == "F16") != bool(quantised)  # F16 is a float copy, not a quantisation
    assert not quantised or f"({qtype})" in quantised[0] and "cannot be bit-identical" in quantised[0]


@pytest.mark.parametrize("name", list(INDEPENDENT))
def test_a_quantised_copy_of_an_unrelated_model_is_not(table, name):
    report = table[2][name]
    cal = _calibrated(report)
    assert len(cal) >= 5
    assert all(strength(c) == "none" and c["p"] >= 0.01 for c in cal.values()), cal
    assert report.verdict == "no_evidence"


def test_the_cli_compares_a_safetensors_folder_with_a_gguf(table, capsys):
    original, paths, _ = table
    assert main(["compare", str(original), str(paths["Q4_K"]), "--quiet", "--methods", "aligned_cosine"]) == 0
    assert "base-Q4_K.gguf  (llama, 6 layers" in capsys.readouterr().out


def test_two_quantisations_of_one_model_are_related_and_of_two_models_not(table):
    related, unrelated = table[2]["Q8_0 vs Q4_K"], table[2]["Q4_K vs independent"]
    # Both keep the original's norms as F32, bit for bit: shared weights, as with real quantisations.
    assert related.verdict == "shared_weights" and _calibrated(related)["aligned_cosine"]["z"] >= 5
    assert related.results["tensor_identity"].score > 0
    assert unrelated.verdict == "no_evidence"
    assert all(strength(c) == "none" for c in _calibrated(unrelated).values())


def test_an_upcycled_moe_shipped_as_gguf_with_stacked_experts_is_traced_to_its_dense_parent(tmp_path):
    from provenance.fingerprint.synthetic import lineage_models

    models = lineage_models("tiny", seed=0)
    dense = write_model(models["base"], tmp_path / "base")
    moe = write_gguf(models["moe"], tmp_path / "moe-Q8_0.gguf", qtype="Q8_0", arch="qwen2moe")
    assert "blk.0.ffn_up_exps.weight" in open_checkpoint(moe).tensors  # 4 experts in one tensor
    report = compare_fingerprints(
        fingerprint_checkpoint(dense),
        fingerprint_checkpoint(moe),
        weights=(open_checkpoint(dense), open_checkpoint(moe)),
        labels=("base", "moe"),
    )
    assert report.verdict == "lineage_supported"
    assert report.results["expert_upcycling"].calibration["z"] >= 5
    evd = report.results["aligned_cosine"].extra["expert_vs_dense"]
    assert evd["moe"] == "b" and evd["experts"] == [0, 1, 2, 3] and evd["z"] >= 5
