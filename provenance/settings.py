"""Django settings for Provenance, all read from environment variables (docs/configuration.md).

With nothing set, the project runs locally without any server: SQLite in ``var/``, Celery over
kombu's filesystem transport in ``var/``, DEBUG off, and a secret key generated once into ``var/``.
``DATABASE_URL=postgres://...`` and ``CELERY_BROKER_URL=redis://...`` switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from kombu.transport import TRANSPORT_ALIASES

from provenance.env import (
    database_settings,
    env_bool,
    env_cache,
    env_choice,
    env_email,
    env_int,
    env_list,
    env_origin,
    env_origins,
    env_rate,
    env_str,
    env_timezone,
    env_url,
)
from provenance.fingerprint.sources import DEFAULT_GIT_HOSTS, DEFAULT_HUBS, parse_git_hosts, parse_hubs

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """A key generated once into var/ for local use; production sets SECRET_KEY."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Production flags: off by default so http://localhost works; docs/configuration.md shows the production set.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_SSL_REDIRECT)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets this header itself; otherwise clients could spoof HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of the app append to X-Forwarded-For. 0: the header is ignored and
# the client is REMOTE_ADDR; N: the N-th address from the right. Any other header value is the
# client's to forge (e.g. to dodge the anonymous API rate limit with a new address per request).
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sites that may show a report or a claim in an <iframe> (their embed routes only, e.g. newsrooms'
# article pages): CSP frame-ancestors lists them there. Every other page is never framed.
EMBED_ALLOWED_ORIGINS = env_origins("EMBED_ALLOWED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "simple_history",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "provenance.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "provenance.query_guard.ControlCharacterQueryMiddleware",
    # Unknown query parameters are a 400 (or, for tracking ones, a redirect) before a page is kept.
    "claims.query_params.UnknownParameterMiddleware",
    # ETag/Last-Modified/304 and Cache-Control of public output, before sessions are loaded.
    "claims.presentation.http_cache.HttpCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "provenance.urls"
WSGI_APPLICATION = "provenance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# -- Database -------------------------------------------------------------------------------
DATABASES = {"default": database_settings(env_str("DATABASE_URL"), var_dir=VAR_DIR)}
# PostgreSQL's join_collapse_limit for each session (provenance/pg_session.py says why; 0: its default).
PG_JOIN_COLLAPSE_LIMIT = env_int("PG_JOIN_COLLAPSE_LIMIT", 4, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# -- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names need `collectstatic` first (the run command does it); DEBUG serves sources.
    # WhiteNoise's hashed and compressed storage, compressing each content once (provenance/staticfiles.py).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "provenance.staticfiles.CompressedManifestStaticFilesStorage"
    },
}
# Largest archived evidence file an editor may upload (bytes).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 2**20, minimum=1024)

# -- Model store: the only folders the worker may read checkpoints from -----------------------
MODEL_STORE = [Path(p).resolve() for p in env_list("MODEL_STORE", [str(VAR_DIR / "models")])]

# -- Model hubs (docs/operations.md, "Model hubs"): where checkpoints named by repository ID are fetched from ---
# ``name=https://host[|redirect-host...]`` separated by commas; a source names one of these, never a URL.
_HUBS = env_str("HUBS") or DEFAULT_HUBS
# Seconds a hub may take to connect or to send the next bytes of any answer (listing, headers, file).
HUB_TIMEOUT_SECONDS = env_int("HUB_TIMEOUT_SECONDS", 30, minimum=1)
try:
    HUBS = parse_hubs(_HUBS, timeout=HUB_TIMEOUT_SECONDS)
except ValueError as exc:
    raise ImproperlyConfigured(f"HUBS={_HUBS!r}: {exc}.") from None
# make run's local demo hub (manage.py serve_demo_hub): when set, a hub named "demo" at this
# http://127.0.0.1:<port> address joins HUBS (its LFS files redirect to localhost, as the server does).
DEMO_HUB_URL = env_str("DEMO_HUB_URL")
if DEMO_HUB_URL:
    try:
        HUBS |= parse_hubs(f"demo={DEMO_HUB_URL}|localhost", timeout=HUB_TIMEOUT_SECONDS)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DEMO_HUB_URL={DEMO_HUB_URL!r}: {exc}.") from None
    if urlsplit(DEMO_HUB_URL).hostname not in ("127.0.0.1", "localhost"):
        raise ImproperlyConfigured(f"DEMO_HUB_URL={DEMO_HUB_URL!r}: the demo hub serves loopback only.")
# Git repositories with LFS (GitCode, GitHub...): URL prefixes a git source must start with.
_GIT_HOSTS = env_str("GIT_HOSTS", DEFAULT_GIT_HOSTS)  # blank: no git source is allowed
try:
    GIT_HOSTS = parse_git_hosts(_GIT_HOSTS)
except ValueError as exc:
    raise ImproperlyConfigured(f"GIT_HOSTS={_GIT_HOSTS!r}: {exc}.") from None
HF_TOKEN = env_str("HF_TOKEN")  # for gated and private repositories; never shown or logged
# Downloaded checkpoints live here; it is read like the model store, so it joins MODEL_STORE.
MODEL_CACHE_DIR = Path(env_str("MODEL_CACHE_DIR") or str(MODEL_STORE[0] / "hub-cache")).resolve()
# Disk budget of the cache in GB (0: none); the least recently used downloads not needed by a
# queued or running report are removed to make room (and downloaded again when a report needs them).
MODEL_CACHE_MAX_BYTES = env_int("MODEL_CACHE_MAX_GB", 0, minimum=0) * 10**9
if not any(MODEL_CACHE_DIR.is_relative_to(root) for root in MODEL_STORE):
    MODEL_STORE.append(MODEL_CACHE_DIR)
# The most of a GGUF header (metadata, vocabulary, tensor list) the cheap look at a checkpoint's
# headers reads - in the web process for an admin upload: real models' headers take under 15 MB.
GGUF_HEADER_MAX_BYTES = env_int("GGUF_HEADER_MAX_MB", 32, minimum=1) * 10**6

# -- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL",
    "filesystem://localhost//",
    schemes=set(TRANSPORT_ALIASES),
    example="redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672//",
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _BROKER_DIR = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
        # The transport polls the folder; kombu's 1 s default would add up to a second per report.
        "polling_interval": 0.2,
    }
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 3600, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", CELERY_TASK_SOFT_TIME_LIMIT + 300, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must be larger than CELERY_TASK_SOFT_TIME_LIMIT.")

