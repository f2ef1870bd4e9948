"""Checkpoints that live on a model hub: name them, fetch the files the engine reads, verify them.

A source is ``hf:Org/Name@revision`` (a Hugging Face-compatible hub; ``hf:`` is the hub named
``huggingface``, ``hub:<name>:Org/Name@rev`` any hub the operator configured), and
``hf:Org/Name@rev:file.gguf`` names one GGUF model of a repository holding several quantisations
(any part of a split set names the whole set). The hubs are the operator's list (``HUBS``:
``name=https://host[|redirect-host|...]`` separated by commas): a source names a hub, never a URL,
so nobody can point the server at an arbitrary address, and a file is fetched only from the hub
itself or from a host the operator listed for its redirects (a CDN).

Acquisition goes through the unmodified ``huggingface_hub`` client: ``HfApi.repo_info`` resolves
the revision to a commit and lists the files with their sizes and hashes, ``get_hf_file_metadata``
makes the same HEAD call ``hf_hub_download`` makes, and ``http_get`` (the function
``hf_hub_download`` downloads with) streams each file into a writer of ours that computes the
file's SHA-256 - and its git blob id, which the hub publishes for files not in LFS - as the bytes
arrive, so no file is read twice. ``hf_hub_download`` itself cannot be used for that: it writes
to a file of its own and hands a progress bar only the byte counts.

Only what the engine reads is fetched: safetensors shards, their index, config.json and the
tokenizer files; or the GGUF model the source names (every part of its split set) - or, in a
repository without safetensors, its only GGUF model - with config.json and the tokenizer files.
Pickles (``*.bin``, ``*.pt``, ``*.pth``, ``*.pkl``) are never fetched: opening one can run code.
A file whose hash is not the published one is deleted and the acquisition fails naming the file
and both hashes; an interrupted download keeps ``<file>.partial`` and resumes from it (its bytes
are hashed once more, never the whole file).

No Django here: the knowledge base's pipeline (``claims.pipeline.acquire``) and the command line
(``compare hf:Org/Name@rev``) both call ``acquire``.
"""

from __future__ import annotations

import contextvars
import errno
import fnmatch
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from .errors import FingerprintError
from .hashing import sha256_file
from .sizes import human_bytes

DEFAULT_HUBS = "huggingface=https://huggingface.co|cdn-lfs.huggingface.co|cdn-lfs-us-1.huggingface.co|cdn-lfs.hf.co|cas-bridge.xethub.hf.co"
SAFETENSORS = ("*.safetensors", "*.safetensors.index.json")
SMALL = (
    "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "tokenizer.model",
    "special_tokens_map.json", "vocab.json", "merges.txt",
)  # fmt: skip
WANTED = SAFETENSORS + SMALL
PICKLES = ("*.bin", "*.pt", "*.pth", "*.pkl", "*.ckpt")
PARTIAL = ".partial"
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
_REVISION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")
_GGUF_FILE = re.compile(r"^[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*\.gguf$")
_HTML = (b"<!doctype html", b"<html", b"<!--", b"<head")
HUB_TIMEOUT = 30.0
"""Seconds a hub may take to accept a connection or to send the next bytes of an answer (the
operator's ``HUB_TIMEOUT_SECONDS``): a hub that stops answering fails the call, never hangs it."""

Progress = Callable[[int, int], None]


class SourceError(FingerprintError):
    """A checkpoint source that cannot be acquired: a bad name, a hub that refuses, a file that is
    not what the hub published. ``str()`` is one sentence saying what to do."""


@dataclass(frozen=True)
class Hub:
    name: str
    endpoint: str
    redirect_hosts: frozenset[str] = frozenset()
    timeout: float = HUB_TIMEOUT

    def allows(self, url: str) -> bool:
        """Whether a file may be fetched from ``url``: the hub's own origin or a listed redirect host."""
        parts = urlsplit(url)
        hub = urlsplit(self.endpoint)
        if (parts.scheme, parts.netloc) == (hub.scheme, hub.netloc):
            return True
        # A listed host over HTTPS (or over the hub's own scheme: a test hub on http://127.0.0.1).
        return parts.scheme in ("https", hub.scheme) and (parts.hostname or "") in self.redirect_hosts


