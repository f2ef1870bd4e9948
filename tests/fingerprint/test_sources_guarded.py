"""Every request to a hub - the repository's listing and a file's headers as well as the download and
the range reads - goes through the same host check and timeout and fails with ``SourceError`` only;
a file stops at its listed size. Against the local test hub (claims/demo/hub_server.py) and a real
socket that never answers."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from claims.demo.hub_server import HubRepo, HubServer
from provenance.fingerprint import sources
from provenance.fingerprint.remote import RangeReader
from provenance.fingerprint.sources import Hub, SourceError

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def hub():
    with HubServer() as server:
        yield server


@pytest.fixture
def silent():
    """A hub address that accepts connections (the kernel's backlog) and never answers a byte."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def _source(repo_id: str = "Org/x"):
    return sources.hub_source(hub="testhub", repo=repo_id, revision="main")


def test_a_listing_that_redirects_to_an_unlisted_host_is_refused_before_it_is_sent(hub):
    with HubServer() as canary:  # a real server on another origin, which must see no request
        hub.foreign = canary.endpoint
        hub.add(HubRepo("Org/x", {"model.safetensors": b"\0" * 16}, faults={"info_redirect"}))
        with pytest.raises(
            SourceError, match=r"testhub redirected the listing of Org/x to 127\.0\.0\.1:\d+, a host"
        ):
            sources.plan(_source(), hubs=sources.parse_hubs(hub.hubs_setting()))
        assert canary.requests == []


ODD_LISTINGS = {
    "a list": [],
    "no file name": {"sha": COMMIT, "siblings": [{"size": 1}]},
    "files as a string": {"sha": COMMIT, "siblings": "model.safetensors"},
    "lfs as a string": {"sha": COMMIT, "siblings": [{"rfilename": "model.safetensors", "lfs": "x"}]},
    "a size in words": {"sha": COMMIT, "siblings": [{"rfilename": "model.safetensors", "size": "big"}]},
    "a negative size": {"sha": COMMIT, "siblings": [{"rfilename": "model.safetensors", "size": -5}]},
    "a numeric file name": {"sha": COMMIT, "siblings": [{"rfilename": 5, "size": 1}]},
    "a numeric commit": {"sha": 12, "siblings": []},
    "a hash that is not hex": {
        "sha": COMMIT,
        "siblings": [{"rfilename": "model.safetensors", "size": 3, "lfs": {"size": 3, "sha256": "../x"}}],
    },
}


@pytest.mark.parametrize("body", ODD_LISTINGS.values(), ids=ODD_LISTINGS.keys())
def test_a_listing_in_an_odd_shape_is_one_sentence_not_a_crash(hub, body):
    hub.add(HubRepo("Org/x", {"model.safetensors": b"\0" * 16}, info_body=body))
    with pytest.raises(
        SourceError, match=r"(is not a Hugging Face-compatible hub's|did not name the commit)"
    ):
        sources.plan(_source(), hubs=sources.parse_hubs(hub.hubs_setting()))


def _timed(call) -> tuple[BaseException | None, float]:
    """Run ``call`` in a thread for at most 20 s: (what it raised, seconds taken)."""
    raised: list[BaseException | None] = [None]

    def run():
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            raised[0] = exc

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive(), "the call to a hub that never answers did not time out"
    return raised[0], time.monotonic() - started


def test_a_hub_that_never_answers_fails_the_listing_after_its_timeout(silent):
    hubs = {"testhub": Hub("testhub", silent, timeout=1)}
    raised, took = _timed(lambda: sources.plan(_source(), hubs=hubs))
    assert isinstance(raised, SourceError) and "could not be read" in str(raised), raised
    assert took < 10


def test_a_hub_that_never_answers_fails_a_range_read_after_its_timeouts(silent):
    reader = RangeReader(_source(), COMMIT, Hub("testhub", silent, timeout=1))
    raised, took = _timed(lambda: reader.read("model.safetensors", 0, 7))
    assert isinstance(raised, SourceError) and "by range stopped" in str(raised), raised
    assert took < 15


def test_the_hubs_setting_gives_every_hub_its_timeout():
    hubs = sources.parse_hubs("a=https://a.example|cdn.a.example,b=http://127.0.0.1:9", timeout=7)
    assert {hub.timeout for hub in hubs.values()} == {7}
    assert sources.parse_hubs("a=https://a.example")["a"].timeout == sources.HUB_TIMEOUT


def test_a_file_longer_than_listed_stops_at_its_listed_size(hub, tmp_path):
    """The listing says 113 bytes; the server sends 12 MB: no more than 113 bytes reach the disk."""
    big = b"\1" * (12 << 20)
    hub.add(HubRepo("Org/x", {"model.safetensors": big}, size_lie=113 - len(big)))
    on_disk = []

    def progress(done, total):
        on_disk.extend(p.stat().st_size for p in (tmp_path / "cache").rglob("*.partial"))

    with pytest.raises(SourceError, match=r"sent more than the 113 bytes"):
        sources.acquire(
            _source(),
            hubs=sources.parse_hubs(hub.hubs_setting()),
            cache_dir=tmp_path / "cache",
            progress=progress,
        )
    assert on_disk and max(on_disk) <= 113
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "text",
    ["ext::sh", "ssh://git@github.com/", "git://github.com/", "https://user@github.com/", "http://github.com/",
     "https:///org/", "https://github.com/?a=1", "file://host/srv/"],
)  # fmt: skip
def test_a_git_hosts_value_that_is_not_an_https_prefix_is_refused(text):
    with pytest.raises(ValueError, match="is not a git host prefix"):
        sources.parse_git_hosts(f"https://gitcode.com/,{text}")