# Reports: how often a worker writes progress (and its heartbeat), and when a silent one is dead.
REPORT_PROGRESS_SECONDS = env_int("REPORT_PROGRESS_SECONDS", 2, minimum=1)
REPORT_STALE_SECONDS = env_int("REPORT_STALE_SECONDS", 60, minimum=2)
if REPORT_STALE_SECONDS <= REPORT_PROGRESS_SECONDS:
    raise ImproperlyConfigured("REPORT_STALE_SECONDS must be larger than REPORT_PROGRESS_SECONDS.")
# Nulls that depend only on the compared shapes are kept in the database, shared by every worker.
NULL_CACHE = env_bool("NULL_CACHE", True)
# Lineage search (docs/engine.md, "Lineage search"): when a checkpoint is fingerprinted, a full report is
# queued for its this-many closest relatives in the "strong" or "some" tier that no report compares it
# with yet (drafts: editors see them on the desk). 0: never.
RELATIVES_CONFIRM_TOP = env_int("RELATIVES_CONFIRM_TOP", 3, minimum=0)
# -- Source archiving (docs/editors.md, "Source archiving"): capturing and watching cited URLs -------------
ARCHIVE_MAX_BYTES = env_int("ARCHIVE_MAX_MB", 50, minimum=1) * 2**20  # per response body
# per capture: every body a page loads, together; past it the page's further requests are refused and listed
ARCHIVE_CAPTURE_MAX_BYTES = env_int("ARCHIVE_CAPTURE_MAX_MB", 200, minimum=1) * 2**20
ARCHIVE_TIMEOUT_SECONDS = env_int("ARCHIVE_TIMEOUT_SECONDS", 60, minimum=1)  # whole capture, browser included
ARCHIVE_MAX_REDIRECTS = env_int("ARCHIVE_MAX_REDIRECTS", 10, minimum=0)
# host:port pairs that may resolve to a non-public address. For the test suite's local server only:
# in production leave it empty, or the archive can be pointed at the internal network.
ARCHIVE_ALLOW_HOSTS = env_list("ARCHIVE_ALLOW_HOSTS")
ARCHIVE_CAPTURE_ON_PUBLISH = env_bool("ARCHIVE_CAPTURE_ON_PUBLISH", True)
ARCHIVE_WATCH_INTERVAL_HOURS = env_int("ARCHIVE_WATCH_INTERVAL_HOURS", 24, minimum=1)
ARCHIVE_WATCH_HOST_DELAY_SECONDS = env_int("ARCHIVE_WATCH_HOST_DELAY_SECONDS", 5, minimum=0)
ARCHIVE_WATCH_BATCH = env_int("ARCHIVE_WATCH_BATCH", 50, minimum=1)
ARCHIVE_CHANGE_SIMILARITY_PERCENT = env_int("ARCHIVE_CHANGE_SIMILARITY_PERCENT", 70, minimum=0)
if ARCHIVE_CHANGE_SIMILARITY_PERCENT > 100:
    raise ImproperlyConfigured("ARCHIVE_CHANGE_SIMILARITY_PERCENT is a percentage: 0 to 100.")
