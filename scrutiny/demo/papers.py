"""Meeting papers for the demo as real, small PDFs, drawn with WeasyPrint when the demo is
seeded (no binary files in git), so the agenda packs merge real papers."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape


def pdf_paper(name: str, title: str, paragraphs: list[str], *, pages: int = 1):
    """A tagged A4 PDF of `title` and `paragraphs`, repeated over `pages` pages."""
    from weasyprint import HTML  # imported here: loading it parses its stylesheets (slow)

    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    sheets = "".join(
        f'<section style="break-before: page"><h2>{escape(title)}: page {n}</h2>{body}</section>'
        for n in range(2, pages + 1)
    )
    html = (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>@page { size: A4; margin: 25mm } "
        "html { font-family: Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif }</style>"
        f"</head><body><h1>{escape(title)}</h1>{body}{sheets}</body></html>"
    )
    data = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return SimpleUploadedFile(name, data, content_type="application/pdf")
