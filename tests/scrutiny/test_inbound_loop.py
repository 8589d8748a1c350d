"""Replies filed without an officer when a known responder provably sent them, and bounces that
mark the notice they report as not delivered (docs/decisions/0017-inbound-trust.md)."""

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from scrutiny.casework import inbound, services
from scrutiny.casework.models import InboundState, InformationRequest, ResponseKind
from scrutiny.casework.notices import ask_reference
from tests.factories import agree_recommendations
from tests.scrutiny.test_inbound_email import PDF, message
from tests.workflows.deadline_helpers import at, issued_requests, people
from workflows.models import Notification, NotificationKind
from workflows.notifications import message_id

pytestmark = pytest.mark.django_db
D = dt.date
OURS = "mx.critical-friend.example"


@pytest.fixture
def who(area):
    return people(area)


@pytest.fixture
def request_(area, who):
    (req,) = issued_requests(area, who, on=D(2026, 12, 1), notices=True)
    return req


@pytest.fixture
def ours(settings):
    settings.CF_INBOUND_AUTHSERV_ID = OURS
    settings.CF_INBOUND_TRUST_FROM = False
    return settings


def _signed(sender, *, server=OURS, result="dkim=pass header.d={domain}"):
    domain = sender.rsplit("@", 1)[1]
    return {"Authentication-Results": f"{server}; {result.format(domain=domain)}"}


def _reply(req, sender, headers=None, text="There are 40 beds.", attach=None):
    return message(
        subject=f"Re: [{ask_reference(req)}]",
        sender=sender,
        text=text,
        headers=headers,
        attach=attach,
    )


# --- 5. Auto-filing -----------------------------------------------------------------------------


def test_a_proven_reply_from_a_responder_is_filed_as_the_answer(ours, who, request_):
    sender = who.responder.email
    with time_machine.travel(at(D(2026, 12, 3), 9), tick=False):
        email = inbound.email_receive(
            _reply(request_, sender, _signed(sender), attach=[("beds.pdf", PDF, "application/pdf")])
        )
    assert email.state == InboundState.FILED and email.filed_automatically
    assert email.sender_check == f"{OURS}: dkim=pass (example.org)"
    (response,) = request_.responses.all()
    assert response == email.response
    assert response.channel == "email" and response.received_at == email.received_at
    assert response.received_at == at(D(2026, 12, 3), 9)
    assert [a.original_name for a in response.attachments.all()] == ["beds.pdf"]
    request_.refresh_from_db()
    assert request_.state == "answered"


@pytest.mark.parametrize(
    "headers",
    [
        None,  # nothing says who sent it
        {"Authentication-Results": "evil.example; dkim=pass header.d=example.org"},  # not ours
        {"Authentication-Results": f"{OURS}; dkim=fail header.d=example.org"},
        {"Authentication-Results": f"{OURS}; dkim=pass header.d=attacker.example"},
        {"Authentication-Results": f"{OURS}; spf=pass smtp.mailfrom=x@attacker.example"},
    ],
)
def test_an_unproven_reply_waits_for_an_officer(ours, who, request_, headers):
    email = inbound.email_receive(_reply(request_, who.responder.email, headers))
    assert email.state == InboundState.TO_REVIEW and not email.filed_automatically
    assert email.known_responder == who.responder
    assert not request_.responses.exists()


def test_trusting_the_from_address_is_a_setting_off_by_default(settings, who, request_):
    assert settings.CF_INBOUND_TRUST_FROM is False
    email = inbound.email_receive(_reply(request_, who.responder.email, text="One"))
    assert email.state == InboundState.TO_REVIEW
    settings.CF_INBOUND_TRUST_FROM = True
    later = inbound.email_receive(_reply(request_, who.responder.email, text="Two"))
    assert later.state == InboundState.FILED and later.sender_check == "CF_INBOUND_TRUST_FROM"


def test_a_proven_reply_from_someone_else_or_an_inactive_responder_waits(ours, who, request_):
    stranger = "ward.manager@example.org"
    email = inbound.email_receive(_reply(request_, stranger, _signed(stranger)))
    assert email.state == InboundState.TO_REVIEW and email.known_responder is None
    who.responder.is_active = False
    who.responder.save()
    sender = who.responder.email
    email = inbound.email_receive(_reply(request_, sender, _signed(sender), text="Again"))
    assert email.state == InboundState.TO_REVIEW
    assert not request_.responses.exists()