# A source that gives no answer (no DNS, no connection) is suggested "removed" only after this many
# checks in a row, the first and the last this many days apart, each while other hosts answered
# (claims.pipeline.captures.watch): an offline archive never declares its sources dead.
ARCHIVE_GONE_AFTER_FAILURES = env_int("ARCHIVE_GONE_AFTER_FAILURES", 4, minimum=2)
ARCHIVE_GONE_AFTER_DAYS = env_int("ARCHIVE_GONE_AFTER_DAYS", 3, minimum=1)

# The per-model pass: files of one checkpoint passed by this many processes at once (default: the
# cores this process may use), and, from this many files up, one Celery task per file so that every
# worker seeing the model store takes some (0: never; see docs/operations.md, "Running workers on several machines").
FINGERPRINT_PROCESSES = env_int(
    "FINGERPRINT_PROCESSES",
    len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    minimum=1,
)
SHARD_TASKS_MIN_SHARDS = env_int("SHARD_TASKS_MIN_SHARDS", 0, minimum=0)
# BLAS threads per Celery pool process (0: the cores divided by the worker's --concurrency, at least
# 1; see provenance/worker_threads.py for why it is not left to OpenBLAS).
BLAS_THREADS = env_int("BLAS_THREADS", 0, minimum=0)
CELERY_BEAT_SCHEDULE = {
    "reports-sweep": {
        "task": "claims.tasks.reports_sweep",
        "schedule": env_int("REPORT_SWEEP_SECONDS", 60, minimum=1),
    },
    "sources-watch": {
        "task": "claims.tasks.sources_watch",
        "schedule": env_int("ARCHIVE_WATCH_SWEEP_SECONDS", 900, minimum=1),
    },
    "desk-digest": {
        "task": "claims.tasks.desk_digest",
        "schedule": env_int("DESK_DIGEST_SECONDS", 3600, minimum=60),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if not CELERY_BROKER_URL.startswith("filesystem://"):
    # Redis/SQS redeliver a message nobody acknowledged after this many seconds. Longer than the
    # hard time limit, so a long report is not handed to a second worker while the first runs
    # (that one would find it claimed and stop); a killed worker's report is repaired sooner by
    # the sweep, which watches heartbeats.
    _VISIBILITY = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 60, minimum=1)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _VISIBILITY,
        # Look for expired unacknowledged messages every few seconds (one cheap Redis query).
        "unacked_restore_interval": min(10, _VISIBILITY),
        "unacked_restore_throttle": 1,
    }

# -- The editors' desk and its email digest (claims/selectors/desk.py, claims/services/desk.py) --------
DESK_STALE_DRAFT_DAYS = env_int("DESK_STALE_DRAFT_DAYS", 14, minimum=1)
# The site's public address (scheme://host[:port]): every absolute URL the site, feeds, API, cards and
# emails print starts with it (claims/site_url.py), never with the request's Host header, which a
# client chooses (ALLOWED_HOSTS ignores the port) and a kept page would hand to every later reader.
SITE_URL = env_origin("SITE_URL", "http://127.0.0.1:8000")
# EMAIL_URL: smtp://user:password@host:25, smtp+tls://…:587, smtp+ssl://…:465, console://, file:///dir,
# dummy://. The console (the worker's log) by default: nothing leaves the machine until it is set.
_EMAIL = env_email("EMAIL_URL", "console://")
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _EMAIL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _EMAIL.get("EMAIL_HOST_PASSWORD", "")  # never shown or logged
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _EMAIL.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Provenance <provenance@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# -- REST API (claims/api/; docs/api.md) ---------------------------------------------------------
# Anonymous clients are throttled per IP, editors per user. Rates are "<count>/<second|minute|hour|day>".
API_ANON_RATE = env_rate("API_ANON_RATE", "60/minute")
API_USER_RATE = env_rate("API_USER_RATE", "600/minute")
# Throttle counters live in their own cache. The default (local memory) is per process, so under
# gunicorn with N workers a client gets up to N x the rate; set API_THROTTLE_CACHE_URL to a Redis
# URL (e.g. redis://127.0.0.1:6379/1) in production to share the counts between workers and hosts.
_THROTTLE_CACHE_URL = env_str("API_THROTTLE_CACHE_URL")
if _THROTTLE_CACHE_URL and not _THROTTLE_CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        "API_THROTTLE_CACHE_URL must be a redis:// URL (or unset for per-process counts)."
    )