def _refused_host(hub: Hub, what: str, url: str) -> SourceError:
    return SourceError(
        f"{hub.name} redirected {what} to {urlsplit(url).netloc}, a host it is not known to use: refused "
        "(an operator lists a hub's download hosts in HUBS)."
    )


# The hub whose files this thread is fetching: every request the client sends - the first one
# and each redirect it follows - must go to that hub or to a host listed for it.
_FETCHING: contextvars.ContextVar[tuple[Hub, str] | None] = contextvars.ContextVar("fetching", default=None)
_GUARD_INSTALLED = False


@contextmanager
def hub_requests(hub: Hub, what: str) -> Iterator[None]:
    """Every request to a hub - the repository's listing, a file's headers, a download, a range
    read - is sent inside this: each request and each redirect hop it follows is checked against
    the hub's hosts (``_check_request``) before it goes out."""
    _install_redirect_guard()
    token = _FETCHING.set((hub, what))
    try:
        yield
    finally:
        _FETCHING.reset(token)


def _check_request(request) -> None:
    """An ``httpx`` request hook: refuse a request (a redirect hop included) to a host the hub
    being fetched from is not known to use, before it is sent."""
    fetching = _FETCHING.get()
    if fetching is not None and not fetching[0].allows(str(request.url)):
        raise _refused_host(fetching[0], fetching[1], str(request.url))


def _install_redirect_guard() -> None:
    """Give ``huggingface_hub`` a client (its own default one) that runs ``_check_request`` on every
    request: the client follows redirects itself, so a check of the first address only would let
    a listed CDN send the download anywhere."""
    global _GUARD_INSTALLED
    if _GUARD_INSTALLED:
        return
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils._http import default_client_factory

    def factory():
        client = default_client_factory()
        client.event_hooks = {
            **client.event_hooks,
            "request": [*client.event_hooks["request"], _check_request],
        }
        return client

    set_client_factory(factory)
    _GUARD_INSTALLED = True


def parse_hubs(text: str, *, timeout: float = HUB_TIMEOUT) -> dict[str, Hub]:
    """``name=https://host[|redirect-host...]`` separated by commas → {name: Hub} (each with
    ``timeout``, in seconds); ValueError if malformed."""
    hubs = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, spec = item.partition("=")
        url, *hosts = [p.strip() for p in spec.split("|")]
        parts = urlsplit(url)
        if not (sep and re.fullmatch(r"[a-z0-9_-]+", name.strip()) and parts.scheme in ("http", "https")):
            raise ValueError(f"{item!r} is not name=https://host (e.g. huggingface=https://huggingface.co)")
        if parts.path.strip("/") or parts.query:
            raise ValueError(f"{item!r}: give the hub's address without a path")
        hubs[name.strip()] = Hub(name.strip(), url.rstrip("/"), frozenset(h for h in hosts if h), timeout)
    return hubs


@dataclass(frozen=True)
class HubSource:
    hub: str
    repo: str
    revision: str = "main"
    file: str = ""  # one GGUF file of the repository (a part of a split set: the whole set)

    def __str__(self) -> str:
        prefix = "hf:" if self.hub == "huggingface" else f"hub:{self.hub}:"
        return f"{prefix}{self.repo}@{self.revision}" + (f":{self.file}" if self.file else "")


def is_source(text: str) -> bool:
    return text.startswith(("hf:", "hub:", "git+"))


def parse_source(text: str) -> HubSource | GitSource:
    """``hf:Org/Name[@rev][:file.gguf]`` or ``hub:<name>:Org/Name[@rev][:file.gguf]`` → HubSource,
    ``git+https://host/org/name[@rev]`` → GitSource (revision ``main`` by default)."""
    if text.startswith("git+"):
        url, sep, revision = text[4:].rpartition("@")
        if not sep or "/" in revision:
            url, revision = text[4:], "main"
        return git_source(url=url, revision=revision)
    if text.startswith("hf:"):
        hub, rest = "huggingface", text[3:]
    elif text.startswith("hub:") and ":" in text[4:]:
        hub, rest = text[4:].split(":", 1)
    else:
        raise SourceError(f"{text!r} is not a hub source: write hf:Org/Name@revision.")
    rest, _, file = rest.partition(":")  # neither a repo ID nor a revision holds a colon
    repo, _, revision = rest.partition("@")
    return hub_source(hub=hub, repo=repo, revision=revision or "main", file=file)


