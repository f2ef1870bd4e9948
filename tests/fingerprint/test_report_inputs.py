"""A report names exactly what it compared (issue 26): for a side downloaded from a hub, the
engine's JSON records the source as asked, the commit it resolved to, that source pinned to the
commit, and every file's SHA-256 as verified, and its label names the commit; for every side, the
weight files read with their SHA-256. Against the local test hub (claims/demo/hub_server.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from provenance.fingerprint.cli import main
from provenance.fingerprint.sources import commit_label


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_cli_json_names_the_commit_and_every_files_sha256_as_verified(
    hub, lineage_set, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("HUBS", hub.hubs_setting())
    out = tmp_path / "report.json"
    argv = ["compare", "hub:testhub:Org/base@main", "hub:testhub:Org/finetune@main", "--quiet"]
    options = ["--cache-dir", str(tmp_path / "cache"), "--methods", "attn_std"]
    assert main([*argv, *options, "--json", str(out)]) == 0
    inputs = json.loads(out.read_text())["inputs"]
    for side, name in (("a", "base"), ("b", "finetune")):
        commit = hub.repos[f"Org/{name}"].commit
        recorded = inputs[side]
        assert recorded["label"] == f"hub:testhub:Org/{name}@main (commit {commit[:12]})"
        source = recorded["source"]
        assert source["source"] == f"hub:testhub:Org/{name}@main" and source["revision"] == "main"
        assert source["commit"] == commit and source["pinned"] == f"hub:testhub:Org/{name}@{commit}"
        published = {p.name: p for p in lineage_set[name].iterdir() if p.is_file()}
        assert source["files"] and {f["name"] for f in source["files"]} <= set(published)
        for f in source["files"]:
            assert (
                f["sha256"] == sha256(published[f["name"]])
                and f["size"] == published[f["name"]].stat().st_size
            )
        weights = sorted(n for n in published if n.endswith(".safetensors"))
        assert [f["name"] for f in recorded["weight_files"]] == weights
        assert all(f["sha256"] == sha256(published[f["name"]]) for f in recorded["weight_files"])
    assert "(commit " in capsys.readouterr().out  # the table's labels name it too

    # The pinned sources fetch the same files again: the report is reproducible once main moves.
    again = tmp_path / "again.json"
    pinned = [inputs["a"]["source"]["pinned"], inputs["b"]["source"]["pinned"]]
    assert main(["compare", *pinned, "--quiet", *options, "--json", str(again)]) == 0
    repeated = json.loads(again.read_text())["inputs"]
    assert repeated["a"]["label"] == pinned[0]  # the label already names the commit
    for side in "ab":
        assert repeated[side]["source"]["files"] == inputs[side]["source"]["files"]
        assert repeated[side]["content_hash"] == inputs[side]["content_hash"]


def test_local_checkpoints_record_their_files_and_no_source(lineage_set, tmp_path):
    out = tmp_path / "report.json"
    paths = [str(lineage_set["base"]), str(lineage_set["finetune"])]
    assert main(["compare", *paths, "--quiet", "--methods", "attn_std", "--json", str(out)]) == 0
    recorded = json.loads(out.read_text())["inputs"]["a"]
    assert recorded["label"] == "base" and recorded["source"] is None
    assert {f["name"]: f["sha256"] for f in recorded["weight_files"]} == {
        p.name: sha256(p) for p in lineage_set["base"].glob("*.safetensors")
    }


def test_a_label_names_a_commit_once():
    commit = "0123456789abcdef" * 2 + "01234567"
    assert commit_label("Model @ main", commit) == "Model @ main (commit 0123456789ab)"
    assert commit_label(f"Model @ {commit}", commit) == f"Model @ {commit}"
    assert commit_label("Model @ v1", "") == "Model @ v1"