# The default cache holds rendered fragments of public pages (the dispute page's body); entries are keyed by the public content version (claims/models/content.py), so a shared Redis
# (CACHE_URL=redis://…) needs no invalidation messages. locmem:// (default) is per process.
# How long a CDN or shared proxy may serve an anonymous reader its copy of a page or API read
# (s-maxage; browsers always revalidate). An unpublished record leaves shared caches within this.
HTTP_CACHE_SECONDS = env_int("HTTP_CACHE_SECONDS", 30, minimum=0)
# Anonymous readers' pages and API reads are also kept server-side, keyed by the content version
# (never stale: a write makes every copy unreachable); these bound how long an old copy takes memory
# and how large a response is kept. PAGE_CACHE_SECONDS=0 turns it off (claims/presentation/http_cache.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600, minimum=0)
PAGE_CACHE_MAX_BYTES = env_int("PAGE_CACHE_MAX_BYTES", 2_000_000, minimum=0)
# All kept copies of one content version together (a new version starts a new budget; old copies
# expire after PAGE_CACHE_SECONDS): past it, pages are rendered for their reader and not kept.
PAGE_CACHE_BUDGET_BYTES = env_int("PAGE_CACHE_BUDGET_MB", 256, minimum=1) * 2**20
CACHES = {
    "default": env_cache("CACHE_URL"),
    "api_throttle": (
        {  # Redis unreachable: each process counts alone meanwhile (provenance/cache.py)
            "BACKEND": "provenance.cache.DegradingRedisCache",
            "LOCATION": _THROTTLE_CACHE_URL,
            "OPTIONS": {"FALLBACK": "locmem"},
        }
        if _THROTTLE_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-throttle"}
    ),
}
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header is what makes DRF answer 401 (not 403) to anonymous writes.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["claims.api.permissions.ModelPermissionsOrPublicRead"],
    "DEFAULT_THROTTLE_CLASSES": ["claims.api.throttles.AnonThrottle", "claims.api.throttles.EditorThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_RATE, "editor": API_USER_RATE},
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "claims.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["claims.api.parsers.JSONParser"],
    # The client address the anonymous throttle counts by (NUM_PROXIES above).
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "claims.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "claims.api.schema.ProvenanceAutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Provenance API",
    "DESCRIPTION": (
        "Published records of AI provenance disputes (parties, AI models, checkpoints, disputes, "
        "claims and rebuttals, evidence) with recomputed fingerprint evidence. Reads are public and "
        "show published and retracted records only; writes need an editor's token (how to get one: "
        "below). Every error has the shape "
        '`{"error": {"code", "message", "fields"}}`. Text is CC BY 4.0; quoted material belongs to '
        "its authors."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "claims.api.schema.describe_remaining",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PublicStatusEnum": "claims.models.base.PublicRecord.Status",
        "DatePrecisionEnum": "claims.models.base.DatePrecision",
        "ReportStatusEnum": "claims.models.reports.FingerprintReport.Status",
        "PartyKindEnum": "claims.models.parties.Party.Kind",
        "ClaimKindEnum": "claims.models.claims.Claim.Kind",
        "EvidenceKindEnum": "claims.models.evidence.EvidenceArtifact.Kind",
    },
    # The docs UI's JavaScript and CSS are served from our own static files (no CDN: the site's CSP
    # and offline installs), by drf-spectacular-sidecar.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
INSTALLED_APPS.append("drf_spectacular_sidecar")

# -- Logging: everything to stderr, where the process manager collects it -----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
}
