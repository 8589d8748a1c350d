"""A committee's view on a service-change consultation, decided at a meeting: the minuted
decision of an agenda item on the consultation's topic, at a meeting of the committee consulted
(or a joint meeting it is party to). docs/consultations.md."""

from __future__ import annotations

from protocols.models import AgendaItem, MeetingState
from scrutiny.casework.models import Consultation
from scrutiny.casework.policy import can, owner_ids
from scrutiny.casework.roles import Perm
from scrutiny.casework.services import consultation_assess
from workflows.errors import Forbidden, InvalidInput


def _bad_item(message: str) -> InvalidInput:
    return InvalidInput(message, field_errors={"item": [message]})


def item_assess_consultation(
    *, item: AgendaItem, consultation: Consultation, by, substantial: bool, reason: str
) -> Consultation:
    """Record that `item`'s minuted decision is the committee's view whether the proposal is a
    substantial development or variation (SI 2013/218 reg 23)."""
    meeting = item.meeting
    if not can(by, Perm.MEETING_MANAGE, meeting):
        raise Forbidden("Only a support officer of the meeting's body records its minutes.")
    if meeting.state != MeetingState.HELD or not item.decided_at or not item.decision:
        raise _bad_item("Choose an agenda item whose decision is minuted.")
    if item.topic_id != consultation.topic_id:
        raise _bad_item("The agenda item is about another topic: choose one on this consultation.")
    if consultation.committee_id not in owner_ids(meeting):
        raise _bad_item(
            f"{consultation.committee} did not hold this meeting: its view is decided at its "
            "own meeting or a joint meeting."
        )
    note = f"minuted at {meeting}, item {item.position}" + ("" if item.exempt else f": {reason}")
    return consultation_assess(
        consultation=consultation,
        by=by,
        substantial=substantial,
        reason=reason,
        minute_item_id=item.pk,
        on=meeting.date,
        note=note[:500],
    )
