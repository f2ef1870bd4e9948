"""OpenAPI details drf-spectacular cannot infer: the error responses every operation can give,
and the schema of the link fields (a slug when written, a link object when read)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_array_type, build_basic_type, get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from claims.models.base import PublicRecord


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable, machine-readable: invalid, refused, malformed_body, not_authenticated, "
        "authentication_failed, permission_denied, not_found, method_not_allowed, not_acceptable, "
        "unsupported_media_type, payload_too_large, conflict, throttled, server_error."
    )
    message = serializers.CharField(help_text="What went wrong and what to do, for the client developer.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name → its problems (`non_field_errors` for rules spanning fields); empty if none.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer(help_text="The one error shape of this API.")


_ERRORS = {
    "400": "Invalid request: malformed JSON, an unknown field, a wrong type, or a refused change.",
    "401": "Missing or invalid credentials (send `Authorization: Token <key>`).",
    "403": "Authenticated, but without the permission for this action.",
    "404": "No public record at this address (drafts are not public), or an invalid page or cursor.",
    "405": "This method is not allowed here.",
    "406": "The requested format is not available.",
    "409": "The change conflicts with another record.",
    "413": "The request body is larger than the server accepts.",
    "415": "Send JSON (`Content-Type: application/json`).",
    "429": "Rate limit reached: wait the number of seconds in the `Retry-After` header.",
}
_READ_ERRORS = ["400", "404", "406", "429"]


# One tag per resource (the first path segment after /api/v1/), named as a reader says it.
TAGS = {
    "parties": ("parties", "People and organisations: labs, companies, whistleblowers, outlets."),
    "models": ("AI models", "Models at stake, with their declared base and their checkpoints."),
    "checkpoints": ("checkpoints", "Weights of one model at one revision, as registered for comparison."),
    "disputes": ("disputes", "Accusations of copying, with the parties' roles and a timeline."),
    "claims": ("claims", "What a party asserted, and rebuttals (claims that respond to claims)."),
    "evidence": ("evidence", "Papers, statements, posts, reports and our fingerprint analyses."),
    "evidence-links": ("evidence links", "Which evidence bears on which claim, and how."),
    "reports": ("fingerprint reports", "Recomputed weight comparisons: status, result, charts."),
    "export": ("export", "Everything public in one document, and the ClaimReview feed."),
}
_ANYONE = "**Who may call it:** anyone, no token needed (an editor's token also shows drafts)."
_EDITORS = "**Who may call it:** editors with the permission to change these records: {howto}."
_PUBLISHERS = "**Who may call it:** editors with the permission to publish these records: {howto}."


def token_howto() -> str:
    """How a client gets and sends a token (the schema's introduction and every write say it)."""
    page = reverse("admin:account_token")
    return (
        f"send `Authorization: Token <key>`; an editor creates their token on their own account page in "
        f"the admin (`{page}`: Create, copy the key shown once; Revoke there too)"
    )


_GENERIC = {
    "list": "Returns a page of the public {plural}{statuses}.",
    "retrieve": "Returns one public {singular}; one that is not public, or an unknown address, is a 404.",
    "create": "Creates {a_singular}{as_draft} and returns it (201).",
    "update": "Replaces the {singular}'s writable fields and returns it.",
    "partial_update": "Changes the fields sent and returns the {singular}.",
    "destroy": "Deletes the {singular} (204).",
}
_READS = ("list", "retrieve")


class ProvenanceAutoSchema(AutoSchema):
    """Adds the documented error responses, all with the one error shape; one tag per resource; one
    description per operation saying what it returns and who may call it (never a class's notes)."""

    def get_tags(self) -> list[str]:
        tokens = [t for t in self._tokenize_path() if t != "v1"]
        return [TAGS[tokens[0]][0]] if tokens and tokens[0] in TAGS else tokens[:1]

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        text = (operation.get("description") or "").strip()
        if text == get_doc(self.view.__class__):  # a class's notes describe no operation
            text = ""
        generic = self._generic_description()
        if generic and (not text or (self._action() in _READS and not text.startswith("Returns"))):
            text = f"{generic} {text}".strip()  # what it returns first, then the operation's own notes
        operation["description"] = f"{text}\n\n{self._who_may_call()}"
        return operation

    def _action(self) -> str:
        return getattr(self.view, "action", None) or self.method.lower()

    def _generic_description(self) -> str:
        template = _GENERIC.get(self._action())
        if template is None:
            return ""
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        if model is None:
            serializer = self.get_request_serializer() or self.get_response_serializers()
            model = getattr(getattr(serializer, "Meta", None), "model", None)
        singular = str(model._meta.verbose_name) if model else "record"
        plural = str(model._meta.verbose_name_plural) if model else "records"
        has_status = model is not None and issubclass(model, PublicRecord)  # drafts, published, retracted
        return template.format(
            singular=singular,
            plural=plural,
            a_singular=f"{'an' if singular[:1].lower() in 'aeiou' else 'a'} {singular}",
            statuses=" (published and retracted, never drafts)" if has_status else "",
            as_draft=" as a draft (publish it with `publish/`)" if has_status else "",
        )

    def _who_may_call(self) -> str:
        if self.method in ("GET", "HEAD", "OPTIONS"):
            return _ANYONE
        publishes = self._action() in ("publish", "unpublish", "retract")
        return (_PUBLISHERS if publishes else _EDITORS).format(howto=token_howto())

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = list(_READ_ERRORS)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes = list(_ERRORS)
        elif self._view_is_detail():
            codes.append("401")  # a bad token is refused even on a read
        else:
            codes.append("401")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=_ERRORS[code]), code, direction=direction
                )
        return responses

    def _view_is_detail(self) -> bool:
        return "{" in self.path

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if str(status_code) == "429":
            headers = {
                **(headers or {}),
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before the next request.",
                },
            }
        return headers


class LinkFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "claims.api.serializers.fields.LinkField"

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        model = field.link_model._meta.verbose_name
        if direction == "request":
            schema = build_basic_type(OpenApiTypes.STR)
            schema["description"] = field.help_text or f"Slug of the {model}."
        else:
            from claims.api.serializers.fields import LinkSerializer

            link = auto_schema.resolve_serializer(LinkSerializer, direction).ref
            if field.expand_with is not None:
                fuller = auto_schema.resolve_serializer(field.expand_with, direction).ref
                schema = {"oneOf": [link, fuller]}
                hint = f" `?expand={field.field_name}` gives a fuller summary."
            else:
                schema = {"allOf": [link]}
                hint = ""
            schema["description"] = (
                field.help_text or f"The {model}."
            ) + f" A link; null when not set or not public.{hint}"
        # A link in a response is null whenever the related record is not public, even where the
        # relation itself is required (an editor reading a record whose claimant is a draft).
        if field.allow_null or direction == "response":
            schema["nullable"] = True
        return schema


class LinkListFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "claims.api.serializers.fields.LinkListField"

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        model = field.link_model._meta.verbose_name_plural
        if direction == "request":
            schema = build_array_type(build_basic_type(OpenApiTypes.STR))
            schema["description"] = (field.help_text or "") + f" Slugs of the {model}."
        else:
            from claims.api.serializers.fields import LinkSerializer

            schema = build_array_type(auto_schema.resolve_serializer(LinkSerializer, direction).ref)
            schema["description"] = (field.help_text or "") + f" Links to the public {model}."
        schema["description"] = schema["description"].strip()
        return schema


