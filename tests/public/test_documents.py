"""Evidence in public: officers publish a response's attachments (perhaps as a redacted copy)
and withdraw them; residents see and download only what is published, while the topic is."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from scrutiny.casework import publication, services
from scrutiny.casework.models import AttachmentPublication
from tests.public.builders import build_topic
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import AuditEvent

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


def _pdf(name, extra=b""):
    return SimpleUploadedFile(name, PDF + extra, "application/pdf")


@pytest.fixture
def answered(area, officer, responder):
    """A published topic whose request's answer came with two letters."""
    topic = build_topic(area, officer, responder, target="concluded")
    req = topic.requests.get()
    response = req.responses.get()
    services.provider_response_record(
        subject=req,
        by=responder,
        channel="api",
        text="Correcting with the letters attached",
        outcome="answered",
        supersedes=response,
        correction_reason="Letters attached",
        attachments=[_pdf("letter.pdf", b"ORIGINAL-TEXT"), _pdf("private.pdf", b"PRIVATE")],
    )
    current = req.responses.get(superseded_by__isnull=True)
    letter, private = current.attachments.order_by("id")
    return topic, letter, private


def _download(client, pub):
    response = client.get(f"/outcomes/documents/{pub.pk}/")
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def test_published_attachment_is_listed_and_downloads(client, officer, answered):
    topic, letter, private = answered
    pub = services.attachment_publish(attachment=letter, by=officer)
    cache.clear()
    page = client.get(f"/outcomes/{topic.pk}/").content.decode()
    assert "letter.pdf" in page and f"/outcomes/documents/{pub.pk}/" in page
    assert "private.pdf" not in page
    response, body = _download(client, pub)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="letter.pdf"')
    assert b"ORIGINAL-TEXT" in body
    events = AuditEvent.objects.filter(event_type="response_attachment_published")
    assert events.count() == 1 and events.get().data["attachment"] == letter.pk


def test_redacted_copy_is_served_instead_with_its_note(client, officer, answered):
    topic, letter, _ = answered
    pub = services.attachment_publish(
        attachment=letter,
        by=officer,
        redacted_copy=_pdf("letter-redacted.pdf", b"REDACTED-TEXT"),
        redaction_note="A patient's name removed.",
    )
    cache.clear()
    page = client.get(f"/outcomes/{topic.pk}/").content.decode()
    assert "letter-redacted.pdf" in page and "A patient&#x27;s name removed." in page
    response, body = _download(client, pub)
    assert b"REDACTED-TEXT" in body and b"ORIGINAL-TEXT" not in body
    assert 'filename="letter-redacted.pdf"' in response["Content-Disposition"]


def test_a_redacted_copy_needs_a_note(officer, answered):
    _, letter, _ = answered
    with pytest.raises(InvalidInput) as exc:
        services.attachment_publish(
            attachment=letter, by=officer, redacted_copy=_pdf("copy.pdf"), redaction_note=" "
        )
    assert "redaction_note" in exc.value.field_errors
    assert not AttachmentPublication.objects.exists()


def test_not_a_real_file_is_refused(officer, answered):
    _, letter, _ = answered
    fake = SimpleUploadedFile("copy.pdf", b"not a pdf", "application/pdf")
    with pytest.raises(InvalidInput):
        services.attachment_publish(
            attachment=letter, by=officer, redacted_copy=fake, redaction_note="Names"
        )


def test_only_the_topics_officers_publish(responder, answered):
    _, letter, _ = answered
    with pytest.raises(Forbidden):
        services.attachment_publish(attachment=letter, by=responder)


def test_publishing_twice_conflicts_and_withdrawing_hides(client, officer, answered):
    topic, letter, _ = answered
    pub = services.attachment_publish(attachment=letter, by=officer)
    with pytest.raises(Conflict):
        services.attachment_publish(attachment=letter, by=officer)
    with pytest.raises(InvalidInput):
        services.attachment_withdraw(publication=pub, by=officer, reason="")
    services.attachment_withdraw(publication=pub, by=officer, reason="Named a nurse")
    cache.clear()
    assert client.get(f"/outcomes/documents/{pub.pk}/").status_code == 404
    assert "letter.pdf" not in client.get(f"/outcomes/{topic.pk}/").content.decode()
    with pytest.raises(Conflict):
        services.attachment_withdraw(publication=pub, by=officer, reason="Again")
    again = services.attachment_publish(attachment=letter, by=officer)  # a new record
    assert again.pk != pub.pk and AttachmentPublication.objects.count() == 2
    kinds = list(
        AuditEvent.objects.filter(event_type__startswith="response_attachment_")
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert kinds == [
        "response_attachment_published",
        "response_attachment_withdrawn",
        "response_attachment_published",
    ]


def test_unpublished_topic_hides_its_documents(client, officer, answered):
    topic, letter, _ = answered
    pub = services.attachment_publish(attachment=letter, by=officer)
    publication.topic_unpublish(topic=topic, by=officer, reason="Checking")
    cache.clear()
    assert client.get(f"/outcomes/documents/{pub.pk}/").status_code == 404
    assert not publication.attachments_public().exists()


def test_a_superseded_responses_attachment_is_not_publishable(officer, responder, answered):
    topic, letter, _ = answered
    req = topic.requests.get()
    services.provider_response_record(
        subject=req,
        by=responder,
        channel="api",
        text="Corrected again",
        outcome="answered",
        supersedes=letter.response,
        correction_reason="Typo",
    )
    with pytest.raises(InvalidInput):
        services.attachment_publish(attachment=letter, by=officer)


def test_officer_pages_publish_and_withdraw(client, officer, answered):
    topic, letter, _ = answered
    client.force_login(officer)
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert f"/attachments/{letter.pk}/publish/" in page
    bad = client.post(
        f"/attachments/{letter.pk}/publish/",
        {"redaction_note": "Kept typed", "redacted_copy": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert bad.status_code == 400 and "Kept typed" in bad.content.decode()
    ok = client.post(f"/attachments/{letter.pk}/publish/", {"redaction_note": ""})
    assert ok.status_code == 302
    pub = AttachmentPublication.objects.get()
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert f"/attachments/published/{pub.pk}/withdraw/" in page
    missing = client.post(f"/attachments/published/{pub.pk}/withdraw/", {"reason": ""})
    assert missing.status_code == 400
    done = client.post(f"/attachments/published/{pub.pk}/withdraw/", {"reason": "Wrong file"})
    assert done.status_code == 302
    pub.refresh_from_db()
    assert pub.withdrawn_at is not None and pub.withdrawal_reason == "Wrong file"
