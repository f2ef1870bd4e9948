"""Parties: the organisations, labs, people, media outlets and pseudonymous entities in a dispute."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from claims.models.base import PublicRecord, history, public_record_constraints, publish_permission
from claims.models.urls import slug_url


class Party(PublicRecord):
    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "organisation"
        LAB = "lab", "research lab"
        PERSON = "person", "person"
        MEDIA_OUTLET = "media_outlet", "media outlet"
        PSEUDONYMOUS = "pseudonymous", "pseudonymous entity"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
        help_text="Parent organisation, e.g. Noah's Ark Lab → Huawei.",
    )
    country = models.CharField(max_length=100, blank=True)
    website = models.URLField(max_length=500, blank=True)
    aliases = models.TextField(blank=True, help_text="Other names, one per line.")
    identity_verified = models.BooleanField(
        default=False,
        help_text="Tick only when the newsroom knows who is behind this name; explain in the note.",
    )
    note = models.TextField(blank=True, help_text="Markdown. Who this is, and how we know (or do not).")

    history = history()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        permissions = [publish_permission("party", "parties")]
        constraints = [
            *public_record_constraints("party"),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="party_not_own_parent",
                violation_error_message="A party cannot be its own parent organisation.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("claims:party-detail", self.slug)

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def public_body(self) -> str:
        return self.note

    def public_dependencies(self) -> list[PublicRecord]:
        return [self.parent] if self.parent else []