# Descriptions of the fields every record shares, where the model gives no help text.
FIELD_DESCRIPTIONS = {
    "id": "Numeric identifier (records without a slug are addressed by it).",
    "url": "This record's API address.",
    "slug": "Stable identifier, used in URLs; fixed once the record is published.",
    "status": "Editorial status: published, or retracted (still shown, with its note). Drafts are editors-only.",
    "published_at": "When the record was published.",
    "retracted_at": "When the record was retracted; null unless retracted.",
    "retraction_note": "Markdown. Why the record was retracted.",
    "created_at": "When the record was created.",
    "updated_at": "When the record last changed (use `updated_since` to sync).",
    "name": "Name.",
    "title": "Title, one line.",
    "kind": "What kind of record this is.",
    "country": "Country.",
    "website": "Official website.",
    "family": "Model family, e.g. Qwen2.5.",
    "architecture": "Architecture, e.g. dense or mixture of experts.",
    "parameters_total": "Total number of parameters.",
    "layer_count": "Number of transformer layers.",
    "release_date": "Release date (see its precision).",
    "release_date_precision": "How much of the release date is known: day, month or year.",
    "licence": "The model's licence.",
    "homepage": "The model's home page.",
    "declared_relation": "How the model derives from its declared base (fine-tune, quantised, ...).",
    "started_on": "When the dispute became public (see its precision).",
    "started_on_precision": "How much of the start date is known: day, month or year.",
    "ended_on": "When the dispute ended; null while open.",
    "made_on": "When the claim was made (see its precision).",
    "date_precision": "How much of the date is known: day, month or year.",
    "published_on": "When the artifact was published (see its precision).",
    "stance": "How the evidence bears on the claim: supports, refutes or context.",
    "role": "The party's role in the dispute.",
    "note": "Markdown note.",
    "revision": "Hub commit, tag or release name.",
    "format": "File format of the weights, read from the files at registration (GGUF by its magic bytes).",
    "methods": "Comparison methods run.",
    "parameters": "Engine parameters (null_size, seed).",
    "requested_at": "When the report was requested.",
    "started_at": "When a worker started computing it.",
    "finished_at": "When it succeeded or failed.",
    "engine_version": "Version of the fingerprint engine that computed it.",
    "library_versions": "Versions of the numerical libraries used.",
    "input_hashes": "Checkpoint → content hash of the weights compared.",
    "error_message": "Why the report failed, for a journalist; empty otherwise.",
    "assessment": "The newsroom's assessment: unverified, supported, contested, refuted or withdrawn.",
    "outcome": "Outcome of the request for reply.",
    "asked_on": "When the party was asked (see the precision).",
    "outcome_on": 'When they answered, or the "no response as of" date.',
    "answer": "Markdown. Their answer, quoted.",
    "sha256": "SHA-256 of our archived copy.",
    "retrieved_at": "When our archived copy was taken.",
    "removed_at_source": "True when the original is no longer at its URL.",
    "identity_verified": "True when the newsroom knows who is behind the name.",
    "statement": "Markdown. What was asserted, quoting where possible.",
    "summary": "Markdown summary.",
    "description": "Markdown description.",
}


def describe(field) -> str:
    name = field.field_name or ""
    if name in FIELD_DESCRIPTIONS:
        return FIELD_DESCRIPTIONS[name]
    label = str(field.label or name.replace("_", " ") or "one item").strip()
    return label[:1].upper() + label[1:] + "."


def _with_descriptions(cls):
    original = cls._get_serializer_field_meta

    def _get_serializer_field_meta(self, field, direction):
        meta = original(self, field, direction)
        if not meta.get("description"):
            meta["description"] = describe(field)
        return meta

    cls._get_serializer_field_meta = _get_serializer_field_meta
    return cls


_with_descriptions(ProvenanceAutoSchema)


_PAGE_FIELDS = {
    "count": "Number of records matching the query, on all pages.",
    "next": "Address of the next page; null on the last page.",
    "previous": "Address of the previous page; null on the first page.",
    "results": "The records on this page.",
}
_PATH_PARAMETERS = {
    "slug": "The record's slug.",
    "id": "The record's numeric id.",
    "name": "The chart's name, as listed in the report's `charts`.",
}


