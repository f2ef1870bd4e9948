"""Lineage search (issue 24), the engine part: exact shares, calibrated close relatives, the folder
index and ``python -m provenance.fingerprint search``, on real synthetic checkpoints written to disk."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from provenance.fingerprint.fingerprint import ModelFingerprint
from provenance.fingerprint.relatives.compare import profile_r, sketch_score
from provenance.fingerprint.relatives.exact import MIN_TENSOR_BYTES, informative
from provenance.fingerprint.relatives.index import (
    INDEX_FILE,
    Entry,
    OutdatedSignature,
    RelativesIndex,
    entry_of,
    open_folder_index,
)
from provenance.fingerprint.relatives.signature import signature_of
from provenance.fingerprint.relatives.store import ScreenIndex, ScreenRow, pack, unpack
from provenance.fingerprint.stats import fingerprint_checkpoint
from provenance.fingerprint.synthetic.adversarial import ResidualTransformModel, _retokenised
from provenance.fingerprint.synthetic.atlas import TransplantedModel
from provenance.fingerprint.synthetic.models import SIZES, BaseModel, PerturbedModel, PrunedModel
from provenance.fingerprint.synthetic.writer import write_model
from tests.fingerprint.command_line import ROOT, run

SHAPE = replace(SIZES["tiny"], num_layers=6)
INDEPENDENTS = 12


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Checkpoints on disk and their saved fingerprints in one folder (the index's folder)."""
    root = tmp_path_factory.mktemp("relatives")
    base = BaseModel(SHAPE, seed=1, recipe="a")
    finetune = PerturbedModel(base, seed=2, scale=0.03)
    models = {
        "base": base,
        "finetune": finetune,
        "permuted": ResidualTransformModel(
            PerturbedModel(base, seed=3, scale=0.03),
            seed=4,
            rotation="signed_permutation",
            permute_neurons=True,
            relation="permuted",
        ),
        "renamed": PrunedModel(base, list(reversed(range(SHAPE.num_layers)))),  # every tensor renamed
        "transplanted": TransplantedModel(base, BaseModel(SHAPE, seed=5, recipe="a"), 3),
        "retok_permuted": _retokenised(
            PerturbedModel(base, seed=6, scale=0.03),
            7,
            "retok_permuted",
            rotation="signed_permutation",
            permute_neurons=True,
        ),
    }
    for i in range(INDEPENDENTS):
        models[f"ind{i:02d}"] = BaseModel(SHAPE, seed=100 + i, recipe="ab"[i % 2])
    folder = root / "fingerprints"
    folder.mkdir()
    paths, fps = {}, {}
    for name, model in models.items():
        paths[name] = write_model(model, root / "ckpt" / name)
        fps[name] = fingerprint_checkpoint(paths[name])
        (folder / f"{name}.json").write_text(fps[name].to_json())
    return {"folder": folder, "paths": paths, "fps": fps}


def _index(world: dict, without: tuple[str, ...] = ()) -> RelativesIndex:
    """The world's fingerprints, less ``without`` and the re-tokenised copy (its own test adds it)."""
    index = RelativesIndex()
    for name, fp in world["fps"].items():
        if name not in without and name != "retok_permuted":
            index.add(name, fp)
    return index


def test_norms_biases_and_small_tensors_are_not_evidence(world):
    fp = world["fps"]["base"]
    kept = informative(fp)
    assert kept and all(t.nbytes >= MIN_TENSOR_BYTES for t in kept)
    one_d = {t.digest for t in fp.tensors if len(t.shape) == 1}
    assert one_d and not one_d & {t.digest for t in kept}
    # Two unrelated models whose norms are both left at the same values (all ones) share no evidence.
    a, b = world["fps"]["ind00"], world["fps"]["ind01"]
    norm_b = next(t for t in b.tensors if t.name.endswith("norm.weight"))
    a_tensors = [replace(t, digest=norm_b.digest) if t.name == norm_b.name else t for t in a.tensors]
    index = RelativesIndex()
    index.add("b", b)
    result = index.search(replace(a, tensors=a_tensors))
    assert result.candidates[0].share is None


def test_a_renamed_copy_shares_every_tensor_under_other_names(world):
    index = _index(world, without=("renamed",))
    result = index.search(world["fps"]["renamed"])
    first = result.candidates[0]
    assert first.name == "base" and first.tier == "strong" and first.verdict == "shared_weights"
    assert first.share.tensors == len(informative(world["fps"]["base"]))
    assert first.share.query_layers == set(range(SHAPE.num_layers)) | {None}


