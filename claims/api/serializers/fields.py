"""Fields every API serializer shares.

* ``LinkField`` - a relation. Read: ``{"slug", "name", "url"}`` (``url`` is the record's API
  address), or ``null`` when the related record is not public. Write: the related record's slug.
  With ``expand_with``, ``?expand=<field>`` returns that serializer's fuller summary instead.
  A link to a retracted record carries its ``retraction`` (below), so a client that shows the
  name can say it was retracted.
* ``RetractionField`` - ``retraction``: ``null``, or ``{"retracted_at", "note", "label"}`` once
  Provenance retracted the record (``claims.models.public_state``: the words the pages use). Every
  record, summary, link and timeline entry that can be retracted has it.
* ``MarkdownHTMLField`` - the sanitised HTML of a Markdown field (``claims.markdown``), so
  clients never render editors' Markdown themselves.
* ``BaseSerializer`` - rejects unknown fields in write bodies (400 naming them) and validates
  writes with the model's own ``full_clean`` (constraints included) and saves with history, both
  through ``claims.services`` (the admin's saves go through the same functions).
"""

from __future__ import annotations

from functools import cache, lru_cache
from urllib.parse import quote

from django.db import models
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import services
from claims.markdown import render_markdown
from claims.models import AIModel, Claim, Dispute, EvidenceArtifact, FingerprintReport, Party
from claims.models.public_state import retraction_json
from claims.models.visibility import is_public
from claims.site_url import site_url

API_VIEW_NAMES = {
    Party: "api:party-detail",
    AIModel: "api:model-detail",
    Dispute: "api:dispute-detail",
    Claim: "api:claim-detail",
    EvidenceArtifact: "api:evidence-detail",
    FingerprintReport: "api:report-detail",
}


_PLACEHOLDER = "00slug00"


@cache
def _path_template(view_name: str) -> str:
    return reverse(view_name, kwargs={"slug": _PLACEHOLDER})


def absolute(request, path: str) -> str:
    """The public address of ``path`` under ``SITE_URL`` (``claims.site_url``: never the request's
    Host); just ``path`` when serialising outside a request."""
    return path if request is None else site_url(path)


def api_url(request, record: models.Model) -> str:
    """The API address of a record; slugs are URL-safe ([-a-zA-Z0-9_]), so no escaping is needed."""
    path = _path_template(API_VIEW_NAMES[type(record)]).replace(_PLACEHOLDER, quote(record.slug))
    return absolute(request, path)


def is_visible(record) -> bool:
    """Whether a relation may be shown: the one rule of ``claims.models.visibility``."""
    return is_public(record)


def record_name(record) -> str:
    return getattr(record, "name", None) or getattr(record, "title", None) or record.slug


def expansions(request) -> set[str]:
    """The relations ``?expand=`` names (comma-separated; the viewset has checked them)."""
    raw = request.query_params.get("expand", "")
    return {part.strip() for part in raw.split(",") if part.strip()}


def expand_set(context: dict) -> set[str]:
    request = context.get("request")
    return set() if request is None else expansions(request)


class RetractionSerializer(serializers.Serializer):
    """Provenance retracted this record: when, why, and the sentence the pages show."""

    retracted_at = serializers.DateTimeField(help_text="When the record was retracted (UTC).")
    note = serializers.CharField(help_text="Why (Markdown), as the record's page shows it.")
    label = serializers.CharField(help_text='"Record retracted by Provenance on 7 December 2026".')


RETRACTION_HELP = "null, or the retraction of this record by Provenance (it stays public, with its note)."