def test_a_git_host_prefix_admits_its_host_only():
    hosts = sources.parse_git_hosts("https://gitcode.com, https://github.com/org")
    assert hosts == ["https://gitcode.com/", "https://github.com/org/"]
    for url in ("https://gitcode.com/org/m.git", "https://github.com/org/m.git"):
        sources.git_allowed(sources.git_source(url=url, revision="main"), hosts)
    for url in (
        "https://gitcode.com.evil.example/org/m.git",
        "https://gitcode.com:444/org/m.git",
        "https://github.com/organisation/m.git",
        "https://github.com/other/m.git",
    ):
        with pytest.raises(SourceError, match="is not a git host this server may download from"):
            sources.git_allowed(sources.git_source(url=url, revision="main"), hosts)
    # Even a prefix handed over without its slash (not through the setting) admits whole names only.
    with pytest.raises(SourceError):
        sources.git_allowed(
            sources.git_source(url="https://gitcode.com.evil.example/o/m.git", revision="main"),
            ["https://gitcode.com"],
        )
    local = Path("/srv/mirrors").as_uri() + "/"
    sources.git_allowed(
        sources.git_source(url=local + "m.git", revision="main"), sources.parse_git_hosts(local)
    )


@pytest.mark.parametrize("name", ["big.bin,model.safetensors", "model-*.safetensors", "[m]odel?.safetensors"])
def test_a_git_file_name_with_commas_or_wildcards_fetches_that_file_only(lineage_set, tmp_path, name):
    """git-lfs reads ``-I`` as comma-separated patterns: only the planned file's object may arrive."""
    from tests.fingerprint.test_sources_git import publish

    folder = tmp_path / "src"
    folder.mkdir()
    shard = (lineage_set["base"].parent / "independent").glob("*.safetensors")
    weights = next(iter(sorted(shard))).read_bytes()
    pickle = b"\x80\x04" + b"p" * 200_000
    (folder / name).write_bytes(weights)
    remote = tmp_path / "remote" / "m.git"
    remote.parent.mkdir()
    publish(
        folder, remote, extra={"big.bin": pickle, "model-1.safetensors.bin": pickle, "model1.bin": pickle}
    )
    source = sources.git_source(url=remote.as_uri(), revision="main")
    acquired = sources.acquire_git(
        source, git_hosts=[remote.parent.as_uri() + "/"], cache_dir=tmp_path / "cache"
    )
    assert [f["name"] for f in acquired.files] == [name]
    assert (acquired.folder / name).read_bytes() == weights
    fetched = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.stat().st_size >= len(pickle)]
    assert fetched == [acquired.folder / name], fetched
