"""Acquiring a source from a Hugging Face-compatible hub through the unmodified ``huggingface_hub``
client: every request checked against the hub's hosts (``hub_requests``), the revision resolved and
the files listed (``plan``), each file streamed through a ``HashingWriter`` and verified against the
published hash (``acquire``). The client's exceptions become typed ``SourceError``s here
(``client_error``)."""

from __future__ import annotations

import contextvars
import errno
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..hashing import sha256_file
from . import errors
from .errors import SourceError
from .naming import Hub, HubSource, hub_for
from .selection import select_files
from .verification import PARTIAL, Acquired, HashingWriter, Progress, RemoteFile, TooLong, check_free_space


def _refused_host(hub: Hub, what: str, url: str) -> SourceError:
    return errors.RedirectRefusedError(hub=hub.name, what=what, host=urlsplit(url).netloc)


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


def client_error(exc: Exception, source: HubSource, hub: Hub, token: str) -> SourceError:
    """The client's exception as the engine's (``errors``), naming the repository and the hub."""
    from huggingface_hub import errors as hf

    where = f"{source.repo} on {hub.name} ({hub.endpoint})"
    if isinstance(exc, hf.GatedRepoError):
        return errors.GatedRepoError(where=where)
    if isinstance(exc, hf.RevisionNotFoundError):
        return errors.RevisionNotFoundError(where=where, revision=source.revision)
    if isinstance(exc, hf.RemoteEntryNotFoundError):
        return errors.EntryNotFoundError(where=where, detail=str(exc))
    if isinstance(exc, hf.RepositoryNotFoundError):
        return errors.RepositoryNotFoundError(where=where, hint_token=not token)
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(exc, hf.HfHubHTTPError) and status in (401, 403):
        return errors.AccessDeniedError(where=where, status=status)
    return errors.HubUnreadableError(where=where, detail=f"{type(exc).__name__}: {exc}")


def api_errors():
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


@dataclass
class Plan:
    source: HubSource
    commit: str
    files: list[RemoteFile]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


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
    except api_errors() as exc:
        raise client_error(exc, source, hub, token) from exc
    except _ODD as exc:
        raise errors.NotAHubError(
            endpoint=hub.endpoint, source=str(source), problem="json", detail=f"{type(exc).__name__}: {exc}"
        ) from exc
    return Plan(source, commit, sorted(files, key=lambda f: f.name))


def _listing(info, source: HubSource, hub: Hub) -> tuple[str, list[RemoteFile]]:
    """The commit and the wanted files of a repository's listing; TypeError or ValueError (see
    ``_ODD``) where a field is not of the hub API's type."""
    if not isinstance(info.sha, str) or not re.fullmatch(r"[0-9a-f]{40}", info.sha):
        raise errors.NotAHubError(endpoint=hub.endpoint, source=str(source), problem="commit")
    siblings = list(info.siblings or [])
    names = [sib.rfilename for sib in siblings]
    if not all(isinstance(name, str) for name in names):
        raise TypeError("a file name is not a string")
    chosen = set(select_files(names, source))
    files = []
    for s in (sib for sib in siblings if sib.rfilename in chosen):
        size = s.lfs.size if s.lfs else s.size
        if size is None:
            raise errors.NotAHubError(
                endpoint=hub.endpoint, source=str(source), problem="size", file=s.rfilename
            )
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


def fetch_file(
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
    except api_errors() as exc:
        raise client_error(exc, source, hub, token) from exc
    if meta.commit_hash and meta.commit_hash != commit:
        raise errors.WrongCommitError(hub=hub.name, file=remote.name, served=meta.commit_hash, commit=commit)
    location = meta.location or url
    if not hub.allows(location):
        raise _refused_host(hub, remote.name, location)
    expected = remote.sha256 or remote.blob_id
    if remote.sha256 and meta.etag and meta.etag != remote.sha256:
        raise errors.ConflictingHashesError(
            hub=hub.name, file=remote.name, listed=remote.sha256, header=meta.etag
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
                raise errors.DiskFullError(file=remote.name, size=remote.size, folder=str(folder)) from exc
            if writer.looks_like_html():
                raise errors.HtmlAnswerError(hub=hub.name, file=remote.name) from exc
            if "Consistency check failed" in str(exc):
                raise errors.SizeMismatchError(
                    file=remote.name, size=remote.size, how="short", got=writer.length
                ) from exc
            raise
        except TooLong as exc:
            raise errors.SizeMismatchError(
                file=remote.name, size=remote.size, how="long", hub=hub.name
            ) from exc
        except api_errors() as exc:
            keep_partial = not writer.looks_like_html()  # a dropped connection: resume next time
            raise errors.DownloadInterruptedError(hub=hub.name, file=remote.name, detail=str(exc)) from exc
        sha256 = writer.sha256.hexdigest()
        got = sha256 if remote.sha256 else writer.blob.hexdigest()
        if writer.looks_like_html() and got != expected:
            raise errors.HtmlAnswerError(hub=hub.name, file=remote.name)
        if got != expected:
            kind = "SHA-256" if remote.sha256 else "git blob id"
            raise errors.HashMismatchError(
                hub=hub.name, file=remote.name, kind=kind, got=got, expected=expected
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


def snapshot_folder(cache_dir: Path, source: HubSource, commit: str) -> Path:
    """``<cache>/<hub>/<Org--Name>/<commit>``; a named GGUF model has a folder of its own beside it,
    ``<commit>--<its first file, / as -->``, so two quantisations of one commit are kept, opened and
    evicted apart."""
    folder = Path(cache_dir) / source.hub / source.repo.replace("/", "--") / commit
    if source.file:
        from ..gguf_format import split_set_names

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

    check_free_space(planned, folder)
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
            sha256, fetched = fetch_file(
                remote, source=source, commit=planned.commit, hub=hub, token=token, folder=folder,
                on_bytes=on_bytes,
            )  # fmt: skip
            result.bytes_fetched += fetched
            done = before + remote.size
        result.files.append({"name": remote.name, "size": remote.size, "sha256": sha256})
    return result
