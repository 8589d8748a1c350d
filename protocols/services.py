"""Joint-working services: every write to protocols, meetings, agendas, minutes and tokens.

Each validates input (InvalidInput → 400), checks permission (Forbidden → 403), moves lifecycles
through `workflows.services.transition_apply`, and runs in one transaction. Every change that a
calendar subscriber could see raises the meeting's (or version's) `sequence`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlparse

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from protocols.models import (
    SECTION_KEYS,
    SECTIONS,
    AgendaItem,
    CalendarToken,
    ExemptParagraph,
    Meeting,
    MeetingState,
    Paper,
    Protocol,
    ProtocolSignOff,
    ProtocolVersion,
    Resolution,
    VersionState,
)
from protocols.permissions import can_manage, chairs_of, meeting_body_ids, protocol_party_ids
from scrutiny.casework import services as casework
from scrutiny.casework.models import Organisation, Partnership
from scrutiny.casework.permissions import OFFICER, bodies_with
from scrutiny.casework.publication import public_cache_bump
from scrutiny.casework.uploads import check_upload
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import DeadlineRule, TransitionLog
from workflows.services import transition_apply


def _log_event(instance, *, name: str, by, note: str = "", source: str = "", target: str = ""):
    """A log row for an event that is not a state change (created, published, signed…)."""
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        transition=name,
        source_state=source or getattr(instance, "state", ""),
        target_state=target or getattr(instance, "state", ""),
        actor=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )


def _clean(value) -> str:
    return (value or "").strip()


# --- Protocols ------------------------------------------------------------------------------


def _section_values(values: dict) -> dict:
    unknown = set(values) - set(SECTION_KEYS) - {"acknowledgement_days", "review_on"}
    if unknown:
        raise InvalidInput(f"Unknown protocol fields: {', '.join(sorted(unknown))}.")
    out = {k: _clean(v) for k, v in values.items() if k in SECTION_KEYS}
    if "acknowledgement_days" in values:
        try:
            days = int(values["acknowledgement_days"])
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= 366:
            raise InvalidInput(
                "Enter the acknowledgement period in working days.",
                field_errors={"acknowledgement_days": ["Enter a number from 1 to 366."]},
            )
        out["acknowledgement_days"] = days
    if "review_on" in values:
        review_on = values["review_on"]
        if review_on is not None and not isinstance(review_on, dt.date):
            raise InvalidInput(
                "Enter the review date.", field_errors={"review_on": ["Enter a real date."]}
            )
        out["review_on"] = review_on
    return out


def _require_party_officer(by, protocol):
    if not can_manage(by, protocol):
        raise Forbidden("Only a support officer of a party to the partnership may do this.")


def protocol_create(*, partnership: Partnership, by, title: str, **sections) -> Protocol:
    """A new protocol for `partnership`, with version 1 as a draft."""
    title = _clean(title)
    if not title:
        raise InvalidInput("Enter a title.", field_errors={"title": ["Enter a title."]})
    values = _section_values(sections)
    probe = Protocol(partnership=partnership)
    _require_party_officer(by, probe)
    with transaction.atomic():
        protocol = Protocol.objects.create(partnership=partnership, title=title)
        version = ProtocolVersion.objects.create(
            protocol=protocol, number=1, created_by=by, **values
        )
        _log_event(version, name="draft", by=by)
    return protocol


def protocol_version_draft_next(*, protocol: Protocol, by) -> ProtocolVersion:
    """Start the next version as a draft, copying the text of the latest version."""
    _require_party_officer(by, protocol)
    with transaction.atomic():
        Protocol.objects.select_for_update().get(pk=protocol.pk)
        if protocol.versions.filter(state=VersionState.DRAFT).exists():
            raise Conflict("A draft version already exists: edit that one.")
        latest = protocol.versions.order_by("-number").first()
        copied = {k: getattr(latest, k) for k in (*SECTION_KEYS, "acknowledgement_days")}
        version = ProtocolVersion.objects.create(
            protocol=protocol,
            number=(latest.number + 1) if latest else 1,
            created_by=by,
            review_on=None,
            **copied,
        )
        _log_event(version, name="draft", by=by, note=f"from version {latest.number}")
    return version


def protocol_version_update(*, version: ProtocolVersion, by, **values) -> ProtocolVersion:
    """Edit a draft. Changing the text withdraws the sign-offs already given: a party signs
    the words it read. The review date of a version in force can still be changed."""
    clean = _section_values(values)
    _require_party_officer(by, version)
    with transaction.atomic():
        locked = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
        text_changed = any(getattr(locked, k) != v for k, v in clean.items() if k != "review_on")
        if locked.state != VersionState.DRAFT:
            if text_changed:
                raise Conflict(
                    "Only a draft can be edited: start the next version to change the text."
                )
            if locked.state == VersionState.SUPERSEDED:
                raise Conflict("A superseded version cannot be changed.")
        if not any(getattr(locked, k) != v for k, v in clean.items()):
            return locked
        for k, v in clean.items():
            setattr(locked, k, v)
        locked.sequence += 1
        locked.save()
        withdrawn = 0
        if text_changed:
            withdrawn, _ = locked.sign_offs.all().delete()
        _log_event(
            locked,
            name="edit",
            by=by,
            note=f"{withdrawn} sign-off(s) withdrawn because the text changed" if withdrawn else "",
        )
    return locked


def protocol_version_sign_off(
    *,
    version: ProtocolVersion,
    by,
    organisation: Organisation,
    signatory_name: str = "",
    on: dt.date | None = None,
) -> ProtocolVersion:
    """`organisation`'s officer signs off a draft. When every party has signed, the version is
    agreed and the version it replaces is superseded, in the same transaction."""
    if organisation.pk not in protocol_party_ids(version):
        raise InvalidInput(
            "Only a party to the partnership signs off its protocol.",
            field_errors={"organisation": ["Choose a party to the partnership."]},
        )
    if not (by.is_superuser or organisation.pk in bodies_with(by, {OFFICER})):
        raise Forbidden("You may sign off only for a body whose support officer you are.")
    name = _clean(signatory_name) or by.get_full_name() or by.get_username()
    with transaction.atomic():
        locked = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != VersionState.DRAFT:
            raise Conflict(
                f"This version is '{locked.get_state_display()}': only drafts are signed."
            )
        if not any(_clean(getattr(locked, k)) for k in SECTION_KEYS):
            raise InvalidInput("Write the protocol's sections before signing it off.")
        try:
            with transaction.atomic():
                ProtocolSignOff.objects.create(
                    version=locked, organisation=organisation, signed_by=by, signatory_name=name
                )
        except IntegrityError as exc:
            raise Conflict(f"{organisation} has already signed off this version.") from exc
        _log_event(locked, name="sign_off", by=by, note=f"{organisation} ({name})")
        parties = protocol_party_ids(locked)
        signed = set(locked.sign_offs.values_list("organisation_id", flat=True))
        if parties <= signed:
            on = on or timezone.localdate()
            previous = list(
                ProtocolVersion.objects.filter(
                    protocol_id=locked.protocol_id,
                    state__in=[VersionState.AGREED, VersionState.UNDER_REVIEW],
                ).exclude(pk=locked.pk)
            )
            # The old version leaves force first: one version in force per protocol is also a
            # database constraint, checked row by row.
            for old in previous:
                old = transition_apply(
                    instance=old,
                    name="supersede",
                    by=by,
                    on=on,
                    note=f"superseded by version {locked.number}",
                )
                ProtocolVersion.objects.filter(pk=old.pk).update(sequence=old.sequence + 1)
            locked = transition_apply(instance=locked, name="agree", by=by, on=on)
            ProtocolVersion.objects.filter(pk=locked.pk).update(sequence=locked.sequence + 1)
            locked.refresh_from_db()
    return locked


def protocol_version_start_review(*, version: ProtocolVersion, by, note: str = ""):
    with transaction.atomic():
        version = transition_apply(instance=version, name="start_review", by=by, note=note)
        ProtocolVersion.objects.filter(pk=version.pk).update(sequence=version.sequence + 1)
        version.refresh_from_db()
    return version


@dataclass
class SectionDiff:
    key: str
    label: str
    changed: bool
    html: str


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"\s+|[^\s]+", text or "")


def _diff_html(old: str, new: str) -> str:
    """Word-level diff as HTML with <del> and <ins>; paragraphs kept."""
    a, b = _words(old), _words(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        # Screen readers rarely announce <del>/<ins>: say it in visually hidden text too.
        if op in ("delete", "replace"):
            out.append(
                '<span class="govuk-visually-hidden">[removed: </span>'
                f'<del class="cf-diff-del">{escape("".join(a[i1:i2]))}</del>'
                '<span class="govuk-visually-hidden">]</span>'
            )
        if op in ("insert", "replace"):
            out.append(
                '<span class="govuk-visually-hidden">[added: </span>'
                f'<ins class="cf-diff-ins">{escape("".join(b[j1:j2]))}</ins>'
                '<span class="govuk-visually-hidden">]</span>'
            )
    html = "".join(out)
    paragraphs = [p for p in html.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        f'<p class="govuk-body">{p.replace(chr(10), "<br>")}</p>' for p in paragraphs if p.strip()
    )


def protocol_diff(old: ProtocolVersion, new: ProtocolVersion) -> list[SectionDiff]:
    """What changed from `old` to `new`, section by section."""
    if old.protocol_id != new.protocol_id:
        raise InvalidInput("Compare two versions of the same protocol.")
    rows = []
    for key, label in SECTIONS:
        a, b = getattr(old, key) or "", getattr(new, key) or ""
        rows.append(SectionDiff(key, label, a != b, mark_safe(_diff_html(a, b))))
    a, b = old.acknowledgement_days, new.acknowledgement_days
    rows.insert(
        2,
        SectionDiff(
            "acknowledgement_days",
            "Acknowledgement period (working days)",
            a != b,
            mark_safe(_diff_html(str(a), str(b))),
        ),
    )
    return rows


# --- Meetings -------------------------------------------------------------------------------


class NeedsConfirmation(InvalidInput):
    """Something to check before saving (a past date, a clash): confirm to save anyway."""

    def __init__(self, warnings: list[str]):
        super().__init__("Check before saving: " + " ".join(warnings))
        self.warnings = warnings


MEETING_FIELDS = ("title", "date", "start_time", "end_time", "place", "online_url")


def _agenda_rule() -> DeadlineRule:
    try:
        return DeadlineRule.objects.get(slug=Meeting.RULE)
    except DeadlineRule.DoesNotExist as exc:
        raise InvalidInput(
            f"The deadline rule '{Meeting.RULE}' is missing; an administrator must add it."
        ) from exc


def _validate_meeting(values: dict) -> dict:
    errors = {}
    out = dict(values)
    out["title"] = _clean(values.get("title"))
    out["place"] = _clean(values.get("place"))
    out["online_url"] = _clean(values.get("online_url"))
    if not out["title"]:
        errors["title"] = ["Enter a title."]
    if not isinstance(values.get("date"), dt.date):
        errors["date"] = ["Enter the date of the meeting."]
    if not isinstance(values.get("start_time"), dt.time):
        errors["start_time"] = ["Enter the start time."]
    end = values.get("end_time")
    start = values.get("start_time")
    if end is not None and isinstance(start, dt.time) and end <= start:
        errors["end_time"] = ["The end time must be after the start time."]
    if not out["place"] and not out["online_url"]:
        errors["place"] = ["Enter a place, an online link, or both."]
    if out["online_url"] and urlparse(out["online_url"]).scheme not in ("http", "https"):
        errors["online_url"] = ["Enter a link starting with https://."]
    if errors:
        raise InvalidInput("Check the meeting's details.", field_errors=errors)
    return out


def meeting_warnings(
    *, bodies: set[int], date, start_time, end_time=None, exclude_pk=None, today=None
) -> list[str]:
    """Reasons to stop and check: a date in the past; another meeting of the same body whose
    time overlaps on the same day (joint meetings count for every party)."""
    warnings = []
    today = today or timezone.localdate()
    if date < today:
        warnings.append(f"The date, {date:%-d %B %Y}, is in the past.")
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(date, start_time, tzinfo=tz)
    end = (
        dt.datetime.combine(date, end_time, tzinfo=tz)
        if end_time and end_time > start_time
        else start + Meeting.DEFAULT_LENGTH
    )
    others = (
        Meeting.objects.involving(bodies)
        .filter(date=date)
        .exclude(state=MeetingState.CANCELLED)
        .select_related("body", "partnership")
    )
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    for other in others:
        if other.starts_at() < end and start < other.ends_at():
            warnings.append(
                f"It clashes with '{other.title}' ({other.organiser}) on "
                f"{other.date:%-d %B %Y} from {other.start_time:%H:%M}."
            )
    return warnings


def _meeting_bodies(body, partnership) -> set[int]:
    if partnership is not None:
        return partnership.party_ids()
    return {body.pk}


def meeting_create(
    *,
    by,
    title: str,
    date: dt.date,
    start_time: dt.time,
    body: Organisation | None = None,
    partnership: Partnership | None = None,
    end_time: dt.time | None = None,
    place: str = "",
    online_url: str = "",
    confirm: bool = False,
    today: dt.date | None = None,
) -> Meeting:
    """Schedule a meeting of one body or a joint one. A past date or a clash raises
    NeedsConfirmation unless `confirm` (the person saw the warnings and chose to go on)."""
    if (body is None) == (partnership is None):
        raise InvalidInput(
            "Choose one body or a partnership (joint meeting).",
            field_errors={"organiser": ["Choose one body or a partnership."]},
        )
    if body is not None and body.is_health_body:
        raise InvalidInput(
            "Meetings belong to involvement networks and scrutiny committees.",
            field_errors={"organiser": ["Choose a network or a committee."]},
        )
    values = _validate_meeting(
        {
            "title": title,
            "date": date,
            "start_time": start_time,
            "end_time": end_time,
            "place": place,
            "online_url": online_url,
        }
    )
    probe = Meeting(body=body, partnership=partnership)
    if not can_manage(by, probe):
        raise Forbidden("Only a support officer of the meeting's body may schedule it.")
    bodies = _meeting_bodies(body, partnership)
    if not confirm:
        warnings = meeting_warnings(
            bodies=bodies, date=date, start_time=start_time, end_time=end_time, today=today
        )
        if warnings:
            raise NeedsConfirmation(warnings)
    with transaction.atomic():
        meeting = Meeting(body=body, partnership=partnership, created_by=by, **values)
        meeting.start_clock(_agenda_rule(), meeting.date)
        meeting.save()
        _log_event(
            meeting, name="schedule", by=by, note="confirmed after warnings" if confirm else ""
        )
    return meeting


def _lock_meeting(meeting, by) -> Meeting:
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=meeting.pk)
    )
    if not can_manage(by, locked):
        raise Forbidden("Only a support officer of the meeting's body may change it.")
    return locked


def _touch(meeting: Meeting):
    """A change a calendar subscriber could see: raise SEQUENCE and the modified time."""
    Meeting.objects.filter(pk=meeting.pk).update(
        sequence=meeting.sequence + 1, updated_at=timezone.now()
    )
    meeting.sequence += 1


def meeting_update(
    *, meeting: Meeting, by, confirm: bool = False, today: dt.date | None = None, **changes
) -> Meeting:
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown meeting fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = _lock_meeting(meeting, by)
        if locked.state != MeetingState.SCHEDULED:
            raise Conflict(f"This meeting is '{locked.get_state_display()}': it cannot be edited.")
        values = {f: getattr(locked, f) for f in MEETING_FIELDS}
        values.update(changes)
        values = _validate_meeting(values)
        changed = {f: v for f, v in values.items() if getattr(locked, f) != v}
        if not changed:
            return locked
        if not confirm and {"date", "start_time", "end_time"} & set(changed):
            warnings = meeting_warnings(
                bodies=meeting_body_ids(locked),
                date=values["date"],
                start_time=values["start_time"],
                end_time=values["end_time"],
                exclude_pk=locked.pk,
                today=today,
            )
            if warnings:
                raise NeedsConfirmation(warnings)
        for f, v in changed.items():
            setattr(locked, f, v)
        if "date" in changed:
            locked.start_clock(locked.due_rule or _agenda_rule(), locked.date)
        locked.sequence += 1
        locked.save()
        _log_event(locked, name="edit", by=by, note="changed: " + ", ".join(sorted(changed)))
    return locked


def meeting_cancel(*, meeting: Meeting, by, reason: str) -> Meeting:
    reason = _clean(reason)
    if not reason:
        raise InvalidInput(
            "Enter the reason for cancelling.", field_errors={"reason": ["Enter the reason."]}
        )
    return transition_apply(instance=meeting, name="cancel", by=by, note=reason, reason=reason)


def meeting_mark_held(*, meeting: Meeting, by) -> Meeting:
    return transition_apply(instance=meeting, name="mark_held", by=by)


def meeting_publish_agenda(
    *,
    meeting: Meeting,
    by,
    urgency_reason: str = "",
    chair=None,
    now: dt.datetime | None = None,
) -> Meeting:
    """Open the agenda and its non-exempt papers to the public.

    Publishing after the latest date (`due_on`, the agenda-publication clock) needs the chair's
    recorded reason of urgency (LGA 1972 s100B(4)(b)); a chair publishing gives it themself.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_meeting(meeting, by)
        if locked.state != MeetingState.SCHEDULED:
            raise Conflict(f"This meeting is '{locked.get_state_display()}'.")
        if locked.agenda_published_at:
            raise Conflict("The agenda is already published.")
        if not locked.items.exists():
            raise InvalidInput("Add at least one agenda item before publishing.")
        late = locked.due_on is not None and timezone.localdate(now) > locked.due_on
        reason = _clean(urgency_reason)
        chairs = chairs_of(locked)
        if late:
            errors = {}
            if not reason:
                errors["urgency_reason"] = [
                    f"The latest date to publish was {locked.due_on:%-d %B %Y}: record the "
                    "chair's reason of urgency."
                ]
            if chair is None and by in chairs:
                chair = by
            if chair is None or chair not in chairs:
                errors["chair"] = ["Choose the chair who gave the reason of urgency."]
            if errors:
                raise InvalidInput(
                    "This agenda is late: it needs the chair's reason of urgency.",
                    field_errors=errors,
                )
        locked.agenda_published_at = now
        locked.urgency_reason = reason if late else ""
        locked.urgency_chair = chair if late else None
        locked.sequence += 1
        locked.save(
            update_fields=[
                "agenda_published_at",
                "urgency_reason",
                "urgency_chair",
                "sequence",
                "updated_at",
            ]
        )
        _log_event(
            locked, name="publish_agenda", by=by, note=f"late: {reason}" if late else "on time"
        )
        # The public home and outcome pages list published meetings.
        transaction.on_commit(public_cache_bump)
    return locked


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
    from scrutiny.casework.permissions import topic_party_ids

    if not topic_party_ids(topic) & meeting_body_ids(meeting):
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
        _log_event(locked, name="add_item", by=by, note=_item_note(item))
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
        _log_event(
            meeting,
            name="add_paper",
            by=by,
            note=f"{_item_note(item)}: {'a paper' if item.exempt else paper.title}",
        )
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
            casework.topic_prioritise(topic=topic, by=by, scores=scores or {}, note=note)
        elif resolution == Resolution.REQUEST_INFORMATION:
            casework.topic_request_information(topic=topic, by=by, note=note)
        elif resolution == Resolution.MAKE_RECOMMENDATIONS:
            casework.topic_make_recommendations(topic=topic, by=by, note=note)
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
        _log_event(
            meeting,
            name="minute",
            by=by,
            note=f"{_item_note(item)}: " + ("decision minuted" if item.exempt else decision[:200]),
        )
    return item


# --- Personal calendar tokens ---------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_token_create(*, user) -> tuple[CalendarToken, str]:
    """A new secret feed token (the old one, if any, stops working). Returns the raw token,
    which is shown once and never stored."""
    if not getattr(user, "is_authenticated", False):
        raise Forbidden("Sign in to have a personal calendar.")
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token = CalendarToken.objects.create(user=user, token_hash=_hash(raw), hint=raw[:6])
    return token, raw


def calendar_token_revoke(*, user) -> int:
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def calendar_token_user(raw: str):
    """The live token's user, or None (revoked, rotated or unknown tokens)."""
    if not raw or len(raw) > 100:
        return None
    token = (
        CalendarToken.objects.filter(token_hash=_hash(raw), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(hours=1):
        CalendarToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
