"""Every API error as RFC 9457 problem details, from one exception handler.

DRF's errors, Django's 404/403/suspicious input and the domain's errors (workflows.errors) all
become `application/problem+json` with `type`, `title`, `status`, `detail` and, where a field is
at fault, `errors` ({field: [messages]}). So does every error nothing else handled: an
`IntegrityError` is 409; a `DataError` (a value the database cannot store) is 400; the database
being unreachable (`OperationalError`, `InterfaceError` or a bare `DatabaseError`) is 503 with
`Retry-After`; anything else, a `ProgrammingError` included, is 500 — logged in full, shown
without internals. The API never answers with an HTML error page.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied as DjangoPermissionDenied,
)
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    ProgrammingError,
)
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from workflows.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Seconds a client waits before trying again when the database is unavailable.
RETRY_AFTER_UNAVAILABLE = 30

# slug: (title, what it means for the client)
PROBLEM_TYPES = {
    "invalid-input": (
        "Your request has invalid input",
        "A field is missing, of the wrong type, unknown or out of range. `errors` names each "
        "field and what is wrong with it. Nothing was recorded.",
    ),
    "malformed-request": (
        "Your request could not be read",
        "The body is not valid JSON or multipart data. Nothing was recorded.",
    ),
    "not-authenticated": (
        "Authentication needed",
        "Send your key as `Authorization: Bearer <key>`. The key may be wrong or revoked.",
    ),
    "forbidden": (
        "Not allowed",
        "Your key lacks the scope for this, or the action is not open to you.",
    ),
    "not-found": (
        "Not found",
        "There is nothing at this address that your key may see. Things addressed to another "
        "body are not found, not forbidden.",
    ),
    "method-not-allowed": (
        "Method not allowed",
        "Responses are immutable: PUT, PATCH and DELETE are refused. Correct a response by "
        "posting a new one with `supersedes`.",
    ),
    "not-acceptable": ("Not acceptable", "Ask for application/json."),
    "conflict": (
        "Not possible in the current state",
        "The request or recommendation is not in a state that allows this (it may have been "
        "withdrawn). `current_state` says where it is.",
    ),
    "payload-too-large": (
        "Request too large",
        "The body is larger than the API accepts; see `detail` for the limit.",
    ),
    "unsupported-media-type": (
        "Unsupported content type",
        "Send application/json, or multipart/form-data when you attach files.",
    ),
    "idempotency-key-reused": (
        "Idempotency-Key reused with a different request",
        "This Idempotency-Key was first used with a different body. Use a new key for a new "
        "request.",
    ),
    "throttled": (
        "Too many requests",
        "Slow down: wait the number of seconds in the Retry-After header.",
    ),
    "conflicts-with-stored-data": (
        "Conflicts with what is already recorded",
        "The request clashes with something already recorded, for example the same thing sent "
        "twice at once. Nothing was recorded by this request: read the current state and send "
        "it again if it still makes sense.",
    ),
    "unavailable": (
        "Temporarily unavailable",
        "The service cannot reach its database just now. Nothing was recorded by this request: "
        "wait the number of seconds in the Retry-After header and try again.",
    ),
    "error": (
        "Something went wrong",
        "An error on our side. It has been logged; try again later, and tell the support "
        "officer if it keeps happening.",
    ),
}

_BY_STATUS = {
    400: "invalid-input",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "idempotency-key-reused",
    429: "throttled",
    500: "error",
    503: "unavailable",
}


def problem_type_uri(slug: str) -> str:
    return f"{settings.SITE_URL}/api/problems/{slug}/"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was already used with a different request body. "
        "Use a new key for a new request."
    )
    default_code = "idempotency_key_reused"


class DomainProblem(exceptions.APIException):
    def __init__(self, error: DomainError):
        self.status_code = {
            InvalidInput: 400,
            Forbidden: 403,
            NotFound: 404,
            Conflict: 409,
        }.get(type(error), getattr(error, "status", 400))
        super().__init__(detail=error.message)
        self.field_errors = error.field_errors
        self.current_state = getattr(error, "current_state", None)


def _flatten(detail, prefix="") -> dict[str, list[str]]:
    """{"a": {"b": ["x"]}, "c": [{"d": ["y"]}]} → {"a.b": ["x"], "c[0].d": ["y"]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a ListSerializer's errors by item index
                out.update(_flatten(value, f"{prefix}[{key}]"))
                continue
            name = "non_field_errors" if key in ("non_field_errors", "__all__") else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in detail)
        else:
            for i, value in enumerate(detail):
                if value:
                    out.update(_flatten(value, f"{prefix}[{i}]"))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def _summary(errors: dict[str, list[str]]) -> str:
    parts = [f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()]
    return "Check your input. " + "; ".join(parts)


def problem_response(
    status_code: int,
    detail: str,
    *,
    errors=None,
    headers=None,
    slug=None,
    extra=None,
    instance=None,
):
    slug = slug or _BY_STATUS.get(status_code, "error")
    title = PROBLEM_TYPES.get(slug, PROBLEM_TYPES["error"])[0]
    body = {"type": problem_type_uri(slug), "title": title, "status": status_code, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER for the API views."""
    if isinstance(exc, DomainError):
        exc = DomainProblem(exc)
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(str(exc) or "The request could not be read.")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    request = context.get("request")
    instance = request.path if request is not None else None
    if response is None:
        return unhandled_problem(exc, instance=instance)
    headers = {k: v for k, v in response.items() if k.lower() != "content-type"}
    errors = None
    extra = {}
    slug = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = _summary(errors)
    elif isinstance(exc, DomainProblem):
        detail = str(exc.detail)
        errors = {
            k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
            for k, v in (exc.field_errors or {}).items()
        } or None
        if exc.current_state:
            extra["current_state"] = exc.current_state
    else:
        detail = exc.detail if isinstance(exc.detail, str) else _summary(_flatten(exc.detail))
        detail = str(detail)
        if isinstance(exc, exceptions.ParseError):
            slug = "malformed-request"
    return problem_response(
        response.status_code,
        detail,
        errors=errors,
        headers=headers,
        slug=slug,
        extra=extra,
        instance=instance,
    )


def unhandled_problem(exc, *, instance=None):
    """The problem+json answer for an error that nothing else handled (see the module docstring).

    The transaction is rolled back whole; the detail never carries the exception's text."""
    set_rollback()
    if isinstance(exc, IntegrityError):
        log.warning("integrity error on %s: %s", instance, exc)
        return problem_response(
            409,
            "This clashes with something already recorded; nothing was recorded. "
            "Read the current state and try again if it still makes sense.",
            slug="conflicts-with-stored-data",
            instance=instance,
        )
    if isinstance(exc, DataError):
        log.warning("data error on %s: %s", instance, exc)
        return problem_response(
            400,
            "A value is too long or out of range for what can be stored; nothing was recorded.",
            instance=instance,
        )
    bug = (ProgrammingError, InternalError, NotSupportedError)
    if isinstance(exc, DatabaseError | InterfaceError) and not isinstance(exc, bug):
        log.error("database unavailable on %s: %s", instance, exc)
        return problem_response(
            503,
            "The service is temporarily unavailable; nothing was recorded. Try again later.",
            headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE)},
            instance=instance,
        )
    log.error("unhandled error on %s", instance, exc_info=exc)
    return problem_response(
        500,
        "Something went wrong on our side. It has been logged.",
        instance=instance,
    )