def hub_source(*, hub: str, repo: str, revision: str, file: str = "") -> HubSource:
    """A checked HubSource: a hub's name, a repo ID ``Org/Name``, a branch, tag or commit, and
    optionally one ``.gguf`` file of the repository (``name.gguf`` or ``sub/name.gguf``)."""
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", hub):
        raise SourceError(f"{hub!r} is not a hub's name: use one of the operator's HUBS, e.g. huggingface.")
    if not _REPO_ID.match(repo) or ".." in repo:
        raise SourceError(f"{repo!r} is not a repository ID: write Org/Name, e.g. Qwen/Qwen2.5-14B.")
    if not _REVISION.match(revision) or ".." in revision:
        raise SourceError(f"{revision!r} is not a revision: give a branch, a tag or a commit.")
    if file and (len(file) > 300 or not _GGUF_FILE.match(file) or ".." in file):
        raise SourceError(
            f"{file!r} is not a GGUF file of a repository: give its name, e.g. model-Q4_K_M.gguf or "
            "Q4_K_M/model-Q4_K_M-00001-of-00002.gguf."
        )
    return HubSource(hub, repo, revision, file)


def hub_for(source: HubSource, hubs: dict[str, Hub]) -> Hub:
    try:
        return hubs[source.hub]
    except KeyError:
        known = ", ".join(sorted(hubs)) or "none"
        raise SourceError(
            f"The hub {source.hub!r} is not one this server may download from (configured: {known}); "
            "an operator adds hubs with the HUBS setting."
        ) from None


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    sha256: str = ""  # the LFS oid, for files in LFS
    blob_id: str = ""  # the git blob id (SHA-1 of "blob <size>\0" + content), for the others


@dataclass
class Plan:
    source: HubSource
    commit: str
    files: list[RemoteFile]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass
class Acquired:
    source: HubSource | GitSource
    commit: str
    folder: Path
    files: list[dict] = field(default_factory=list)  # [{name, size, sha256}]
    bytes_fetched: int = 0

    @property
    def total_bytes(self) -> int:
        return sum(f["size"] for f in self.files)

    @property
    def path(self) -> Path:
        """What the engine opens: the folder, or the first file of the GGUF model fetched into it
        (the one the source names or the repository's only one; it may sit in a sub-folder)."""
        gguf = sorted(f["name"] for f in self.files if f["name"].endswith(".gguf"))
        return self.folder / gguf[0] if gguf else self.folder

    def record(self) -> dict:
        """What a report records of this side (``source_record``)."""
        return source_record(self.source, commit=self.commit, files=self.files)


def source_record(source: HubSource | GitSource, *, commit: str, files: list[dict]) -> dict:
    """What a report records of a side downloaded from a hub or a git repository, so that it can be
    fetched again exactly once the branch has moved: the source as asked (``hf:Org/Name@main``), the
    commit it resolved to, the same source pinned to that commit, and every file fetched with its
    size and SHA-256 as verified against what the hub (or the LFS pointer) publishes."""
    return {
        "source": str(source),
        "revision": source.revision,
        "commit": commit,
        "pinned": str(replace(source, revision=commit)) if commit else str(source),
        "files": sorted(
            ({"name": f["name"], "size": f["size"], "sha256": f["sha256"]} for f in files),
            key=lambda f: f["name"],
        ),
    }


def commit_label(label: str, commit: str) -> str:
    """A report's label for one side, naming the commit it was downloaded at (its first 12 hex
    digits; the report's ``inputs`` hold the whole) unless the label already does."""
    if not commit or commit[:12] in label:
        return label
    return f"{label} (commit {commit[:12]})"


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    base = name.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(base, p) for p in patterns)


def gguf_models(names: list[str]) -> dict[str, list[str]]:
    """The GGUF models among a repository's files: the name of each model's first file → all its
    files (a split set's parts, or the one file). Split sets by ``gguf_format.split_set_names``."""
    from .gguf_format import split_set_names  # numpy: not loaded where only the settings read HUBS

    models: dict[str, list[str]] = {}
    for name in sorted(n for n in names if n.endswith(".gguf")):
        parts = split_set_names(name)
        models.setdefault(parts[0], parts)
    return models


