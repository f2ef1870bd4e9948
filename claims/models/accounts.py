"""What the public site may say about the people who keep the knowledge base: an editor's byline.

Readers see who changed a claim's assessment in the public change log. They see the editor's public
byline (set in the admin, on the user's page), never the account's user name or real name unless
the editor chose to sign with it; without a byline, "an editor".
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models

DEFAULT_BYLINE = "an editor"


class EditorProfile(models.Model):
    """The public side of an editor's account (one per user, created when first edited)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_profile"
    )
    byline = models.CharField(
        max_length=120,
        blank=True,
        help_text=f"How the public change log names this editor, e.g. “Ada Lovelace, data desk”. "
        f"Empty: “{DEFAULT_BYLINE}”. Readers never see the user name.",
    )

    class Meta:
        verbose_name = "editor profile"

    def __str__(self) -> str:
        return f"{self.user}: {self.byline or DEFAULT_BYLINE}"


def byline_of(user: AbstractBaseUser | None) -> str:
    """How readers see who made a change: the editor's byline, "an editor" without one, "" when no
    person made it (a command). Load ``editor_profile`` with ``select_related`` to spare a query."""
    if user is None:
        return ""
    try:
        profile = user.editor_profile
    except EditorProfile.DoesNotExist:
        return DEFAULT_BYLINE
    return profile.byline.strip() or DEFAULT_BYLINE
