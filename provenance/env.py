"""Typed readers for environment variables. A bad value fails loudly with a message saying how to fix it."""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
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


_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
_SMTP_PORTS = {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}
_EMAIL_EXAMPLE = (
    "smtp://user:password@mail.example.org:25, smtp+tls://user:password@host:587 (STARTTLS), "
    "smtp+ssl://user:password@host:465, console://, file:///var/mail/provenance, locmem:// or dummy://"
)


def parse_email_url(url: str, *, name: str = "EMAIL_URL") -> dict:
    """Django's email settings (``EMAIL_BACKEND``, ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
    ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``EMAIL_USE_SSL``, ``EMAIL_FILE_PATH``) from one URL.

    ``smtp://`` (plain, port 25), ``smtp+tls://`` (STARTTLS, 587), ``smtp+ssl://`` (TLS from the
    start, 465), ``console://``, ``file:///absolute/folder``, ``locmem://`` and ``dummy://``. The user
    and password are percent-decoded (write ``@`` as ``%40``). Anything else raises
    ``ImproperlyConfigured`` naming the variable.
    """

    def refuse(why: str) -> ImproperlyConfigured:
        shown = url if "@" not in url else url.split("://", 1)[0] + "://…@" + url.rsplit("@", 1)[1]
        return ImproperlyConfigured(f"{name}={shown!r}: {why}. Use e.g. {_EMAIL_EXAMPLE}.")

    scheme, sep, _rest = url.strip().partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in _EMAIL_BACKENDS:
        raise refuse("not an email URL this project knows")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:  # a port that is not a number or out of range
        raise refuse(f"not a valid URL ({exc})") from None
    settings = {"EMAIL_BACKEND": _EMAIL_BACKENDS[scheme]}
    if scheme in _SMTP_PORTS:
        if not parts.hostname:
            raise refuse("an SMTP URL needs a host")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise refuse("an SMTP URL has no path, query or fragment")
        settings.update(
            EMAIL_HOST=parts.hostname,
            EMAIL_PORT=port or _SMTP_PORTS[scheme],
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_TLS=scheme == "smtp+tls",
            EMAIL_USE_SSL=scheme == "smtp+ssl",
        )
    elif scheme == "file":
        if parts.netloc or not parts.path.startswith("/") or parts.path == "/":
            raise refuse("a file URL names an absolute folder, as file:///var/mail/provenance")
        settings["EMAIL_FILE_PATH"] = unquote(parts.path)
    elif parts.netloc or parts.path or parts.query:
        raise refuse(f"{scheme}:// takes nothing after the scheme")
    return settings


def env_email(name: str, default: str) -> dict:
    """Django's email settings from the URL in ``name`` (see ``parse_email_url``)."""
    raw = os.environ.get(name)
    return parse_email_url(default if raw is None or raw.strip() == "" else raw, name=name)


def env_cache(name: str, default: str = "locmem://") -> dict:
    """A Django cache from a URL: ``locmem://[name]`` (this process only), ``redis://host:port/db`` or
    ``rediss://`` (shared by every process and host that names it), ``dummy://`` (caches nothing)."""
    raw = (os.environ.get(name) or "").strip() or default
    scheme, sep, rest = raw.partition("://")
    scheme = scheme.lower()
    if sep and scheme in ("redis", "rediss") and rest.strip("/"):
        # Redis unreachable: pages are rendered without their kept copies (provenance/cache.py).
        return {
            "BACKEND": "provenance.cache.DegradingRedisCache",
            "LOCATION": raw,
            "OPTIONS": {"FALLBACK": "none"},
        }
    if sep and scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    if sep and scheme == "dummy" and not rest:
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a cache this project can use: give redis://127.0.0.1:6379/2 (shared), "
        "locmem:// (this process only, the default) or dummy:// (no cache)."
    )


def web_origin(item: str) -> str | None:
    """``item`` as a web origin, ``http(s)://host[:port]`` lower-cased, or ``None`` if it is not one
    (a path, query, user, wildcard, bad port or odd character): origins are written into headers and
    links as they are."""
    parsed = urlsplit(item)
    try:
        port_ok = parsed.port is None or parsed.port > 0
    except ValueError:
        port_ok = False
    if (
        parsed.scheme.lower() not in ("http", "https")
        or not parsed.hostname
        or "*" in item
        or parsed.username is not None
        or parsed.password is not None
        or parsed.path
        or parsed.query
        or parsed.fragment
        or not port_ok
        or any(c.isspace() or c in ";,'\"<>\\" for c in item)
    ):
        return None
    return f"{parsed.scheme.lower()}://{parsed.netloc.lower()}"


def env_origins(name: str) -> list[str]:
    """Comma-separated web origins (``web_origin``), e.g. the sites that may frame an embed."""
    origins = []
    for item in env_list(name):
        origin = web_origin(item)
        if origin is None:
            raise ImproperlyConfigured(
                f"{name}={os.environ[name]!r}: {item!r} is not a web origin: write scheme://host[:port] with http or https and "
                f"nothing after it, e.g. https://www.example-news.org (several: comma-separated)."
            )
        origins.append(origin)
    return origins


def env_origin(name: str, default: str) -> str:
    """One web origin (``web_origin``; a trailing ``/`` is allowed), e.g. the site's own address."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    origin = web_origin(raw[:-1] if raw.endswith("/") else raw)
    if origin is None:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a web origin: write scheme://host[:port] with http or https and "
            "nothing after it, e.g. https://provenance.example.org."
        )
    return origin


def database_settings(url: str, *, var_dir: Path) -> dict:
    """Django's ``DATABASES["default"]`` from ``DATABASE_URL`` (empty: a SQLite file in ``var_dir``).

    PostgreSQL connections are kept for 60 s and checked before a request reuses one
    (``CONN_HEALTH_CHECKS``): after a database restart or failover, a worker's kept connection is
    dead, and without the check the first request of every gunicorn worker was a 500.
    """
    try:
        database = dj_database_url.parse(
            url or f"sqlite:///{var_dir / 'provenance.sqlite3'}", conn_max_age=60, conn_health_checks=True
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL ({exc}); e.g. postgres://user@host/db"
        ) from None
    engine = database["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        # The web server and the worker share the file: WAL lets readers work while the worker writes,
        # IMMEDIATE transactions avoid "database is locked" upgrades, the timeout waits out short locks.
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # A file, not :memory:, so that a real worker process in the tests sees the test database.
        database["TEST"] = {"NAME": str(var_dir / "test_provenance.sqlite3")}
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"DATABASE_URL must be postgres:// or sqlite:// (got engine {engine}).")
    database["ATOMIC_REQUESTS"] = False
    return database
