"""The demo tells one coherent story per area (issue 14, Build 8).

Before: a topic "raised 1 Dec" was "concluded 12 Sep", responses were received before their
topics were raised, both areas had the same titles and meetings fell on bank holidays. Each check
below lists every contradiction it finds, so a failure says which story went wrong.
"""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from protocols.models import Meeting
from scrutiny.casework.models import (
    InformationRequest,
    ProviderResponse,
    Recommendation,
    Referral,
    Topic,
)
from scrutiny.demo import casework, joint_working
from workflows.audit import EventType
from workflows.clocks import calendar_for
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def local(value: dt.datetime) -> dt.date:
    return timezone.localdate(value)


def events_of(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return list(AuditEvent.objects.filter(content_type=ct, object_id=obj.pk).order_by("pk"))


def story_problems(topic, today, now, calendar) -> list[str]:
    problems = []
    name = f"{topic.title!r}"
    raised = local(topic.created_at)
    items = [
        *InformationRequest.all_objects.filter(topic=topic),
        *Recommendation.all_objects.filter(topic=topic),
    ]
    responses = list(
        ProviderResponse.objects.filter(pk__in=[r.pk for i in items for r in i.responses.all()])
    )
    objects = [topic, *items, *responses]
    if hasattr(topic, "referral"):
        objects.append(Referral.objects.get(pk=topic.referral.pk))
    events = [e for obj in objects for e in events_of(obj)]
    if not raised <= today:
        problems.append(f"{name} raised {raised}, after today")
    dated = [("prioritised", topic.prioritised_on), ("concluded", topic.concluded_on)]
    if topic.published_at:
        dated.append(("published", local(topic.published_at)))
    for item in items:
        dated.append((f"{item} issued", item.issued_on))
        if item.issued_on:
            if item.issued_on < (topic.prioritised_on or raised):
                problems.append(f"{name}: {item} issued {item.issued_on} before it was prioritised")
            for response in item.responses.all():
                received = local(response.received_at)
                if received < item.issued_on:
                    problems.append(
                        f"{name}: response received {received} before its item was issued "
                        f"{item.issued_on}"
                    )
                if topic.concluded_on and received > topic.concluded_on:
                    problems.append(f"{name}: response received {received} after it concluded")
                dated.append(("response received", received))
        elif item.responses.exists():
            problems.append(f"{name}: {item} answered but never issued")
    if topic.prioritised_on and topic.prioritised_on < raised:
        problems.append(f"{name}: prioritised {topic.prioritised_on} before raised {raised}")
    for what, day in dated:
        if day is None:
            continue
        if not raised <= day <= today:
            problems.append(f"{name}: {what} {day} is not between raised {raised} and today")
        if not calendar.is_working_day(day):
            problems.append(f"{name}: {what} on {day:%a %d %b %Y}, not a working day")
    if topic.concluded_on and topic.published_at and local(topic.published_at) < topic.concluded_on:
        problems.append(f"{name}: published before it concluded")
    for event in events:
        if event.at > now:
            problems.append(f"{name}: {event.event_type} at {event.at}, in the future")
        if local(event.at) < raised:
            problems.append(f"{name}: {event.event_type} on {local(event.at)} before it was raised")
        if not calendar.is_working_day(local(event.at)):
            problems.append(f"{name}: {event.event_type} on {local(event.at):%a %d %b %Y}")
    ordered = sorted(events, key=lambda e: e.pk)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.at < before.at:
            problems.append(
                f"{name}: {after.event_type} ({after.at:%d %b %Y}) recorded after "
                f"{before.event_type} ({before.at:%d %b %Y}) but dated before it"
            )
    if topic.concluded_on:
        last = max(e.at for e in events if e.event_type != EventType.TOPIC_PUBLISHED)
        if local(last) > topic.concluded_on:
            problems.append(f"{name}: something happened on {local(last)} after it concluded")
    return problems


def test_each_area_tells_one_coherent_story():
    result = casework.seed()
    joint_working.seed_demo(result)
    today, now, calendar = timezone.localdate(), timezone.now(), calendar_for()

    problems = []
    for topic in Topic.objects.order_by("pk"):
        problems += story_problems(topic, today, now, calendar)
    assert problems == []

    titles = {}
    for title, partnership, body in Topic.objects.values_list("title", "partnership", "body"):
        titles.setdefault(title.casefold(), set()).add(partnership or f"body {body}")
    shared = sorted(t for t, owners in titles.items() if len(owners) > 1)
    assert shared == [], "the same topic title in two areas"
    assert Topic.objects.count() == len(titles)

    meetings = list(Meeting.objects.order_by("pk"))
    assert meetings
    off_days = [(m.title, m.date) for m in meetings if not calendar.is_working_day(m.date)]
    assert off_days == [], "meetings on a weekend or bank holiday"
    for m in meetings:
        if m.agenda_published_at:
            assert local(m.agenda_published_at) < m.date, m
            assert calendar.is_working_day(local(m.agenda_published_at)), m
        if m.state == "held":
            assert m.date <= today
            assert all(local(e.at) >= m.date for e in events_of(m) if e.target_state == "held")
        for item in m.items.filter(topic__isnull=False).select_related("topic"):
            assert local(item.topic.created_at) <= m.date, (m, item.topic)


def test_the_story_is_told_on_working_days_over_christmas(time_machine):
    """Seeded on the first working day after Christmas, no step lands on a bank holiday."""
    time_machine.move_to(dt.datetime(2026, 12, 29, 9, 0, tzinfo=dt.UTC), tick=True)
    result = casework.seed()
    joint_working.seed_demo(result)
    today, now, calendar = timezone.localdate(), timezone.now(), calendar_for()
    problems = []
    for topic in Topic.objects.order_by("pk"):
        problems += story_problems(topic, today, now, calendar)
    assert problems == []
    assert all(calendar.is_working_day(m.date) for m in Meeting.objects.all())
