"""Acquiring checkpoints from a git repository with LFS (provenance.fingerprint.sources.acquire_git)
with the real ``git`` and ``git-lfs``, from a bare repository on disk served over file:// (git-lfs's
standalone file transfer): one test per fault."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from provenance.fingerprint import sources
from provenance.fingerprint.sources import SourceError

ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True, text=True).stdout


def publish(folder: Path, remote: Path, extra: dict[str, bytes] | None = None) -> Path:
    """A bare repository at ``remote`` holding ``folder``'s files (``*.safetensors`` in LFS)."""
    work = remote.with_name(remote.name + "-work")
    shutil.copytree(folder, work)
    for name, data in (extra or {}).items():
        (work / name).write_bytes(data)
    git("init", "-q", "-b", "main", cwd=work)
    git("lfs", "install", "--local", cwd=work)
    git("lfs", "track", "*.safetensors", "*.bin", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-qm", "weights", cwd=work)
    git("clone", "-q", "--bare", str(work), str(remote), cwd=work.parent)
    git("lfs", "push", "--all", remote.as_uri(), cwd=work)
    return work


@pytest.fixture
def lineage(lineage_set) -> Path:
    """The folder holding the session's synthetic lineage set (conftest)."""
    return lineage_set["base"].parent


@pytest.fixture
def remote(lineage, tmp_path) -> Path:
    remote = tmp_path / "remote" / "base.git"
    remote.parent.mkdir()
    publish(lineage / "base", remote, extra={"pytorch_model.bin": b"\x80\x04pickle"})
    return remote


def fetch(remote: Path, tmp_path: Path, revision: str = "main", hosts: list[str] | None = None):
    source = sources.git_source(url=remote.as_uri(), revision=revision)
    return sources.acquire_git(
        source, git_hosts=hosts or [remote.parent.as_uri() + "/"], cache_dir=tmp_path / "cache"
    )


def test_a_git_lfs_checkpoint_is_fetched_pinned_and_hashed(remote, lineage, tmp_path):
    acquired = fetch(remote, tmp_path)
    assert acquired.commit == git("rev-parse", "main", cwd=remote).strip()
    names = [f["name"] for f in acquired.files]
    assert "pytorch_model.bin" not in names and "model-00001-of-00003.safetensors" in names
    for f in acquired.files:
        data = (lineage / "base" / f["name"]).read_bytes()
        assert (acquired.folder / f["name"]).read_bytes() == data
        assert f["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_git_revision_not_found(remote, tmp_path):
    with pytest.raises(SourceError, match="has no revision 'v9'"):
        fetch(remote, tmp_path, revision="v9")


def test_a_git_repository_not_found(remote, tmp_path):
    with pytest.raises(SourceError, match="is not a git repository this server can read"):
        fetch(remote.with_name("nothing.git"), tmp_path)


def test_a_git_host_not_in_the_operators_list_is_refused(remote, tmp_path):
    with pytest.raises(SourceError, match="is not a git host this server may download from"):
        fetch(remote, tmp_path, hosts=["https://gitcode.com/"])
    assert not (tmp_path / "cache").exists()


def test_a_corrupt_lfs_object_on_the_remote_is_refused_by_git_lfs(remote, tmp_path):
    objects = [p for p in (remote / "lfs" / "objects").rglob("*") if p.is_file()]
    assert objects
    for path in objects:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    with pytest.raises(SourceError, match="git lfs of git\\+file://.*failed"):
        fetch(remote, tmp_path)
    assert not list((tmp_path / "cache").rglob("*.safetensors"))


def test_a_git_repository_holding_only_pickles_is_refused(tmp_path):
    only = tmp_path / "only"
    only.mkdir()
    (only / "config.json").write_text("{}")
    remote = tmp_path / "remote" / "pickles.git"
    remote.parent.mkdir()
    publish(only, remote, extra={"pytorch_model.bin": b"\x80\x04pickle"})
    with pytest.raises(SourceError, match=r"holds only pickle checkpoints \(pytorch_model.bin\)"):
        fetch(remote, tmp_path)


def test_an_lfs_pointer_that_lies_about_the_size_fails_and_keeps_nothing(remote, tmp_path):
    work = remote.with_name(remote.name + "-work")
    name = "model-00001-of-00003.safetensors"
    pointer = git("show", f"HEAD:{name}", cwd=work)
    size = int(pointer.split("size ")[1])
    lying = pointer.replace(f"size {size}", f"size {size + 100}")
    blob = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=work,
        input=lying,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    git("update-index", "--cacheinfo", f"100644,{blob},{name}", cwd=work)
    git("commit", "-qm", "a pointer that lies", cwd=work)
    git("push", "-q", "--no-verify", str(remote), "main", cwd=work)
    with pytest.raises(
        SourceError, match=rf"{name} has {size} bytes but its LFS pointer says {size + 100}|git lfs"
    ):
        fetch(remote, tmp_path)
    assert not list((tmp_path / "cache").rglob("*.safetensors"))
