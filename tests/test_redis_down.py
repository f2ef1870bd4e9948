"""Redis down: pages and API reads are still served, throttling goes per process, with a warning
(provenance/cache.py; issue 22, item 21).

A real Redis server, started here on a free port and stopped mid-test (never the shared one on
6379). With Django's own Redis backend every anonymous page (even /robots.txt) and API read was a
500 while the page cache or the throttle cache was unreachable.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis

from claims.services import content_changed
from tests.api.conftest import World, _fresh_throttle_counts, set_rates  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
READS = ["/", "/robots.txt", "/disputes/", "/disputes/case-0/", "/claims/claim-0/card.png", "/api/v1/claims/"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def keys(self, db: int) -> list[bytes]:
        return redis.Redis(port=self.port, db=db).keys("*")


@pytest.fixture
def redis_server(tmp_path, settings):
    server = RedisServer(tmp_path)
    server.start()
    location = f"redis://127.0.0.1:{server.port}"
    settings.CACHES = {
        "default": {
            "BACKEND": "provenance.cache.DegradingRedisCache",
            "LOCATION": f"{location}/0",
            "OPTIONS": {"FALLBACK": "none", "RETRY_SECONDS": 0.3},
        },
        "api_throttle": {
            "BACKEND": "provenance.cache.DegradingRedisCache",
            "LOCATION": f"{location}/1",
            "OPTIONS": {"FALLBACK": "locmem", "RETRY_SECONDS": 0.3},
        },
    }
    settings.PAGE_CACHE_SECONDS = 3600
    yield server
    server.stop()


@pytest.fixture
def world():
    world = World(drafts=False)
    content_changed()
    return world


def test_with_the_page_cache_down_pages_and_api_reads_are_rendered_uncached(
    client, world, redis_server, caplog
):
    for path in READS:
        assert client.get(path).status_code == 200, path
    assert any(key.startswith(b":1:page:") for key in redis_server.keys(0))  # kept while up

    redis_server.stop()
    caplog.set_level(logging.WARNING, logger="provenance.cache")
    for _ in range(2):
        for path in READS:
            response = client.get(path)
            assert response.status_code == 200, path
            assert response["Cache-Control"].startswith("public"), path
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert warnings and len(warnings) <= 2  # one per cache and outage, not one per request

    redis_server.start()  # back (empty): used again once the retry delay is over
    time.sleep(0.4)
    assert client.get("/about/").status_code == 200
    assert client.get("/about/").status_code == 200
    assert any(key.startswith(b":1:page:") for key in redis_server.keys(0))
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_with_the_throttle_cache_down_each_process_counts_alone(
    client, world, redis_server, settings, caplog
):
    set_rates(settings, "3/minute", "100/minute")
    settings.PAGE_CACHE_SECONDS = 0  # every request reaches the throttle
    assert [client.get("/api/v1/parties/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert redis_server.keys(1)  # counted in Redis while it is up

    redis_server.stop()
    caplog.set_level(logging.WARNING, logger="provenance.cache")
    codes = [client.get("/api/v1/parties/", REMOTE_ADDR="10.1.2.3").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # still limited, by this process's own count
    assert any("counting in this process" in r.getMessage() for r in caplog.records)


def test_a_redis_that_does_not_answer_costs_a_timeout_once_not_per_request(client, world, settings):
    """A blackholed address (a listening socket that never answers) instead of a refused one."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(100)
        port = silent.getsockname()[1]
        settings.CACHES = {
            "default": {
                "BACKEND": "provenance.cache.DegradingRedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"FALLBACK": "none", "socket_timeout": 0.5, "socket_connect_timeout": 0.5},
            },
            "api_throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        }
        settings.PAGE_CACHE_SECONDS = 3600
        started = time.monotonic()
        for _ in range(10):
            assert client.get("/robots.txt").status_code == 200
        assert time.monotonic() - started < 4  # one or two timeouts, not ten
