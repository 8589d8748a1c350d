"""The text of a meeting paper, for search: PDF (pypdf), Word .docx (python-docx), plain text.

Bounded: at most `MAX_PAGES` pages of a PDF and `MAX_CHARS` characters of any file are read
(a long paper is searchable by its opening, which is where its summary is). Any failure — an
encrypted or damaged PDF, a .docx that is not one, a type with no extractor — is logged and the
paper is indexed by its title alone: a paper is never refused because its text could not be
read (docs/decisions/0033-search-everything.md).
"""

from __future__ import annotations

import io
import logging

logger = logging.getLogger(__name__)

MAX_PAGES = 200
MAX_CHARS = 100_000
MAX_BYTES = 20 * 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ValueError("the PDF is encrypted")
    parts, size = [], 0
    for page in reader.pages[:MAX_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= MAX_CHARS:
            break
    return "\n".join(parts)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts, size = [], 0
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append(" ".join(cell.text for cell in row.cells))
    for text in blocks:
        parts.append(text)
        size += len(text)
        if size >= MAX_CHARS:
            break
    return "\n".join(parts)


def _plain(data: bytes) -> str:
    return data[: MAX_CHARS * 4].decode("utf-8", errors="replace")


EXTRACTORS = {PDF: _pdf, DOCX: _docx, TEXT: _plain}


def extract_text(data: bytes, content_type: str, *, name: str = "") -> str:
    """The text of a file's bytes (its checked content type), at most MAX_CHARS characters;
    "" when it has none that can be read."""
    extractor = EXTRACTORS.get(content_type)
    if extractor is None:
        return ""
    try:
        return extractor(data)[:MAX_CHARS]
    except Exception:
        logger.warning("No text extracted from paper %r (%s)", name, content_type, exc_info=True)
        return ""


def paper_text(paper) -> str:
    """The text of a stored paper (read from its file), bounded; "" on any failure."""
    if paper.content_type not in EXTRACTORS:
        return ""
    try:
        with paper.file.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError:
        logger.warning("Paper %s: its file could not be read", paper.pk, exc_info=True)
        return ""
    if len(data) > MAX_BYTES:
        logger.warning("Paper %s: larger than %s bytes, indexed by title", paper.pk, MAX_BYTES)
        return ""
    return extract_text(data, paper.content_type, name=paper.original_name)