def _gguf_wanted(names: list[str], source: object, models: dict[str, list[str]]) -> list[str]:
    """The files of the GGUF model ``source`` names (``source.file``, any part of a split set) or
    of the repository's only GGUF model; SourceError when it is not listed, parts are missing, or
    the repository holds several and none is named."""
    listed = set(names)
    file = getattr(source, "file", "")
    shown = ", ".join(list(models)[:5]) + (", …" if len(models) > 5 else "")
    if file:
        if file not in listed or not file.endswith(".gguf"):
            there = f"its GGUF files are {shown}" if models else "it holds no GGUF file"
            raise SourceError(f"{source} names {file}, which the repository does not hold: {there}.")
        parts = next(p for p in models.values() if file in p)
    elif len(models) == 1:
        parts = next(iter(models.values()))
    else:
        example = ""
        if isinstance(source, HubSource):
            example = f" (the source's file, e.g. {replace(source, file=next(iter(models)))})"
        kind = "files" if all(len(p) == 1 for p in models.values()) else "models"
        raise SourceError(
            f"{source} holds {len(models)} GGUF {kind} ({shown}): name the one to analyse{example}."
        )
    missing = [p for p in parts if p not in listed]
    if missing:
        raise SourceError(
            f"{source} lists {len(parts) - len(missing)} of the {len(parts)} parts of the split GGUF {parts[0]} "
            f"(missing: {', '.join(missing[:3])}{', …' if len(missing) > 3 else ''}): it cannot be read."
        )
    return parts


def select_files(names: list[str], source: object) -> list[str]:
    """The files of a repository the engine reads (never a pickle): its safetensors weights, or -
    when the source names a GGUF file, or the repository has no safetensors - one GGUF model (see
    ``_gguf_wanted``), with the small files (config.json, tokenizer). SourceError when there are
    no weights - with the reason when the repository holds only pickles - or a name leaves the
    repository."""
    models = gguf_models(names)
    small = [n for n in names if _matches(n, SMALL)]
    if getattr(source, "file", "") or (models and not any(n.endswith(".safetensors") for n in names)):
        wanted = sorted([*_gguf_wanted(names, source, models), *small])
    else:
        wanted = [n for n in names if _matches(n, WANTED) and not _matches(n, PICKLES)]
    if not any(n.endswith((".safetensors", ".gguf")) for n in wanted):
        pickles = sorted(n for n in names if _matches(n, PICKLES))
        if pickles:
            raise SourceError(
                f"{source} holds only pickle checkpoints ({', '.join(pickles[:3])}"
                f"{', …' if len(pickles) > 3 else ''}): opening a pickle can run code, so Provenance never "
                "downloads them. Ask for a revision with safetensors or GGUF weights."
            )
        raise SourceError(f"{source} has no safetensors or GGUF weights: nothing to analyse.")
    for name in wanted:
        if name.startswith("/") or ".." in name.split("/"):
            raise SourceError(f"{source} lists a file outside the repository: {name!r}.")
    return wanted


def _client_error(exc: Exception, source: HubSource, hub: Hub, token: str) -> SourceError:
    """The client's exception as one sentence for the editor."""
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    where = f"{source.repo} on {hub.name} ({hub.endpoint})"
    if isinstance(exc, GatedRepoError):
        return SourceError(
            f"{where} is gated: an operator must set HF_TOKEN to a token that has accepted its terms "
            "(the hub answered 401/403)."
        )
    if isinstance(exc, RevisionNotFoundError):
        return SourceError(f"{where} has no revision {source.revision!r}: check the branch, tag or commit.")
    if isinstance(exc, RemoteEntryNotFoundError):
        return SourceError(f"A file of {where} is listed but cannot be found: {exc}")
    if isinstance(exc, RepositoryNotFoundError):
        private = "" if token else " or it is private or gated (then an operator must set HF_TOKEN)"
        return SourceError(f"{where} does not exist{private}.")
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(exc, HfHubHTTPError) and status in (401, 403):
        return SourceError(
            f"{where} refused access ({status}): an operator must set HF_TOKEN to a token with access."
        )
    return SourceError(f"{where} could not be read: {type(exc).__name__}: {exc}")


