"""One PDF from a meeting's agenda and its papers (docs/decisions/0031-agenda-packs.md).

WeasyPrint draws the cover, the contents and the agenda. Each page of a paper that is a PDF gets
an empty placeholder page in that document, so WeasyPrint's own page counter, contents
(`target-counter`) and bookmarks already count it; pypdf then draws the paper's page onto its
placeholder, under the pack's footer. The pack keeps WeasyPrint's tags (PDF/UA-1), outline,
title and language; a merged paper's own tags are not carried over.

Plain-text papers are set into the pack as text, images as figures; papers of other types
(Word, OpenDocument, spreadsheets) are listed with a note saying where to download them.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from dataclasses import dataclass, field

import pypdf
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

A4 = (595.28, 841.89)  # points
MAX_TEXT_CHARS = 200_000

# The types a paper is set into the pack as, besides PDF (scrutiny.casework.uploads).
TEXT_TYPES = {"text/plain"}
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
TYPE_NAMES = {
    "application/msword": "a Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "a Word document",
    "application/vnd.ms-excel": "an Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an Excel spreadsheet",
    "application/vnd.oasis.opendocument.text": "an OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation",
}


@dataclass
class PackPaper:
    """One paper as the pack shows it: `how` is "pdf", "text", "image" or "listed"."""

    pk: int
    title: str
    original_name: str
    size: int
    url: str
    how: str = "listed"
    note: str = ""
    text: str = ""
    image_uri: str = ""
    reader: pypdf.PdfReader | None = None
    placeholders: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return self.placeholders[0] if self.placeholders else f"paper-{self.pk}"


@dataclass
class Built:
    pdf: bytes
    pages: int
    sha256: str
    contents: dict
    listed: dict


def read_paper(paper, *, url: str) -> PackPaper:
    """How a paper goes into the pack, reading its file once."""
    out = PackPaper(paper.pk, paper.title, paper.original_name, paper.size, url)
    try:
        with paper.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError):
        out.note = "The file of this paper is missing; ask the meeting's officer for it."
        return out
    kind = paper.content_type
    if kind == "application/pdf":
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                out.note = "This PDF is protected by a password, so it is not in the pack."
                return out
            pages = len(reader.pages)
        except (pypdf.errors.PyPdfError, ValueError, KeyError, OSError) as exc:
            logger.warning("Paper %s: unreadable PDF (%s)", paper.pk, exc)
            out.note = "This PDF could not be read, so it is not in the pack."
            return out
        if pages == 0:
            out.note = "This PDF has no pages."
            return out
        out.how, out.reader = "pdf", reader
        out.placeholders = [f"paper-{paper.pk}-page-{i}" for i in range(pages)]
    elif kind in TEXT_TYPES:
        text = data.decode("utf-8", errors="replace")
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
            out.note = "This text is long: the pack shows its beginning; download it for all."
        out.how, out.text = "text", text
    elif kind in IMAGE_TYPES:
        out.how = "image"
        out.image_uri = f"data:{kind};base64,{base64.b64encode(data).decode()}"
    else:
        name = TYPE_NAMES.get(kind, "a file of another type")
        out.note = f"This paper is {name}, so it is not in the pack: download it on its own."
    return out


def _fit(page: pypdf.PageObject) -> pypdf.Transformation:
    """Scale a paper's page to fit an A4 placeholder (never enlarged), centred, top-aligned."""
    box = page.mediabox
    width, height = float(box.width), float(box.height)
    scale = min(A4[0] / width, A4[1] / height, 1.0) if width and height else 1.0
    return (
        pypdf.Transformation()
        .translate(-float(box.left), -float(box.bottom))
        .scale(scale, scale)
        .translate((A4[0] - width * scale) / 2, A4[1] - height * scale)
    )


def assemble(template: str, context: dict, papers: list[PackPaper], *, base_url: str) -> Built:
    """Render `template` (which places each PDF paper's placeholders), then merge the papers."""
    from weasyprint import HTML  # imported here: loading it parses its stylesheets (slow)

    html = render_to_string(template, {**context, "papers": papers})
    document = HTML(string=html, base_url=base_url).render()
    page_of = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            page_of.setdefault(anchor, number)
    raw = document.write_pdf(pdf_variant="pdf/ua-1")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(raw)))
    for paper in papers:
        if paper.how != "pdf":
            continue
        own = pypdf.PdfWriter(clone_from=paper.reader)  # its pages can then be rotated
        for anchor, source in zip(paper.placeholders, own.pages, strict=True):
            if source.rotation:
                source.transfer_rotation_to_content()
            target = writer.pages[page_of[anchor] - 1]
            target.merge_transformed_page(source, _fit(source), over=False)
    writer.compress_identical_objects()
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf = buffer.getvalue()
    contents = {
        "items": {
            key.removeprefix("item-"): n
            for key, n in page_of.items()
            if key.startswith("item-") and key.removeprefix("item-").isdigit()
        },
        "papers": {str(p.pk): page_of.get(p.anchor) for p in papers},
    }
    return Built(
        pdf=pdf,
        pages=len(writer.pages),
        sha256=hashlib.sha256(pdf).hexdigest(),
        contents=contents,
        listed={str(p.pk): p.note for p in papers if p.how == "listed"},
    )


def render_pdf(template: str, context: dict, *, base_url: str) -> bytes:
    """A small document (the approved minutes) drawn by WeasyPrint alone, tagged (PDF/UA-1)
    with the title and language its template's <title> and <html lang> give."""
    from weasyprint import HTML  # imported here: loading it parses its stylesheets (slow)

    html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")
