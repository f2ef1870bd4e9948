"""A quote in its original language and its translation, on claims and evidence records.

Statements in a dispute are often made in another language (the founding dispute's rebuttals were
posted on Chinese-language platforms). A record keeps the words as they were written, tagged with
their language, next to the English translation readers rely on, and says who translated it; a
machine translation is flagged as such, because a reader weighs it differently. Editors enter both
by hand: no translation service is ever called.

The language is a BCP 47 tag as pages put it in ``lang`` attributes: ``zh``, ``zh-Hans``,
``en-GB``, ``sr-Latn-RS``, ``es-419`` (language, optional script, optional region, optional
variants). Extensions and private-use tags are refused: no page needs them.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

# language (2-3 letters) [-script (4 letters)] [-region (2 letters or 3 digits)] [-variant]*
_TAG = re.compile(
    r"^(?P<language>[A-Za-z]{2,3})"
    r"(?:-(?P<script>[A-Za-z]{4}))?"
    r"(?:-(?P<region>[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$"
)
# The fields, for the lists that name them (API serializers, the export).
ORIGINAL_TEXT_FIELDS = [
    "original_language",
    "original_text",
    "translation",
    "translator",
    "machine_translation",
]
# Names Django's own table lacks (it lists "zh-hans", not "zh").
_NAMES = {"zh": "Chinese", "yue": "Cantonese"}


def validate_language_tag(value: str) -> None:
    """Refuses what is not a BCP 47 language tag of the kind pages use (see the module docstring)."""
    if value and not _TAG.match(value):
        raise ValidationError(
            f"“{value}” is not a language tag: use a BCP 47 tag such as zh, zh-Hans, en or pt-BR.",
            code="language_tag",
        )


def language_name(tag: str) -> str:
    """The language's English name ("Simplified Chinese" for ``zh-Hans``), or the tag itself."""
    lowered = tag.lower()
    for candidate in (lowered, lowered.split("-")[0]):
        info = LANG_INFO.get(candidate, {})
        if "name" in info:
            return info["name"]
        if candidate in _NAMES:
            return _NAMES[candidate]
    return tag


class OriginalText(models.Model):
    """Abstract: the original-language quote of a record and its translation (module docstring)."""

    original_language = models.CharField(
        max_length=35,
        blank=True,
        validators=[validate_language_tag],
        help_text="BCP 47 language tag of the original text: zh, zh-Hans, ja, de, …",
    )
    original_text = models.TextField(
        blank=True, help_text="The quote in its original language, verbatim (plain text)."
    )
    translation = models.TextField(
        blank=True, help_text="The English translation of that quote (plain text)."
    )
    translator = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who translated it: a person, an outlet, or the tool for a machine translation.",
    )
    machine_translation = models.BooleanField(
        default=False, help_text="The translation was made by software; readers see it labelled so."
    )

    class Meta:
        abstract = True

    @property
    def original_language_name(self) -> str:
        return language_name(self.original_language)

    @property
    def translation_language(self) -> str:
        """Translations are into the site's language."""
        return settings.LANGUAGE_CODE


def original_text_constraints(prefix: str) -> list[models.BaseConstraint]:
    """The original/translation invariants, named per table (``prefix`` is the model's lower-case name)."""
    return [
        models.CheckConstraint(
            condition=Q(original_text="", original_language="")
            | (~Q(original_text="") & ~Q(original_language="")),
            name=f"{prefix}_original_has_language",
            violation_error_message="An original text needs its language tag, and a language tag its text.",
        ),
        models.CheckConstraint(
            condition=Q(translation="") | ~Q(original_text=""),
            name=f"{prefix}_translation_has_original",
            violation_error_message="A translation needs the original text it translates.",
        ),
        models.CheckConstraint(
            condition=Q(translation="") | ~Q(translator=""),
            name=f"{prefix}_translation_has_translator",
            violation_error_message="Say who translated it (for a machine translation: the tool).",
        ),
        models.CheckConstraint(
            condition=Q(machine_translation=False) | ~Q(translation=""),
            name=f"{prefix}_machine_translation_has_text",
            violation_error_message="Only a translation can be flagged as a machine translation.",
        ),
    ]
