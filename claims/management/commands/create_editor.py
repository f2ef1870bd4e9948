"""``manage.py create_editor USERNAME [--email E] [--reviewer] [--password-stdin]``: an editor account.

The password comes from standard input (``--password-stdin``, one line), else the environment
variable ``DJANGO_EDITOR_PASSWORD``, else a prompt on the terminal (typed twice, never echoed). It
is never printed or taken as an argument (arguments end up in shell history and ``ps``). Prints one
line saying what was created.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from claims.errors import ProvenanceError
from claims.services.accounts import EDITORS, REVIEWERS, account_create

PASSWORD_ENV = "DJANGO_EDITOR_PASSWORD"


class Command(BaseCommand):
    help = "Create a staff account in the Editors group (or Reviewers with --reviewer)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Their e-mail address (optional).")
        parser.add_argument(
            "--reviewer",
            action="store_true",
            help="A reviewer: can view everything in the admin, change nothing.",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )

    def handle(self, *args, username: str, email: str, reviewer: bool, password_stdin: bool, **options):
        stdin = options.get("stdin") or sys.stdin
        group = REVIEWERS if reviewer else EDITORS
        password = self._password(stdin, from_stdin=password_stdin)
        try:
            account_create(username=username, password=password, email=email, group=group)
        except ProvenanceError as exc:
            raise CommandError(str(exc)) from exc
        role = "reviewer" if reviewer else "editor"
        self.stdout.write(f"Created {role} {username!r} in the {group} group; they can sign in at /admin/.")

    @staticmethod
    def _password(stdin, *, from_stdin: bool) -> str:
        if from_stdin:
            password = stdin.readline().rstrip("\r\n")
        elif os.environ.get(PASSWORD_ENV):
            password = os.environ[PASSWORD_ENV]
        elif stdin.isatty():
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The two passwords differ; nothing was created.")
        else:
            raise CommandError(
                f"No password: pass --password-stdin and pipe it in, or set {PASSWORD_ENV}, or run "
                "the command in a terminal to be asked for it."
            )
        if not password:
            raise CommandError("The password is empty; nothing was created.")
        return password
