"""Agenda items, papers and the decisions minuted against them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from protocols.models import (
    AgendaItem,
    ExemptParagraph,
    Meeting,
    MeetingState,
    Paper,
    Resolution,
)
from protocols.search import index_paper
from protocols.services.common import _clean
from protocols.services.meetings import _lock_meeting, _touch
from scrutiny.casework import services as casework
from scrutiny.casework.policy import owner_ids
from scrutiny.casework.uploads import check_upload
from workflows.audit import EventType, log_event
from workflows.errors import Conflict, InvalidInput

# --- Agenda items, papers, minutes ----------------------------------------------------------


def _item_values(values: dict) -> dict:
    errors = {}
    out = {
        "title": _clean(values.get("title")),
        "presenter": _clean(values.get("presenter")),
        "summary": _clean(values.get("summary")),
        "exempt": bool(values.get("exempt")),
        "topic": values.get("topic"),
    }
    if not out["title"]:
        errors["title"] = ["Enter the item's title."]
    paragraph = values.get("exempt_paragraph")
    reason = _clean(values.get("public_interest_reason"))
    if out["exempt"]:
        try:
            paragraph = int(paragraph)
        except (TypeError, ValueError):
            paragraph = None
        if paragraph not in ExemptParagraph.values:
            errors["exempt_paragraph"] = ["Choose the Schedule 12A paragraph (1 to 7)."]
        if not reason:
            errors["public_interest_reason"] = [
                "Record why the public interest in keeping it exempt outweighs disclosing it."
            ]
        out["exempt_paragraph"], out["public_interest_reason"] = paragraph, reason
    else:
        out["exempt_paragraph"], out["public_interest_reason"] = None, ""
    if errors:
        raise InvalidInput("Check the agenda item.", field_errors=errors)
    return out


def _item_note(item: AgendaItem) -> str:
    """How an item is named in logs: never by the title of an exempt item."""
    return (
        f"item {item.position} (exempt)" if item.exempt else f"item {item.position}: {item.title}"
    )


def _check_topic(topic, meeting):
    if topic is None:
        return
    if not owner_ids(topic) & owner_ids(meeting):
        raise InvalidInput(
            "Link a topic of the meeting's bodies.",
            field_errors={"topic": ["Choose a topic of this body or partnership."]},
        )


def agenda_item_add(*, meeting: Meeting, by, late_reason: str = "", **values) -> AgendaItem:
    """Add an item at the end of the agenda. After publication it is a late item, and needs
    the chair's reason of urgency."""
    clean = _item_values(values)
    with transaction.atomic():
        locked = _lock_meeting(meeting, by)
        _check_topic(clean["topic"], locked)
        if locked.state == MeetingState.CANCELLED:
            raise Conflict("This meeting is cancelled.")
        late = locked.agenda_published
        late_reason = _clean(late_reason)
        if late and not late_reason:
            raise InvalidInput(
                "The agenda is published: a late item needs the chair's reason of urgency.",
                field_errors={"late_reason": ["Record the chair's reason of urgency."]},
            )
        last = locked.items.order_by("-position").values_list("position", flat=True).first()
        item = AgendaItem.objects.create(
            meeting=locked,
            position=(last or 0) + 1,
            late=late,
            late_reason=late_reason if late else "",
            **clean,
        )
        _touch(locked)
        log_event(
            locked,
            EventType.MEETING_AGENDA_ITEM_ADDED,
            by=by,
            note=_item_note(item),
            data={"item": item.pk},
        )
    return item


def agenda_item_update(*, item: AgendaItem, by, **values) -> AgendaItem:
    with transaction.atomic():
        locked_meeting = _lock_meeting(item.meeting, by)
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        current = {
            k: getattr(item, k)
            for k in ("title", "presenter", "summary", "exempt", "topic")
            + ("exempt_paragraph", "public_interest_reason")
        }
        current.update(values)
        clean = _item_values(current)
        _check_topic(clean["topic"], locked_meeting)
        for k, v in clean.items():
            setattr(item, k, v)
        item.save()
        _touch(locked_meeting)
    return item