def test_a_proven_reply_to_an_answered_request_is_further_information(ours, who, request_):
    services.provider_response_record(
        subject=request_, by=who.responder, channel="web", text="40", outcome="answered"
    )
    sender = who.responder.email
    email = inbound.email_receive(_reply(request_, sender, _signed(sender), text="And 2 more"))
    assert email.state == InboundState.FILED
    assert email.response.kind == ResponseKind.FURTHER_INFORMATION


def test_a_proven_response_to_a_recommendation_waits_for_its_outcome(ours, area, who, request_):
    rec = services.recommendation_draft(
        topic=request_.topic, by=who.osc_officer, recipient=area.trust, text="Keep it open."
    )
    agree_recommendations(request_.topic)
    rec = services.recommendation_issue(recommendation=rec, by=who.osc_officer)
    sender = who.responder.email
    email = inbound.email_receive(_reply(rec, sender, _signed(sender), text="We agree"))
    assert email.state == InboundState.TO_REVIEW
    assert "an officer files it" in email.review_note
    assert not rec.responses.exists()


# --- 6. Bounces ---------------------------------------------------------------------------------


def _dsn(*, to, quoted_id="", subject="Request for information", n=1):
    headers = f"Message-ID: {quoted_id}\r\n" if quoted_id else ""
    return (
        "From: MAILER-DAEMON@mx.northby.example\r\n"
        "To: noreply@critical-friend.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn-{n}@mx.northby.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.northby.example\r\n\r\n"
        f"Final-Recipient: rfc822; {to}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"{headers}Subject: {subject}\r\nTo: {to}\r\n\r\n--B--\r\n"
    ).encode()


def _notices(req):
    return Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(InformationRequest),
        object_id=req.pk,
        kind=NotificationKind.ASK_ISSUED,
    ).order_by("id")


def test_a_bounce_marks_the_notice_it_quotes_as_bounced(client, who, request_):
    notice = _notices(request_).first()
    email = inbound.email_receive(_dsn(to=notice.to_email, quoted_id=message_id(notice)))
    assert email.state == InboundState.AUTOMATIC and email.bounce_of == notice
    notice.refresh_from_db()
    assert notice.state == Notification.State.FAILED
    assert notice.last_error.startswith("Bounced")
    assert not request_.responses.exists()
    client.force_login(who.osc_officer)
    page = client.get(f"/topics/{request_.topic_id}/").content.decode()
    assert "Bounced" in page


def test_a_bounce_without_the_message_id_is_matched_by_reference_and_recipient(request_):
    first, *others = list(_notices(request_))
    subject = f"Request for information [{ask_reference(request_)}]"
    email = inbound.email_receive(_dsn(to=first.to_email, subject=subject))
    assert email.bounce_of == first
    first.refresh_from_db()
    assert first.state == Notification.State.FAILED
    for other in others:
        other.refresh_from_db()
        assert other.state != Notification.State.FAILED


def test_an_ask_whose_every_notice_bounced_is_one_nobody_received(client, who, request_):
    client.force_login(who.osc_officer)
    assert "Asks nobody received</td>" not in client.get("/work/").content.decode()
    for n, notice in enumerate(_notices(request_)):
        inbound.email_receive(_dsn(to=notice.to_email, quoted_id=message_id(notice), n=n))
    page = client.get("/work/?show=unreached").content.decode()
    assert "Asks nobody received" in page and request_.question[:30] in page
    assert f"{_notices(request_).count()} bounced" in page


def test_a_forged_message_id_of_another_stamp_matches_nothing(request_):
    notice = _notices(request_).first()
    forged = f"<cf-notification-{notice.pk}-1@critical-friend.example>"
    email = inbound.email_receive(_dsn(to="someone@else.example", quoted_id=forged))
    assert email.bounce_of is None
    notice.refresh_from_db()
    assert notice.state != Notification.State.FAILED
