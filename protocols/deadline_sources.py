"""Joint working's clocks, registered with the deadline sweep (workflows.sweep).

Registered from ProtocolsConfig.ready. Two sources:

- protocol reviews: the partners review their protocol by its review date; the support officers
  of every party are reminded, its chairs (or officers) told when it is very overdue;
- agenda publication: a scheduled meeting's agenda is published by the latest date the
  agenda-publication clock allows; the support officers of the meeting's bodies are reminded.

Each source builds its items with a fixed number of queries, however many there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from protocols.models import Meeting, MeetingState, ProtocolVersion, VersionState
from scrutiny.casework.policy import People, owner_ids
from scrutiny.casework.roles import Perm
from workflows.clock_sources import ClockedItem, clock_source_register


def _review_items(qs) -> list[ClockedItem]:
    versions = list(
        qs.select_related("protocol__partnership").prefetch_related(
            "protocol__partnership__scrutiny_committees"
        )
    )
    parties = {v.pk: owner_ids(v) for v in versions}
    people = People(set().union(*parties.values()) if parties else ())
    return [
        ClockedItem(
            kind="protocol_review",
            obj=v,
            due_on=v.review_on,
            title=f"Review the joint working protocol: {v.protocol.title}",
            link=v.get_absolute_url(),
            owed_by=str(v.protocol.partnership),
            action="review the protocol",
            reminder_recipients=people.holding(parties[v.pk], Perm.PROTOCOL_MANAGE),
            escalation_recipients=people.chairs_or(parties[v.pk], Perm.PROTOCOL_MANAGE),
            digest_recipients=people.holding(parties[v.pk], Perm.PROTOCOL_MANAGE),
        )
        for v in versions
    ]


def protocol_reviews_clocks(due_by: dt.date):
    return ProtocolVersion.objects.filter(
        state=VersionState.AGREED, review_on__isnull=False, review_on__lte=due_by
    )


def protocol_reviews_open(due_by: dt.date) -> list[ClockedItem]:
    return _review_items(protocol_reviews_clocks(due_by))


def protocol_reviews_by_pk(pks: Sequence[int]) -> list[ClockedItem]:
    return _review_items(ProtocolVersion.objects.filter(pk__in=pks, review_on__isnull=False))


def _agenda_items(qs) -> list[ClockedItem]:
    meetings = list(
        qs.select_related("body", "partnership", "due_rule").prefetch_related(
            "partnership__scrutiny_committees"
        )
    )
    bodies = {m.pk: owner_ids(m) for m in meetings}
    people = People(set().union(*bodies.values()) if bodies else ())
    return [
        ClockedItem(
            kind="agenda_publication",
            obj=m,
            due_on=m.due_on,
            title=f"Publish the agenda: {m.title}, {m.date:%-d %b %Y}",
            link=m.get_absolute_url(),
            owed_by=str(m.organiser),
            action="publish the agenda",
            due_explanation=m.due_explanation,
            region=m.due_rule.effective_region if m.due_rule_id else None,
            reminder_recipients=people.holding(bodies[m.pk], Perm.MEETING_MANAGE),
            escalation_recipients=people.chairs_or(bodies[m.pk], Perm.MEETING_MANAGE),
            digest_recipients=people.holding(bodies[m.pk], Perm.MEETING_MANAGE),
        )
        for m in meetings
        if m.due_on is not None
    ]


def agenda_publication_clocks(due_by: dt.date):
    return Meeting.objects.filter(
        state=MeetingState.SCHEDULED,
        agenda_published_at__isnull=True,
        due_on__isnull=False,
        due_on__lte=due_by,
    )


def agenda_publication_open(due_by: dt.date) -> list[ClockedItem]:
    return _agenda_items(agenda_publication_clocks(due_by))


def agenda_publication_by_pk(pks: Sequence[int]) -> list[ClockedItem]:
    return _agenda_items(Meeting.objects.filter(pk__in=pks))


def register() -> None:
    clock_source_register(
        kind="protocol_review",
        label="Protocol reviews",
        model=ProtocolVersion,
        clocks=protocol_reviews_clocks,
        due_field="review_on",
        items_for=protocol_reviews_by_pk,
    )
    clock_source_register(
        kind="agenda_publication",
        label="Agenda publication",
        model=Meeting,
        clocks=agenda_publication_clocks,
        items_for=agenda_publication_by_pk,
    )