def agenda_item_move(*, item: AgendaItem, by, up: bool) -> None:
    """Swap an item with its neighbour above (`up`) or below."""
    with transaction.atomic():
        meeting = _lock_meeting(item.meeting, by)
        items = list(meeting.items.order_by("position", "id"))
        idx = next(i for i, it in enumerate(items) if it.pk == item.pk)
        other = idx - 1 if up else idx + 1
        if not 0 <= other < len(items):
            return
        items[idx], items[other] = items[other], items[idx]
        for pos, it in enumerate(items, start=1):
            if it.position != pos:
                AgendaItem.objects.filter(pk=it.pk).update(position=pos)
        _touch(meeting)


def paper_add(*, item: AgendaItem, by, file, title: str = "") -> Paper:
    checked = check_upload(file, field="file")
    with transaction.atomic():
        meeting = _lock_meeting(item.meeting, by)
        paper = Paper.objects.create(
            item=item,
            title=_clean(title) or checked.name,
            file=checked.file,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=by,
        )
        _touch(meeting)
        log_event(
            meeting,
            EventType.MEETING_PAPER_ADDED,
            by=by,
            note=f"{_item_note(item)}: {'a paper' if item.exempt else paper.title}",
            data={"item": item.pk, "paper": paper.pk},
        )
        index_paper(paper)  # its text, extracted here (bounded; a failure is only logged)
    return paper


def item_record_decision(
    *,
    item: AgendaItem,
    by,
    decision: str,
    resolution: str = "",
    scores: dict | None = None,
    outcome_summary: str = "",
    close_without_response_reason: str = "",
) -> AgendaItem:
    """Minute the decision on one item of a held meeting. A resolution moves the item's topic
    through the casework services in the same transaction: all of it, or none of it."""
    decision = _clean(decision)
    if not decision:
        raise InvalidInput(
            "Enter the decision.", field_errors={"decision": ["Enter the decision."]}
        )
    if resolution not in Resolution.values:
        raise InvalidInput("Choose a resolution.", field_errors={"resolution": ["Choose one."]})
    with transaction.atomic():
        meeting = _lock_meeting(item.meeting, by)
        if meeting.state != MeetingState.HELD:
            raise Conflict("Minutes are recorded once the meeting has been held.")
        item = (
            AgendaItem.objects.select_for_update(of=("self",))
            .select_related("topic")
            .get(pk=item.pk)
        )
        if item.resolution:
            raise Conflict("This item's resolution is already minuted.")
        if resolution and item.topic is None:
            raise InvalidInput(
                "Link the item to a topic before resolving on it.",
                field_errors={"resolution": ["This item has no topic."]},
            )
        # Logs can be shown beside a topic's public history: an exempt item's words stay out.
        note = f"Minuted at {meeting}: " + ("exempt item" if item.exempt else decision)
        topic = item.topic
        if resolution == Resolution.PRIORITISE:
            # The minuted decision is the recorded reason if the scores are below threshold.
            casework.topic_prioritise(
                topic=topic, by=by, scores=scores or {}, note=note, below_threshold_reason=note
            )
        elif resolution == Resolution.REQUEST_INFORMATION:
            casework.topic_request_information(topic=topic, by=by, note=note)
        elif resolution == Resolution.MAKE_RECOMMENDATIONS:
            # The committee agrees the topic's drafts by this minuted decision, then they issue.
            casework.topic_make_recommendations(topic=topic, by=by, note=note, agreed_at=item)
        elif resolution == Resolution.CONCLUDE:
            casework.topic_conclude(
                topic=topic,
                by=by,
                outcome_summary=outcome_summary,
                close_without_response_reason=close_without_response_reason,
            )
        item.decision = decision
        item.resolution = resolution
        item.decided_at = timezone.now()
        item.decided_by = by
        item.save(
            update_fields=["decision", "resolution", "decided_at", "decided_by", "updated_at"]
        )
        _touch(meeting)
        log_event(
            meeting,
            EventType.MEETING_DECISION_RECORDED,
            by=by,
            note=f"{_item_note(item)}: " + ("decision minuted" if item.exempt else decision[:200]),
            data={"item": item.pk, "resolution": resolution},
        )
    return item
