"""Acquiring checkpoints from a hub (provenance.fingerprint.sources) through the unmodified
huggingface_hub client, against the local test hub (claims/demo/hub_server.py): one test per fault."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from claims.demo.hub_server import HubRepo, HubServer
from provenance.fingerprint import sources
from provenance.fingerprint.sources import SourceError


@pytest.fixture
def lineage(lineage_set) -> Path:
    """The folder holding the session's synthetic lineage set (conftest)."""
    return lineage_set["base"].parent


@pytest.fixture
def hub():
    with HubServer() as server:
        yield server


@pytest.fixture
def get(hub, lineage, tmp_path):
    """``get(faults=..., files=...)`` → (Acquired, cache folder) of a fresh repo on the test hub."""
    counter = iter(range(1000))

    def run(
        *, faults=(), extra: dict | None = None, only: dict | None = None, token: str = "", size_lie: int = 0
    ):
        repo_id = f"Org/model-{next(counter)}"
        repo = HubRepo.from_folder(repo_id, lineage / "base", faults=set(faults), size_lie=size_lie)
        if only is not None:
            repo.files = only
        repo.files.update(extra or {})
        hub.add(repo)
        source = sources.hub_source(hub="testhub", repo=repo_id, revision="main")
        cache = tmp_path / "cache"
        hubs = sources.parse_hubs(hub.hubs_setting())
        return sources.acquire(source, hubs=hubs, cache_dir=cache, token=token), cache

    return run


def _leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.rglob("*") if p.is_file())


def test_acquire_pins_the_commit_fetches_only_engine_files_and_records_each_sha256(get, hub, lineage):
    acquired, _cache = get(extra={"pytorch_model.bin": b"\x80\x04pickle", "README.md": b"# hi"})
    assert len(acquired.commit) == 40 and acquired.folder.name == acquired.commit
    names = {f["name"] for f in acquired.files}
    assert "pytorch_model.bin" not in names and "README.md" not in names
    assert not any("pytorch_model.bin" in path for _method, path in hub.requests)
    for f in acquired.files:
        assert f["sha256"] == hashlib.sha256((lineage / "base" / f["name"]).read_bytes()).hexdigest()
        assert (acquired.folder / f["name"]).read_bytes() == (lineage / "base" / f["name"]).read_bytes()
    assert acquired.bytes_fetched == acquired.total_bytes
    # A second acquisition finds the verified files in place and fetches nothing.
    served = hub.bytes_served
    source = sources.hub_source(hub="testhub", repo=acquired.source.repo, revision="main")
    again = sources.acquire(
        source, hubs=sources.parse_hubs(hub.hubs_setting()), cache_dir=acquired.folder.parents[2]
    )
    assert again.bytes_fetched == 0 and hub.bytes_served - served < 10_000  # the repo info only


def test_repo_not_found(hub, tmp_path):
    source = sources.hub_source(hub="testhub", repo="Org/nothing", revision="main")
    with pytest.raises(SourceError, match=r"Org/nothing on testhub .* does not exist or it is private"):
        sources.acquire(source, hubs=sources.parse_hubs(hub.hubs_setting()), cache_dir=tmp_path)


def test_revision_not_found(hub, lineage, tmp_path):
    hub.add(HubRepo.from_folder("Org/base", lineage / "base"))
    source = sources.hub_source(hub="testhub", repo="Org/base", revision="v9")
    with pytest.raises(SourceError, match="has no revision 'v9'"):
        sources.acquire(source, hubs=sources.parse_hubs(hub.hubs_setting()), cache_dir=tmp_path)


@pytest.mark.parametrize("fault", ["gated", "gated403"])
def test_gated_repo_without_token_says_set_hf_token(get, fault):
    with pytest.raises(SourceError, match="is gated: an operator must set HF_TOKEN"):
        get(faults={fault})


def test_gated_repo_with_token_is_acquired(get):
    acquired, _ = get(faults={"gated"}, token="hf_test")
    assert acquired.files