def test_transplanted_layers_are_found_with_their_layers_and_bytes(world):
    index = _index(world, without=("transplanted",))
    first = index.search(world["fps"]["transplanted"]).candidates[0]
    assert first.name in ("base", "renamed") and first.verdict == "shared_weights"
    base_layer_tensors = [t for t in informative(world["fps"]["base"]) if t.layer in (0, 1, 2)]
    assert first.share.tensors == len(base_layer_tensors)
    assert first.share.nbytes == sum(t.nbytes for t in base_layer_tensors)
    assert first.share.query_layers == {0, 1, 2}


def test_a_fine_tune_is_ranked_first_in_the_strong_tier_by_its_sampled_weights(world):
    index = _index(world, without=("finetune", "renamed", "transplanted", "permuted"))
    result = index.search(world["fps"]["finetune"])
    first = result.candidates[0]
    assert first.name == "base" and first.share is None
    assert first.verdict == "lineage_supported" and first.sketch.z > 20
    assert all(c.tier != "strong" for c in result.candidates[1:])


def test_a_permuted_fine_tune_is_ranked_first_by_its_profile_and_never_strong(world):
    index = _index(world, without=("finetune", "renamed", "transplanted", "permuted"))
    result = index.search(world["fps"]["permuted"])
    first = result.candidates[0]
    assert first.name == "base"
    assert abs(first.sketch.z) < 3  # the positions hold other weights: the sketch is blind to it
    assert first.profile.z >= 3 and first.profile.index_pairs >= INDEPENDENTS
    assert first.verdict == "suggestive"  # the profile never decides alone
    assert first.profile.p_index == pytest.approx(1 / (1 + first.profile.index_pairs))


def test_a_retokenised_permuted_copy_is_found_or_needs_a_full_report_never_a_confident_stranger(world):
    index = _index(world, without=("finetune", "permuted", "renamed", "transplanted"))
    result = index.search(world["fps"]["retok_permuted"])
    base = next(c for c in result.candidates if c.name == "base")
    assert base.sketch.z is not None and abs(base.sketch.z) < 3  # no weight where it was
    found = result.candidates[0] is base and base.tier == "some"
    assert found or base.tier == "cannot_tell"
    for c in result.candidates:
        if c is not base:  # strangers of another vocabulary: "cannot tell", naming the full-report method
            assert c.tier in ("cannot_tell", "some")
            assert c.tier == "some" or "Weight-only alignment" in c.reason


def test_unrelated_models_are_never_strong(world):
    index = _index(world)
    for i in range(INDEPENDENTS):
        result = index.search(world["fps"][f"ind{i:02d}"], exclude=f"ind{i:02d}")
        assert all(c.tier != "strong" for c in result.candidates), i
        assert all(c.name != f"ind{i:02d}" for c in result.candidates)


def test_a_query_whose_tensors_were_hashed_by_an_older_schema_is_not_matched_bit_for_bit(world):
    d = json.loads(world["fps"]["renamed"].to_json())
    d["schema_version"] = 1
    d.pop("tensor_hash")
    for t in d["tensors"]:
        t["sha256"] = t.pop("digest")
    old = ModelFingerprint.from_dict(d)
    result = _index(world, without=("renamed",)).search(old)
    assert any("fingerprint the checkpoint again" in n and "sha256" in n for n in result.notes)
    assert all(c.share is None for c in result.candidates)


def test_a_fingerprint_without_samples_says_the_sketch_cannot_compare(world):
    fp = world["fps"]["finetune"]
    bare = replace(fp, parts=[replace(p, sample=None) for p in fp.parts])
    result = _index(world, without=("finetune",)).search(bare)
    assert any("no weight samples" in n for n in result.notes)
    base = next(c for c in result.candidates if c.name == "base")
    assert base.sketch.z is None and base.verdict != "lineage_supported"


def test_the_stacked_scores_are_the_pair_by_pair_scores(world):
    index = _index(world)
    pruned = PrunedModel(BaseModel(SHAPE, seed=1, recipe="a"), [0, 2, 4, 5])  # another depth
    extra = fingerprint_checkpoint(write_model(pruned, world["folder"].parent / "ckpt" / "pruned4"))
    index.add("pruned4", extra)
    for query in ("finetune", "permuted", "ind03"):
        q = signature_of(world["fps"][query])
        by_name = {c.name: c for c in index.search(world["fps"][query]).candidates}
        for name in ("base", "ind00", "ind07", "pruned4"):
            other = index.entries[index.ids[name]].signature
            pair, c = sketch_score(q, other), by_name[name]
            assert c.sketch.z == pytest.approx(pair.z, rel=1e-4, abs=1e-4)
            assert c.sketch.parts == pair.parts
            assert c.profile.r == pytest.approx(profile_r(q, other), rel=1e-6, abs=1e-9)


