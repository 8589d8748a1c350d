"""Answers by e-mail: replies to notices are kept, matched by their reference, filed by an
officer as the body's response received by e-mail; bounces and automatic replies are never
filed; nothing that arrives is lost, and a bad message never stops the others."""

import datetime as dt
import io
from email.message import EmailMessage
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command

from scrutiny.casework import inbound
from scrutiny.casework.management.commands.poll_mailbox import poll_once
from scrutiny.casework.models import InboundEmail, InboundState
from scrutiny.casework.notices import ask_reference
from tests.workflows.deadline_helpers import at, issued_requests, people

pytestmark = pytest.mark.django_db
D = dt.date
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def who(area):
    return people(area)


@pytest.fixture
def request_(area, who):
    (req,) = issued_requests(area, who, on=D(2026, 12, 1))
    return req


def message(
    *,
    subject,
    sender="ward.manager@northby.example",
    text="There are 40 beds.",
    html=None,
    attach=None,
    headers=None,
    content_type=None,
):
    msg = EmailMessage()
    msg["From"] = f"Ward Manager <{sender}>"
    msg["To"] = "replies@critical-friend.example"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{abs(hash((subject, sender, text)))}@northby.example>"
    for k, v in (headers or {}).items():
        msg[k] = v
    if html is not None and text is None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text or "")
        if html is not None:
            msg.add_alternative(html, subtype="html")
    for name, payload, ctype in attach or ():
        maintype, subtype = ctype.split("/")
        msg.add_attachment(payload, maintype=maintype, subtype=subtype, filename=name)
    if content_type:
        msg.replace_header("Content-Type", content_type)
    return msg.as_bytes()


def test_a_plain_reply_is_matched_by_its_reference(request_):
    raw = message(subject=f"Re: Request for information [{ask_reference(request_)}]")
    email = inbound.email_receive(raw)
    assert email.state == InboundState.TO_REVIEW
    assert email.information_request == request_
    assert email.text == "There are 40 beds."
    assert not request_.responses.exists()  # not an answer until an officer files it


def test_an_html_only_reply_keeps_its_text(request_):
    raw = message(
        subject=f"RE: [{ask_reference(request_)}]",
        text=None,
        html="<html><body><p>We have <b>40</b> beds.</p><p>Regards</p></body></html>",
    )
    email = inbound.email_receive(raw)
    assert "We have 40 beds." in email.text and "Regards" in email.text
    assert "<" not in email.text


def test_attachments_are_kept_and_checked(request_):
    raw = message(
        subject=f"Re: {ask_reference(request_)}",
        attach=[
            ("beds.pdf", PDF, "application/pdf"),
            ("run.exe", b"MZ\x90", "application/octet-stream"),
        ],
    )
    email = inbound.email_receive(raw)
    assert [a.original_name for a in email.attachments.all()] == ["beds.pdf"]
    assert "run.exe" in email.review_note


def test_a_bounce_and_an_auto_reply_are_never_filed(request_):
    ref = ask_reference(request_)
    bounce = message(
        subject=f"Undelivered Mail Returned to Sender [{ref}]",
        sender="MAILER-DAEMON@mx.northby.example",
    )
    auto = message(subject=f"Automatic reply: [{ref}]", headers={"Auto-Submitted": "auto-replied"})
    report = message(
        subject=f"Delivery Status Notification [{ref}]",
        content_type='multipart/report; report-type=delivery-status; boundary="x"',
    )
    for raw in (bounce, auto, report):
        email = inbound.email_receive(raw)
        assert email.state == InboundState.AUTOMATIC
        assert email.information_request is None
    assert not request_.responses.exists()


def test_a_reply_that_matches_nothing_is_kept_for_the_administrators(request_):
    email = inbound.email_receive(message(subject="Our beds", text="40"))
    assert email.state == InboundState.UNMATCHED
    # A reference to a request that does not exist, or to a draft, matches nothing either.
    assert inbound.email_receive(message(subject="Re: CF-R999999", text="x")).state == "unmatched"