# One example request body per write operation that takes one, keyed by (method, path). The
# knowledge-base ones build on each other in this order (tests/api/test_api_schema.py posts them):
# Huawei's denial in the Pangu Pro MoE dispute, dated to the month; the denial responds to the
# allegation (a claim with the slug ``ALLEGATION_SLUG``).
_CLAIM_SLUG = "noahs-ark-lab-denies-incremental-training"
ALLEGATION_SLUG = "honestagi-pangu-pro-moe-derived-from-qwen"
REQUEST_EXAMPLES = {
    ("post", "/api/v1/parties/"): {
        "name": "Huawei",
        "slug": "huawei",
        "kind": "organisation",
        "country": "China",
        "website": "https://www.huawei.com",
    },
    ("post", "/api/v1/models/"): {
        "name": "Pangu Pro MoE",
        "slug": "pangu-pro-moe",
        "developer": "huawei",
        "architecture": "mixture of experts",
    },
    ("post", "/api/v1/disputes/"): {
        "title": "Was Pangu Pro MoE upcycled from Qwen?",
        "slug": "pangu-pro-moe-and-qwen",
        "started_on": "2025-07-01",
        "started_on_precision": "month",
        "models_at_stake": ["pangu-pro-moe"],
        "parties": [{"party": "huawei", "role": "accused"}],
    },
    ("post", "/api/v1/evidence/"): {
        "title": "Noah's Ark Lab statement on Pangu Pro MoE",
        "slug": "noahs-ark-lab-statement",
        "kind": "statement",
        "author": "huawei",
        "published_on": "2025-07-01",
        "date_precision": "month",
    },
    ("post", "/api/v1/claims/"): {
        "title": "Pangu Pro MoE was not trained incrementally from another vendor's model",
        "slug": _CLAIM_SLUG,
        "dispute": "pangu-pro-moe-and-qwen",
        "claimant": "huawei",
        "kind": "denial",
        "statement": "Pangu Pro MoE is a base model developed and trained on the Ascend platform, "
        "not incrementally trained from other vendors' models.",
        "made_on": "2025-07-01",
        "date_precision": "month",
        "source": "noahs-ark-lab-statement",
        "subject_model": "pangu-pro-moe",
        "responds_to": ALLEGATION_SLUG,
    },
    ("post", "/api/v1/evidence-links/"): {
        "claim": _CLAIM_SLUG,
        "evidence": "noahs-ark-lab-statement",
        "stance": "supports",
        "note": "The statement is the denial's source.",
    },
    ("post", "/api/v1/checkpoints/"): {
        "model": "qwen2-5-14b",
        "source": {"kind": "hub", "hub": "huggingface", "repo": "Qwen/Qwen2.5-14B", "revision": "main"},
    },
    ("post", "/api/v1/checkpoints/preview/"): {
        "source": {"kind": "hub", "hub": "huggingface", "repo": "Qwen/Qwen2.5-14B", "revision": "main"}
    },
    ("post", "/api/v1/reports/"): {
        "checkpoint_a": 1,
        "checkpoint_b": 2,
        "methods": ["attn_std", "tensor_identity", "weight_matching"],
        "parameters": {"null_size": 32, "seed": 0},
    },
    ("post", "/api/v1/{resource}/{slug}/retract/"): {
        "note": "The statement this record quoted was misattributed; see the corrected record."
    },
}


# PATCH changes only the fields sent: one per resource; PUT sends what a create does (but the slug).
PATCH_EXAMPLES = {
    "parties": {"website": "https://www.huawei.com/en/"},
    "models": {"description": "Huawei's mixture-of-experts model, released on GitCode."},
    "disputes": {"summary": "HonestAGI alleged that Pangu Pro MoE was upcycled from Qwen2.5-14B."},
    "claims": {"assessment": "contested"},
    "evidence": {"description": "The lab's statement, in Chinese, with our translation."},
    "evidence-links": {"stance": "context"},
    "checkpoints": {"note": "Downloaded from the developer's repository on the day of release."},
}


def _example_for(method: str, path: str) -> dict | None:
    if path.endswith("/retract/"):
        return REQUEST_EXAMPLES[("post", "/api/v1/{resource}/{slug}/retract/")]
    if method in ("put", "patch") and path.rstrip("/").endswith(("{slug}", "{id}")):
        resource = path.split("/")[3]
        if method == "patch":
            return PATCH_EXAMPLES.get(resource)
        created = REQUEST_EXAMPLES.get(("post", f"/api/v1/{resource}/"))
        return None if created is None else {k: v for k, v in created.items() if k != "slug"}
    return REQUEST_EXAMPLES.get((method, path))


def describe_remaining(result, generator, request, public):
    """Postprocessing hook: descriptions of the pagination envelopes and path parameters, which
    drf-spectacular generates without any, and of the tags (one per resource: ``TAGS``)."""
    result["tags"] = [{"name": name, "description": text} for name, text in TAGS.values()]
    result["info"]["description"] += f" Writes: {token_howto()}."
    for component in result.get("components", {}).get("schemas", {}).values():
        for name, spec in component.get("properties", {}).items():
            if not spec.get("description") and name in _PAGE_FIELDS:
                spec["description"] = _PAGE_FIELDS[name]
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            example = _example_for(method, path) if body is not None else None
            if example is not None:
                body["examples"] = {"example": {"summary": "An example", "value": example}}
            for parameter in operation.get("parameters", []):
                if not parameter.get("description") and parameter["in"] == "path":
                    parameter["description"] = _PATH_PARAMETERS.get(parameter["name"], parameter["name"])
    return result
