"""An answer being written: kept in the session between the form and "check your answer", with
its documents in storage (`pending-answers/`), so going back to change it loses nothing.

Each pending answer is keyed by its subject ("request:12"). The documents were checked when they
were uploaded; the service checks them again when the answer is sent.
"""

from __future__ import annotations

import uuid

from django.core.files import File
from django.core.files.storage import default_storage

SESSION_KEY = "cf-pending-answers"


def key(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def load(request, subject_key: str) -> dict:
    return dict(request.session.get(SESSION_KEY, {}).get(subject_key) or {})


def save(request, subject_key: str, answer: dict) -> None:
    everything = dict(request.session.get(SESSION_KEY, {}))
    everything[subject_key] = answer
    request.session[SESSION_KEY] = everything


def stash_files(uploads) -> list[dict]:
    """Store checked uploads; return what the session keeps of each."""
    out = []
    for checked in uploads:
        checked.file.seek(0)
        path = default_storage.save(
            f"pending-answers/{uuid.uuid4().hex}/{checked.name}", checked.file
        )
        out.append({"path": path, "name": checked.name, "size": checked.size})
    return out


def open_files(answer: dict) -> list[File]:
    return [
        File(default_storage.open(f["path"], "rb"), name=f["name"]) for f in answer.get("files", [])
    ]


def discard(request, subject_key: str) -> None:
    everything = dict(request.session.get(SESSION_KEY, {}))
    answer = everything.pop(subject_key, None) or {}
    for f in answer.get("files", []):
        default_storage.delete(f["path"])
    request.session[SESSION_KEY] = everything
