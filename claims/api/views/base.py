"""What every API viewset shares.

* visibility (``claims.api`` docstring): readers see public records; a user with the model's
  ``view`` permission also sees drafts on this model's own routes; writes find every record;
* ``?expand=`` validated against the viewset's ``expand_options`` (400 naming the valid ones);
* request bodies larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` refused with 413 before parsing;
* conditional GET: an ``ETag`` (``etag_for`` the body's bytes) on every 200, ``Last-Modified`` from
  ``updated_at`` on detail responses, 304 for a matching ``If-None-Match``/``If-Modified-Since``.
  Anonymous readers get the cheaper validators of ``claims.presentation.http_cache`` instead (from the content
  version, answered before the view runs); these body hashes serve clients with credentials;
* publish / unpublish / retract actions that call ``claims.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.response import Response
from rest_framework.settings import api_settings

from claims import services
from claims.api.errors import PayloadTooLarge
from claims.api.filters import MAX_ID, RecordSearchFilter
from claims.api.permissions import CanPublish
from claims.api.serializers.fields import StrictFieldsMixin, expansions
from claims.models.visibility import can_view_drafts
from claims.presentation.http_cache import etag_for

WRITE_ACTIONS = {"create", "update", "partial_update", "destroy", "publish", "unpublish", "retract"}


def expand_parameter(options: tuple[str, ...]) -> OpenApiParameter:
    return OpenApiParameter(
        "expand",
        OpenApiTypes.STR,
        description="Comma-separated relations to return as summaries instead of links: "
        + ", ".join(f"`{o}`" for o in options)
        + ".",
    )


class ApiViewMixin:
    """Body size limit, ``?expand=`` validation, conditional GET, ``Vary`` on credentials."""

    expand_options: tuple[str, ...] = ()
    # Query parameters an action reads itself (``@action(..., query_parameters=("hub_id",))``), beyond
    # its filters and pagination: ``claims.query_params`` accepts them.
    query_parameters: tuple[str, ...] = ()
    # Any path segment reaches the view, which answers an unknown one with a JSON 404 (a narrower
    # pattern would hand it to the site's HTML 404 page).
    lookup_value_regex = "[^/]+"

    def initial(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            # Before authentication and permissions: a missing method is 405 for everyone.
            raise MethodNotAllowed(request.method)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            raise PayloadTooLarge(f"The body is {length} bytes; this server accepts at most {limit} bytes.")
        # PostgreSQL text cannot hold NUL: a path segment with one names no row. (Query parameters
        # with control characters never get here: provenance.query_guard answers them with 400.)
        if any("\x00" in str(v) for v in kwargs.values()):
            raise Http404
        super().initial(request, *args, **kwargs)
        unknown = sorted(expansions(request) - set(self.expand_options))
        if unknown:
            valid = ", ".join(self.expand_options) or "none here"
            raise ValidationError({"expand": [f"Cannot expand {', '.join(unknown)}; valid: {valid}."]})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or not isinstance(response, Response)
        ):
            return response
        response.render()
        etag = etag_for(response.content, weak=False)
        response["ETag"] = etag
        last_modified = getattr(self, "last_modified", None)
        timestamp = None
        if last_modified is not None:
            timestamp = int(last_modified.timestamp())
            response["Last-Modified"] = http_date(timestamp)
        return get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)


class VisibilityMixin:
    """Which rows this request may address (see the module docstring): the viewset's selector
    (``rows``), for a reader, or with drafts for writes and for a user who sees ``model``'s drafts."""

    model: type[Model]

    def rows(self, *, preview: bool) -> QuerySet:
        """The viewset's rows from ``claims.selectors`` (drafts included when ``preview``)."""
        raise NotImplementedError

    def get_queryset(self):
        preview = self.action in WRITE_ACTIONS or can_view_drafts(self.request.user, self.model)
        return self.rows(preview=preview)

    def get_object(self):
        if self.lookup_field == "pk":
            value = str(self.kwargs.get("pk", ""))
            if not value.isdigit() or int(value) > MAX_ID:
                raise Http404  # not an id at all: no row has it (and the database must not see it)
        return super().get_object()

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.last_modified = instance.updated_at
        return Response(self.get_serializer(instance).data)


class RetractSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(
        max_length=10_000, help_text="Markdown. Why the record is retracted; readers see it on the record."
    )


class PublicRecordViewSet(
    ApiViewMixin,
    VisibilityMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Party, AI model, dispute, claim, evidence: read, create, update, and the editorial actions;
    ``?search=`` is the site's search (``claims.search``).
    There is no DELETE: a public record is retracted (it stays visible with its note)."""

    lookup_field = "slug"
    # The default backends, with ``?search=`` answered by the site's full-text search.
    filter_backends = [
        RecordSearchFilter if backend is SearchFilter else backend
        for backend in api_settings.DEFAULT_FILTER_BACKENDS
    ]

    def _transition(self, service, **kwargs):
        record = service(record=self.get_object(), user=self.request.user, **kwargs)
        record = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(record).data)

    @extend_schema(request=None, summary="Publish a draft (needs the publish permission)")
    @action(detail=True, methods=["post"], permission_classes=[CanPublish])
    def publish(self, request, slug=None):
        """Publish a draft. Every record it refers to must be public first (400 ``refused`` otherwise)."""
        self._reject_body(request)
        return self._transition(services.record_publish)

    @extend_schema(request=None, summary="Take a published record back to draft")
    @action(detail=True, methods=["post"], permission_classes=[CanPublish])
    def unpublish(self, request, slug=None):
        """Back to draft: for a mistake caught early. Once readers relied on it, retract it instead."""
        self._reject_body(request)
        return self._transition(services.record_unpublish)

    @extend_schema(request=RetractSerializer, summary="Retract a published record, with a note")
    @action(detail=True, methods=["post"], permission_classes=[CanPublish])
    def retract(self, request, slug=None):
        """Retract a published record; it stays public with the note saying why."""
        body = RetractSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(services.record_retract, note=body.validated_data["note"])

    @staticmethod
    def _reject_body(request) -> None:
        data = request.data
        if data and isinstance(data, dict):
            raise ValidationError({k: ["Unknown field: this action takes no body."] for k in sorted(data)})
        if data and not isinstance(data, dict):
            raise ValidationError({"non_field_errors": ["This action takes no body."]})
