"""Demo evidence in public: one published attachment, as a redacted copy with its note.

Northby's trust sends a further-information letter with its answer to one of the LINk's
published requests; the letter names a ward manager, so the officer publishes a copy with the
name taken out and says so (docs/decisions/0032-open-data-and-evidence.md). Idempotent: once a
document of the trust's responses is published, nothing more is written.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from weasyprint import HTML

from scrutiny.casework import publication, services
from scrutiny.casework.models import AttachmentPublication
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm

LETTER = (
    "<h1>Northby Hospitals NHS Trust</h1><p>Further to our answer, the ward's staffing "
    "figures for the last quarter are attached.</p><p>Contact: {contact}</p>"
)
NOTE = (
    "The ward manager's name and direct telephone line are redacted: personal data of a "
    "member of staff, not needed to understand the answer."
)


def _pdf(name: str, contact: str) -> SimpleUploadedFile:
    data = HTML(string=LETTER.format(contact=contact)).write_pdf()
    return SimpleUploadedFile(name, data, "application/pdf")


def seed_demo(result) -> list[str]:
    northby = result["areas"][0]
    if AttachmentPublication.objects.filter(
        attachment__response__information_request__recipient=northby.trust
    ).exists():
        return []
    request = (
        publication.requests_public()
        .filter(recipient=northby.trust, responses__isnull=False)
        .select_related("topic")
        .order_by("pk")
        .first()
    )
    if request is None:
        return []
    response = services.provider_response_record(
        subject=request,
        by=result["users"]["trust-responder"],
        channel="api",
        text="The ward's staffing figures for the last quarter, as promised.",
        kind="further_information",
        attachments=[_pdf("Staffing letter.pdf", "A. Person, ward manager, 01632 960123")],
    )
    officer = next(
        u
        for u in (result["users"]["northby-link-officer"], result["users"]["northby-osc-officer"])
        if can(u, Perm.TOPIC_MANAGE, request.topic)
    )
    services.attachment_publish(
        attachment=response.attachments.get(),
        by=officer,
        redacted_copy=_pdf("Staffing letter (redacted).pdf", "[redacted]"),
        redaction_note=NOTE,
    )
    return [f"Published document: 'Staffing letter (redacted).pdf' on '{request.topic.title}'"]