def test_index_add_and_remove(world):
    index = _index(world, without=("finetune",))
    index.remove("base")
    names = [c.name for c in index.search(world["fps"]["finetune"]).candidates]
    assert "base" not in names and len(index) == len(world["fps"]) - 3
    index.add("base", world["fps"]["base"])
    assert index.search(world["fps"]["finetune"]).candidates[0].name == "base"
    index.remove("renamed")
    assert all(e != "renamed" for e in index.ids)
    assert index.search(world["fps"]["transplanted"], exclude="transplanted").candidates[0].name == "base"


def test_a_stored_entry_round_trips_and_an_outdated_one_is_refused(world):
    stored = entry_of("base", world["fps"]["base"]).to_dict()
    index = RelativesIndex()
    index.add_entry(Entry.from_dict("base", json.loads(json.dumps(stored))))
    index.add_entry(entry_of("ind00", world["fps"]["ind00"]))
    first = index.search(world["fps"]["finetune"]).candidates[0]
    assert first.name == "base" and first.verdict == "lineage_supported"
    stored["signature"]["version"] -= 1
    with pytest.raises(OutdatedSignature, match="compute it again"):
        Entry.from_dict("base", stored)


def test_the_folder_index_follows_the_folder(world, tmp_path):
    folder = tmp_path / "fps"
    folder.mkdir()
    for name in ("base", "finetune", "ind00", "ind01"):
        (folder / f"{name}.json").write_text((world["folder"] / f"{name}.json").read_text())
    (folder / "notes.json").write_text('{"hello": 1}')
    index, skipped = open_folder_index(folder)
    assert len(index) == 4 and len(skipped) == 1 and "notes.json" in skipped[0]
    assert (folder / INDEX_FILE).is_file()
    (folder / "base.json").unlink()
    index, _ = open_folder_index(folder)
    assert "base.json" not in index.ids and len(index) == 3
    # A stored signature of another version is recomputed, not compared.
    stored = json.loads((folder / INDEX_FILE).read_text())
    stored["entries"]["finetune.json"]["signature"]["version"] = 0
    (folder / INDEX_FILE).write_text(json.dumps(stored))
    index, _ = open_folder_index(folder)
    assert (
        index.entries[index.ids["finetune.json"]].signature.version
        == signature_of(world["fps"]["base"]).version
    )


def test_search_from_the_command_line_on_a_checkpoint_on_disk(world, tmp_path):
    folder = tmp_path / "fps"
    folder.mkdir()
    for name in world["fps"]:
        if name != "renamed":
            (folder / f"{name}.json").write_text((world["folder"] / f"{name}.json").read_text())
    out = tmp_path / "result.json"
    proc = run(
        "search",
        str(world["paths"]["renamed"]),
        "--index",
        str(folder),
        "--quiet",
        "--top",
        "3",
        "--json",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    saved = json.loads(out.read_text())
    first = saved["candidates"][0]
    assert first["name"] == "base.json" and first["tier"] == "strong" and first["verdict"] == "shared_weights"
    assert first["exact_share"]["query_layers"] == [*range(SHAPE.num_layers), "model"]
    assert len(saved["candidates"]) == len(world["fps"]) - 1  # every candidate, not only those shown
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("1. base.json  [Strong evidence of a common origin]")
    assert "exact share:" in lines[1] and "bit-identical" in lines[1]
    assert "z = " in proc.stdout and "empirical p = " in proc.stdout
    assert lines[-1].startswith("Scores are calibrated screening")
    # A saved fingerprint in the index's folder is not its own relative.
    proc = run("search", str(folder / "finetune.json"), "--index", str(folder), "--top", "1")
    assert proc.returncode == 0 and proc.stdout.startswith("1. base.json  [Strong evidence")


def test_search_refuses_an_unreadable_fingerprint_with_a_sentence(world, tmp_path):
    d = json.loads(world["fps"]["base"].to_json())
    d["schema_version"] = 0
    bad = tmp_path / "old.json"
    bad.write_text(json.dumps(d))
    proc = run("search", str(bad), "--index", str(world["folder"]))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "fingerprint the checkpoint again with this engine" in proc.stderr


def test_the_small_atlas_meets_its_targets(tmp_path):
    out = tmp_path / "atlas.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_relatives_atlas.py"),
            "--small",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    r = json.loads(out.read_text())
    assert r["recall_at_5"] >= 0.95 and r["strong_false_positives"] == 0
    assert set(r["per_kind"]) >= {"finetune", "permuted", "gguf", "retok_permuted", "transplanted"}
    assert "| **all derived** |" in proc.stdout


