"""Shared set-up for the deadline sweep and notification tests."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django_tasks_db.models import DBTaskResult

import scrutiny.casework.deadline_sources  # noqa: F401  (registers the casework's clocks)
from scrutiny.casework import services
from scrutiny.casework.models import Membership
from tests.factories import MembershipFactory, UserFactory
from workflows.models import Notification, NotificationKind

LONDON = ZoneInfo("Europe/London")

SCORES = {
    "timely": 2,
    "organisational_priority": 2,
    "public_interest": 2,
    "influence": 1,
    "cost_effective": 1,
}


def at(day: dt.date, hour: int = 8, minute: int = 0) -> dt.datetime:
    """A moment on `day`, London time (the sweep's 'today' is the local date)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def people(area):
    """Who is who in the area: the committee leads the topic and has a chair."""

    def member(org, role, username):
        # An unusable password: hashing seven real ones costs seconds per test; log in with
        # client.force_login.
        user = UserFactory(username=username, password="!unusable")
        MembershipFactory(user=user, organisation=org, role=role)
        return user

    return SimpleNamespace(
        link_officer=member(area.network, Membership.Role.SUPPORT_OFFICER, "link-officer"),
        osc_officer=member(area.committee, Membership.Role.SUPPORT_OFFICER, "osc-officer"),
        chair=member(area.committee, Membership.Role.CHAIR, "osc-chair"),
        link_chair=member(area.network, Membership.Role.CHAIR, "link-chair"),
        responder=member(area.trust, Membership.Role.RESPONDER, "trust-responder"),
        other_responder=member(area.other_trust, Membership.Role.RESPONDER, "other-responder"),
        other_officer=member(area.other_network, Membership.Role.SUPPORT_OFFICER, "other-officer"),
    )


def forget_ask_notices():
    """Drop the notices of asks (and their queued deliveries) that issuing wrote, so a sweep
    test counts the sweep's own e-mails. The notices are tested in test_ask_notices.py."""
    asks = Notification.objects.filter(
        kind__in=[NotificationKind.ASK_ISSUED, NotificationKind.ASK_WITHDRAWN]
    )
    pks = list(asks.values_list("pk", flat=True))
    DBTaskResult.objects.filter(args_kwargs__args__0__in=pks).delete()
    asks.delete()


def issued_requests(
    area, who, *, on: dt.date, count: int = 1, title="Stroke services", notices=False
):
    """A joint topic led by the committee, with `count` requests to the trust issued `on`;
    the notices of the asks are forgotten unless `notices`."""
    topic = services.topic_raise(
        by=who.osc_officer,
        title=title,
        summary="Moving the unit",
        partnership=area.partnership,
        lead_body=area.committee,
    )
    topic = services.topic_prioritise(topic=topic, by=who.osc_officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=who.osc_officer)
    for n in range(count):
        services.information_request_draft(
            topic=topic, by=who.osc_officer, recipient=area.trust, question=f"How many beds? ({n})"
        )
    services.topic_issue_requests(topic=topic, by=who.osc_officer, on=on)
    if not notices:
        forget_ask_notices()
    return list(topic.requests.order_by("pk"))
