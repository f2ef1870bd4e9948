"""One JSON shape for every API error, mapped once here (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``)::

    {"error": {"code": "invalid", "message": "title: This field is required.",
               "fields": {"title": ["This field is required."]}}}

``code`` is stable and machine-readable; ``message`` is a sentence a client developer can act on;
``fields`` names each offending field (``non_field_errors`` for rules spanning fields) and is empty
when no field is at fault. Mapping: ``ProvenanceError`` (a refused editorial transition) → 400
``refused``; validation (DRF or model ``full_clean``) → 400 ``invalid``; unparsable or too deeply
nested JSON (``claims.api.parsers``) → 400 ``malformed_body``; body over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` → 413; not found → 404; missing or bad credentials → 401 with
``WWW-Authenticate``; no permission → 403; throttled → 429 with ``Retry-After``. Anything unexpected is logged and answered as 500 ``server_error`` in the same shape.
Two answers in this shape come from outside DRF: a control character in a query parameter → 400
``invalid`` (``provenance.query_guard``), an address no route matches → 404 ``not_found``
(``claims.api.views.fallback``).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from claims.api.errors import Conflict, PayloadTooLarge
from claims.errors import ProvenanceError

logger = logging.getLogger(__name__)

_CODES = {
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "malformed_body",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail) -> list[str]:
    """Every message in a DRF error detail (a string, list or nested dict), in order."""
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def _validation_message(fields: dict) -> str:
    parts = []
    for name, detail in fields.items():
        text = " ".join(_flatten(detail))
        parts.append(text if name == "non_field_errors" else f"{name}: {text}")
    return "; ".join(parts) or "The request is invalid."


def _as_drf(exc: Exception) -> Exception:
    """Django and domain exceptions as the DRF exceptions they correspond to."""
    if isinstance(exc, ProvenanceError):
        error = exceptions.ValidationError({"non_field_errors": [str(exc)]})
        error.provenance = True
        return error
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            from django.core.exceptions import NON_FIELD_ERRORS

            return exceptions.ValidationError(
                {("non_field_errors" if k == NON_FIELD_ERRORS else k): v for k, v in exc.message_dict.items()}
            )
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, (OverflowError, DataError)):
        # A number or text the database cannot store: the client's value, not our failure.
        logger.info("Out-of-range value answered as 400: %s", exc)
        return exceptions.ValidationError(
            {"non_field_errors": ["A value is out of the range this API accepts."]}
        )
    if isinstance(exc, IntegrityError):
        logger.info("Integrity error answered as 409: %s", exc)
        return Conflict()
    if isinstance(exc, Http404):
        return exceptions.NotFound("No public record matches this address.")
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def exception_handler(exc: Exception, context: dict) -> Response:
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        view = context.get("view")
        logger.exception("Unhandled error in %s", type(view).__name__ if view else "API", exc_info=exc)
        return Response(
            error_body("server_error", "Something went wrong on our side; it has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {k: _flatten(v) for k, v in detail.items()}
        code = "refused" if getattr(exc, "provenance", False) else "invalid"
        response.data = error_body(code, _validation_message(fields), fields)
        return response
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), None)
    if code is None:
        code = getattr(exc, "default_code", "error")
    message = " ".join(_flatten(getattr(exc, "detail", str(exc))))
    if isinstance(exc, exceptions.NotAuthenticated):
        message = "Authentication is needed for this request: send 'Authorization: Token <key>'."
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        message = f"Too many requests: retry after {int(exc.wait) + 1} seconds (see Retry-After)."
        response["Retry-After"] = str(int(exc.wait) + 1)
    response.data = error_body(code, message)
    return response