def _api_errors():
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    return (HfHubHTTPError, httpx2.HTTPError)


_ODD = (
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    IndexError,
)  # a listing that is not the hub API's shape


def plan(source: HubSource, *, hubs: dict[str, Hub], token: str = "") -> Plan:
    """Resolve the revision to a commit and list the files to fetch (sizes and published hashes).
    Raises SourceError - and only SourceError - for an unknown hub, a missing repo or revision, a
    gated repo, a repo without safetensors weights (only pickles: refused with the reason), a hub
    that redirects to a host it is not known to use, does not answer in time, or answers JSON that
    is not a hub's listing."""
    from huggingface_hub import HfApi

    hub = hub_for(source, hubs)
    api = HfApi(endpoint=hub.endpoint, token=token or False)
    try:
        with hub_requests(hub, f"the listing of {source.repo}"):
            info = api.model_info(
                source.repo, revision=source.revision, files_metadata=True, timeout=hub.timeout
            )
        commit, files = _listing(info, source, hub)
    except _api_errors() as exc:
        raise _client_error(exc, source, hub, token) from exc
    except _ODD as exc:
        raise SourceError(
            f"{hub.endpoint} answered the listing of {source} with JSON that is not a Hugging Face-compatible "
            f"hub's ({type(exc).__name__}: {exc}): nothing was downloaded."
        ) from exc
    return Plan(source, commit, sorted(files, key=lambda f: f.name))


def _listing(info, source: HubSource, hub: Hub) -> tuple[str, list[RemoteFile]]:
    """The commit and the wanted files of a repository's listing; TypeError or ValueError (see
    ``_ODD``) where a field is not of the hub API's type."""
    if not isinstance(info.sha, str) or not re.fullmatch(r"[0-9a-f]{40}", info.sha):
        raise SourceError(
            f"{hub.endpoint} did not name the commit of {source}: is it a Hugging Face-compatible hub?"
        )
    siblings = list(info.siblings or [])
    names = [sib.rfilename for sib in siblings]
    if not all(isinstance(name, str) for name in names):
        raise TypeError("a file name is not a string")
    chosen = set(select_files(names, source))
    files = []
    for s in (sib for sib in siblings if sib.rfilename in chosen):
        size = s.lfs.size if s.lfs else s.size
        if size is None:
            raise SourceError(f"{hub.endpoint} did not give the size of {s.rfilename}.")
        sha256, blob_id = (s.lfs.sha256 if s.lfs else "") or "", s.blob_id or ""
        if type(size) is not int or size < 0:
            raise ValueError(f"the size of {s.rfilename} is {size!r}")
        if not (
            isinstance(sha256, str)
            and isinstance(blob_id, str)
            and re.fullmatch(r"[0-9a-f]*", sha256 + blob_id)
        ):
            raise ValueError(f"the hash of {s.rfilename} is not hexadecimal")
        files.append(RemoteFile(s.rfilename, size, sha256=sha256, blob_id=blob_id))
    return info.sha, files


class TooLong(Exception):
    """A body went past the size the hub listed (raised from ``HashingWriter.write``)."""


