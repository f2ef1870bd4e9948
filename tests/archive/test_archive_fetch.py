"""The SSRF-safe fetcher on its own (no database): every forbidden range refused separately, on the
first request and on redirects, and every fault of a hostile or broken server, against a real local
HTTP server. A name is made to resolve to a forbidden address through the resolver hook."""

from __future__ import annotations

import io

import pytest
from warcio.archiveiterator import ArchiveIterator

from claims.archive.fetch import (
    FetchFailed,
    FetchRefused,
    HostNotFound,
    NoAnswer,
    Policy,
    fetch,
    forbidden_reason,
)

# One address per forbidden range (issue 14), each refused on its own.
FORBIDDEN = {
    "loopback 127.0.0.0/8": "127.0.0.1",
    "loopback, not .1": "127.45.6.7",
    "private 10/8": "10.1.2.3",
    "private 172.16/12": "172.20.0.5",
    "private 192.168/16": "192.168.1.1",
    "cloud metadata 169.254.169.254": "169.254.169.254",
    "link-local 169.254/16": "169.254.10.20",
    "carrier-grade NAT 100.64/10": "100.64.0.1",
    "unspecified 0.0.0.0": "0.0.0.0",
    "this network 0/8": "0.1.2.3",
    "multicast 224/4": "224.0.0.251",
    "reserved 240/4": "240.0.0.1",
    "broadcast": "255.255.255.255",
    "documentation 192.0.2/24": "192.0.2.10",
    "benchmarking 198.18/15": "198.18.0.1",
    "IPv6 loopback ::1": "::1",
    "IPv6 unspecified ::": "::",
    "IPv6 unique-local fc00::/7": "fd12:3456::1",
    "IPv6 link-local fe80::/10": "fe80::1",
    "IPv6 multicast ff00::/8": "ff02::1",
    "IPv6 site-local fec0::/10": "fec0::1",
    "IPv4-mapped ::ffff:127.0.0.1": "::ffff:127.0.0.1",
    "IPv4-mapped metadata": "::ffff:169.254.169.254",
    "NAT64 of a private address": "64:ff9b::a00:1",
    "6to4 of loopback": "2002:7f00:1::1",
    "Teredo": "2001:0:4136:e378::1",
    "IPv6 documentation": "2001:db8::1",
}


def resolving_to(address: str):
    return lambda host, port: [address]


@pytest.mark.parametrize("address", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_a_name_resolving_to_a_forbidden_address_is_refused(address):
    policy = Policy(resolver=resolving_to(address))
    with pytest.raises(FetchRefused, match="non-public|not a public|not a globally") as refused:
        fetch("https://innocent.example/paper", policy=policy)
    assert address.split(":")[-1] in str(refused.value) or "::" in address


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "169.254.169.254", "10.0.0.1", "[::1]", "[::ffff:127.0.0.1]"]
)
def test_a_forbidden_address_written_in_the_url_is_refused(address):
    with pytest.raises(FetchRefused):
        fetch(f"http://{address}/", policy=Policy(resolver=resolving_to("93.184.216.34")))


def test_one_forbidden_address_among_public_ones_is_enough_to_refuse():
    policy = Policy(resolver=lambda host, port: ["93.184.216.34", "10.0.0.1"])
    with pytest.raises(FetchRefused, match="10.0.0.1"):
        fetch("https://rebinding.example/", policy=policy)


def test_public_addresses_pass():
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert forbidden_reason(address) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/file",
        "file:///etc/passwd",
        "gopher://example.org/",
        "javascript:alert(1)",
        "example.org",
    ],
)
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchRefused, match="Only http and https"):
        fetch(url, policy=Policy(resolver=resolving_to("93.184.216.34")))


@pytest.mark.parametrize(
    "url", ["http://", "http://exa mple.org:99999/", "https://[::1/", "http://user:pw@example.org/"]
)
def test_an_invalid_url_is_refused_with_a_sentence(url):
    with pytest.raises(FetchRefused) as refused:
        fetch(url, policy=Policy(resolver=resolving_to("93.184.216.34")))
    assert str(refused.value).endswith(".")


def test_a_host_that_does_not_resolve_fails_as_host_not_found():
    with pytest.raises(HostNotFound, match="does not resolve"):
        fetch("http://no-such-host.invalid/", policy=Policy())