def test_html_instead_of_the_file_fails_and_keeps_nothing(get, tmp_path):
    with pytest.raises(
        SourceError, match=r"answered an HTML page instead of model-00001-of-00003.safetensors"
    ):
        get(faults={"html"})
    assert not any(
        n.endswith(".safetensors") or n.endswith(sources.PARTIAL) for n in _leftovers(tmp_path / "cache")
    )


def test_truncated_body_fails_and_keeps_nothing(get, tmp_path):
    with pytest.raises(
        SourceError,
        match=r"model-00001-of-00003.safetensors arrived with 1043072 bytes, not the 2086144 the hub announced",
    ):
        get(faults={"short"})
    assert not any(
        n.endswith(".safetensors") or n.endswith(sources.PARTIAL) for n in _leftovers(tmp_path / "cache")
    )


def test_hash_mismatch_names_the_file_and_both_hashes_and_keeps_nothing(get, lineage, tmp_path):
    published = hashlib.sha256(
        (lineage / "base" / "model-00001-of-00003.safetensors").read_bytes()
    ).hexdigest()
    with pytest.raises(SourceError) as info:
        get(faults={"corrupt"})
    message = str(info.value)
    assert message.startswith(
        "model-00001-of-00003.safetensors does not match what testhub publishes: SHA-256 "
    )
    downloaded = message.split("SHA-256 ")[1].split(" ")[0]
    assert len(downloaded) == 64 and downloaded != published and f"{published} published" in message
    assert not any(
        n.endswith(".safetensors") or n.endswith(sources.PARTIAL) for n in _leftovers(tmp_path / "cache")
    )


def test_repo_holding_only_pickles_is_refused_without_downloading(get, hub):
    with pytest.raises(
        SourceError, match=r"holds only pickle checkpoints \(pytorch_model.bin\): opening a pickle"
    ):
        get(only={"pytorch_model.bin": b"\x80\x04pickle", "config.json": b"{}"})
    assert not any("/resolve/" in path or "/lfs/" in path for _method, path in hub.requests)


def test_hub_not_in_the_operators_list_is_refused(hub, tmp_path):
    source = sources.parse_source("hf:Org/base@main")  # the public hub, not configured here
    with pytest.raises(
        SourceError,
        match=r"The hub 'huggingface' is not one this server may download from \(configured: testhub\)",
    ):
        sources.acquire(source, hubs=sources.parse_hubs(hub.hubs_setting()), cache_dir=tmp_path)
    assert hub.requests == []


def test_redirect_to_a_host_the_hub_is_not_known_to_use_is_refused(get, tmp_path):
    with pytest.raises(SourceError, match="redirected model-00001-of-00003.safetensors to evil.example"):
        get(faults={"foreign_redirect"})
    assert not any(n.endswith(".safetensors") for n in _leftovers(tmp_path / "cache"))


def test_a_redirect_after_the_first_to_an_unlisted_host_is_refused_before_it_is_sent(get, hub, tmp_path):
    # The hub's redirect goes to a listed host (localhost), which redirects again: every hop is checked.
    with pytest.raises(SourceError, match=r"redirected model-00001-of-00003.safetensors to evil.example:\d+"):
        get(faults={"second_hop"})
    assert not any(n.endswith(".safetensors") for n in _leftovers(tmp_path / "cache"))


def test_connection_dropped_mid_file_resumes_with_a_range_request(get, hub, monkeypatch):
    # The client hands over bytes in 10 MB chunks, and a drop loses the chunk being filled: with
    # 2 MB test shards that would be the whole file, so the chunks are made small here.
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 64 * 1024)
    acquired, _ = get(faults={"drop_once"})
    assert any(method == "GET" and "/lfs/" in path for method, path in hub.requests)
    assert hub.bytes_served <= 1.2 * acquired.total_bytes + 50_000  # + the JSON and small files
    assert any(f["name"].endswith(".safetensors") for f in acquired.files)