class HashingWriter:
    """The file object ``http_get`` writes to: appends to ``<file>.partial`` and hashes each chunk
    as it passes (SHA-256, and the git blob id for files not in LFS). ``http_get`` rewinds and truncates when a server
    ignores a Range request: the hashes are then recomputed from what is left on disk."""

    def __init__(
        self, path: Path, size: int, on_bytes: Callable[[int], None], *, blob_id: bool = False
    ) -> None:
        self.path, self.size, self.on_bytes, self.blob_id = path, size, on_bytes, blob_id
        self.file = open(path, "ab+")  # noqa: SIM115 - closed by close()
        self.fetched = 0
        self.first = b""
        self._rehash(self.file.seek(0, os.SEEK_END))

    def _rehash(self, length: int) -> None:
        self.sha256 = hashlib.sha256()
        self.blob = hashlib.sha1(f"blob {self.size}\0".encode(), usedforsecurity=False)
        self.file.seek(0)
        remaining = length
        while remaining > 0:
            block = self.file.read(min(1 << 20, remaining))
            if not block:
                break
            self.sha256.update(block)
            if self.blob_id:
                self.blob.update(block)
            remaining -= len(block)
        if self.file.seek(0, os.SEEK_END) != length:
            self.file.seek(length)
            self.file.truncate()
        self.length = length

    def write(self, chunk: bytes) -> int:
        """Append ``chunk``; a body longer than the listed size is refused at that size: no byte past
        it reaches the disk, and the download stops (``TooLong``)."""
        room = self.size - self.length
        if len(chunk) > room:
            self._append(chunk[: max(room, 0)])
            raise TooLong(self.size)
        return self._append(chunk)

    def _append(self, chunk: bytes) -> int:
        if self.length == 0 and len(self.first) < 64:
            self.first += chunk[:64]
        self.file.write(chunk)
        self.sha256.update(chunk)
        if self.blob_id:  # only files not in LFS are published by their git blob id
            self.blob.update(chunk)
        self.length += len(chunk)
        self.fetched += len(chunk)
        self.on_bytes(len(chunk))
        return len(chunk)

    def tell(self) -> int:
        return self.length

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        # Only http_get's rewind before a full download goes through here.
        if whence != os.SEEK_SET or offset > self.length:
            raise OSError("HashingWriter only rewinds")
        self._rehash(offset)
        return offset

    def truncate(self, size: int | None = None) -> int:
        self._rehash(self.length if size is None else size)
        return self.length

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()

    def looks_like_html(self) -> bool:
        return self.first.lstrip().lower().startswith(_HTML)


