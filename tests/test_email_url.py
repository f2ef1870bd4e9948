"""``EMAIL_URL``: Django's email settings from one URL, bad values failing loudly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from provenance.env import env_email, parse_email_url
from tests.test_settings import run

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "smtp://mailer:p%40ss%3Aword@mail.example.org:2525",
            {"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 2525, "EMAIL_HOST_USER": "mailer",
             "EMAIL_HOST_PASSWORD": "p@ss:word", "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False},
        ),
        ("smtp://mail.example.org", {"EMAIL_PORT": 25, "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}),
        ("smtp+tls://u:p@mail.example.org", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False}),
        ("SMTP+SSL://u:p@[2001:db8::1]", {"EMAIL_HOST": "2001:db8::1", "EMAIL_PORT": 465, "EMAIL_USE_SSL": True}),
    ],
)  # fmt: skip
def test_smtp_urls_give_host_port_credentials_and_tls(url, expected):
    settings = parse_email_url(url)
    assert settings["EMAIL_BACKEND"] == SMTP
    assert {k: settings[k] for k in expected} == expected


@pytest.mark.parametrize(
    "url, backend",
    [
        ("console://", "console"),
        ("dummy://", "dummy"),
        ("locmem://", "locmem"),
        ("file:///var/mail/prov", "filebased"),
    ],
)
def test_the_other_backends(url, backend):
    assert parse_email_url(url)["EMAIL_BACKEND"] == f"django.core.mail.backends.{backend}.EmailBackend"


def test_a_file_url_names_the_folder():
    assert parse_email_url("file:///var/mail/provenance")["EMAIL_FILE_PATH"] == "/var/mail/provenance"


@pytest.mark.parametrize(
    "url, why",
    [
        ("mail.example.org", "not an email URL"),
        ("imap://mail.example.org", "not an email URL"),
        ("smtp://", "needs a host"),
        ("smtp://u:p@mail.example.org:notaport", "not a valid URL"),
        ("smtp://mail.example.org:99999", "not a valid URL"),
        ("smtp://mail.example.org/inbox", "no path"),
        ("file://relative/folder", "absolute folder"),
        ("file://", "absolute folder"),
        ("console://somewhere", "takes nothing"),
    ],
)
def test_bad_values_fail_loudly(url, why):
    with pytest.raises(ImproperlyConfigured, match=why) as refused:
        parse_email_url(url)
    assert "EMAIL_URL=" in str(refused.value) and "smtp+tls://" in str(refused.value)  # how to fix it


def test_the_password_is_never_in_the_message():
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_email_url("smtp://mailer:s3cret@mail.example.org:port")
    assert "s3cret" not in str(refused.value) and "mail.example.org" in str(refused.value)


def test_unset_or_blank_is_the_console(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert env_email("EMAIL_URL", "console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    monkeypatch.setenv("EMAIL_URL", " ")
    assert env_email("EMAIL_URL", "console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_a_bad_email_url_stops_the_process(tmp_path):
    result = run(["manage.py", "check"], {"EMAIL_URL": "smtp://"}, tmp_path)
    assert result.returncode != 0 and "EMAIL_URL='smtp://': an SMTP URL needs a host" in result.stderr