def test_the_same_message_twice_is_kept_once(request_):
    raw = message(subject=f"Re: [{ask_reference(request_)}]")
    assert inbound.email_receive(raw).pk == inbound.email_receive(raw).pk
    assert InboundEmail.objects.count() == 1


def test_huge_and_malformed_messages_are_refused_and_logged(request_, settings, caplog):
    settings.CF_INBOUND_MAX_BYTES = 1000
    assert inbound.email_receive_safely(b"x" * 2000) is None
    assert inbound.email_receive_safely(b"no headers at all") is None
    assert "inbound e-mail refused" in caplog.text
    assert InboundEmail.objects.count() == 0


def test_receive_email_reads_one_message_from_stdin(request_):
    raw = message(subject=f"Re: [{ask_reference(request_)}]", text="Piped in.")
    stdin = mock.Mock()
    stdin.buffer = io.BytesIO(raw)
    out = io.StringIO()
    with mock.patch("sys.stdin", stdin):
        call_command("receive_email", stdout=out)
    assert "To review" in out.getvalue()
    assert InboundEmail.objects.get().information_request == request_


def test_the_poller_keeps_every_unseen_message_and_passes_over_a_bad_one(request_):
    good = message(subject=f"Re: [{ask_reference(request_)}]")
    imap = mock.Mock()
    imap.search.return_value = ("OK", [b"1 2"])
    imap.fetch.side_effect = [
        ("OK", [(b"1 (BODY[] {5}", b"not a message"), b")"]),
        ("OK", [(b"2 (BODY[] {9}", good), b")"]),
    ]
    assert poll_once(imap) == 2
    assert InboundEmail.objects.count() == 1
    assert [c.args[0] for c in imap.store.call_args_list] == [b"1", b"2"]  # both marked seen


def test_an_officer_files_a_reply_as_the_response_received_by_email(client, area, who, request_):
    with time_machine.travel(at(D(2026, 12, 3), 9), tick=False):
        email = inbound.email_receive(
            message(
                subject=f"Re: [{ask_reference(request_)}]",
                sender=who.responder.email,
                attach=[("beds.pdf", PDF, "application/pdf")],
            )
        )
    assert email.known_responder == who.responder
    client.force_login(who.osc_officer)
    listing = client.get("/replies/").content.decode()
    assert f"/replies/{email.pk}/" in listing and "Known responder" in listing
    bad = client.post(f"/replies/{email.pk}/", {"decision": "refused"})
    assert bad.status_code == 400 and "Choose the ground for refusing." in bad.content.decode()
    with time_machine.travel(at(D(2026, 12, 10), 9), tick=False):
        done = client.post(f"/replies/{email.pk}/", {"decision": "answered"})
    assert done.status_code == 302
    (response,) = request_.responses.all()
    assert response.channel == "email"
    assert response.received_at == email.received_at  # when it arrived, not when filed
    assert [a.original_name for a in response.attachments.all()] == ["beds.pdf"]
    email.refresh_from_db()
    assert email.state == InboundState.FILED and email.response == response
    # Filing it again is refused; it is no longer in the queue.
    assert client.post(f"/replies/{email.pk}/", {"decision": "answered"}).status_code == 404


def test_another_areas_officer_never_sees_the_reply(client, area, who, request_):
    email = inbound.email_receive(message(subject=f"Re: [{ask_reference(request_)}]"))
    client.force_login(who.other_officer)
    assert f"/replies/{email.pk}/" not in client.get("/replies/").content.decode()
    assert client.get(f"/replies/{email.pk}/").status_code == 404


def test_an_officer_sets_aside_a_reply_that_is_not_an_answer(client, area, who, request_):
    email = inbound.email_receive(message(subject=f"Re: [{ask_reference(request_)}]"))
    client.force_login(who.osc_officer)
    missing = client.post(f"/replies/{email.pk}/", {"decision": "not_an_answer"})
    assert "Say why it is not an answer." in missing.content.decode()
    client.post(f"/replies/{email.pk}/", {"decision": "not_an_answer", "note": "A question"})
    email.refresh_from_db()
    assert email.state == InboundState.REJECTED and email.review_note == "A question"
    assert not request_.responses.exists()
