"""SSRF-safe HTTP fetching of URLs that editors type, recorded as WARC. Plain Python, no Django.

The rules (docs/editors.md, "Source archiving"):

* only ``http`` and ``https`` URLs, with a host, no user name or password in them;
* the host is resolved **once** per request and the connection is made to that address (the TLS
  handshake still names the host, and so does the ``Host`` header): no second DNS lookup that a
  rebinding name could answer differently;
* every address the name resolves to must be public (``forbidden_reason``): loopback, private,
  link-local (169.254.169.254 included), multicast, reserved, unspecified, shared (100.64/10),
  documentation and benchmark ranges, IPv4-mapped/compatible IPv6, 6to4/Teredo/NAT64 wrappers, site-local
  and unique-local IPv6 are refused;
* the same checks on every redirect, followed by our own loop (at most ``max_redirects``);
* a size cap on each body and a total deadline for the whole fetch (not just a socket timeout);
* no cookies, no credentials, no ``Authorization``/``Proxy-*`` header, no proxy from the environment.

Tests reach their local server through ``Policy.allow``: ``host:port`` pairs that may resolve to a
forbidden address (only the test settings fill it), and make names resolve to forbidden addresses
through ``Policy.resolver``.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

USER_AGENT = "ProvenanceArchiver/1.0 (+source archiving of a provenance knowledge base)"
REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
_HOST_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*")

# Ranges refused on top of what ``ipaddress`` flags (some flags differ between Python versions).
FORBIDDEN_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT (shared address space)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved
        "255.255.255.255/32",
        "::/128",
        "::1/128",
        "::ffff:0:0/96",  # IPv4-mapped
        "::/96",  # IPv4-compatible (deprecated)
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",
        "100::/64",  # discard
        "2001::/32",  # Teredo
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)


class FetchFailed(Exception):
    """The fetch did not succeed. ``str()`` is one sentence for an editor."""


class FetchRefused(FetchFailed):
    """The fetch was refused by a rule (scheme, address, size, redirects)."""


class NoAnswer(FetchFailed):
    """No HTTP answer came back: the name did not resolve, or no connection could be made, or
    the server said nothing before the deadline. On its own this says nothing about the source:
    this machine may be offline (``claims.pipeline.captures.watch`` decides what repeated ones mean)."""


class HostNotFound(NoAnswer):
    """The name does not resolve (the host is gone, never existed, or this machine has no DNS)."""


def forbidden_reason(address: str) -> str | None:
    """Why ``address`` may not be fetched, or None for a public unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"“{address}” is not an IP address"
    for net in FORBIDDEN_NETWORKS:
        if ip.version == net.version and ip in net:
            return f"{ip} is in the non-public range {net}"
    flags = ("is_loopback", "is_private", "is_link_local", "is_multicast", "is_reserved", "is_unspecified")
    for flag in flags:
        if getattr(ip, flag):
            return f"{ip} is not a public address ({flag[3:].replace('_', '-')})"
    if not ip.is_global:
        return f"{ip} is not a globally routable address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise HostNotFound(f"The host “{host}” does not resolve ({exc}).") from None
    return [info[4][0] for info in infos]


@dataclass
class Policy:
    max_bytes: int = 50 * 1024 * 1024
    deadline_seconds: float = 60.0
    max_redirects: int = 10
    # A capture's budget: the bytes of every body a page loads, the document's included (0: none).
    max_capture_bytes: int = 0
    # ``host:port`` pairs that may resolve to a forbidden address: test settings only.
    allow: frozenset[str] = frozenset()
    resolver: Callable[[str, int], list[str]] = system_resolver


@dataclass
class Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str
    address: str


def check_url(url: str, policy: Policy) -> Target:
    """Parse ``url``, resolve its host once and check every address: the address to connect to."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(f"“{url}” is not a valid URL ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"Only http and https URLs are archived, not “{scheme or 'no scheme'}:”.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(f"“{url}” has no host name.")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("URLs with a user name or password are not archived (no credentials are sent).")
    port = port or (443 if scheme == "https" else 80)
    try:
        addresses = [str(ipaddress.ip_address(host))]  # a literal address: no lookup
    except ValueError:
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_host = ""
        if not _HOST_NAME.fullmatch(ascii_host):
            raise FetchRefused(f"“{host}” is not a valid host name.") from None
        addresses = policy.resolver(ascii_host, port)
    if not addresses:
        raise HostNotFound(f"The host “{host}” does not resolve.")
    allowed = f"{host}:{port}" in policy.allow
    for address in addresses:
        reason = forbidden_reason(address)
        if reason and not allowed:
            raise FetchRefused(f"Refused to fetch {scheme}://{host}:{port}/: {reason}.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(url=url, scheme=scheme, host=host, port=port, path=path, address=addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address resolved and checked before; ``host`` stays the name (Host header)."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Exchange:
    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    request_headers: list[tuple[str, str]]
    address: str
    fetched_at: datetime

    def header(self, name: str) -> str:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), "")


@dataclass
class FetchResult:
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def final(self) -> Exchange:
        return self.exchanges[-1]

    @property
    def final_url(self) -> str:
        return self.final.url

    @property
    def status(self) -> int:
        return self.final.status

    @property
    def body(self) -> bytes:
        return self.final.body

    @property
    def content_type(self) -> str:
        return self.final.header("content-type").split(";", 1)[0].strip().lower()

    def warc(self) -> bytes:
        """Every exchange (redirects included) as a gzipped WARC: request and response records."""
        buffer = io.BytesIO()
        stream = WarcStream(buffer)
        for exchange in self.exchanges:
            stream.add(exchange)
        return buffer.getvalue()


class WarcStream:
    """A gzipped WARC written as the exchanges arrive, into ``out`` (a file on disk for a capture:
    what a page loads is written there and dropped, never all held in memory)."""

    def __init__(self, out) -> None:
        self.out = out
        self.writer = WARCWriter(out, gzip=True)

    def add(self, exchange: Exchange) -> None:
        """The exchange's request and response records."""
        writer = self.writer
        date = exchange.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        target = urlsplit(exchange.url)
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(
                f"GET {path} HTTP/1.1", exchange.request_headers, is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": exchange.address},
        )
        # The body as received after de-chunking: Transfer-Encoding no longer applies to it.
        headers = [(k, v) for k, v in exchange.headers if k.lower() != "transfer-encoding"]
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            http_headers=StatusAndHeaders(
                f"{exchange.status} {exchange.reason}", headers, protocol="HTTP/1.1"
            ),
            warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": exchange.address},
        )
        writer.write_request_response_pair(request, response)


