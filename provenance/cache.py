"""A Redis cache that degrades instead of failing: ``DegradingRedisCache``.

The page cache (``CACHE_URL``) and the API throttle's counts (``API_THROTTLE_CACHE_URL``) may live in
Redis; with Django's own backend, a Redis restart, failover or full disk turned every anonymous page
(even ``/robots.txt``) and API read into a 500. Neither is worth an outage: a page can be rendered
without its kept copy, and a rate can be counted by each process alone for a while. So when Redis
does not answer (a connection or timeout error, within ``socket_timeout``), an operation goes to the
fallback, with one warning in the log per outage:

* ``FALLBACK: "none"`` (the page cache): nothing is found and nothing kept: pages are rendered for
  their reader, as with ``PAGE_CACHE_SECONDS=0``.
* ``FALLBACK: "locmem"`` (the throttle): a local-memory cache of this process counts, as it does
  when ``API_THROTTLE_CACHE_URL`` is unset (a client gets up to N times the rate under N processes).

After a failure Redis is not asked again for ``RETRY_SECONDS`` (every request would otherwise wait
for its timeout), then it is tried again, and used as soon as it answers.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
)


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        fallback = options.pop("FALLBACK", "none")
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        # Without these, a Redis that stopped answering (not refusing) holds each request for minutes.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        params["OPTIONS"] = options
        super().__init__(server, params)
        if fallback == "locmem":
            self.fallback: BaseCache = LocMemCache(
                f"degraded-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)}
            )
        elif fallback == "none":
            self.fallback = DummyCache("", {})
        else:
            raise ValueError(f"FALLBACK must be 'none' or 'locmem', not {fallback!r}")
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _degraded(self, name: str, error: BaseException | None):
        with self._lock:
            if error is not None and self._down_until == 0.0:
                log.warning(
                    "Redis cache %s unreachable (%s: %s); %s until it answers again",
                    self._servers[0].rsplit("@", 1)[-1],
                    type(error).__name__,
                    error,
                    "counting in this process" if isinstance(self.fallback, LocMemCache) else "not caching",
                )
            if error is not None:
                self._down_until = time.monotonic() + self.retry_seconds
        return getattr(self.fallback, name)

    def _up(self) -> None:
        if self._down_until:
            with self._lock:
                if self._down_until:
                    self._down_until = 0.0
                    log.warning("Redis cache %s answers again", self._servers[0].rsplit("@", 1)[-1])

    def clear(self):
        self.fallback.clear()
        try:
            return super().clear()
        except UNREACHABLE as error:
            self._degraded("clear", error)
            return None


def _degrading(name: str):
    redis_operation = getattr(RedisCache, name)

    def operation(self, *args, **kwargs):
        if self._down_until and time.monotonic() < self._down_until:
            return self._degraded(name, None)(*args, **kwargs)
        try:
            result = redis_operation(self, *args, **kwargs)
        except UNREACHABLE as error:
            return self._degraded(name, error)(*args, **kwargs)
        self._up()
        return result

    operation.__name__ = name
    operation.__doc__ = redis_operation.__doc__
    return operation


for _name in OPERATIONS:
    setattr(DegradingRedisCache, _name, _degrading(_name))
