"""A health body is told at once of every ask: when a request or recommendation is issued and
when it is withdrawn; reminders go to the same people; an ask nobody received is the officer's
to see (issue page warning, dashboard group, topic page)."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from scrutiny.casework import services
from scrutiny.casework.models import Membership, Organisation, Partnership
from scrutiny.casework.notices import ask_addressees, ask_reference, nobody_to_tell
from tests.factories import MembershipFactory, UserFactory, agree_recommendations
from tests.workflows.deadline_helpers import SCORES, at, issued_requests, people
from tests.workflows.test_notifications import IMMEDIATE
from workflows.models import Notification, NotificationKind, NotificationPreference
from workflows.recipients import Mailbox
from workflows.sweep import sweep_run

pytestmark = pytest.mark.django_db
D = dt.date


def asks(kind=NotificationKind.ASK_ISSUED):
    return Notification.objects.filter(kind=kind).order_by("to_email")


@pytest.fixture
def who(area):
    area.trust.email = "enquiries@northby.example"
    area.trust.requests_email = "scrutiny@northby.example"
    area.trust.save()
    return people(area)


def test_issuing_tells_every_responder_and_the_bodys_requests_address(area, who):
    second = UserFactory(username="trust-responder-2", email="second@northby.example")
    MembershipFactory(user=second, organisation=area.trust, role=Membership.Role.RESPONDER)

    (request,) = issued_requests(area, who, on=D(2026, 12, 1), notices=True)

    sent = list(asks())
    assert sorted(n.to_email for n in sent) == sorted(
        [who.responder.email, second.email, "scrutiny@northby.example"]
    )
    assert [n.recipient for n in sent if n.to_email == "scrutiny@northby.example"] == [None]
    assert {n.object_id for n in sent} == {request.pk}
    # Nobody at another body, and nobody at the asking bodies, is sent the notice.
    assert not asks().filter(recipient__in=[who.other_responder, who.osc_officer]).exists()


def test_the_notice_says_who_asks_what_under_which_power_by_when_and_how_to_answer(area, who):
    (request,) = issued_requests(area, who, on=D(2026, 12, 1), notices=True)
    notice = asks().get(recipient=None)
    text = notice.body_text

    assert notice.subject.startswith("Request for information from ")
    assert f"[{ask_reference(request)}]" in notice.subject
    assert area.committee.name in text  # who asks
    assert request.question in text  # what
    assert request.due_rule.source in text  # under which power
    assert request.due_explanation in text  # the due date, explained
    assert "Answer by: " in text
    # A responder is sent the link to the case; a body's address, with no account, is not.
    link = f"/topics/{request.topic_id}/#request-{request.pk}"
    assert link in asks().get(recipient=who.responder).body_text
    assert link not in text
    # A body's address has no account: the reply reaches the officer who asked.
    assert notice.reply_to == who.osc_officer.email
    assert f"your reply goes to {who.osc_officer.email}" in text
    assert "Choose which e-mails you receive" not in text  # a mailbox has no preferences


def test_a_responder_whose_address_is_the_bodys_gets_one_notice(area, who):
    area.trust.requests_email = who.responder.email
    area.trust.save()
    issued_requests(area, who, on=D(2026, 12, 1), notices=True)
    assert [n.to_email for n in asks()] == [who.responder.email]


def test_notices_of_asks_cannot_be_turned_off(area, who):
    NotificationPreference.objects.create(
        user=who.responder, **{k: False for k in NotificationPreference.KINDS}
    )
    issued_requests(area, who, on=D(2026, 12, 1), notices=True)
    assert asks().filter(recipient=who.responder).exists()
    assert "ask_issued" not in NotificationPreference.KINDS


def test_the_notice_is_delivered_with_a_reply_to_header(
    area, who, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        issued_requests(area, who, on=D(2026, 12, 1), notices=True)
    to_body = [m for m in mail.outbox if m.to == ["scrutiny@northby.example"]]
    assert len(to_body) == 1
    assert to_body[0].reply_to == [who.osc_officer.email]
    assert asks().get(recipient=None).state == Notification.State.SENT


def test_a_recommendation_notice_asks_for_a_response(area, who):
    (request,) = issued_requests(area, who, on=D(2026, 12, 1), notices=True)
    topic = request.topic
    rec = services.recommendation_draft(
        topic=topic, by=who.osc_officer, recipient=area.trust, text="Keep the unit open."
    )
    agree_recommendations(topic)
    services.recommendation_issue(recommendation=rec, by=who.osc_officer, on=D(2026, 12, 2))
    notice = (
        asks().filter(object_id=rec.pk, subject__startswith="Recommendation").get(recipient=None)
    )
    assert "Keep the unit open." in notice.body_text
    assert "Respond by: " in notice.body_text


def test_withdrawing_an_issued_request_tells_the_body_why(area, who):
    (request,) = issued_requests(area, who, on=D(2026, 12, 1), notices=True)
    services.information_request_withdraw(
        request=request, by=who.osc_officer, reason="The trust published the figures."
    )
    withdrawn = list(asks(NotificationKind.ASK_WITHDRAWN))
    assert sorted(n.to_email for n in withdrawn) == sorted(
        [who.responder.email, "scrutiny@northby.example"]
    )
    assert all("The trust published the figures." in n.body_text for n in withdrawn)


def test_withdrawing_a_draft_tells_nobody(area, who):
    topic = services.topic_raise(
        by=who.osc_officer,
        title="Beds",
        summary="Beds",
        partnership=area.partnership,
        lead_body=area.committee,
    )
    topic = services.topic_prioritise(topic=topic, by=who.osc_officer, scores=SCORES)
    draft = services.information_request_draft(
        topic=topic, by=who.osc_officer, recipient=area.trust, question="How many?"
    )
    services.information_request_withdraw(request=draft, by=who.osc_officer, reason="Not needed")
    assert not Notification.objects.exists()


def test_reminders_reach_the_bodys_address_too(area, who):
    (request,) = issued_requests(area, who, on=D(2026, 12, 18), notices=True)
    with time_machine.travel(at(request.due_on), tick=False):
        sweep_run(with_digests=False)
    due_today = Notification.objects.filter(kind=NotificationKind.REMINDER_DUE)
    assert sorted(n.to_email for n in due_today) == sorted(
        [who.responder.email, "scrutiny@northby.example"]
    )
    # The next sweep the same day sends nothing again, to either.
    with time_machine.travel(at(request.due_on, 14), tick=False):
        report = sweep_run(with_digests=False)
    assert report.notifications_written == 0


def test_a_body_with_no_address_and_no_responder_is_nobody_to_tell(area, who):
    assert not nobody_to_tell(area.trust)
    area.other_trust.email = ""
    area.other_trust.save()
    who.other_responder.is_active = False
    who.other_responder.save()
    assert nobody_to_tell(area.other_trust)
    assert ask_addressees(area.trust) == [
        who.responder,
        Mailbox("scrutiny@northby.example", area.trust.name),
    ]


# --- What officers see -------------------------------------------------------------------------


def _unreachable_trust(area, who):
    area.other_trust.email = ""
    area.other_trust.save()
    who.other_responder.delete()
    return area.other_trust


def test_the_topic_page_says_whom_each_notice_went_to(client, area, who):
    (request,) = issued_requests(area, who, on=D(2026, 12, 1), notices=True)
    client.force_login(who.osc_officer)
    page = client.get(f"/topics/{request.topic_id}/").content.decode()
    assert "Told" in page
    assert "Notice to scrutiny@northby.example (Northby Hospitals NHS Trust’s address)" in page
    assert f"Notice to {who.responder.email}" in page


def test_the_issue_page_warns_of_a_body_nobody_would_be_told_at(client, area, who):
    body = _unreachable_trust(area, who)
    topic = services.topic_raise(
        by=who.osc_officer,
        title="Beds",
        summary="Beds",
        partnership=area.partnership,
        lead_body=area.committee,
    )
    topic = services.topic_prioritise(topic=topic, by=who.osc_officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=who.osc_officer)
    for recipient in (area.trust, body):
        services.information_request_draft(
            topic=topic, by=who.osc_officer, recipient=recipient, question="How many?"
        )
    client.force_login(who.osc_officer)
    page = client.get(f"/topics/{topic.pk}/issue_requests/").content.decode()
    assert page.count("will be told") == 1
    assert f"Nobody at {body.name} will be told" in page


def test_an_ask_nobody_received_is_on_the_dashboard_and_the_topic_page(client, area, who):
    body = _unreachable_trust(area, who)
    topic = services.topic_raise(
        by=who.osc_officer,
        title="Beds",
        summary="Beds",
        partnership=area.partnership,
        lead_body=area.committee,
    )
    topic = services.topic_prioritise(topic=topic, by=who.osc_officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=who.osc_officer)
    services.information_request_draft(
        topic=topic, by=who.osc_officer, recipient=body, question="How many?"
    )
    services.topic_issue_requests(topic=topic, by=who.osc_officer)
    assert not Notification.objects.exists()
    client.force_login(who.osc_officer)
    dashboard = client.get("/work/?show=unreached").content.decode()
    assert "Asks nobody received (1)" in dashboard
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert f"Nobody at {body.name} was told" in page


def test_issuing_a_request_in_the_demo_tells_each_responder_and_the_trusts_address(db):
    """The demo's Northby trust: one notice per responder, plus its requests address."""
    call_command("seed_demo", verbosity=0)
    trust = Organisation.objects.get(slug="northby-hospitals")
    officer = get_user_model().objects.get(username="northby-osc-officer")
    topic = services.topic_raise(
        by=officer,
        title="Parking at the hospital",
        summary="Residents say the car park is full by nine.",
        partnership=Partnership.objects.get(slug="northby"),
        lead_body=Organisation.objects.get(slug="northby-hosc"),
    )
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=officer)
    req = services.information_request_draft(
        topic=topic, by=officer, recipient=trust, question="How many spaces are there?"
    )
    before = Notification.objects.count()
    services.information_request_issue(request=req, by=officer)
    notices = Notification.objects.filter(object_id=req.pk, kind=NotificationKind.ASK_ISSUED)
    responders = Membership.objects.filter(
        organisation=trust, role=Membership.Role.RESPONDER, user__is_active=True
    ).count()
    assert responders >= 1
    assert notices.count() == responders + 1 == Notification.objects.count() - before
    assert notices.filter(recipient=None).get().to_email == trust.requests_email
