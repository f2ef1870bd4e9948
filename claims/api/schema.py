"""OpenAPI details drf-spectacular cannot infer: the error responses every operation can give,
and the schema of the link fields (a slug when written, a link object when read)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


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


class ProvenanceAutoSchema(AutoSchema):
    """Adds the documented error responses, all with the one error shape."""

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
        if field.allow_null:
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
