"""The demo's published document (scrutiny/demo/documents.py)."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from scrutiny.casework.models import AttachmentPublication

pytestmark = pytest.mark.django_db


def test_one_redacted_document_is_published_once(client):
    call_command("seed_demo", verbosity=0)
    (pub,) = AttachmentPublication.objects.select_related("attachment__response")
    assert pub.withdrawn_at is None and pub.redacted_file and "redacted" in pub.redaction_note
    topic = pub.attachment.response.information_request.topic
    html = client.get(f"/outcomes/{topic.pk}/").content.decode()
    assert f"/outcomes/documents/{pub.pk}/" in html and "personal data of a" in html
    download = client.get(f"/outcomes/documents/{pub.pk}/")
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and body.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "[redacted]" in text and "01632" not in text
    call_command("seed_demo", verbosity=0)
    assert AttachmentPublication.objects.count() == 1