def _read_body(
    response: http.client.HTTPResponse, sock: socket.socket, *, policy: Policy, deadline: float, url: str
) -> bytes:
    declared = response.getheader("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchRefused(
            f"{url} announces {int(declared):,} bytes, more than the archive's cap of {policy.max_bytes:,} bytes."
        )
    chunks = []
    total = 0
    while True:
        _check_deadline(deadline, policy)
        sock.settimeout(max(0.05, deadline - time.monotonic()))  # each read waits at most until the deadline
        try:
            chunk = response.read1(_CHUNK)
        except http.client.IncompleteRead as exc:
            received = total + len(exc.partial)
            raise FetchFailed(
                f"{url} ended early, after {received:,} bytes"
                + (
                    f" of the {int(declared):,} it announced (a wrong Content-Length)."
                    if declared and declared.isdigit()
                    else "."
                )
            ) from None
        except TimeoutError:
            _check_deadline(0, policy)
        if not chunk:
            break
        total += len(chunk)
        if total > policy.max_bytes:
            raise FetchRefused(f"{url} sent more than the archive's cap of {policy.max_bytes:,} bytes.")
        chunks.append(chunk)
    if declared and declared.isdigit() and total != int(declared):
        raise FetchFailed(
            f"{url} sent {total:,} bytes but announced {int(declared):,} (a wrong Content-Length)."
        )
    return b"".join(chunks)


def _check_deadline(deadline: float, policy: Policy) -> None:
    if time.monotonic() >= deadline:
        raise FetchFailed(f"The source did not answer completely within {policy.deadline_seconds:g} seconds.")


def _no_answer_in_time(policy: Policy) -> str:
    return f"The source did not answer within {policy.deadline_seconds:g} seconds."


def fetch(
    url: str,
    *,
    policy: Policy,
    headers: Iterable[tuple[str, str]] = (),
    deadline: float | None = None,
) -> FetchResult:
    """GET ``url`` under ``policy``, following redirects ourselves. Raises ``FetchFailed`` (or a
    subclass) with one sentence; returns every exchange otherwise (any final status: 404 included)."""
    deadline = deadline if deadline is not None else time.monotonic() + policy.deadline_seconds
    extra = [
        (k, v)
        for k, v in headers
        if k.lower() not in {"cookie", "authorization"} and not k.lower().startswith("proxy-")
    ]
    result = FetchResult()
    seen = set()
    current = url
    while True:
        target = check_url(current, policy)
        _check_deadline(deadline, policy)
        timeout = max(0.05, deadline - time.monotonic())
        connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(target, timeout)
        request_headers = [
            ("Host", target.host if target.port in (80, 443) else f"{target.host}:{target.port}"),
            ("User-Agent", USER_AGENT),
            ("Accept", "*/*"),
            ("Accept-Encoding", "identity"),
            ("Connection", "close"),
            *extra,
        ]
        response = None
        try:
            connection.putrequest("GET", target.path, skip_host=True, skip_accept_encoding=True)
            for name, value in request_headers:
                connection.putheader(name, value)
            connection.endheaders()
            sock = connection.sock  # getresponse() hands it to the response on "Connection: close"
            response = connection.getresponse()
            fetched_at = datetime.now(UTC)
            body = _read_body(response, sock, policy=policy, deadline=deadline, url=current)
        except FetchFailed:
            raise
        except TimeoutError:
            if response is None:
                raise NoAnswer(_no_answer_in_time(policy)) from None
            _check_deadline(0, policy)
            raise  # unreachable: _check_deadline(0, ...) raises
        except ssl.SSLError as exc:
            raise FetchFailed(f"The TLS connection to {target.host} failed ({exc.reason or exc}).") from None
        except (OSError, http.client.HTTPException) as exc:
            if time.monotonic() >= deadline:
                if response is None:
                    raise NoAnswer(_no_answer_in_time(policy)) from None
                _check_deadline(deadline, policy)
            failure = NoAnswer if response is None and isinstance(exc, OSError) else FetchFailed
            raise failure(
                f"Could not fetch {current}: {exc.__class__.__name__} {exc}".rstrip() + "."
            ) from None
        finally:
            connection.close()
        exchange = Exchange(
            url=current,
            status=response.status,
            reason=response.reason or "",
            headers=list(response.getheaders()),
            body=body,
            request_headers=request_headers,
            address=target.address,
            fetched_at=fetched_at,
        )
        result.exchanges.append(exchange)
        location = exchange.header("location")
        if exchange.status not in REDIRECTS or not location:
            return result
        seen.add(current)
        current = urljoin(current, location.strip())
        if current in seen:
            raise FetchRefused(f"Endless redirect loop: {current} redirects back to itself.")
        if len(result.exchanges) > policy.max_redirects:
            raise FetchRefused(f"More than {policy.max_redirects} redirects, starting at {url}.")
