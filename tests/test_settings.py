"""Settings under a production-like environment: ``check --deploy`` is clean, bad values fail loudly.

Each case runs ``manage.py`` in a subprocess, because settings are read once per process.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "CSRF_TRUSTED_ORIGINS": "https://example.org",
}


def run(argv: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """``argv`` in the project folder under this environment on top of ours (minus production flags)."""
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith("SECURE_")}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        env={**base, "VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    return run(["manage.py", *args], env, tmp_path)


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_complains_without_the_production_flags(tmp_path):
    env = {**PRODUCTION, "SECURE_HSTS_SECONDS": "0", "SECURE_SSL_REDIRECT": "0"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [("DEBUG", "maybe", "is not a boolean"), ("SECURE_HSTS_SECONDS", "a year", "is not a whole number")],
)
def test_a_bad_value_fails_loudly_with_a_fix(tmp_path, name, value, message):
    result = manage("check", env={**PRODUCTION, name: value}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def setup_django(env: dict[str, str], tmp_path: Path, code: str = "") -> subprocess.CompletedProcess:
    """``django.setup()`` in a fresh interpreter, as every process (web, worker, manage.py) starts."""
    argv = ["-c", f"import django; django.setup(); {code}"]
    return run(argv, {"DJANGO_SETTINGS_MODULE": "provenance.settings", **env}, tmp_path)


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("API_ANON_RATE", "lots", "<count>/<second|minute|hour|day>"),
        ("API_ANON_RATE", "60/fortnight", "<count>/<second|minute|hour|day>"),
        ("API_USER_RATE", "-5/minute", "<count>/<second|minute|hour|day>"),
        ("API_USER_RATE", "600", "<count>/<second|minute|hour|day>"),
        ("NUM_PROXIES", "one", "is not a whole number"),
        ("NUM_PROXIES", "-1", "below the minimum of 0"),
        ("LOG_LEVEL", "loud", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("TIME_ZONE", "Mars/Olympus_Mons", "IANA name"),
        ("CELERY_BROKER_URL", "localhost:6379", "redis://"),
        ("CELERY_BROKER_URL", "reddis://127.0.0.1:6379/0", "redis://"),
        ("HUBS", "huggingface", "is not name=https://host"),
        ("HUBS", "mirror=https://hf-mirror.com/some/path", "without a path"),
        ("FINGERPRINT_PROCESSES", "0", "below the minimum of 1"),
        ("GGUF_HEADER_MAX_MB", "0", "below the minimum of 1"),
        ("BLAS_THREADS", "-1", "below the minimum of 0"),
        ("BLAS_THREADS", "two", "is not a whole number"),
        ("DEMO_HUB_URL", "http://hub.example.org:8001", "loopback only"),
        ("PAGE_CACHE_SECONDS", "an hour", "is not a whole number"),
        ("GIT_HOSTS", "ext::sh", "is not a git host prefix"),
        ("GIT_HOSTS", "https://gitcode.com/,ssh://git@github.com/", "is not a git host prefix"),
        ("HUB_TIMEOUT_SECONDS", "0", "below the minimum of 1"),
        ("ARCHIVE_CAPTURE_MAX_MB", "lots", "is not a whole number"),
        ("ARCHIVE_GONE_AFTER_FAILURES", "1", "below the minimum of 2"),
        ("ARCHIVE_GONE_AFTER_DAYS", "0", "below the minimum of 1"),
        ("ARCHIVE_GONE_AFTER_DAYS", "a week", "is not a whole number"),
        ("NULL_CACHE", "sometimes", "is not a boolean"),
    ],
)
def test_a_bad_value_stops_the_process_at_start_up_naming_the_variable(tmp_path, name, value, accepted):
    result = setup_django({name: value}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name}=" in result.stderr and accepted in result.stderr


RATES = "REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']"


@pytest.mark.parametrize(
    ("name", "value", "setting", "expected"),
    [
        ("API_ANON_RATE", "100/h", f"{RATES}['anon']", "100/h"),
        ("API_USER_RATE", " 7/second ", f"{RATES}['editor']", "7/second"),
        ("NUM_PROXIES", "", "REST_FRAMEWORK['NUM_PROXIES']", "0"),
        ("NUM_PROXIES", "1", "REST_FRAMEWORK['NUM_PROXIES']", "1"),
        ("LOG_LEVEL", "warning", "LOGGING['root']['level']", "WARNING"),
        ("TIME_ZONE", "Europe/Berlin", "TIME_ZONE", "Europe/Berlin"),
        ("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3", "CELERY_BROKER_URL", "redis://127.0.0.1:6379/3"),
        ("FINGERPRINT_PROCESSES", "3", "FINGERPRINT_PROCESSES", "3"),
        ("GGUF_HEADER_MAX_MB", "64", "GGUF_HEADER_MAX_BYTES", "64000000"),
        ("BLAS_THREADS", "", "BLAS_THREADS", "0"),
        ("BLAS_THREADS", "1", "BLAS_THREADS", "1"),
        ("NULL_CACHE", "false", "NULL_CACHE", "False"),
        (
            "HUBS",
            "mirror=https://hf-mirror.com|cdn.hf-mirror.com",
            "HUBS['mirror'].redirect_hosts",
            "frozenset({'cdn.hf-mirror.com'})",
        ),
        ("DEMO_HUB_URL", "http://127.0.0.1:8001", "HUBS['demo'].endpoint", "http://127.0.0.1:8001"),
        ("PAGE_CACHE_SECONDS", "0", "PAGE_CACHE_SECONDS", "0"),
        # A prefix is whole host names: https://gitcode.com never admits https://gitcode.com.evil.example.
        ("GIT_HOSTS", "https://gitcode.com", "GIT_HOSTS", "['https://gitcode.com/']"),
        ("HUB_TIMEOUT_SECONDS", "5", "HUBS['huggingface'].timeout", "5"),
        ("ARCHIVE_GONE_AFTER_FAILURES", "6", "ARCHIVE_GONE_AFTER_FAILURES", "6"),
        # A cache outside the model store joins it: the engine may read what was downloaded.
        ("MODEL_CACHE_DIR", "/srv/hub-cache", "MODEL_STORE[-1]", "/srv/hub-cache"),
    ],
)
def test_a_good_value_reaches_its_setting(tmp_path, name, value, setting, expected):
    result = setup_django(
        {name: value}, tmp_path, f"from django.conf import settings; print(settings.{setting})"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
