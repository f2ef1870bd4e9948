"""Accounts for the people who keep the knowledge base: editors and reviewers.

An account is a staff user (so it can sign in to the admin) in exactly one of the groups that
migration 0002 creates with their permissions: ``Editors`` (add, change, publish, retract) or
``Reviewers`` (view only). Never a superuser: an operator makes those with ``createsuperuser``.

An account is deleted with ``accounts_delete`` (the admin's delete view and "delete selected"): its
history entries stay, and the public change log names them "an editor" from then on.

An account may hold one API token (DRF's ``authtoken``): its owner creates it on their own admin page,
which shows the key once (``account_token_create``), and revokes it there (``account_token_revoke``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from claims.errors import ProvenanceError
from claims.services.content import public_write

EDITORS, REVIEWERS = "Editors", "Reviewers"


@transaction.atomic
def account_create(
    *, username: str, password: str, email: str = "", group: str = EDITORS
) -> AbstractBaseUser:
    """A new staff account in ``group`` (Editors or Reviewers) with this password.

    Raises ProvenanceError when the username is taken, the password fails the site's password
    validators (their reasons are given), or the group does not exist (migrations not run).
    """
    if group not in (EDITORS, REVIEWERS):
        raise ProvenanceError(f"An account is in {EDITORS} or {REVIEWERS}, not {group!r}.")
    User = get_user_model()
    if User._default_manager.filter(username=username).exists():
        raise ProvenanceError(f"There is already an account named {username!r}; choose another username.")
    try:
        members = Group.objects.get(name=group)
    except Group.DoesNotExist:
        raise ProvenanceError(
            f"The {group} group does not exist yet: run `manage.py migrate` first."
        ) from None
    user = User(username=username, email=email, is_staff=True)
    try:
        validate_password(password, user)
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ProvenanceError(" ".join(exc.messages)) from exc
    user.set_password(password)
    user.save()
    user.groups.add(members)
    return user


@public_write
@transaction.atomic
def account_set_byline(*, user: AbstractBaseUser, byline: str) -> None:
    """Set how the public change log names ``user``: cached public pages that name editors are
    made stale with it (the content version), as by every other write."""
    from claims.models import EditorProfile

    EditorProfile.objects.update_or_create(user=user, defaults={"byline": byline.strip()})


@transaction.atomic
def account_token_create(*, user: AbstractBaseUser) -> str:
    """A new API token for ``user``, replacing the one they had (whose key stops working at once).

    Returns the key: the caller shows it to its owner once and keeps it nowhere else. Raises
    ProvenanceError for an inactive account, whose token the API would refuse anyway.
    """
    if not user.is_active:
        raise ProvenanceError("An inactive account cannot have an API token: reactivate it first.")
    # Lock the account's row: two "Create" clicks at once leave one token, not an IntegrityError.
    get_user_model()._default_manager.select_for_update().filter(pk=user.pk).exists()
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


@transaction.atomic
def account_token_revoke(*, user: AbstractBaseUser) -> bool:
    """Delete ``user``'s API token, if any (requests with it get 401 from then on); True if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)


@public_write
@transaction.atomic
def accounts_delete(*, users) -> int:
    """Delete these accounts (their profiles and tokens with them); returns how many.

    The history entries they made stay (``history_user`` is set to null), so the public change log
    names those changes "an editor" instead of their bylines: a public write, pages that named them
    change with the content version.
    """
    User = get_user_model()
    _, deleted = User._default_manager.filter(pk__in=[user.pk for user in users]).delete()
    return deleted.get(User._meta.label, 0)