def test_interrupted_download_resumes_from_its_partial_file(hub, lineage, tmp_path):
    repo = hub.add(HubRepo.from_folder("Org/base", lineage / "base"))
    source = sources.hub_source(hub="testhub", repo="Org/base", revision="main")
    hubs = sources.parse_hubs(hub.hubs_setting())
    shard = "model-00001-of-00003.safetensors"
    # A worker killed mid-file leaves the partial file behind.
    folder = sources.snapshot_folder(tmp_path, source, repo.commit)
    folder.mkdir(parents=True)
    (folder / (shard + sources.PARTIAL)).write_bytes(repo.files[shard][:1_000_000])
    acquired = sources.acquire(source, hubs=hubs, cache_dir=tmp_path)
    assert acquired.bytes_fetched == acquired.total_bytes - 1_000_000
    assert (folder / shard).read_bytes() == repo.files[shard]
    assert not (folder / (shard + sources.PARTIAL)).exists()


@pytest.mark.parametrize(
    "text",
    ["hf:../etc@main", "hf:Org/Name@..", "hf:noslash", "s3://bucket/x", "hub::Org/Name"],
)
def test_malformed_sources_are_refused(text):
    with pytest.raises(SourceError):
        sources.parse_source(text)


@pytest.mark.parametrize("text", ["huggingface", "x=ftp://host", "x=https://host/path", "BAD NAME=https://h"])
def test_malformed_hubs_setting_is_refused(text):
    with pytest.raises(ValueError):
        sources.parse_hubs(text)


def test_the_command_line_compares_two_hub_checkpoints(hub, lineage, tmp_path, monkeypatch, capsys):
    from provenance.fingerprint.cli import main

    for name in ("base", "finetune"):
        hub.add(HubRepo.from_folder(f"Org/{name}", lineage / name))
    monkeypatch.setenv("HUBS", hub.hubs_setting())
    argv = ["compare", "hub:testhub:Org/base@main", "hub:testhub:Org/finetune@main", "--quiet"]
    assert main([*argv, "--cache-dir", str(tmp_path), "--methods", "attn_std"]) == 0
    out = capsys.readouterr()
    assert "hub:testhub:Org/base@main: commit " in out.err and "attn_std" in out.out
    assert main(["compare", "hf:Org/base@main", "hf:Org/finetune", "--cache-dir", str(tmp_path)]) == 2
    assert "The hub 'huggingface' is not one this server may download from" in capsys.readouterr().err


def test_an_lfs_size_that_lies_fails_and_keeps_nothing(get, tmp_path):
    with pytest.raises(SourceError, match=r"arrived with 2086144 bytes, not the 2086244 the hub announced"):
        get(size_lie=100)
    assert not any(
        n.endswith(".safetensors") or n.endswith(sources.PARTIAL) for n in _leftovers(tmp_path / "cache")
    )


def test_a_download_larger_than_the_free_disk_is_refused_before_anything_downloads(get, hub, tmp_path):
    with pytest.raises(
        SourceError, match=r"needs [\d.]+ TB more on disk and .* free: nothing was downloaded"
    ):
        get(size_lie=10**15)
    assert not any("/lfs/" in path for _method, path in hub.requests)
    assert _leftovers(tmp_path / "cache") == []


def test_a_full_disk_fails_clearly_and_removes_the_partial_file(hub, lineage, tmp_path):
    repo = hub.add(HubRepo.from_folder("Org/base", lineage / "base"))
    source = sources.hub_source(hub="testhub", repo="Org/base", revision="main")
    folder = sources.snapshot_folder(tmp_path, source, repo.commit)
    folder.mkdir(parents=True)
    # /dev/full answers every write with ENOSPC, as a full disk does.
    partial = folder / ("model-00001-of-00003.safetensors" + sources.PARTIAL)
    partial.symlink_to("/dev/full")
    with pytest.raises(SourceError, match=r"The disk is full: model-00001-of-00003.safetensors \(2.1 MB\)"):
        sources.acquire(source, hubs=sources.parse_hubs(hub.hubs_setting()), cache_dir=tmp_path)
    assert not partial.is_symlink() and not partial.exists()
    assert not (folder / "model-00001-of-00003.safetensors").exists()