def _fetch_file(
    remote: RemoteFile, *, source: HubSource, commit: str, hub: Hub, token: str, folder: Path, on_bytes
) -> tuple[str, int]:
    """Fetch one file into ``folder`` (verified, then renamed into place). Returns (sha256, bytes fetched)."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    target = folder / remote.name
    partial = target.with_name(target.name + PARTIAL)
    target.parent.mkdir(parents=True, exist_ok=True)
    url = hf_hub_url(source.repo, remote.name, revision=commit, endpoint=hub.endpoint)
    try:
        with hub_requests(hub, remote.name):
            meta = get_hf_file_metadata(url, token=token or False, endpoint=hub.endpoint, timeout=hub.timeout)
    except _api_errors() as exc:
        raise _client_error(exc, source, hub, token) from exc
    if meta.commit_hash and meta.commit_hash != commit:
        raise SourceError(f"{hub.name} served {remote.name} of commit {meta.commit_hash}, not {commit}.")
    location = meta.location or url
    if not hub.allows(location):
        raise _refused_host(hub, remote.name, location)
    expected = remote.sha256 or remote.blob_id
    if remote.sha256 and meta.etag and meta.etag != remote.sha256:
        raise SourceError(
            f"{hub.name} gives two hashes for {remote.name}: {remote.sha256} in the listing, {meta.etag} "
            "in the file's headers. Nothing was downloaded."
        )
    same_host = urlsplit(location).netloc == urlsplit(hub.endpoint).netloc
    headers = build_hf_headers(token=token or False) if same_host else {}
    writer = HashingWriter(partial, remote.size, on_bytes, blob_id=not remote.sha256)
    keep_partial = False
    try:
        if writer.length > remote.size:
            writer.truncate(0)
        try:
            with hub_requests(hub, remote.name):
                http_get(location, writer, resume_size=writer.length, headers=headers,
                         expected_size=remote.size, displayed_filename=remote.name)  # fmt: skip
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise SourceError(
                    f"The disk is full: {remote.name} ({human_bytes(remote.size)}) could not be written to "
                    f"{folder}; the partial file was removed. An operator must free space there."
                ) from exc
            if writer.looks_like_html():
                raise SourceError(
                    f"{hub.name} answered an HTML page instead of {remote.name} (a login or error page?): "
                    "nothing was kept."
                ) from exc
            if "Consistency check failed" in str(exc):
                raise SourceError(
                    f"{remote.name} arrived with {writer.length} bytes, not the {remote.size} the hub announced "
                    "(a body cut short, or a listing that lies about the size): nothing was kept."
                ) from exc
            raise
        except TooLong as exc:
            raise SourceError(
                f"{hub.name} sent more than the {remote.size} bytes it lists for {remote.name} (a listing that lies "
                "about the size): the download was stopped there and nothing was kept."
            ) from exc
        except _api_errors() as exc:
            keep_partial = not writer.looks_like_html()  # a dropped connection: resume next time
            raise SourceError(f"The download of {remote.name} from {hub.name} stopped: {exc}") from exc
        sha256 = writer.sha256.hexdigest()
        got = sha256 if remote.sha256 else writer.blob.hexdigest()
        if writer.looks_like_html() and got != expected:
            raise SourceError(
                f"{hub.name} answered an HTML page instead of {remote.name} (a login or error page?): nothing was kept."
            )
        if got != expected:
            kind = "SHA-256" if remote.sha256 else "git blob id"
            raise SourceError(
                f"{remote.name} does not match what {hub.name} publishes: {kind} {got} downloaded, {expected} "
                "published. The file was deleted."
            )
        fetched = writer.fetched
    except BaseException:
        writer.close()
        if not keep_partial:
            partial.unlink(missing_ok=True)
        raise
    writer.close()
    os.replace(partial, target)
    return sha256, fetched


def _check_free_space(planned: Plan | GitPlan, folder: Path) -> None:
    """Refuse before anything downloads when the disk cannot hold what is still to fetch."""
    missing = 0
    for remote in planned.files:
        target = folder / remote.name
        if not (target.is_file() and target.stat().st_size == remote.size):
            partial = target.with_name(target.name + PARTIAL)
            missing += remote.size - (partial.stat().st_size if partial.is_file() else 0)
    existing = folder
    while not existing.exists():
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    if missing > free:
        raise SourceError(
            f"{planned.source} needs {human_bytes(missing)} more on disk and {existing} has {human_bytes(free)} "
            "free: nothing was downloaded. An operator must free space or point MODEL_CACHE_DIR elsewhere."
        )


def snapshot_folder(cache_dir: Path, source: HubSource, commit: str) -> Path:
    """``<cache>/<hub>/<Org--Name>/<commit>``; a named GGUF model has a folder of its own beside it,
    ``<commit>--<its first file, / as -->``, so two quantisations of one commit are kept, opened and
    evicted apart."""
    folder = Path(cache_dir) / source.hub / source.repo.replace("/", "--") / commit
    if source.file:
        from .gguf_format import split_set_names

        folder = folder.with_name(f"{commit}--{split_set_names(source.file)[0].replace('/', '--')}")
    return folder


def acquire(
    source: HubSource,
    *,
    hubs: dict[str, Hub],
    cache_dir: Path,
    token: str = "",
    progress: Progress | None = None,
    planned: Plan | None = None,
) -> Acquired:
    """Fetch the files of ``source`` the engine reads into ``cache_dir/<hub>/<Org--Name>/<commit>/``
    and return where, with each file's SHA-256. Files already there (only verified files get their
    final name) are not fetched again; ``progress(bytes_done, bytes_total)`` after every chunk."""
    hub = hub_for(source, hubs)
    planned = planned or plan(source, hubs=hubs, token=token)
    folder = snapshot_folder(cache_dir, source, planned.commit)
    done = 0
    total = planned.total_bytes

    def on_bytes(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done, total), total)

    _check_free_space(planned, folder)
    result = Acquired(source, planned.commit, folder)
    for remote in planned.files:
        target = folder / remote.name
        if target.is_file() and target.stat().st_size == remote.size:
            # Verified when it was fetched; the hash is recorded for the report, one read of a small
            # file or a shard already paid for.
            sha256 = remote.sha256 or sha256_file(target)
            on_bytes(remote.size)
        else:
            before = done
            partial = target.with_name(target.name + PARTIAL)
            if partial.is_file():
                on_bytes(min(partial.stat().st_size, remote.size))
            sha256, fetched = _fetch_file(
                remote, source=source, commit=planned.commit, hub=hub, token=token, folder=folder,
                on_bytes=on_bytes,
            )  # fmt: skip
            result.bytes_fetched += fetched
            done = before + remote.size
        result.files.append({"name": remote.name, "size": remote.size, "sha256": sha256})
    return result


# -- git repositories with LFS (a GitCode or GitHub repository, or a mirror) ---------------------

DEFAULT_GIT_HOSTS = "https://gitcode.com/,https://github.com/,https://gitee.com/,https://huggingface.co/"
_LFS_POINTER = re.compile(
    rb"^version https://git-lfs\.github\.com/spec/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n"
)


@dataclass(frozen=True)
class GitSource:
    url: str
    revision: str = "main"

    def __str__(self) -> str:
        return f"git+{self.url}@{self.revision}"


def git_source(*, url: str, revision: str) -> GitSource:
    """A checked GitSource: an https:// (or file://) URL and a branch, tag or commit."""
    parts = urlsplit(url)
    if (
        parts.scheme not in ("https", "file")
        or any(c.isspace() for c in url)
        or ".." in parts.path.split("/")
    ):
        raise SourceError(f"{url!r} is not a git repository address: give https://host/org/name(.git).")
    if not _REVISION.match(revision) or ".." in revision:
        raise SourceError(f"{revision!r} is not a revision: give a branch, a tag or a commit.")
    return GitSource(url, revision)