def test_a_search_by_the_stored_entry_equals_the_search_by_the_fingerprint(world):
    """A store searches with the query's kept entry (its JSON), without reading the fingerprint again."""
    index = _index(world)
    for name in ("finetune", "permuted", "transplanted"):
        fp = world["fps"][name]
        stored = Entry.from_dict(name, json.loads(json.dumps(entry_of(name, fp).to_dict())))
        by_entry = index.search_entry(stored, exclude=name).to_dict()
        assert by_entry == index.search(fp, exclude=name).to_dict()
        assert by_entry["candidates"][0]["name"] in ("base", "renamed")


def _stored(index: RelativesIndex) -> dict:
    """Every entry of ``index`` as a store keeps it (``store.pack``), through JSON as a database would."""
    out = {}
    for name, i in index.ids.items():
        packed = pack(index.entries[i])
        packed.meta = json.loads(json.dumps(packed.meta))
        out[name] = packed
    return out


def _matching(stored: dict, query) -> list[tuple[int, str, int | None]]:
    """What the store's indexed lookup returns: every digest row sharing a prefix with the query."""
    wanted = set(query.tensors.keys.view("int64").tolist())
    return [
        (prefix, name, layer)
        for name, p in stored.items()
        for prefix, layer in zip(p.prefixes.tolist(), p.layer, strict=True)
        if prefix in wanted
    ]


@pytest.mark.parametrize("screen", [3, 200])
def test_the_screened_search_ranks_like_the_whole_index(world, screen):
    """Only the first ``screen`` candidates are scored in full: they, their tiers and their scores are
    the whole index's; with a screen as large as the index everything is."""
    index = _index(world)
    stored = _stored(index)
    screened = ScreenIndex((name, name, ScreenRow.from_bytes(p.screen)) for name, p in stored.items())
    loads = []

    def load(keys):
        loads.append(len(keys))
        return [stored[k].sketch for k in keys]

    for name in ("finetune", "permuted", "transplanted", "renamed", "ind03"):
        p = stored[name]
        query = unpack(name, p.meta, p.sketch, p.prefixes.tolist(), p.nbytes.tolist(), p.layer)
        whole = index.search_entry(query, exclude=name).to_dict()
        assert whole == index.search(world["fps"][name], exclude=name).to_dict()  # unpack loses nothing
        found = screened.search(query, found=_matching(stored, query), load=load, exclude=name, screen=screen)
        got = found.to_dict()
        assert got["notes"] == whole["notes"]
        top = min(screen, len(got["candidates"]))
        for a, b in zip(got["candidates"][:top], whole["candidates"][:top], strict=True):
            assert (a["name"], a["verdict"], a["exact_share"]) == (b["name"], b["verdict"], b["exact_share"])
            for part in ("sketch", "profile"):
                for key, value in b[part].items():
                    close = isinstance(value, float)
                    assert a[part][key] == (pytest.approx(value, rel=1e-5, abs=1e-6) if close else value)
        if screen >= len(index):
            assert [c["name"] for c in got["candidates"]] == [c["name"] for c in whole["candidates"]]
    if screen < len(index):  # the screen spared loading most sketches
        assert max(loads) < len(index)


def test_exact_shares_from_the_matching_rows_are_the_whole_index(world):
    index = _index(world)
    stored = _stored(index)
    screened = ScreenIndex((name, name, ScreenRow.from_bytes(p.screen)) for name, p in stored.items())
    for name in ("renamed", "transplanted", "base"):
        query = index.entries[index.ids[name]]
        shares = screened.shares(query, _matching(stored, query), exclude=screened.ids[name])
        _, digests = index._arrays()
        whole = digests.query_keys(query.tensors, exclude=index.ids[name])
        assert shares and {screened.names[i]: vars(s) for i, s in shares.items()} == {
            index.entries[i].name: vars(s) for i, s in whole.items()
        }


def test_a_screen_row_is_a_few_kilobytes_and_refuses_another_format(world):
    entry = entry_of("base", world["fps"]["base"])
    data = pack(entry).screen
    row = ScreenRow.from_bytes(data)
    assert row.num_layers == SHAPE.num_layers and set(row.profile) == set(entry.signature.profile)
    assert (row.pooled == entry.signature.dense().pooled).all()
    assert len(data) < 2 * 1024 + 8 * 2 * SHAPE.num_layers * 7
    with pytest.raises(ValueError, match="screen format"):
        ScreenRow.from_bytes(data.replace(b"[1,", b"[9,", 1))
