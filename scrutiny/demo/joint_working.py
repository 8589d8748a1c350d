"""Demo joint working for the seeded partnerships, built through the services.

`seed(partnerships)` gives each partnership an agreed protocol (version 1 superseded by an agreed
version 2, so "what changed" has something to show) and a set of meetings: one held with
minutes, upcoming ones with published agendas (one with an exempt item), one cancelled and one
whose agenda is still to be published. Idempotent: a partnership that already has a protocol or
meetings is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from protocols import services
from protocols.models import Meeting, Protocol
from scrutiny.casework.models import Membership, Organisation, Topic
from scrutiny.demo.papers import pdf_paper
from scrutiny.demo.story import StoryClock, working_day, working_day_on_or_after

PROTOCOL_V1 = {
    "purpose": (
        "This protocol sets out how the {network} and the {committee} work together to "
        "scrutinise health and social care services for the people of {area}, so that local "
        "people's experience informs scrutiny and effort is not duplicated."
    ),
    "referral_procedure": (
        "The {network} may refer a matter to the committee in writing, with the evidence it "
        "holds. The committee acknowledges the referral within 20 working days, beginning with "
        "the day it was made, and keeps the {network} informed of the action it takes."
    ),
    "information_sharing": (
        "Each party shares the information it holds that bears on a joint topic, except "
        "confidential information about a living person. Exempt papers are shared with members "
        "only and are not published."
    ),
    "attendance": (
        "One member of the {network} is co-opted to the committee as a non-voting member, with a "
        "named substitute."
    ),
    "work_programme": (
        "The parties meet each spring to agree a joint work programme, leaving room for issues "
        "that arise during the year."
    ),
    "joint_meetings": "The parties hold at least two joint meetings a year, in public.",
    "disagreement": (
        "Where the parties cannot agree, each records its own position and recommendation on "
        "the topic: the parties may agree at times to differ."
    ),
}
PROTOCOL_V2_CHANGES = {
    "attendance": (
        "One member of the {network} is co-opted to the committee as a non-voting member, with a "
        "named substitute. The co-opted member may ask questions on every item except exempt "
        "items."
    ),
    "joint_meetings": (
        "The parties hold at least three joint meetings a year, in public, and publish the "
        "agenda at least five clear working days before each."
    ),
}


def _officer(org: Organisation):
    m = (
        Membership.objects.filter(organisation=org, role=Membership.Role.SUPPORT_OFFICER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _text(template: str, partnership, committee) -> str:
    network = partnership.involvement_network
    return template.format(
        network=network.label or network.name,
        committee=committee.name,
        area=network.area or partnership.name,
    )


def _working_day_after(day: dt.date, days: int) -> dt.date:
    """The first working day (weekends and bank holidays skipped) `days` days after `day`."""
    return working_day_on_or_after(day + dt.timedelta(days=days))


def _seed_protocol(partnership, committee, officers, today) -> list[str]:
    if Protocol.objects.filter(partnership=partnership).exists():
        return []
    by = officers[partnership.involvement_network_id]
    sections = {k: _text(v, partnership, committee) for k, v in PROTOCOL_V1.items()}
    clock = StoryClock()
    with clock.on(working_day(420, today=today)):
        protocol = services.protocol_create(
            partnership=partnership,
            by=by,
            title=f"{partnership.name}: joint working protocol",
            review_on=today - dt.timedelta(days=30),
            **sections,
        )
    v1 = protocol.versions.get(number=1)
    with clock.on(working_day(400, today=today)):
        for org_id, officer in officers.items():
            v1 = services.protocol_version_sign_off(
                version=v1, by=officer, organisation=Organisation.objects.get(pk=org_id)
            )
    with clock.on(working_day(60, today=today)):
        v2 = services.protocol_version_draft_next(protocol=protocol, by=by)
        changes = {k: _text(v, partnership, committee) for k, v in PROTOCOL_V2_CHANGES.items()}
        v2 = services.protocol_version_update(
            version=v2, by=by, review_on=today + dt.timedelta(days=300), **changes
        )
    with clock.on(working_day(30, today=today)):
        for org_id, officer in officers.items():
            v2 = services.protocol_version_sign_off(
                version=v2, by=officer, organisation=Organisation.objects.get(pk=org_id)
            )
    return [f"  Protocol: {protocol.title} (version 2 agreed, version 1 superseded)"]


def _paper(name: str, text: str):
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def _seed_meetings(partnership, committee, officers, today) -> list[str]:
    parties = list(officers)
    if Meeting.objects.involving(parties).exists():
        return []
    by = officers[partnership.involvement_network_id]
    osc_by = officers[committee.pk]
    topics = list(Topic.objects.filter(partnership=partnership).order_by("created_at", "pk")[:3])
    venue = f"Council Chamber, {partnership.name.split()[0]} Town Hall"

    # A joint meeting held six weeks ago, with its minutes: arranged, its agenda published
    # with five clear working days' notice, held, and minuted that evening.
    held_on = working_day(42, today=today)
    clock = StoryClock()
    with clock.on(working_day(63, today=today)):
        held = services.meeting_create(
            by=by,
            partnership=partnership,
            title="Joint scrutiny meeting",
            date=held_on,
            start_time=dt.time(18, 0),
            end_time=dt.time(20, 0),
            place=venue,
            confirm=True,
        )
        first = services.agenda_item_add(
            meeting=held,
            by=by,
            title="Work programme for the year",
            presenter="Scrutiny officer",
            summary="The candidate topics scored against the TOPIC criteria.",
            topic=topics[0] if topics else None,
        )
        services.paper_add(
            item=first,
            by=by,
            file=_paper("work-programme.txt", "Candidate topics and their TOPIC scores."),
            title="Work programme report",
        )
        second = services.agenda_item_add(
            meeting=held, by=by, title="Update from the involvement network", presenter="Chair"
        )
    with clock.on(working_day(56, today=today)):
        services.meeting_publish_agenda(meeting=held, by=by)
    with clock.on(held_on, hour=20):
        services.meeting_mark_held(meeting=held, by=by)
        services.item_record_decision(
            item=first,
            by=by,
            decision="Agreed the work programme, with room left for issues that arise in the year.",
        )
        services.item_record_decision(
            item=second, by=by, decision="Noted the update and thanked the volunteers."
        )

    # An upcoming joint meeting with a published agenda, one item exempt.
    upcoming = services.meeting_create(
        by=by,
        partnership=partnership,
        title="Joint scrutiny meeting",
        date=_working_day_after(today, 21),
        start_time=dt.time(18, 0),
        end_time=dt.time(20, 0),
        place=venue,
        online_url="https://meet.example.org/joint-scrutiny",
        confirm=True,
    )
    item = services.agenda_item_add(
        meeting=upcoming,
        by=by,
        title=topics[1].title if len(topics) > 1 else "Evidence from residents",
        topic=topics[1] if len(topics) > 1 else None,
        presenter="Involvement network officer",
    )
    services.paper_add(
        item=item,
        by=by,
        file=pdf_paper(
            "evidence.pdf",
            "Evidence from residents",
            [
                "What residents told us at the network's listening events, and what the "
                "involvement network asks the committee to consider.",
                "Waiting times for a first appointment were the most common concern.",
            ],
            pages=2,
        ),
        title="Evidence",
    )
    exempt = services.agenda_item_add(
        meeting=upcoming,
        by=by,
        title="Contract performance of a care provider",
        presenter="Head of commissioning",
        exempt=True,
        exempt_paragraph=3,
        public_interest_reason=(
            "Disclosing the provider's commercial terms during re-tendering would prejudice the "
            "council's position; this outweighs the public interest in disclosure now."
        ),
    )
    services.paper_add(
        item=exempt,
        by=by,
        file=pdf_paper(
            "contract-performance.pdf",
            "Contract performance report",
            ["Exempt: contract performance figures of the care provider."],
        ),
        title="Contract performance report (exempt)",
    )
    services.meeting_publish_agenda(meeting=upcoming, by=by)

    # A committee meeting with a published agenda.
    hosc = services.meeting_create(
        by=osc_by,
        body=committee,
        title=f"{committee.label or 'Committee'} meeting",
        date=_working_day_after(today, 28),
        start_time=dt.time(10, 0),
        place=venue,
        confirm=True,
    )
    services.agenda_item_add(meeting=hosc, by=osc_by, title="Minutes of the last meeting")
    services.agenda_item_add(
        meeting=hosc,
        by=osc_by,
        title=topics[2].title if len(topics) > 2 else "Quality accounts",
        topic=topics[2] if len(topics) > 2 else None,
    )
    services.meeting_publish_agenda(meeting=hosc, by=osc_by)

    # A cancelled one.
    cancelled = services.meeting_create(
        by=by,
        partnership=partnership,
        title="Joint visit debrief",
        date=_working_day_after(today, 35),
        start_time=dt.time(14, 0),
        online_url="https://meet.example.org/debrief",
        confirm=True,
    )
    services.agenda_item_add(meeting=cancelled, by=by, title="Debrief of the ward visits")
    services.meeting_publish_agenda(meeting=cancelled, by=by)
    services.meeting_cancel(
        meeting=cancelled, by=by, reason="The visits were postponed by the trust."
    )

    # One whose agenda is still to be published.
    services.meeting_create(
        by=by,
        partnership=partnership,
        title="Joint scrutiny meeting",
        date=_working_day_after(today, 70),
        start_time=dt.time(18, 0),
        place=venue,
        confirm=True,
    )
    return [f"  Meetings: 5 for {partnership.name} (1 held, 3 published, 1 cancelled)"]


def seed(partnerships, *, today: dt.date | None = None) -> list[str]:
    """Seed protocols and meetings for each partnership; returns lines to print."""
    today = today or timezone.localdate()
    lines = []
    for partnership in partnerships:
        committee = partnership.scrutiny_committees.order_by("pk").first()
        parties = Organisation.objects.filter(pk__in=partnership.party_ids()).order_by("pk")
        officers = {org.pk: _officer(org) for org in parties}
        if committee is None or not all(officers.values()):
            lines.append(f"  {partnership.name}: skipped (every party needs a support officer)")
            continue
        with transaction.atomic():
            lines += _seed_protocol(partnership, committee, officers, today)
            lines += _seed_meetings(partnership, committee, officers, today)
    return lines


def seed_demo(result: dict) -> list[str]:
    """Called by `seed_demo` with what `scrutiny.demo.casework.seed()` returns."""
    lines = seed([area.partnership for area in result["areas"]])
    return (["", "Joint working:", *lines]) if lines else []