def test_a_repo_with_ten_thousand_files_fetches_only_the_engines(get, hub):
    extra = {f"data/part-{i:05}.json": b"{}" for i in range(10_000)}
    acquired, _ = get(extra=extra)
    assert len(acquired.files) == 6
    assert not any("/data/" in path for _method, path in hub.requests)


# -- GGUF re-uploads: a repository of several quantisations, one named by the source ----------------


@pytest.fixture(scope="module")
def ggufs(tmp_path_factory) -> dict[str, bytes]:
    """Two quantisations and a two-part split set of the tiny lineage base, as a hub carries them."""
    from provenance.fingerprint.synthetic import lineage_models
    from provenance.fingerprint.synthetic.gguf_writer import write_gguf

    root = tmp_path_factory.mktemp("gguf-hub")
    base = lineage_models("tiny", seed=0)["base"]
    write_gguf(base, root / "m-Q8_0.gguf", qtype="Q8_0")
    write_gguf(base, root / "m-Q4_K.gguf", qtype="Q4_K")
    write_gguf(base, root / "split" / "m-Q8_0.gguf", qtype="Q8_0", split_max_tensors=80)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.gguf")}


def _gguf_source(hub, files: dict[str, bytes], file: str = "", repo_id: str = "Org/quants"):
    """(the source naming ``file`` of a new repo holding ``files`` on the test hub, the repo)."""
    repo = HubRepo(repo_id, files)
    hub.add(repo)
    return sources.hub_source(hub="testhub", repo=repo_id, revision="main", file=file), repo


def _acquire(hub, source, tmp_path):
    return sources.acquire(source, hubs=sources.parse_hubs(hub.hubs_setting()), cache_dir=tmp_path / "cache")


def test_a_repo_of_two_gguf_quantisations_is_refused_naming_both(hub, ggufs, tmp_path):
    files = {"m-Q8_0.gguf": ggufs["m-Q8_0.gguf"], "m-Q4_K.gguf": ggufs["m-Q4_K.gguf"], "README.md": b"# q"}
    source, _repo = _gguf_source(hub, files)
    with pytest.raises(SourceError) as info:
        _acquire(hub, source, tmp_path)
    assert str(info.value) == (
        "hub:testhub:Org/quants@main holds 2 GGUF files (m-Q4_K.gguf, m-Q8_0.gguf): name the one to "
        "analyse (the source's file, e.g. hub:testhub:Org/quants@main:m-Q4_K.gguf)."
    )
    assert not any("/resolve/" in path or "/lfs/" in path for _method, path in hub.requests)


def test_a_named_gguf_file_is_fetched_alone_verified_and_opens_as_gguf(hub, lineage, ggufs, tmp_path):
    from provenance.fingerprint.gguf_format import GgufCheckpoint
    from provenance.fingerprint.reader import open_checkpoint

    files = {p.name: p.read_bytes() for p in (lineage / "base").iterdir()}  # safetensors too
    files |= {"m-Q8_0.gguf": ggufs["m-Q8_0.gguf"], "m-Q4_K.gguf": ggufs["m-Q4_K.gguf"]}
    source, repo = _gguf_source(hub, files, file="m-Q4_K.gguf")
    acquired = _acquire(hub, source, tmp_path)
    assert sorted(f["name"] for f in acquired.files) == ["config.json", "m-Q4_K.gguf", "tokenizer.json"]
    for f in acquired.files:
        assert f["sha256"] == hashlib.sha256(repo.files[f["name"]]).hexdigest()
    fetched = [path for _method, path in hub.requests if "/resolve/" in path]
    assert not any("Q8_0" in path or ".safetensors" in path for path in fetched)
    assert acquired.folder == sources.snapshot_folder(tmp_path / "cache", source, repo.commit)
    assert acquired.folder.name == f"{repo.commit}--m-Q4_K.gguf"  # beside the repo's own folder
    ckpt = open_checkpoint(acquired.folder)
    assert isinstance(ckpt, GgufCheckpoint) and [f.name for f in ckpt.files] == ["m-Q4_K.gguf"]
    assert acquired.path == acquired.folder / "m-Q4_K.gguf"