@extend_schema_field(RetractionSerializer(allow_null=True))
class RetractionField(serializers.Field):
    """``retraction`` of the record itself (read-only; see the module docstring)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", RETRACTION_HELP)
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return retraction_json(value)


class LinkSerializer(serializers.Serializer):
    """A link to another public record."""

    slug = serializers.SlugField(help_text="The record's stable identifier.")
    name = serializers.CharField(help_text="Its name or title.")
    url = serializers.URLField(help_text="Its API address.")
    retraction = RetractionSerializer(allow_null=True, help_text=RETRACTION_HELP)


def link_of(request, record) -> dict | None:
    """A public ``record`` as a link (``LinkSerializer``); None when readers may not see it."""
    if not is_visible(record):
        return None
    return {
        "slug": record.slug,
        "name": record_name(record),
        "url": api_url(request, record),
        "retraction": retraction_json(record),
    }


class LinkField(serializers.RelatedField):
    """A relation as a link (read) and a slug (write). See the module docstring."""

    default_error_messages = {
        "does_not_exist": "No {model} has the slug “{value}”.",
        "invalid": "Give the {model}'s slug as a string.",
    }

    def __init__(self, *, model: type[models.Model] | None = None, expand_with=None, **kwargs):
        self.link_model = model
        self.expand_with = expand_with
        kwargs.setdefault("allow_null", True)
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model._default_manager.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.link_model._default_manager.all()

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_internal_value(self, data):
        name = self.link_model._meta.verbose_name
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid", model=name)
        record = self.get_queryset().filter(slug=data).first()
        if record is None:
            self.fail("does_not_exist", model=name, value=data[:120])
        return record

    def to_representation(self, value):
        if not is_visible(value):
            return None
        if self.expand_with is not None and self.field_name in expand_set(self.context):
            return self._expander().to_representation(value)
        return link_of(self.context.get("request"), value)

    def _expander(self) -> serializers.Serializer:
        """One ``expand_with`` serializer for every row this field renders: building a serializer's
        fields costs about a millisecond, and a list of fifty claims built a hundred of them."""
        expander = getattr(self, "_expander_instance", None)
        if expander is None:
            expander = self._expander_instance = self.expand_with(context=self.context)
        return expander

    def get_choices(self, cutoff=None):
        return {}  # the browsable API must not list every record in a <select>


class LinkListField(serializers.ListField):
    """A to-many relation as a list of links (public records only), written as a list of slugs."""

    def __init__(self, *, model, **kwargs):
        self.link_model = model
        super().__init__(child=LinkField(model=model, allow_null=False), **kwargs)

    def get_attribute(self, instance):
        return list(getattr(instance, self.source).all())  # prefetched by the view

    def to_representation(self, data):
        return [self.child.to_representation(r) for r in data if is_visible(r)]


class MarkdownHTMLField(serializers.CharField):
    """Read-only HTML rendering of the Markdown field named by ``source``."""

    def __init__(self, *, source: str, **kwargs):
        kwargs.setdefault(
            "help_text", f"`{source}` rendered from Markdown to sanitised HTML (safe to insert into a page)."
        )
        super().__init__(source=source, read_only=True, **kwargs)

    def to_representation(self, value):
        return markdown_html(value)


@lru_cache(maxsize=4096)
def _markdown_html(text: str) -> str:
    return str(render_markdown(text))


def markdown_html(text: str | None) -> str:
    """``render_markdown`` as a string; most of these fields are empty, and the same texts are read
    again and again, while building the renderer costs about half a millisecond a call."""
    if not text or not text.strip():
        return ""
    return _markdown_html(text)


class StrictFieldsMixin:
    """A write body naming a field the serializer does not write is a 400 naming that field (DRF
    would ignore it silently, and a typo would pass for a successful change)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                allowed = ", ".join(sorted(writable))
                raise serializers.ValidationError(
                    {name: [f"Unknown field. Writable fields: {allowed}."] for name in unknown}
                )
        return super().to_internal_value(data)


class BaseSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """Unknown fields are errors; writes run the model's own validation and keep history."""

    def build_unique_together_validators(self):
        return []  # the model's full_clean checks unique constraints with their own messages

    def get_unique_together_validators(self):
        return []

    def get_validators(self):
        return []

    def get_fields(self):
        """A bad choice names the valid ones (DRF says only that it is not valid)."""
        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, serializers.ChoiceField) and not field.read_only:
                valid = ", ".join(f"“{key}”" for key in field.choices if key != "")
                field.error_messages["invalid_choice"] = (
                    "“{input}” is not a valid choice; the valid ones are: "
                    + valid.replace("{", "{{").replace("}", "}}")
                    + "."
                )
        return fields

    def get_extra_kwargs(self):
        """``slug`` may be left out of a write: the service makes one from the name or title
        (``services.records``), as the admin's form does."""
        extra = super().get_extra_kwargs()
        if "slug" in getattr(self.Meta, "fields", ()):
            extra.setdefault("slug", {}).setdefault("required", False)
        return extra

    many_to_many: tuple[str, ...] = ()

    @property
    def acting_user(self):
        """The editor writing through this serializer (the history entry names them)."""
        return getattr(self.context.get("request"), "user", None)

    def split_many_to_many(self, validated_data: dict) -> tuple[dict, dict]:
        """(plain fields, many-to-many sets): the sets are written once the row exists."""
        m2m = {name: validated_data.pop(name) for name in self.many_to_many if name in validated_data}
        return validated_data, m2m

    def create(self, validated_data):
        return self.write(None, validated_data)

    def update(self, instance, validated_data):
        return self.write(instance, validated_data)

    def write(self, instance, validated_data):
        """Create (``instance`` None) or change a row through ``claims.services``; override to call
        an aggregate's own service."""
        data, m2m = self.split_many_to_many(validated_data)
        if instance is None:
            return services.record_create(model=self.Meta.model, data=data, m2m=m2m, user=self.acting_user)
        return services.record_update(record=instance, data=data, m2m=m2m, user=self.acting_user)


class PublicRecordSerializer(BaseSerializer):
    """The editorial fields every public record has; ``status`` changes only through the actions."""

    url = serializers.SerializerMethodField(help_text="This record's API address.")
    web_url = serializers.SerializerMethodField(help_text="This record's public web page.")
    retraction_note_html = MarkdownHTMLField(source="retraction_note")
    retraction = RetractionField()

    PUBLIC_FIELDS = [
        "url",
        "web_url",
        "slug",
        "status",
        "published_at",
        "retraction",
        "retracted_at",
        "retraction_note",
        "retraction_note_html",
        "created_at",
        "updated_at",
    ]
    PUBLIC_READ_ONLY = [
        "status",
        "published_at",
        "retracted_at",
        "retraction_note",
        "created_at",
        "updated_at",
    ]

    def get_url(self, obj) -> str:
        return api_url(self.context.get("request"), obj)

    def get_web_url(self, obj) -> str:
        request = self.context.get("request")
        return absolute(request, obj.get_absolute_url())
