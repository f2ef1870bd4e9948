"""Acquiring a source from a git repository with LFS (a GitCode or GitHub repository, or a mirror)
with the real ``git`` and ``git-lfs``: only https (and file:// for a local mirror), only the
operator's ``GIT_HOSTS``, a shallow fetch of the pointers first (``plan_git``), then the wanted LFS
objects one at a time (``acquire_git``). git-lfs verifies each object's SHA-256 against its pointer;
the size is checked here."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import errors
from .naming import GitSource, git_allowed
from .selection import select_files
from .verification import PARTIAL, Acquired, Progress, RemoteFile, check_free_space

_LFS_POINTER = re.compile(
    rb"^version https://git-lfs\.github\.com/spec/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n"
)


_GIT_IDENTITY = {  # for the one-pointer commits of _lfs_fetch_one, which never leave the cache
    f"GIT_{who}_{what}": value
    for who in ("AUTHOR", "COMMITTER")
    for what, value in (("NAME", "Provenance"), ("EMAIL", "provenance@localhost"))
}


def _git(args: list[str], *, cwd: Path, source: GitSource, stdin: bytes = b"") -> str:
    import subprocess

    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_LFS_SKIP_SMUDGE": "1", **_GIT_IDENTITY}
    # Only https (and file:// for a local mirror): no ssh, no git://, no ext:: helpers.
    safety = ["-c", "protocol.allow=never", "-c", "protocol.https.allow=always", "-c", "protocol.file.allow=always"]  # fmt: skip
    result = subprocess.run(
        ["git", *safety, *args], cwd=cwd, env=env, capture_output=True, timeout=3600, input=stdin
    )
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace").strip()
        lines = stderr.splitlines()
        first = next(
            (line for line in lines if line.startswith(("fatal:", "error:"))), lines[-1] if lines else ""
        )
        if "couldn't find remote ref" in stderr or "not our ref" in stderr:
            raise errors.RevisionNotFoundError(where=source.url, revision=source.revision)
        if args[0] == "fetch" and (
            "does not appear to be a git repository" in stderr or "not found" in stderr
        ):
            raise errors.RepositoryNotFoundError(where=source.url, git_message=first)
        raise errors.GitCommandError(command=args[0], source=str(source), git_message=first)
    return result.stdout.decode(errors="replace")


@dataclass
class GitPlan:
    """A git source's revision resolved and its wanted files listed (from the LFS pointers: no
    weights fetched yet)."""

    source: GitSource
    work: Path  # the bare repository the objects are fetched into
    commit: str
    names: list[str]
    blobs: dict[str, bytes]  # each file's git blob: an LFS pointer, or the small file itself
    pointers: dict[str, re.Match | None]
    sizes: dict[str, int]
    oids: dict[str, str] = field(default_factory=dict)  # each file's git blob id (of its pointer)

    @property
    def total_bytes(self) -> int:
        return sum(self.sizes.values())

    @property
    def files(self) -> list[RemoteFile]:
        return [
            RemoteFile(n, self.sizes[n], sha256=m[1].decode() if (m := self.pointers[n]) else "")
            for n in self.names
        ]


def plan_git(source: GitSource, *, git_hosts: list[str], cache_dir: Path) -> GitPlan:
    """Resolve the revision of ``source`` to a commit and list the files the engine reads with
    their sizes, by a shallow fetch without smudging (the LFS pointers, never the weights). Only
    URLs starting with one of ``git_hosts``."""
    git_allowed(source, git_hosts)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", urlsplit(source.url).netloc + urlsplit(source.url).path).strip(
        "-"
    )
    work = Path(cache_dir) / "git" / slug / "repo.git"
    if not work.is_dir():
        work.mkdir(parents=True)
        _git(["init", "-q", "--bare"], cwd=work, source=source)
    _git(["fetch", "-q", "--depth", "1", "--no-tags", source.url, source.revision], cwd=work, source=source)
    commit = _git(["rev-parse", "FETCH_HEAD"], cwd=work, source=source).strip()
    entries = {}
    for line in _git(["ls-tree", "-r", "-l", "-z", commit], cwd=work, source=source).split("\0"):
        if not line:
            continue
        meta, name = line.split("\t", 1)
        _mode, kind, oid, size = meta.split()
        if kind == "blob":
            entries[name] = (oid, int(size))
    names = select_files(sorted(entries), source)
    blobs = {
        name: _git(["cat-file", "blob", entries[name][0]], cwd=work, source=source).encode() for name in names
    }
    pointers = {name: _LFS_POINTER.match(data) for name, data in blobs.items()}
    sizes = {name: int(m[2]) if m else len(blobs[name]) for name, m in pointers.items()}
    oids = {name: entries[name][0] for name in names}
    return GitPlan(source, work, commit, names, blobs, pointers, sizes, oids)


def _lfs_fetch_one(planned: GitPlan, name: str) -> None:
    """Fetch the LFS object of one planned file, and no other: git-lfs is given a commit made here
    whose tree holds that file's pointer alone, never the file's name as an ``-I`` pattern (git-lfs
    splits those on commas and expands wildcards, so ``big.bin,model.safetensors`` would fetch
    ``big.bin``)."""
    work, source = planned.work, planned.source
    tree = _git(
        ["mktree"], cwd=work, source=source, stdin=f"100644 blob {planned.oids[name]}\tpointer\n".encode()
    )
    commit = _git(
        ["commit-tree", tree.strip(), "-m", f"the LFS pointer of {name}"], cwd=work, source=source
    ).strip()
    _git(["lfs", "fetch", source.url, commit], cwd=work, source=source)


def acquire_git(
    source: GitSource,
    *,
    git_hosts: list[str],
    cache_dir: Path,
    progress: Progress | None = None,
    planned: GitPlan | None = None,
) -> Acquired:
    """Fetch the files of ``source`` the engine reads into ``cache_dir/git/<host--path>/<commit>/``
    with the real ``git`` and ``git-lfs``: ``plan_git``, then only the wanted LFS objects, one at a
    time. git-lfs computes each object's SHA-256 while it downloads and refuses one that is not its
    pointer's oid; the size is checked against the pointer here."""
    planned = planned or plan_git(source, git_hosts=git_hosts, cache_dir=cache_dir)
    work, commit, names, blobs = planned.work, planned.commit, planned.names, planned.blobs
    pointers, sizes = planned.pointers, planned.sizes
    folder = work.parent / commit
    total = planned.total_bytes
    check_free_space(planned, folder)  # as for a hub: before anything downloads, from the pointers' sizes
    result = Acquired(source, commit, folder)
    done = 0
    for name in names:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        pointer = pointers[name]
        if pointer is None:
            sha256 = hashlib.sha256(blobs[name]).hexdigest()
            if not target.is_file():
                partial = target.with_name(target.name + PARTIAL)
                partial.write_bytes(blobs[name])
                os.replace(partial, target)
        else:
            sha256 = pointer[1].decode()
            if not (target.is_file() and target.stat().st_size == sizes[name]):
                _lfs_fetch_one(planned, name)
                obj = work / "lfs" / "objects" / sha256[:2] / sha256[2:4] / sha256
                if not obj.is_file():
                    raise errors.LfsObjectMissingError(file=name, oid=sha256, url=source.url)
                if obj.stat().st_size != sizes[name]:
                    got = obj.stat().st_size
                    obj.unlink()
                    raise errors.SizeMismatchError(file=name, size=sizes[name], how="pointer", got=got)
                os.replace(obj, target)  # one copy on disk
                result.bytes_fetched += sizes[name]
        done += sizes[name]
        if progress is not None:
            progress(done, total)
        result.files.append({"name": name, "size": sizes[name], "sha256": sha256})
    return result
