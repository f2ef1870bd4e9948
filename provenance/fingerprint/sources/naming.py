"""Naming a source: ``hf:Org/Name@rev[:file.gguf]``, ``hub:<name>:...``, ``git+https://...@rev``; the
operator's hubs (``HUBS``) and git hosts (``GIT_HOSTS``) it must be one of; and what a report records
of a side that was downloaded. No network and no NumPy: the settings import this."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from .errors import GitHostNotAllowedError, InvalidSourceError, UnknownHubError

DEFAULT_HUBS = "huggingface=https://huggingface.co|cdn-lfs.huggingface.co|cdn-lfs-us-1.huggingface.co|cdn-lfs.hf.co|cas-bridge.xethub.hf.co"
DEFAULT_GIT_HOSTS = "https://gitcode.com/,https://github.com/,https://gitee.com/,https://huggingface.co/"
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
_REVISION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")
_GGUF_FILE = re.compile(r"^[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*\.gguf$")
HUB_TIMEOUT = 30.0
"""Seconds a hub may take to accept a connection or to send the next bytes of an answer (the
operator's ``HUB_TIMEOUT_SECONDS``): a hub that stops answering fails the call, never hangs it."""


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
        raise InvalidSourceError(part="source", value=text)
    rest, _, file = rest.partition(":")  # neither a repo ID nor a revision holds a colon
    repo, _, revision = rest.partition("@")
    return hub_source(hub=hub, repo=repo, revision=revision or "main", file=file)


def hub_source(*, hub: str, repo: str, revision: str, file: str = "") -> HubSource:
    """A checked HubSource: a hub's name, a repo ID ``Org/Name``, a branch, tag or commit, and
    optionally one ``.gguf`` file of the repository (``name.gguf`` or ``sub/name.gguf``)."""
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", hub):
        raise InvalidSourceError(part="hub", value=hub)
    if not _REPO_ID.match(repo) or ".." in repo:
        raise InvalidSourceError(part="repo", value=repo)
    if not _REVISION.match(revision) or ".." in revision:
        raise InvalidSourceError(part="revision", value=revision)
    if file and (len(file) > 300 or not _GGUF_FILE.match(file) or ".." in file):
        raise InvalidSourceError(part="file", value=file)
    return HubSource(hub, repo, revision, file)


def hub_for(source: HubSource, hubs: dict[str, Hub]) -> Hub:
    try:
        return hubs[source.hub]
    except KeyError:
        raise UnknownHubError(hub=source.hub, known=sorted(hubs)) from None


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
        raise InvalidSourceError(part="git_url", value=url)
    if not _REVISION.match(revision) or ".." in revision:
        raise InvalidSourceError(part="revision", value=revision)
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
        raise GitHostNotAllowedError(host=url.netloc or source.url)
