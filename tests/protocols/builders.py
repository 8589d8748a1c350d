"""Build meeting governance through the services (never by setting `state`): two held meetings
of the committee, the first with attendance, a substitute, declarations and minutes taken to
`target`, approved (from `approved` on) by an item of the second."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from protocols import services
from protocols.models import MinutesState

MINUTES_ORDER = [s.value for s in MinutesState]


def build_minutes(area, officer, *, target="published", first=dt.date(2026, 10, 6)):
    """`officer` is a support officer of `area.committee`."""
    year = services.municipal_year_of(first)
    chair = services.seat_add(
        body=area.committee, by=officer, year=year, name="Cllr Ada Chair", role="chair"
    )
    member = services.seat_add(
        body=area.committee, by=officer, year=year, name="Cllr Ben Member", role="member"
    )
    sub = services.seat_add(
        body=area.committee,
        by=officer,
        year=year,
        name="Cllr Cal Sub",
        role="substitute",
        substitute_for=member,
    )
    meetings = []
    for day, title in ((first, "HOSC October"), (first + dt.timedelta(days=35), "HOSC November")):
        meeting = services.meeting_create(
            by=officer,
            body=area.committee,
            title=title,
            date=day,
            start_time=dt.time(18),
            place="County Hall",
            confirm=True,
        )
        services.agenda_item_add(meeting=meeting, by=officer, title="Minutes of the last meeting")
        services.agenda_item_add(meeting=meeting, by=officer, title="Stroke services")
        services.agenda_item_add(
            meeting=meeting,
            by=officer,
            title="EXEMPT-TITLE contract",
            exempt=True,
            exempt_paragraph=3,
            public_interest_reason="Commercial terms.",
        )
        on_time = dt.datetime.combine(day - dt.timedelta(days=14), dt.time(9), tzinfo=dt.UTC)
        services.meeting_publish_agenda(meeting=meeting, by=officer, now=on_time)
        meetings.append(services.meeting_mark_held(meeting=meeting, by=officer))
    october, november = meetings
    items = list(october.items.order_by("position"))
    for item in items:
        services.item_record_decision(
            item=item, by=officer, decision=f"Noted {item.title}: DECISION-{item.position}"
        )
    present = services.attendance_record(meeting=october, by=officer, seat=chair, status="present")
    services.attendance_record(meeting=october, by=officer, seat=member, status="apologies")
    substitute = services.attendance_record(
        meeting=october, by=officer, seat=sub, status="substitute"
    )
    services.interest_declare(
        item=items[1],
        by=officer,
        attendee=present,
        kind="other_registrable",
        interest="Governor of the trust",
        withdrew=False,
    )
    services.interest_declare(
        item=items[2],
        by=officer,
        attendee=substitute,
        kind="pecuniary",
        interest="EXEMPT-DECLARATION shares in the bidder",
        withdrew=True,
    )
    minutes = services.minutes_draft(
        meeting=october, by=officer, introduction="The chair welcomed all."
    )
    steps = MINUTES_ORDER[: MINUTES_ORDER.index(target) + 1]
    if "circulated" in steps:
        minutes = services.minutes_circulate(minutes=minutes, by=officer)
    if "approved" in steps:
        approving = november.items.get(position=1)
        minutes = services.minutes_approve(minutes=minutes, by=officer, item=approving)
    if "published" in steps:
        minutes = services.minutes_publish(minutes=minutes, by=officer)
    return SimpleNamespace(
        minutes=minutes,
        october=october,
        november=november,
        seats=SimpleNamespace(chair=chair, member=member, substitute=sub),
        items=items,
    )
