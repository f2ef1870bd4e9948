"""Settings under a production-like environment: ``check --deploy`` is clean, bad values fail loudly.

Settings are read once per process, so every case runs in a subprocess. ``manage.py check`` runs in one
of its own per case (what is tested there is the process: its checks, its exit status). The many
good-value and bad-value cases of ``django.setup()`` share one subprocess per kind (``setup_cases``):
a full start-up imports every app (about 2 s), and what differs between the cases is only the
settings module, which that process reads again under each case's environment.
"""

from __future__ import annotations

import json
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


# ``django.setup()`` as every process (web, worker, manage.py) starts, once per case, in one fresh
# interpreter for many cases: before each case the environment is ours plus that case's variable
# alone, and the settings module is read again (dropped from sys.modules and from Django's lazy
# settings), so each case sees only its own value. The first case's start-up is a whole one; later
# ones find the apps imported and registered, which no value here changes (no module of this project
# reads a setting when it is imported). A case that raises gets its traceback, as stderr would.
SETUP_CASES = """
import json, os, sys, traceback

import django
from django.conf import settings
from django.utils.functional import empty

base = dict(os.environ)
results = []
for env, expression in json.load(sys.stdin):
    os.environ.clear()
    os.environ.update({**base, **env})
    sys.modules.pop("provenance.settings", None)
    settings._wrapped = empty
    try:
        django.setup()
        value = str(eval("settings." + expression)) if expression else ""
    except Exception:
        results.append({"ok": False, "stdout": "", "stderr": traceback.format_exc()})
    else:
        results.append({"ok": True, "stdout": value, "stderr": ""})
with open(sys.argv[1], "w") as out:
    json.dump(results, out)
"""


def setup_cases(cases: list[tuple[dict[str, str], str]], tmp_path: Path) -> list[dict]:
    """Each case's ``django.setup()`` under ``env`` (then ``settings.<expression>`` printed), in one subprocess.

    Every case gets ``{"ok": it started, "stdout": the printed setting, "stderr": its traceback}``.
    """
    out = tmp_path / "results.json"
    env = {"DJANGO_SETTINGS_MODULE": "provenance.settings"}
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith("SECURE_")}
    result = subprocess.run(
        [sys.executable, "-c", SETUP_CASES, str(out)],
        cwd=ROOT,
        env={**base, "VAR_DIR": str(tmp_path), **env},
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads(out.read_text())
    assert len(results) == len(cases)
    return results


BAD_VALUES = [
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
]


@pytest.fixture(scope="module")
def bad_value_starts(tmp_path_factory) -> dict[tuple[str, str], dict]:
    """Every bad value's start-up, one subprocess for them all."""
    cases = [({name: value}, "") for name, value, _ in BAD_VALUES]
    results = setup_cases(cases, tmp_path_factory.mktemp("bad-values"))
    return {(name, value): r for (name, value, _), r in zip(BAD_VALUES, results, strict=True)}


@pytest.mark.parametrize(("name", "value", "accepted"), BAD_VALUES)
def test_a_bad_value_stops_the_process_at_start_up_naming_the_variable(
    bad_value_starts, name, value, accepted
):
    result = bad_value_starts[name, value]
    assert not result["ok"]
    assert "ImproperlyConfigured" in result["stderr"]
    assert f"{name}=" in result["stderr"] and accepted in result["stderr"]


def test_a_bad_value_at_start_up_exits_the_process_non_zero(tmp_path):
    """The shared start-ups above see the exception; a real process start turns it into an exit status."""
    result = run(
        ["-c", "import django; django.setup()"],
        {"DJANGO_SETTINGS_MODULE": "provenance.settings", "NUM_PROXIES": "one"},
        tmp_path,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "NUM_PROXIES=" in result.stderr


RATES = "REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']"


GOOD_VALUES = [
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
]


@pytest.fixture(scope="module")
def good_value_starts(tmp_path_factory) -> dict[tuple[str, str], dict]:
    """Every good value's start-up and the setting it reached, one subprocess for them all."""
    cases = [({name: value}, setting) for name, value, setting, _ in GOOD_VALUES]
    results = setup_cases(cases, tmp_path_factory.mktemp("good-values"))
    return {(name, value): r for (name, value, _, _), r in zip(GOOD_VALUES, results, strict=True)}


@pytest.mark.parametrize(("name", "value", "setting", "expected"), GOOD_VALUES)
def test_a_good_value_reaches_its_setting(good_value_starts, name, value, setting, expected):
    result = good_value_starts[name, value]
    assert result["ok"], result["stderr"]
    assert result["stdout"].strip() == expected