def parse_git_hosts(text: str) -> list[str]:
    """``GIT_HOSTS``: comma-separated ``https://host[/path]/`` prefixes (``file:///path/`` for a local
    mirror) → the list (empty: no git source is allowed); ValueError naming the first one that is not such an address (``ext::sh``, an
    ssh or git:// URL, a user name, a query). A prefix is a whole host and whole path segments: a
    missing trailing slash is added, so ``https://gitcode.com`` never admits ``gitcode.com.evil.example``."""
    prefixes = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        parts = urlsplit(item)
        if (
            parts.scheme not in ("https", "file")
            or (parts.scheme == "https" and not parts.hostname)
            or (parts.scheme == "file" and (parts.netloc or not parts.path.startswith("/")))
            or "@" in parts.netloc
            or parts.query
            or parts.fragment
            or any(c.isspace() for c in item)
            or ".." in parts.path.split("/")
        ):
            raise ValueError(
                f"{item!r} is not a git host prefix: give https://host/ or https://host/org/ "
                "(file:///path/ for a local mirror)"
            )
        prefixes.append(item if item.endswith("/") else item + "/")
    return prefixes


def git_allowed(source: GitSource, git_hosts: list[str]) -> None:
    """SourceError unless the URL is under one of the operator's ``GIT_HOSTS`` prefixes: the same
    scheme and host (port included), and a path that starts with the prefix's whole segments."""
    url = urlsplit(source.url)

    def under(prefix: str) -> bool:
        allowed = urlsplit(prefix if prefix.endswith("/") else prefix + "/")
        return (url.scheme, url.netloc.lower()) == (allowed.scheme, allowed.netloc.lower()) and (
            url.path + "/"
        ).startswith(allowed.path)

    if not any(under(prefix) for prefix in git_hosts):
        raise SourceError(
            f"{url.netloc or source.url} is not a git host this server may download from; "
            "an operator adds hosts with the GIT_HOSTS setting."
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
            raise SourceError(
                f"{source.url} has no revision {source.revision!r}: check the branch, tag or commit."
            )
        if args[0] == "fetch" and (
            "does not appear to be a git repository" in stderr or "not found" in stderr
        ):
            raise SourceError(f"{source.url} is not a git repository this server can read ({first}).")
        raise SourceError(f"git {args[0]} of {source} failed: {first or 'no message'}")
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
    _check_free_space(planned, folder)  # as for a hub: before anything downloads, from the pointers' sizes
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
                    raise SourceError(f"git-lfs did not fetch {name} (object {sha256}) from {source.url}.")
                if obj.stat().st_size != sizes[name]:
                    got = obj.stat().st_size
                    obj.unlink()
                    raise SourceError(
                        f"{name} has {got} bytes but its LFS pointer says {sizes[name]}: the pointer lies "
                        "about the size; nothing was kept."
                    )
                os.replace(obj, target)  # one copy on disk
                result.bytes_fetched += sizes[name]
        done += sizes[name]
        if progress is not None:
            progress(done, total)
        result.files.append({"name": name, "size": sizes[name], "sha256": sha256})
    return result
