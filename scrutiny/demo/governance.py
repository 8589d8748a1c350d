"""Demo meeting governance for Northby's committee, built through the services.

The committee's seats for the municipal year (a chair, members, a non-voting co-optee from the
LINk who signs in as `northby-co-optee`, and a substitute), two held committee meetings with
attendance, apologies, a substitute and declarations of interest, the first meeting's minutes
approved at the second and published, the second's minutes in draft, and an upcoming meeting
whose agenda pack (with an exempt item the co-optee does not receive) is not yet public.
Idempotent: a committee that already has seats is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from protocols import services
from protocols.models import CommitteeSeat
from scrutiny.casework import services as casework
from scrutiny.casework.models import Membership
from scrutiny.demo.story import StoryClock, working_day, working_day_on_or_after

CO_OPTEE = "northby-co-optee"
LOGIN = (CO_OPTEE, "co-opted (non-voting) member of Northby HOSC, from the LINk: agenda packs")


def _co_optee_user(network, password: str):
    user, _ = get_user_model().objects.get_or_create(username=CO_OPTEE)
    user.first_name, user.last_name = "Colin", "Coopted"
    user.email = f"{CO_OPTEE}@demo.critical-friend.example"
    user.set_password(password)
    user.save()
    role = Membership.Role.COMMITTEE_MEMBER
    if not Membership.objects.filter(user=user, organisation=network, role=role).exists():
        casework.membership_add(user=user, organisation=network, role=role)
    return user


def _seats(committee, officer, year, users):
    add = services.seat_add
    seats = {
        "chair": add(
            body=committee,
            by=officer,
            year=year,
            name="Cllr Charles Chair",
            role="chair",
            user=users["chair"],
        ),
        "vice": add(
            body=committee, by=officer, year=year, name="Cllr Rita Patel", role="vice_chair"
        ),
        "member": add(
            body=committee,
            by=officer,
            year=year,
            name="Cllr Mary Member",
            role="member",
            user=users["member"],
        ),
        "member2": add(body=committee, by=officer, year=year, name="Cllr Joe Baker", role="member"),
        "co_optee": add(
            body=committee,
            by=officer,
            year=year,
            name="Colin Coopted",
            role="co_optee",
            voting=False,
            represents="Northby LINk",
            user=users["co_optee"],
        ),
    }
    seats["substitute"] = add(
        body=committee,
        by=officer,
        year=year,
        name="Cllr Dev Singh",
        role="substitute",
        substitute_for=seats["member2"],
    )
    return seats


def _held_meeting(committee, officer, day, title, clock):
    with clock.on(day - dt.timedelta(days=21)):
        meeting = services.meeting_create(
            by=officer,
            body=committee,
            title=title,
            date=day,
            start_time=dt.time(18, 30),
            place="Committee Room 1, Northby Town Hall",
            confirm=True,
        )
        services.agenda_item_add(
            meeting=meeting, by=officer, title="Apologies, substitutes and declarations"
        )
        services.agenda_item_add(
            meeting=meeting, by=officer, title="Minutes of the previous meeting"
        )
        services.agenda_item_add(
            meeting=meeting,
            by=officer,
            title="Winter pressures at Northby General",
            presenter="Chief Operating Officer, Northby Hospitals NHS Trust",
        )
        services.meeting_publish_agenda(meeting=meeting, by=officer)
    with clock.on(day, hour=21):
        meeting = services.meeting_mark_held(meeting=meeting, by=officer)
        items = list(meeting.items.order_by("position"))
        services.item_record_decision(
            item=items[0], by=officer, decision="Apologies and declarations were recorded."
        )
        services.item_record_decision(
            item=items[1],
            by=officer,
            decision="Resolved that the minutes of the previous meeting be approved as a correct "
            "record and signed by the chair.",
        )
        services.item_record_decision(
            item=items[2],
            by=officer,
            decision="The committee noted the report and asked for the discharge figures by ward.",
        )
    return meeting, items


def _attendance(meeting, officer, seats, items, clock, day, *, apologies):
    with clock.on(day, hour=21):
        record = services.attendance_record
        present = {}
        for key in ("chair", "vice", "member", "co_optee"):
            status = "apologies" if key == apologies else "present"
            present[key] = record(meeting=meeting, by=officer, seat=seats[key], status=status)
        record(meeting=meeting, by=officer, seat=seats["member2"], status="apologies")
        record(meeting=meeting, by=officer, seat=seats["substitute"], status="substitute")
        attendee = present["vice"] if apologies != "vice" else present["chair"]
        services.interest_declare(
            item=items[2],
            by=officer,
            attendee=attendee,
            kind="other_registrable",
            interest="Governor of Northby Hospitals NHS Trust",
            withdrew=False,
        )
    return present


def seed(area, *, users, password, today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    committee, officer = area.committee, area.osc_officer
    if CommitteeSeat.objects.filter(body=committee).exists():
        return []
    users = {**users, "co_optee": _co_optee_user(area.network, password)}
    clock = StoryClock()
    first_day = working_day(70, today=today)
    second_day = working_day(28, today=today)
    with transaction.atomic():
        years = sorted({services.municipal_year_of(d) for d in (first_day, second_day, today)})
        seats_by_year = {y: _seats(committee, officer, y, users) for y in years}
        first, first_items = _held_meeting(
            committee, officer, first_day, "Health scrutiny committee", clock
        )
        seats = seats_by_year[services.municipal_year_of(first_day)]
        first_people = _attendance(
            first, officer, seats, first_items, clock, first_day, apologies="member"
        )
        with clock.on(first_day, hour=21):
            services.interest_declare(
                item=first_items[2],
                by=officer,
                attendee=first_people["chair"],
                kind="pecuniary",
                interest="Spouse employed by the trust's main contractor",
                withdrew=True,
            )
        with clock.on(first_day + dt.timedelta(days=3)):
            minutes = services.minutes_draft(
                meeting=first,
                by=officer,
                introduction="The chair welcomed members and the trust's representatives.",
            )
            services.minutes_circulate(minutes=minutes, by=officer)
        second, second_items = _held_meeting(
            committee, officer, second_day, "Health scrutiny committee", clock
        )
        seats = seats_by_year[services.municipal_year_of(second_day)]
        _attendance(second, officer, seats, second_items, clock, second_day, apologies="vice")
        with clock.on(second_day, hour=21):
            services.minutes_approve(minutes=minutes, by=officer, item=second_items[1])
        with clock.on(working_day_on_or_after(second_day + dt.timedelta(days=1))):
            services.minutes_publish(minutes=minutes, by=officer)
        with clock.on(second_day + dt.timedelta(days=2)):
            services.minutes_draft(
                meeting=second,
                by=officer,
                introduction="Draft: to be approved at the next meeting.",
            )
        upcoming = services.meeting_create(
            by=officer,
            body=committee,
            title="Health scrutiny committee",
            date=working_day_on_or_after(today + dt.timedelta(days=30)),
            start_time=dt.time(18, 30),
            place="Committee Room 1, Northby Town Hall",
            confirm=True,
        )
        services.agenda_item_add(
            meeting=upcoming,
            by=officer,
            title="Urgent and emergency care: the trust's recovery plan",
            presenter="Northby Hospitals NHS Trust",
        )
        services.agenda_item_add(
            meeting=upcoming,
            by=officer,
            title="Patient transport contract",
            exempt=True,
            exempt_paragraph=3,
            public_interest_reason="The contract's terms are still under negotiation.",
        )
    return [
        f"  Governance: {len(years)} municipal year(s) of seats on {committee.name}; two held "
        "meetings with attendance, apologies, a substitute and declarations; minutes approved "
        "and published, and a draft; an upcoming agenda pack the co-optee can open",
    ]


def seed_demo(result: dict, password: str) -> list[str]:
    """Called by `seed_demo` with what `scrutiny.demo.casework.seed()` returns (Northby)."""
    northby = result["areas"][0]
    users = {"chair": result["users"]["northby-chair"], "member": result["users"]["northby-member"]}
    lines = seed(northby, users=users, password=password)
    return ["", "Meeting governance:", *lines, f"  {LOGIN[0]:<26} {LOGIN[1]}"] if lines else []
