"""Typed readers for environment variables. A bad value fails loudly with a message saying how to fix it."""

from __future__ import annotations

import os
import zoneinfo

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices``, compared without regard to case; the choice is returned as spelled there."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    for choice in choices:
        if raw.strip().lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name}={raw!r} is not one of: {', '.join(choices)}.")


_RATE_PERIODS = {"second", "minute", "hour", "day", "s", "m", "h", "d"}


def env_rate(name: str, default: str) -> str:
    """A throttle rate as Django REST framework reads it: ``<count>/<second|minute|hour|day>``
    (or the initials ``s``/``m``/``h``/``d``). Checked here because DRF parses it only when the
    first request is throttled, where a bad value would make every request a 500."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    count, _, period = raw.strip().partition("/")
    if not (count.isascii() and count.isdigit() and period in _RATE_PERIODS):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a rate: use <count>/<second|minute|hour|day>, e.g. 60/minute."
        )
    return f"{int(count)}/{period}"


def env_timezone(name: str, default: str) -> str:
    """An IANA time zone name such as ``UTC`` or ``Europe/Berlin``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        zoneinfo.ZoneInfo(raw.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a time zone: use an IANA name such as UTC or Europe/Berlin."
        ) from None
    return raw.strip()


def env_url(name: str, default: str, *, schemes: set[str], example: str) -> str:
    """A URL (or several separated by ``;``, kombu's failover form) whose scheme is one of ``schemes``;
    ``transport+scheme://`` counts as ``transport``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    for url in raw.strip().split(";"):
        scheme, sep, _ = url.strip().partition("://")
        if not sep or scheme.split("+")[0].lower() not in schemes:
            raise ImproperlyConfigured(f"{name}={raw!r} is not a URL this project can use: e.g. {example}.")
    return raw.strip()