def test_no_answer_is_told_apart_from_an_answer_and_from_a_refusal(source_server):
    """The watch may count a silence towards "removed" only over days; a refusal or a broken
    answer never: so a closed port and an unknown name are ``NoAnswer``, the others not."""
    import socket

    with socket.socket() as closed:  # a port nothing listens on: the connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    policy = Policy(deadline_seconds=2, allow=frozenset({f"127.0.0.1:{port}", source_server.host}))
    with pytest.raises(NoAnswer, match="Could not fetch"):
        fetch(f"http://127.0.0.1:{port}/", policy=policy)
    with pytest.raises(NoAnswer):
        fetch("http://no-such-host.invalid/", policy=policy)
    for path in ("/wrong-length", "/redirect-to-loopback"):
        with pytest.raises(FetchFailed) as failure:
            fetch(source_server.url(path), policy=policy)
        assert not isinstance(failure.value, NoAnswer)
    assert fetch(source_server.url("/missing"), policy=policy).status == 404


def test_the_test_allowance_admits_only_its_host_and_port(source_server, policy):
    result = fetch(source_server.url("/statement"), policy=policy)
    assert result.status == 200
    other_port = f"http://127.0.0.1:{source_server.port + 1}/"
    with pytest.raises(FetchRefused, match="127.0.0.0/8"):
        fetch(other_port, policy=policy)


def test_no_cookie_or_credentials_are_sent(source_server, policy):
    fetch(source_server.url("/statement"), policy=policy, headers=[("Cookie", "a=b"), ("Authorization", "x")])
    fetch(source_server.url("/statement"), policy=policy)  # after a Set-Cookie answer
    for _path, headers in source_server.requests[-2:]:
        assert not {"Cookie", "Authorization"} & set(headers)


@pytest.mark.parametrize(
    ("path", "refused"),
    [("/redirect-to-loopback", "127.0.0.1"), ("/redirect-to-metadata", "169.254.169.254")],
)
def test_a_redirect_to_a_forbidden_address_is_refused(source_server, policy, path, refused):
    with pytest.raises(FetchRefused, match=refused):
        fetch(source_server.url(path), policy=policy)


def test_an_endless_redirect_loop_is_refused(source_server, policy):
    with pytest.raises(FetchRefused, match="redirect loop"):
        fetch(source_server.url("/loop-a"), policy=policy)


def test_too_many_redirects_are_refused(source_server, policy):
    with pytest.raises(FetchRefused, match="More than 5 redirects"):
        fetch(source_server.url("/chain/1"), policy=policy)


def test_a_body_announcing_five_gigabytes_is_refused_before_reading(source_server, policy):
    with pytest.raises(FetchRefused, match="announces 5,368,709,120 bytes"):
        fetch(source_server.url("/five-gigabytes"), policy=policy)


def test_a_body_that_never_ends_hits_the_size_cap(source_server, policy):
    with pytest.raises(FetchRefused, match="more than the archive's cap of 1,048,576 bytes"):
        fetch(source_server.url("/endless"), policy=policy)


def test_a_page_that_never_finishes_hits_the_total_deadline(source_server):
    # Bytes keep coming (a socket timeout alone would never fire): the total deadline stops it.
    policy = Policy(deadline_seconds=1.5, allow=frozenset({source_server.host}))
    with pytest.raises(FetchFailed, match="within 1.5 seconds"):
        fetch(source_server.url("/never-finishes"), policy=policy)


def test_a_wrong_content_length_fails(source_server, policy):
    with pytest.raises(FetchFailed, match="Content-Length"):
        fetch(source_server.url("/wrong-length"), policy=policy)


def test_redirects_are_followed_and_recorded_in_the_warc(source_server, policy):
    result = fetch(source_server.url("/redirect-to-statement"), policy=policy)
    assert result.final_url == source_server.url("/statement")
    records = [
        (record.rec_type, record.rec_headers.get_header("WARC-Target-URI"))
        for record in ArchiveIterator(io.BytesIO(result.warc()))
    ]
    # warcio writes each pair response first, then its request (linked by WARC-Concurrent-To).
    assert records == [
        ("response", source_server.url("/redirect-to-statement")),
        ("request", source_server.url("/redirect-to-statement")),
        ("response", source_server.url("/statement")),
        ("request", source_server.url("/statement")),
    ]
    bodies = {
        record.http_headers.get_statuscode(): record.content_stream().read()
        for record in ArchiveIterator(io.BytesIO(result.warc()))
        if record.rec_type == "response"
    }
    assert b"Statement on the model" in bodies["200"]
    assert bodies["302"] == b""
