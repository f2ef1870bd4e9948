"""``python -m provenance.fingerprint`` as a user runs it: real subprocesses, real files, exit codes."""

from __future__ import annotations

import json

import pytest

from tests.fingerprint.command_line import run


def test_compare_prints_every_method_with_its_null_and_writes_json(lineage_set, tmp_path):
    out = tmp_path / "report.json"
    proc = run(
        "compare",
        str(lineage_set["base"]),
        str(lineage_set["finetune"]),
        "--json",
        str(out),
        "--null-size",
        "16",
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.startswith("method"))
    assert "z" in header.split() and "p" in header.split() and "null mean ± std" in header
    row = next(line for line in lines if line.startswith("aligned_cosine"))
    score, z = float(row.split()[1]), float(row.split()[5])
    assert score > 0.99 and z > 5
    assert "Summary (lineage_supported)" in proc.stdout
    assert "Verdict: Strong evidence of a common origin" in lines  # the headline, first
    report = json.loads(out.read_text())
    assert report["results"]["aligned_cosine"]["calibration"]["size"] == 16
    assert report["inputs"]["b"]["label"] == "finetune"
    assert "\r" not in proc.stderr  # stderr is a pipe here: plain progress lines, no bar


def test_progress_to_a_pipe_is_a_few_plain_lines_not_carriage_returns(lineage_set):
    proc = run("compare", str(lineage_set["base"]), str(lineage_set["finetune"]), "--methods", "attn_std")
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr
    lines = proc.stderr.splitlines()
    # At most a start, a line every 5 s and an end per checkpoint: the tiny set reads in well under 5 s.
    assert 2 <= len(lines) <= 6, lines
    assert all(line.startswith("reading ") and line.endswith("%)") for line in lines)
    assert "reading base:" in proc.stderr and "(100 %)" in proc.stderr


def test_an_out_of_range_parameter_exits_2_naming_its_bounds_before_reading_anything():
    proc = run("compare", "/nonexistent/a", "/nonexistent/b", "--null-size", "600")
    assert proc.returncode == 2
    assert proc.stderr == "error: null_size must be a whole number from 8 to 512.\n"


def test_compare_writes_the_same_charts_the_knowledge_base_serves(lineage_set, tmp_path):
    charts = tmp_path / "charts"
    proc = run(
        "compare", str(lineage_set["base"]), str(lineage_set["finetune"]), "--methods",
        "attn_std,aligned_cosine", "--null-size", "8", "--quiet", "--charts", str(charts),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in charts.iterdir()}
    assert names == {
        "evidence.svg",
        "sigma_curves.svg",
        "layer_similarity.svg",
        "null_attn_std.svg",
        "null_aligned_cosine.svg",
    }
    assert all("<svg" in (charts / name).read_text() for name in names)


def test_compare_of_unrelated_models_by_same_position_methods_only_cannot_tell(lineage_set):
    # Issue 26: neither method can see permuted hidden units, so this is not "no evidence".
    proc = run(
        "compare",
        str(lineage_set["base"]),
        str(lineage_set["independent_same_recipe"]),
        "--methods",
        "attn_std,aligned_cosine",
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    assert "Summary (cannot_tell)" in proc.stdout and "tensor_identity" not in proc.stdout.split("Summary")[0]
    assert "permuted or rotated hidden units" in proc.stdout


def test_a_fine_tune_compared_only_by_methods_blind_to_it_cannot_tell(lineage_set):
    # Issue 26: `compare base sft --methods tensor_identity,attn_std` said "No evidence of a common origin".
    proc = run(
        "compare",
        str(lineage_set["base"]),
        str(lineage_set["finetune"]),
        "--methods",
        "tensor_identity,attn_std",
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    out = " ".join(proc.stdout.split())
    assert "Summary (cannot_tell)" in out and "No evidence" not in out
    assert "Verdict: Cannot tell: no method here could see fine-tuned or further-trained copies" in out
    # It names what was not looked for and which methods would look.
    assert (
        "Not looked for: fine-tuned or further-trained copies (Centred cosine of aligned weight matrices"
        in out
    )
    assert (
        "Weight-only alignment and neuron matching (Git Re-Basin + Zhu et al.) would look, not run: not among the methods asked for"
        in out
    )


def test_a_corrupt_file_exits_2_with_one_error_line(lineage_set, tmp_path):
    shard = sorted(lineage_set["base"].glob("*.safetensors"))[0]
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(shard.read_bytes()[:200])
    proc = run("compare", str(lineage_set["base"]), str(bad), "--quiet")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")
    assert "bad.safetensors" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args", [("compare", "/nonexistent/a", "/nonexistent/b"), ("compare", ".", ".", "--methods", "nope")]
)
def test_bad_arguments_exit_2(args):
    proc = run(*args)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1


def test_inspect_shows_layout_and_sigma_series_and_saves_a_reusable_fingerprint(lineage_set, tmp_path):
    saved = tmp_path / "pruned.fingerprint.json"
    proc = run("inspect", str(lineage_set["pruned"]), "--save-fingerprint", str(saved))
    assert proc.returncode == 0, proc.stderr
    assert "layout: qwen2   layers: 6" in proc.stdout and "BF16 75" in proc.stdout
    assert "σ series" in proc.stdout
    # the saved fingerprint stands in for the checkpoint
    proc = run("compare", str(lineage_set["base"]), str(saved), "--methods", "tensor_identity")
    assert proc.returncode == 0, proc.stderr
    assert "75 of 75 non-constant tensors" in proc.stdout


def test_synthesize_writes_the_lineage_set(tmp_path):
    proc = run("synthesize", str(tmp_path / "set"))
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "set" / "lineage.json").read_text())
    assert set(manifest["models"]) == {line.split()[0] for line in proc.stdout.splitlines()}


def test_an_internal_failure_exits_1_with_the_trace(monkeypatch, capsys, lineage_set):
    from provenance.fingerprint import cli

    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "print_inspect", boom)
    assert cli.main(["inspect", str(lineage_set["pruned"]), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "RuntimeError: a bug" in err and "internal error" in err


def test_a_reference_panel_adds_a_second_null_to_the_json(lineage_set, tmp_path):
    out = tmp_path / "panel.json"
    proc = run(
        "compare",
        str(lineage_set["base"]),
        str(lineage_set["continued"]),
        "--quiet",
        "--json",
        str(out),
        "--methods",
        "attn_std",
        "--panel",
        str(lineage_set["independent"]),
        "--panel",
        str(lineage_set["independent_same_recipe"]),
        "--panel",
        str(lineage_set["finetune"]),
    )
    assert proc.returncode == 0, proc.stderr
    nulls = json.loads(out.read_text())["results"]["attn_std"]["calibration"]["nulls"]
    assert [n["source"] for n in nulls] == ["synthetic", "reference_panel"]
    assert nulls[1]["size"] == 3  # every 12-layer pair of the three panel members