def test_a_named_gguf_file_the_repo_does_not_hold_is_refused_listing_those_it_does(hub, ggufs, tmp_path):
    files = {"m-Q8_0.gguf": ggufs["m-Q8_0.gguf"], "m-Q4_K.gguf": ggufs["m-Q4_K.gguf"]}
    source, _repo = _gguf_source(hub, files, file="m-Q5_K_M.gguf")
    with pytest.raises(
        SourceError,
        match=r"Org/quants@main:m-Q5_K_M.gguf names m-Q5_K_M.gguf, which the repository does not hold: its "
        r"GGUF files are m-Q4_K.gguf, m-Q8_0.gguf\.",
    ):
        _acquire(hub, source, tmp_path)


@pytest.mark.parametrize("named", ["split/m-Q8_0-00002-of-00002.gguf", ""])
def test_a_split_set_is_fetched_whole(hub, ggufs, tmp_path, named):
    from provenance.fingerprint.reader import open_checkpoint

    parts = ["split/m-Q8_0-00001-of-00002.gguf", "split/m-Q8_0-00002-of-00002.gguf"]
    files = {name: ggufs[name] for name in parts} | {"config.json": b"{}"}
    if named:  # another model beside it: the source must name one
        files["m-Q4_K.gguf"] = ggufs["m-Q4_K.gguf"]
    source, _repo = _gguf_source(hub, files, file=named)
    acquired = _acquire(hub, source, tmp_path)
    assert sorted(f["name"] for f in acquired.files) == ["config.json", *parts]
    assert acquired.path == acquired.folder / parts[0]
    ckpt = open_checkpoint(acquired.path)
    assert [f.name for f in ckpt.files] == [p.split("/")[1] for p in parts]
    # A listing that lacks a part is refused before anything downloads.
    del files[parts[1]]
    source, _repo = _gguf_source(hub, files, file=parts[0], repo_id="Org/half")
    with pytest.raises(SourceError, match=r"lists 1 of the 2 parts of the split GGUF split/m-Q8_0-00001"):
        _acquire(hub, source, tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "hf:Org/Name@main",
        "hf:Org/Name@v1.0:model-Q4_K_M.gguf",
        "hub:testhub:Org/Name@main:Q4_K_M/m-00001-of-00002.gguf",
    ],
)
def test_a_source_round_trips_through_its_text(text):
    assert str(sources.parse_source(text)) == text


def test_a_gguf_file_without_a_revision_means_main():
    source = sources.parse_source("hf:Org/Name:model-Q8_0.gguf")
    assert source == sources.HubSource("huggingface", "Org/Name", "main", "model-Q8_0.gguf")


@pytest.mark.parametrize(
    "file", ["../x.gguf", "/x.gguf", "sub/../x.gguf", "model.bin", "model.safetensors", "a b.gguf", "x.gguf/"]
)
def test_a_file_that_is_not_a_gguf_of_the_repository_is_refused(file):
    with pytest.raises(SourceError, match="is not a GGUF file of a repository"):
        sources.hub_source(hub="testhub", repo="Org/Name", revision="main", file=file)


def test_gguf_weights_larger_than_the_cache_are_refused_not_fingerprinted_shard_by_shard():
    from provenance.fingerprint.preview import SHARD_BY_SHARD, acquisition_mode

    source = sources.parse_source("hf:Org/Name@main:m-Q8_0.gguf")
    with pytest.raises(SourceError, match="GGUF weights cannot be fingerprinted shard by shard"):
        acquisition_mode(source=source, total_bytes=2000, budget=1000, shardable=False)
    assert acquisition_mode(source=source, total_bytes=2000, budget=1000, shardable=True) == SHARD_BY_SHARD
