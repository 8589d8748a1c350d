"""Checks on uploaded files: size and type, by extension and by content."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings

from workflows.errors import InvalidInput

MAX_UPLOAD_BYTES = getattr(settings, "CF_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "doc": ("application/msword", (OLE,)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (ZIP,),
    ),
    "xls": ("application/vnd.ms-excel", (OLE,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "odt": ("application/vnd.oasis.opendocument.text", (ZIP,)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (ZIP,)),
    "odp": ("application/vnd.oasis.opendocument.presentation", (ZIP,)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "txt": ("text/plain", ()),
}
ALLOWED_DESCRIPTION = "PDF, Word, OpenDocument, Excel, PNG, JPEG, GIF, WebP or plain text"


@dataclass(frozen=True)
class CheckedUpload:
    file: object
    name: str
    content_type: str
    size: int
    sha256: str


def check_upload(uploaded, *, field: str = "attachments") -> CheckedUpload:
    """Validate an uploaded file; raise InvalidInput with a message a person can act on."""
    name = PurePath(getattr(uploaded, "name", "") or "upload").name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in SIGNATURES:
        raise InvalidInput(
            f"'{name}' is not an accepted type. Upload {ALLOWED_DESCRIPTION}.",
            field_errors={field: [f"'{name}': upload {ALLOWED_DESCRIPTION}."]},
        )
    size = uploaded.size
    if size > MAX_UPLOAD_BYTES:
        limit = MAX_UPLOAD_BYTES // (1024 * 1024)
        raise InvalidInput(
            f"'{name}' is larger than {limit} MB.",
            field_errors={field: [f"'{name}' must be smaller than {limit} MB."]},
        )
    if size == 0:
        raise InvalidInput(f"'{name}' is empty.", field_errors={field: [f"'{name}' is empty."]})
    digest = hashlib.sha256()
    head = b""
    for chunk in uploaded.chunks():
        if len(head) < 16:
            head += chunk[:16]
        digest.update(chunk)
    uploaded.seek(0)
    content_type, magics = SIGNATURES[ext]
    ok = any(head.startswith(m) for m in magics) if magics else _looks_like_text(uploaded)
    if not ok:
        raise InvalidInput(
            f"'{name}' does not look like a .{ext} file.",
            field_errors={field: [f"'{name}' is not a real .{ext} file."]},
        )
    return CheckedUpload(uploaded, name, content_type, size, digest.hexdigest())


def _looks_like_text(uploaded) -> bool:
    sample = uploaded.read(65536)
    uploaded.seek(0)
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sample's end is still text.
        return exc.start >= len(sample) - 3
    return True


def uploads_checked(uploads) -> tuple[list[CheckedUpload], list[str]]:
    """Check each upload; return those that pass and a message for each that does not (for a
    page that keeps the good files while the person fixes the rest)."""
    checked, problems = [], []
    for uploaded in uploads:
        try:
            checked.append(check_upload(uploaded))
        except InvalidInput as exc:
            problems.append(exc.message)
    return checked, problems
