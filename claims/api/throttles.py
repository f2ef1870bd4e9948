"""Rate limits: anonymous clients per IP address (``API_ANON_RATE``), editors per account
(``API_USER_RATE``); 429 with ``Retry-After`` beyond them.

The anonymous client's address is DRF's ``get_ident``, driven by ``REST_FRAMEWORK["NUM_PROXIES"]``
(the ``NUM_PROXIES`` setting): ``REMOTE_ADDR`` by default, ``X-Forwarded-For`` only as far as the
configured proxies vouch for it, so a client cannot pick a new address for each request.

Counts live in the ``api_throttle`` cache (settings): per process by default, shared between
gunicorn workers and hosts once ``API_THROTTLE_CACHE_URL`` points at Redis. The rate is read at
request time, so a changed setting (or a test's ``settings`` fixture) applies at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _SettingsRate:
    scope = ""

    @property
    def cache(self):
        return caches["api_throttle"]

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    scope = "anon"


class EditorThrottle(_SettingsRate, UserRateThrottle):
    """Authenticated users only (anonymous clients are counted by ``AnonThrottle``)."""

    scope = "editor"

    def allow_request(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return True
        return super().allow_request(request, view)
