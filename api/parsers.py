"""Parsers with size limits: a body over the limit is a 413 before it is parsed."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from api.errors import PayloadTooLarge

MAX_JSON_BYTES = getattr(settings, "CF_API_MAX_JSON_BYTES", 1024 * 1024)
MAX_MULTIPART_BYTES = getattr(settings, "CF_API_MAX_MULTIPART_BYTES", 26 * 1024 * 1024)


def _human(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def check_content_length(request, limit: int) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise ParseError("The Content-Length header is not a number.") from exc
    if length > limit:
        raise PayloadTooLarge(f"The request body is larger than {_human(limit)}.")


class LimitedJSONParser(parsers.JSONParser):
    """JSON objects only, at most MAX_JSON_BYTES, UTF-8."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None:
            check_content_length(request, MAX_JSON_BYTES)
        raw = stream.read(MAX_JSON_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_JSON_BYTES:
            raise PayloadTooLarge(f"The request body is larger than {_human(MAX_JSON_BYTES)}.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError("The body is not UTF-8.") from exc
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from exc


def _reject_constant(name):
    raise ValueError(f"{name} is not allowed in JSON")


class LimitedMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None:
            check_content_length(request, MAX_MULTIPART_BYTES)
        return super().parse(stream, media_type, parser_context)
