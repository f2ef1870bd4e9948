"""A local Hugging Face-compatible hub: a real HTTP server on 127.0.0.1, in a thread. The tests talk
to it with the unmodified ``huggingface_hub`` client (with faults switched on per repository), and
``make run`` serves the demo's synthetic checkpoints through it (``manage.py serve_demo_hub``), so an
editor can try "Add checkpoint from a hub" without the internet. No Django here.

It answers the calls ``huggingface_hub`` makes (read in its source, version 2.4):

* ``GET /api/models/{org}/{name}/revision/{rev}?blobs=true`` - the repo info: the commit (``sha``)
  and the files (``siblings``: name, size, git blob id, and for LFS files ``lfs.sha256``/``size``);
* ``HEAD|GET /{org}/{name}/resolve/{rev}/{file}`` - a small file is answered directly (``ETag`` =
  its git blob id, ``X-Repo-Commit``); an LFS file (the shards) is a 302 to ``http://localhost:
  {port}/lfs/{sha256}`` - another origin, as the real hub sends LFS files to a CDN - carrying
  ``X-Linked-Etag`` (the SHA-256) and ``X-Linked-Size``;
* ``GET /lfs/{sha256}`` with ``Range: bytes=N-`` and ``bytes=N-M`` support (206 and ``Content-Range``).

Errors carry ``X-Error-Code`` as the hub does (RepoNotFound, RevisionNotFound, GatedRepo).
``HubRepo.faults`` switches on a fault per repository: see ``FAULTS``; ``HubRepo.size_lie`` makes
the listing and the LFS headers announce a wrong size.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

FAULTS = {
    "gated": "every call answers 401 GatedRepo (403 with 'gated403')",
    "gated403": "every call answers 403 GatedRepo",
    "html": "LFS files are answered with an HTML login page (200, text/html)",
    "short": "LFS files are answered with half their bytes and an honest Content-Length",
    "drop_once": "the first GET of each LFS file sends half its bytes and closes the connection",
    "corrupt": "LFS files are served with one byte changed (size unchanged)",
    "corrupt_tail": "LFS files are served with their last byte changed (the header intact)",
    "foreign_redirect": "LFS files redirect to https://evil.example/",
    "slow": "LFS files are sent in 64 KB pieces about 2 MB/s, so a worker can be killed mid-download",
    "no_ranges": "LFS files ignore Range headers: always 200 with the whole file",
    "tamper_ranges": "a Range request for LFS bytes after byte 0 is answered with its first byte changed",
    "second_hop": "LFS files redirect to localhost (a listed host), which redirects again to evil.example",
    "info_redirect": "the repo info redirects to HubServer.foreign (https://evil.example unless a test sets it)",
}
_HTML_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Log in to continue</body></html>"


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


@dataclass
class HubRepo:
    repo_id: str
    files: dict[str, bytes]
    commit: str = ""
    branches: dict[str, str] = field(default_factory=dict)
    faults: set[str] = field(default_factory=set)
    size_lie: int = 0  # added to the size of every LFS file in the listing and the headers
    info_body: object = None  # when set, the repo info answers this JSON instead (a hub answering oddly)

    def __post_init__(self) -> None:
        digest = hashlib.sha1(self.repo_id.encode(), usedforsecurity=False)
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + self.files[name])
        self.commit = self.commit or digest.hexdigest()
        self.branches = self.branches or {"main": self.commit}

    @classmethod
    def from_folder(cls, repo_id: str, folder: Path, **kwargs) -> HubRepo:
        files = {
            p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
        }
        return cls(repo_id, files, **kwargs)

    def is_lfs(self, name: str) -> bool:
        return name.endswith((".safetensors", ".gguf", ".bin", ".pt", ".pth"))

    def commit_of(self, revision: str) -> str | None:
        if revision in self.branches:
            return self.branches[revision]
        return self.commit if revision == self.commit else None


class HubServer:
    """``with HubServer() as hub: hub.add(HubRepo(...)); hub.endpoint`` → ``http://127.0.0.1:<port>``."""

    def __init__(self, port: int = 0) -> None:
        self.repos: dict[str, HubRepo] = {}
        self.lfs: dict[str, tuple[HubRepo, bytes]] = {}
        self.bytes_served = 0
        self.foreign = "https://evil.example"  # where the redirect faults point ("info_redirect")
        self.requests: list[tuple[str, str]] = []
        self._dropped: set[str] = set()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def add(self, repo: HubRepo) -> HubRepo:
        self.repos[repo.repo_id] = repo
        for name, data in repo.files.items():
            if repo.is_lfs(name):
                self.lfs[hashlib.sha256(data).hexdigest()] = (repo, data)
        return repo

    def hubs_setting(self, name: str = "testhub") -> str:
        """The HUBS value naming this server (its LFS redirects go to ``localhost``)."""
        return f"{name}={self.endpoint}|localhost"

    def __enter__(self) -> HubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _count(self, n: int) -> None:
        with self._lock:
            self.bytes_served += n

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes: without this, Nagle's algorithm holds the
            # body back until the client's delayed ACK (40 ms a request), as no real hub does.
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_HEAD(self) -> None:
                self._route(body=False)

            def do_GET(self) -> None:
                self._route(body=True)

            # -- answers ------------------------------------------------------------------------
            def _send(self, status: int, headers: dict, data: bytes = b"", *, body: bool = True) -> None:
                self.send_response(status)
                headers = {"Content-Length": str(len(data)), **headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if body and data:
                    self.wfile.write(data)
                    server._count(len(data))

            def _error(self, status: int, code: str, message: str, body: bool) -> None:
                data = json.dumps({"error": message}).encode()
                headers = {
                    "Content-Type": "application/json",
                    "X-Error-Code": code,
                    "X-Error-Message": message,
                }
                self._send(status, headers, data, body=body)

            def _route(self, *, body: bool) -> None:
                path = unquote(urlsplit(self.path).path)
                server.requests.append((self.command, path))
                if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)/revision/(.+)", path):
                    return self._info(m[1], m[2], body)
                if m := re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path):
                    return self._resolve(m[1], m[2], m[3], body)
                if m := re.fullmatch(r"/lfs/([0-9a-f]{64})", path):
                    return self._lfs(m[1], body)
                return self._error(404, "EntryNotFound", "Not found", body)

            def _repo(self, repo_id: str, revision: str, body: bool) -> tuple[HubRepo, str] | None:
                repo = server.repos.get(repo_id)
                if repo is None:
                    self._error(401, "RepoNotFound", "Repository not found", body)
                    return None
                if {"gated", "gated403"} & repo.faults and "authorization" not in {
                    k.lower() for k in self.headers
                }:
                    status = 403 if "gated403" in repo.faults else 401
                    self._error(status, "GatedRepo", f"Access to model {repo_id} is restricted.", body)
                    return None
                commit = repo.commit_of(revision)
                if commit is None:
                    self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", body)
                    return None
                return repo, commit

            def _info(self, repo_id: str, revision: str, body: bool) -> None:
                found = self._repo(repo_id, revision, body)
                if found is None:
                    return
                repo, commit = found
                if "info_redirect" in repo.faults:
                    return self._send(302, {"Location": f"{server.foreign}{self.path}"}, body=body)
                if repo.info_body is not None:
                    data = json.dumps(repo.info_body).encode()
                    return self._send(200, {"Content-Type": "application/json"}, data, body=body)
                siblings = []
                for name, data in sorted(repo.files.items()):
                    entry = {"rfilename": name, "size": len(data), "blobId": git_blob_id(data)}
                    if repo.is_lfs(name):
                        sha = hashlib.sha256(data).hexdigest()
                        entry["lfs"] = {"size": len(data) + repo.size_lie, "sha256": sha, "pointerSize": 134}
                        entry["size"] = len(data) + repo.size_lie
                    siblings.append(entry)
                data = json.dumps(
                    {"id": repo_id, "modelId": repo_id, "sha": commit, "siblings": siblings}
                ).encode()
                self._send(200, {"Content-Type": "application/json"}, data, body=body)

            def _resolve(self, repo_id: str, revision: str, name: str, body: bool) -> None:
                found = self._repo(repo_id, revision, body)
                if found is None:
                    return
                repo, commit = found
                data = repo.files.get(name)
                if data is None:
                    return self._error(404, "EntryNotFound", f"{name} not found", body)
                if repo.is_lfs(name):
                    sha = hashlib.sha256(data).hexdigest()
                    if "foreign_redirect" in repo.faults:
                        location = f"https://evil.example/lfs/{sha}"
                    else:
                        location = f"http://localhost:{server.port}/lfs/{sha}"
                    headers = {
                        "Location": location,
                        "X-Repo-Commit": commit,
                        "ETag": f'"{git_blob_id(data)}"',
                        "X-Linked-Etag": f'"{sha}"',
                        "X-Linked-Size": str(len(data) + repo.size_lie),
                    }
                    return self._send(302, headers, body=body)
                headers = {
                    "X-Repo-Commit": commit,
                    "ETag": f'"{git_blob_id(data)}"',
                    "Accept-Ranges": "bytes",
                }
                return self._send(200, headers, data, body=body)

            def _lfs(self, sha: str, body: bool) -> None:
                if sha not in server.lfs:
                    return self._error(404, "EntryNotFound", "no such object", body)
                repo, data = server.lfs[sha]
                if "second_hop" in repo.faults:
                    return self._send(
                        302, {"Location": f"http://evil.example:{server.port}/lfs/{sha}"}, body=body
                    )
                if "html" in repo.faults:
                    return self._send(200, {"Content-Type": "text/html"}, _HTML_PAGE, body=body)
                if "corrupt" in repo.faults:
                    data = bytes([data[0] ^ 0xFF]) + data[1:]
                if "corrupt_tail" in repo.faults:
                    data = data[:-1] + bytes([data[-1] ^ 0xFF])
                start, end = 0, len(data) - 1
                ranged = "no_ranges" not in repo.faults
                if ranged and (m := re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))):
                    start, end = int(m[1]), min(int(m[2] or end), end)
                part = data[start : end + 1]
                if "tamper_ranges" in repo.faults and start and part:
                    part = bytes([part[0] ^ 0x01]) + part[1:]
                headers = {
                    "Content-Type": "application/octet-stream",
                    "Accept-Ranges": "bytes",
                    "ETag": f'"{sha}"',
                }
                status = 200
                if start or end < len(data) - 1:
                    status = 206
                    headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
                if "short" in repo.faults and body:
                    return self._send(status, headers, part[: len(part) // 2])
                if "drop_once" in repo.faults and body and sha not in server._dropped:
                    server._dropped.add(sha)
                    self.send_response(status)
                    for k, v in {**headers, "Content-Length": str(len(part))}.items():
                        self.send_header(k, v)
                    self.end_headers()
                    half = part[: len(part) // 2]
                    self.wfile.write(half)
                    server._count(len(half))
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                if "slow" in repo.faults and body:
                    self.send_response(status)
                    for k, v in {**headers, "Content-Length": str(len(part))}.items():
                        self.send_header(k, v)
                    self.end_headers()
                    for i in range(0, len(part), 65536):
                        try:
                            self.wfile.write(part[i : i + 65536])
                            self.wfile.flush()
                        except OSError:  # the client went away (a killed worker)
                            self.close_connection = True
                            return None
                        server._count(len(part[i : i + 65536]))
                        time.sleep(0.03)
                    return None
                return self._send(status, headers, part, body=body)

        return Handler
