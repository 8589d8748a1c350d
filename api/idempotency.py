"""Idempotency-Key on POST: a retry with the same key and body replays the first answer.

The record is written in the same transaction as the response it answers for, so either both
exist or neither does. Only successful (2xx) answers are kept: a request that failed recorded
nothing, and may be retried with the same key once it is fixed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.errors import IdempotencyKeyReused
from api.models import ApiKey, IdempotencyRecord
from workflows.errors import Conflict

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Printable ASCII, spaces only inside: what a header can carry unchanged, and what the schema
# documents (KEY_SCHEMA), so that every key the schema allows is accepted and no other.
KEY_REGEX = rf"^[!-~](?:[ -~]{{0,{MAX_KEY_LENGTH - 2}}}[!-~])?$"
KEY_PATTERN = re.compile(KEY_REGEX)
KEY_RULE = (
    f"Send a key of 1 to {MAX_KEY_LENGTH} printable ASCII characters (a UUID is best), "
    "with no space at either end."
)
KEY_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_KEY_LENGTH,
    "pattern": KEY_REGEX,
    "example": "7d0c3f52-2a4e-4b55-9a53-6b3c4a1f9e10",
}


def _owner(request) -> str:
    if isinstance(request.auth, ApiKey):
        return f"key:{request.auth.pk}"
    return f"user:{request.user.pk}"


def _file_digest(f) -> str:
    digest = hashlib.sha256()
    for chunk in f.chunks():
        digest.update(chunk)
    f.seek(0)
    return digest.hexdigest()


def request_fingerprint(request) -> str:
    """sha256 over method, path and the parsed body (JSON canonicalised; files by content)."""
    data = request.data
    if hasattr(data, "lists"):
        fields = {}
        for key, values in data.lists():
            fields[key] = [
                {"file": getattr(v, "name", ""), "sha256": _file_digest(v)}
                if hasattr(v, "chunks")
                else v
                for v in values
            ]
        body = fields
    else:
        body = data
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": body},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def idempotency_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError({HEADER: [KEY_RULE]})
    return key


def run_idempotent(request, action) -> Response:
    """Call `action()` (which returns a Response) at most once per Idempotency-Key."""
    key = idempotency_key(request)
    if key is None:
        with transaction.atomic():
            return action()
    owner = _owner(request)
    fingerprint = request_fingerprint(request)
    previous = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if previous is not None:
        return _replay(previous, fingerprint)
    try:
        with transaction.atomic():
            response = action()
            if 200 <= response.status_code < 300:
                IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    request_hash=fingerprint,
                    status_code=response.status_code,
                    response_body=response.data,
                )
    except (IntegrityError, Conflict):
        # Another request with the same key won the race; its transaction committed first
        # (a conflict: the twin's answer is now the current one, found under the lock).
        previous = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if previous is None:
            raise
        return _replay(previous, fingerprint)
    return response


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def purge(*, older_than: dt.timedelta = dt.timedelta(days=7), now=None) -> int:
    """Forget Idempotency-Keys older than `older_than` (clients retry within minutes)."""
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - older_than).delete()
    return deleted
