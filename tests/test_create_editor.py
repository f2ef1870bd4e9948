"""``manage.py create_editor``: the README's way to make an editor's account (it used to be a
``shell -c`` one-liner that printed "11 objects could not be automatically imported")."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def create(*args, stdin: str = "") -> str:
    out = StringIO()
    call_command("create_editor", *args, stdin=StringIO(stdin), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_creates_a_staff_editor_from_a_password_on_stdin_and_says_so_in_one_line():
    out = create("ada", "--email", "ada@example.org", "--password-stdin", stdin=PASSWORD + "\n")

    assert out == "Created editor 'ada' in the Editors group; they can sign in at /admin/.\n"
    assert PASSWORD not in out
    ada = User.objects.get(username="ada")
    assert ada.is_staff and not ada.is_superuser and ada.email == "ada@example.org"
    assert ada.check_password(PASSWORD)
    assert list(ada.groups.values_list("name", flat=True)) == ["Editors"]
    assert ada.has_perm("claims.add_fingerprintreport")


def test_a_reviewer_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", PASSWORD)
    out = create("grace", "--reviewer")
    grace = User.objects.get(username="grace")
    assert "reviewer 'grace' in the Reviewers group" in out
    assert list(grace.groups.values_list("name", flat=True)) == ["Reviewers"] and grace.check_password(
        PASSWORD
    )
    assert not grace.has_perm("claims.change_claim")


def test_a_weak_password_a_taken_name_or_no_password_creates_nothing(monkeypatch):
    monkeypatch.delenv("DJANGO_EDITOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="too common"):
        create("ada", "--password-stdin", stdin="password\n")
    with pytest.raises(CommandError, match="No password"):
        create("ada")  # stdin is not a terminal: nothing to prompt on
    assert not User.objects.exists()
    create("ada", "--password-stdin", stdin=PASSWORD)
    with pytest.raises(CommandError, match="already an account named 'ada'"):
        create("ada", "--password-stdin", stdin=PASSWORD)
    assert User.objects.count() == 1
