"""A partner body's position on a joint topic, agreed at a meeting: the minuted decision of an
agenda item on that topic, at a meeting of the body (or a joint meeting it is party to)."""

from __future__ import annotations

from protocols.models import AgendaItem, MeetingState
from scrutiny.casework.models import TopicPosition
from scrutiny.casework.policy import can, owner_ids
from scrutiny.casework.roles import Perm
from scrutiny.casework.services import topic_position_agree
from workflows.errors import Forbidden, InvalidInput


def item_agree_position(*, item: AgendaItem, position: TopicPosition, by) -> TopicPosition:
    """Record that `item`'s minuted decision agreed `position` (which is then published)."""
    meeting = item.meeting
    if not can(by, Perm.MEETING_MANAGE, meeting):
        raise Forbidden("Only a support officer of the meeting's body records its minutes.")
    if meeting.state != MeetingState.HELD or not item.decided_at or not item.decision:
        raise InvalidInput(
            "Choose an agenda item whose decision is minuted.",
            field_errors={"item": ["Choose an agenda item whose decision is minuted."]},
        )
    if item.topic_id != position.topic_id:
        raise InvalidInput(
            "The agenda item is about another topic.",
            field_errors={"item": ["Choose an agenda item on this topic."]},
        )
    if position.organisation_id not in owner_ids(meeting):
        raise InvalidInput(
            f"{position.organisation} did not hold this meeting: its position is agreed at its "
            "own meeting or a joint meeting.",
            field_errors={"item": ["Choose a meeting of the body whose position it is."]},
        )
    return topic_position_agree(
        position=position,
        by=by,
        how=TopicPosition.Agreement.MEETING,
        minute_item_id=item.pk,
        note=f"minuted at {meeting}, item {item.position}: {item.decision}"[:500],
    )
