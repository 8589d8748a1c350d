"""Typed audit events: what the product records, the one writer, and the one table of labels.

Every event on the record — each lifecycle move and each non-move (a topic raised, a paper added,
a party's sign-off) — is one `AuditEvent` row with an `EventType`, written by `log_event` in the
transaction of the change it records. `transition_apply` derives a move's type from the model and
the transition's name through `TRANSITION_EVENTS`; every other service names its type. Timelines,
feeds, the admin and e-mails read an event's words through `event_label`. The same rows are the
webhook outbox (`api.webhooks.dispatch_events`, docs/decisions/0010-audit-events-and-outbox.md).

After Zulip's `RealmAuditLog` event types.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

from workflows.models import AuditEvent


class EventType(models.TextChoices):
    """Every event the product records, `<noun>_<what happened>`, with its words for staff."""

    # People of a body (scrutiny.Organisation), managed by its area administrators
    PERSON_INVITED = "person_invited", "Person invited"
    PERSON_LINKED = "person_linked", "Person given a role"
    ROLE_CHANGED = "role_changed", "Role changed"
    ROLE_REMOVED = "role_removed", "Role removed"
    # Scrutiny topics (scrutiny.Topic)
    TOPIC_RAISED = "topic_raised", "Topic raised"
    TOPIC_PRIORITISED = "topic_prioritised", "Topic prioritised"
    TOPIC_SCORES_CORRECTED = "topic_scores_corrected", "Prioritisation scores corrected"
    TOPIC_DECLINED = "topic_declined", "Topic declined"
    TOPIC_REOPENED = "topic_reopened", "Topic reopened"
    TOPIC_INFORMATION_REQUESTED = "topic_information_requested", "Resolved to request information"
    TOPIC_REQUESTS_ISSUED = "topic_requests_issued", "Information requests issued"
    TOPIC_RECOMMENDATIONS_MADE = "topic_recommendations_made", "Recommendations made"
    TOPIC_MORE_INFORMATION_REQUESTED = (
        "topic_more_information_requested",
        "Resolved to request more information",
    )
    TOPIC_CONCLUDED = "topic_concluded", "Topic concluded"
    TOPIC_WITHDRAWN = "topic_withdrawn", "Topic withdrawn"
    TOPIC_POSITION_RECORDED = "topic_position_recorded", "Partner body's position proposed"
    TOPIC_POSITION_AGREED = "topic_position_agreed", "Partner body's position agreed"
    TOPIC_PUBLISHED = "topic_published", "Topic published"
    TOPIC_UNPUBLISHED = "topic_unpublished", "Topic's publication withdrawn"
    # Information requests (scrutiny.InformationRequest)
    INFORMATION_REQUEST_DRAFTED = "information_request_drafted", "Information request drafted"
    INFORMATION_REQUEST_EDITED = "information_request_edited", "Draft information request edited"
    INFORMATION_REQUEST_DELETED = (
        "information_request_deleted",
        "Draft information request deleted",
    )
    INFORMATION_REQUEST_ISSUED = "information_request_issued", "Information request issued"
    INFORMATION_REQUEST_ANSWERED = "information_request_answered", "Information request answered"
    INFORMATION_REQUEST_PARTIALLY_ANSWERED = (
        "information_request_partially_answered",
        "Information request partially answered",
    )
    INFORMATION_REQUEST_REFUSED = "information_request_refused", "Information request refused"
    INFORMATION_REQUEST_WITHDRAWN = (
        "information_request_withdrawn",
        "Information request withdrawn",
    )
    INFORMATION_REQUEST_FURTHER_INFORMATION = (
        "information_request_further_information",
        "Further information on the request received",
    )
    INFORMATION_REQUEST_KEPT_OPEN = (
        "information_request_kept_open",
        "Request kept open for monitoring when the topic concluded",
    )
    # Recommendations (scrutiny.Recommendation)
    RECOMMENDATION_DRAFTED = "recommendation_drafted", "Recommendation drafted"
    RECOMMENDATION_EDITED = "recommendation_edited", "Draft recommendation edited"
    RECOMMENDATION_DELETED = "recommendation_deleted", "Draft recommendation deleted"
    RECOMMENDATION_AGREED_AT_MEETING = (
        "recommendation_agreed_at_meeting",
        "Recommendation agreed at a meeting (minuted)",
    )
    RECOMMENDATION_AGREED_BY_CHAIR = (
        "recommendation_agreed_by_chair",
        "Recommendation agreed by chair's action",
    )
    RECOMMENDATION_ISSUED = "recommendation_issued", "Recommendation issued"
    RECOMMENDATION_RESPONDED = "recommendation_responded", "Response to the recommendation received"
    RECOMMENDATION_WITHDRAWN = "recommendation_withdrawn", "Recommendation withdrawn"
    RECOMMENDATION_FURTHER_INFORMATION = (
        "recommendation_further_information",
        "Further information on the recommendation received",
    )
    RECOMMENDATION_KEPT_OPEN = (
        "recommendation_kept_open",
        "Recommendation kept open for monitoring when the topic concluded",
    )
    RECOMMENDATION_IMPLEMENTATION_UPDATED = (
        "recommendation_implementation_updated",
        "Implementation of the recommendation updated",
    )
    # Either item (scrutiny.InformationRequest or scrutiny.Recommendation)
    ITEM_FIRST_VIEWED = "item_first_viewed", "First viewed by the health body"
    ITEM_NOTE_TO_BODY = "item_note_to_body", "Note to the health body"
    IMPLEMENTATION_EVIDENCE_PUBLISHED = (
        "implementation_evidence_published",
        "Implementation evidence published",
    )
    RESPONSE_ATTACHMENT_PUBLISHED = (
        "response_attachment_published",
        "Attachment of a response published",
    )
    RESPONSE_ATTACHMENT_WITHDRAWN = (
        "response_attachment_withdrawn",
        "Publication of a response's attachment withdrawn",
    )
    # Referrals from the involvement network to the committee (scrutiny.Referral)
    REFERRAL_MADE = "referral_made", "Referred to the scrutiny committee"
    REFERRAL_ACKNOWLEDGED = "referral_acknowledged", "Referral acknowledged"
    # Relevant decisions of an involvement network (scrutiny.RelevantDecision)
    DECISION_RECORDED = "decision_recorded", "Relevant decision recorded"
    DECISION_STATEMENT_EDITED = "decision_statement_edited", "Statement of the decision edited"
    DECISION_PUBLISHED = "decision_published", "Statement of the decision published"
    DECISION_SET_ASIDE = "decision_set_aside", "Decision set aside (recorded in error)"
    # Annual reports of a network or committee (scrutiny.AnnualReport)
    ANNUAL_REPORT_STARTED = "annual_report_started", "Annual report started"
    ANNUAL_REPORT_EDITED = "annual_report_edited", "Annual report's narrative edited"
    ANNUAL_REPORT_PUBLISHED = "annual_report_published", "Annual report published"
    # Enter and View (scrutiny.Visit, scrutiny.AuthorisedRepresentative)
    VISIT_PLANNED = "visit_planned", "Enter and View visit planned"
    VISIT_TEAM_CHANGED = "visit_team_changed", "Visit team changed"
    VISIT_ANNOUNCED = "visit_announced", "Visit announced to the provider"
    VISIT_UNANNOUNCED = "visit_unannounced", "Visit to be unannounced (reason recorded)"
    VISIT_POSTPONED = "visit_postponed", "Visit postponed"
    VISIT_RESCHEDULED = "visit_rescheduled", "Visit rescheduled"
    VISIT_CANCELLED = "visit_cancelled", "Visit cancelled"
    VISIT_CARRIED_OUT = "visit_carried_out", "Visit carried out"
    VISIT_REPORT_EDITED = "visit_report_edited", "Visit report edited"
    VISIT_REPORT_DRAFTED = "visit_report_drafted", "Draft visit report completed"
    VISIT_SENT_FOR_ACCURACY_CHECK = (
        "visit_sent_for_accuracy_check",
        "Draft report sent to the provider for a factual-accuracy check",
    )
    VISIT_ACCURACY_COMMENTS = (
        "visit_accuracy_comments",
        "Provider's factual-accuracy comments received",
    )
    VISIT_PUBLISHED = "visit_published", "Visit report published"
    VISIT_RESPONDED = "visit_responded", "Provider's response to the visit report received"
    VISIT_SAFEGUARDING_RECORDED = (
        "visit_safeguarding_recorded",
        "Safeguarding concern recorded (private)",
    )
    REPRESENTATIVE_AUTHORISED = "representative_authorised", "Authorised representative added"
    REPRESENTATIVE_REVOKED = "representative_revoked", "Representative's authorisation revoked"
    # Service-change consultations (scrutiny.Consultation) and requests to the Secretary of
    # State (scrutiny.CallInRequest)
    CONSULTATION_RECEIVED = "consultation_received", "Consultation received"
    CONSULTATION_EDITED = "consultation_edited", "Consultation details changed"
    CONSULTATION_DOCUMENT_ADDED = "consultation_document_added", "Consultation document added"
    CONSULTATION_FOUND_SUBSTANTIAL = (
        "consultation_found_substantial",
        "Committee found the proposal a substantial variation",
    )
    CONSULTATION_FOUND_NOT_SUBSTANTIAL = (
        "consultation_found_not_substantial",
        "Committee found the proposal not a substantial variation",
    )
    CONSULTATION_COMMENTS_SENT = "consultation_comments_sent", "Committee's comments sent"
    CONSULTATION_DECIDED = "consultation_decided", "Health body's decision recorded"
    CONSULTATION_WITHDRAWN = "consultation_withdrawn", "Proposal withdrawn by the health body"
    CALL_IN_REQUESTED = "call_in_requested", "Secretary of State asked to intervene"
    CALL_IN_CALLED_IN = "call_in_called_in", "Secretary of State called the proposal in"
    CALL_IN_DECLINED = "call_in_declined", "Secretary of State declined to call in"
    CALL_IN_DECIDED = "call_in_decided", "Secretary of State's decision recorded"
    CALL_IN_WITHDRAWN = "call_in_withdrawn", "Request to the Secretary of State withdrawn"
    # The health-body register (scrutiny.HealthBodyPlan, scrutiny.BoardMeeting, Organisation)
    HEALTH_BODY_PLAN_SAVED = "health_body_plan_saved", "Health body's plan recorded"
    BOARD_MEETING_SAVED = "board_meeting_saved", "Board meeting recorded"
    BOARD_MEETINGS_IMPORTED = "board_meetings_imported", "Board meetings imported from a feed"
    HEALTH_BODY_IMPORTED = "health_body_imported", "Health body imported from an ODS file"
    HEALTH_BODY_ODS_UPDATED = "health_body_ods_updated", "Health body updated from an ODS file"
    # Joint working protocols (protocols.ProtocolVersion)
    PROTOCOL_VERSION_DRAFTED = "protocol_version_drafted", "Protocol version drafted"
    PROTOCOL_VERSION_EDITED = "protocol_version_edited", "Protocol version edited"
    PROTOCOL_VERSION_SIGNED_OFF = (
        "protocol_version_signed_off",
        "Protocol version signed off by a party",
    )
    PROTOCOL_VERSION_AGREED = "protocol_version_agreed", "Protocol agreed"
    PROTOCOL_VERSION_REVIEW_STARTED = "protocol_version_review_started", "Protocol review started"
    PROTOCOL_VERSION_SUPERSEDED = "protocol_version_superseded", "Protocol version superseded"
    # Meetings, agendas and minutes (protocols.Meeting)
    MEETING_SCHEDULED = "meeting_scheduled", "Meeting scheduled"
    MEETING_EDITED = "meeting_edited", "Meeting details changed"
    MEETING_IMPORTED = "meeting_imported", "Meeting imported from a calendar"
    MEETING_IMPORT_UPDATED = "meeting_import_updated", "Meeting updated from an imported calendar"
    MEETING_CANCELLED = "meeting_cancelled", "Meeting cancelled"
    MEETING_HELD = "meeting_held", "Meeting held"
    MEETING_AGENDA_PUBLISHED = "meeting_agenda_published", "Agenda published"
    MEETING_URGENCY_REQUESTED = (
        "meeting_urgency_requested",
        "Chair asked for the reason of urgency (late agenda)",
    )
    MEETING_URGENCY_GIVEN = "meeting_urgency_given", "Chair gave the reason of urgency"
    MEETING_AGENDA_ITEM_ADDED = "meeting_agenda_item_added", "Agenda item added"
    MEETING_PAPER_ADDED = "meeting_paper_added", "Paper added"
    MEETING_DECISION_RECORDED = "meeting_decision_recorded", "Decision minuted"
    # Meeting governance (protocols.CommitteeSeat, Attendance, Declaration, Minutes)
    COMMITTEE_SEAT_ADDED = "committee_seat_added", "Committee seat recorded"
    COMMITTEE_SEAT_ENDED = "committee_seat_ended", "Committee seat ended"
    COMMITTEE_RULES_CHANGED = "committee_rules_changed", "Committee's governance rules changed"
    MEETING_ATTENDANCE_RECORDED = "meeting_attendance_recorded", "Attendance recorded"
    MEETING_INTEREST_DECLARED = "meeting_interest_declared", "Interest declared"
    MINUTES_DRAFTED = "minutes_drafted", "Minutes drafted"
    MINUTES_EDITED = "minutes_edited", "Draft minutes edited"
    MINUTES_CIRCULATED = "minutes_circulated", "Minutes circulated to members"
    MINUTES_RETURNED_TO_DRAFT = "minutes_returned_to_draft", "Minutes returned to draft"
    MINUTES_APPROVED = "minutes_approved", "Minutes approved as a correct record"
    MINUTES_PUBLISHED = "minutes_published", "Minutes published"
    # The work programme by municipal year (protocols.WorkProgramme, ProgrammeEntry)
    WORK_PROGRAMME_SET = "work_programme_set", "Work programme's capacity set for the year"
    PROGRAMME_TOPIC_SCHEDULED = "programme_topic_scheduled", "Topic scheduled on the work programme"
    PROGRAMME_TOPIC_UNSCHEDULED = (
        "programme_topic_unscheduled",
        "Topic taken off the work programme",
    )
    # Invitations of people at health bodies (scrutiny.Invitation), and removals (Organisation)
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    INVITATION_REVOKED = "invitation_revoked", "Invitation withdrawn"
    RESPONDER_REMOVED = "responder_removed", "Responder's access removed"
    # Residents' topic suggestions (scrutiny.TopicSuggestion)
    SUGGESTION_ACCEPTED = "suggestion_accepted", "Suggestion accepted as a topic"
    SUGGESTION_REJECTED = "suggestion_rejected", "Suggestion not taken up"
    # Area administration (scrutiny.Organisation, scrutiny.Partnership): settings changed
    BODY_SETTINGS_CHANGED = "body_settings_changed", "Body settings changed"
    PARTNERSHIP_SETTINGS_CHANGED = "partnership_settings_changed", "Partnership settings changed"
    # Any clocked record (requests, recommendations, referrals, meetings)
    DUE_DATE_MOVED = "due_date_moved", "Due date moved"
    # Two-factor sign-in (auth.User): a person set up an authenticator app, made new recovery
    # codes, or an administrator removed their devices (scrutiny.web.accounts).
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor sign-in set up"
    TWO_FACTOR_RECOVERY_CODES_RENEWED = (
        "two_factor_recovery_codes_renewed",
        "New two-factor recovery codes made",
    )
    TWO_FACTOR_RESET = "two_factor_reset", "Two-factor sign-in reset by an administrator"


E = EventType

# The type of each lifecycle move: (model label, transition name) -> EventType. Every FSM
# transition of every model has an entry (tests/workflows/test_audit.py walks them all).
TRANSITION_EVENTS: dict[tuple[str, str], EventType] = {
    ("scrutiny.topic", "prioritise"): E.TOPIC_PRIORITISED,
    ("scrutiny.topic", "decline"): E.TOPIC_DECLINED,
    ("scrutiny.topic", "reopen"): E.TOPIC_REOPENED,
    ("scrutiny.topic", "request_information"): E.TOPIC_INFORMATION_REQUESTED,
    ("scrutiny.topic", "issue_requests"): E.TOPIC_REQUESTS_ISSUED,
    ("scrutiny.topic", "make_recommendations"): E.TOPIC_RECOMMENDATIONS_MADE,
    ("scrutiny.topic", "request_more"): E.TOPIC_MORE_INFORMATION_REQUESTED,
    ("scrutiny.topic", "conclude"): E.TOPIC_CONCLUDED,
    ("scrutiny.topic", "withdraw"): E.TOPIC_WITHDRAWN,
    ("scrutiny.topic", "publish"): E.TOPIC_PUBLISHED,
    ("scrutiny.topic", "unpublish"): E.TOPIC_UNPUBLISHED,
    ("scrutiny.informationrequest", "issue"): E.INFORMATION_REQUEST_ISSUED,
    ("scrutiny.informationrequest", "mark_answered"): E.INFORMATION_REQUEST_ANSWERED,
    ("scrutiny.informationrequest", "mark_partially_answered"): (
        E.INFORMATION_REQUEST_PARTIALLY_ANSWERED
    ),
    ("scrutiny.informationrequest", "mark_refused"): E.INFORMATION_REQUEST_REFUSED,
    ("scrutiny.informationrequest", "withdraw"): E.INFORMATION_REQUEST_WITHDRAWN,
    ("scrutiny.recommendation", "agree_at_meeting"): E.RECOMMENDATION_AGREED_AT_MEETING,
    ("scrutiny.recommendation", "agree_by_chair"): E.RECOMMENDATION_AGREED_BY_CHAIR,
    ("scrutiny.recommendation", "issue"): E.RECOMMENDATION_ISSUED,
    ("scrutiny.recommendation", "respond"): E.RECOMMENDATION_RESPONDED,
    ("scrutiny.recommendation", "withdraw"): E.RECOMMENDATION_WITHDRAWN,
    ("scrutiny.recommendation", "update_implementation"): E.RECOMMENDATION_IMPLEMENTATION_UPDATED,
    ("scrutiny.topicsuggestion", "accept"): E.SUGGESTION_ACCEPTED,
    ("scrutiny.topicsuggestion", "reject"): E.SUGGESTION_REJECTED,
    ("scrutiny.referral", "acknowledge"): E.REFERRAL_ACKNOWLEDGED,
    ("scrutiny.relevantdecision", "publish"): E.DECISION_PUBLISHED,
    ("scrutiny.relevantdecision", "set_aside"): E.DECISION_SET_ASIDE,
    ("scrutiny.annualreport", "publish"): E.ANNUAL_REPORT_PUBLISHED,
    ("scrutiny.visit", "announce"): E.VISIT_ANNOUNCED,
    ("scrutiny.visit", "go_unannounced"): E.VISIT_UNANNOUNCED,
    ("scrutiny.visit", "postpone"): E.VISIT_POSTPONED,
    ("scrutiny.visit", "reschedule"): E.VISIT_RESCHEDULED,
    ("scrutiny.visit", "cancel"): E.VISIT_CANCELLED,
    ("scrutiny.visit", "carry_out"): E.VISIT_CARRIED_OUT,
    ("scrutiny.visit", "draft_report"): E.VISIT_REPORT_DRAFTED,
    ("scrutiny.visit", "send_for_accuracy_check"): E.VISIT_SENT_FOR_ACCURACY_CHECK,
    ("scrutiny.visit", "publish"): E.VISIT_PUBLISHED,
    ("scrutiny.visit", "record_response"): E.VISIT_RESPONDED,
    ("scrutiny.consultation", "find_substantial"): E.CONSULTATION_FOUND_SUBSTANTIAL,
    ("scrutiny.consultation", "find_not_substantial"): E.CONSULTATION_FOUND_NOT_SUBSTANTIAL,
    ("scrutiny.consultation", "send_comments"): E.CONSULTATION_COMMENTS_SENT,
    ("scrutiny.consultation", "record_decision"): E.CONSULTATION_DECIDED,
    ("scrutiny.consultation", "withdraw"): E.CONSULTATION_WITHDRAWN,
    ("scrutiny.callinrequest", "call_in"): E.CALL_IN_CALLED_IN,
    ("scrutiny.callinrequest", "decline"): E.CALL_IN_DECLINED,
    ("scrutiny.callinrequest", "record_outcome"): E.CALL_IN_DECIDED,
    ("scrutiny.callinrequest", "withdraw"): E.CALL_IN_WITHDRAWN,
    ("protocols.protocolversion", "sign_off"): E.PROTOCOL_VERSION_SIGNED_OFF,
    ("protocols.protocolversion", "agree"): E.PROTOCOL_VERSION_AGREED,
    ("protocols.protocolversion", "start_review"): E.PROTOCOL_VERSION_REVIEW_STARTED,
    ("protocols.protocolversion", "supersede"): E.PROTOCOL_VERSION_SUPERSEDED,
    ("protocols.meeting", "cancel"): E.MEETING_CANCELLED,
    ("protocols.meeting", "mark_held"): E.MEETING_HELD,
    ("protocols.meeting", "publish_agenda"): E.MEETING_AGENDA_PUBLISHED,
    ("protocols.minutes", "circulate"): E.MINUTES_CIRCULATED,
    ("protocols.minutes", "return_to_draft"): E.MINUTES_RETURNED_TO_DRAFT,
    ("protocols.minutes", "approve"): E.MINUTES_APPROVED,
    ("protocols.minutes", "publish"): E.MINUTES_PUBLISHED,
}


@dataclass(frozen=True)
class PublicWords:
    """How an event reads on a public outcome page: plainer words where they differ, and whether
    its note was written for residents (a reason for declining, withdrawing or closing early)."""

    label: str
    note_is_public: bool = False


# The events residents see on a topic's public outcome page. Every other event stays off it.
PUBLIC_EVENTS: dict[str, PublicWords] = {
    E.TOPIC_RAISED: PublicWords("Raised"),
    E.TOPIC_PRIORITISED: PublicWords("Put on the work programme"),
    E.TOPIC_DECLINED: PublicWords("Declined", note_is_public=True),
    E.TOPIC_REOPENED: PublicWords("Reopened for consideration"),
    E.TOPIC_INFORMATION_REQUESTED: PublicWords("Resolved to request information"),
    E.TOPIC_REQUESTS_ISSUED: PublicWords("Information requests issued"),
    E.TOPIC_MORE_INFORMATION_REQUESTED: PublicWords("Resolved to request more information"),
    E.TOPIC_RECOMMENDATIONS_MADE: PublicWords("Recommendations made"),
    E.TOPIC_CONCLUDED: PublicWords("Concluded", note_is_public=True),
    E.TOPIC_WITHDRAWN: PublicWords("Withdrawn", note_is_public=True),
    E.TOPIC_PUBLISHED: PublicWords("Published on this site"),
}


def event_type_for_transition(model, name: str) -> EventType:
    """The type of transition `name` of `model`; a transition without one is a defect."""
    key = (model._meta.concrete_model._meta.label_lower, name)
    try:
        return TRANSITION_EVENTS[key]
    except KeyError:
        raise LookupError(
            f"The transition '{name}' of {key[0]} has no event type: add it to "
            "workflows.audit.TRANSITION_EVENTS."
        ) from None


def event_label(event, *, public: bool = False) -> str:
    """The words for an event (an AuditEvent row or an event type), for staff or for residents."""
    value = getattr(event, "event_type", event)
    if public:
        return PUBLIC_EVENTS[value].label
    try:
        return EventType(value).label
    except ValueError:  # a type this version no longer records
        return str(value).replace("_", " ").capitalize()


def event_public_note(event) -> str:
    """The note of a public event, when it was written for residents; otherwise nothing."""
    words = PUBLIC_EVENTS.get(event.event_type)
    return event.note if words is not None and words.note_is_public else ""


def _state_of(instance) -> str:
    return getattr(instance, getattr(type(instance), "FSM_FIELD", "state"), "") or ""


def log_event(
    instance,
    event_type: EventType | str,
    *,
    by,
    note: str = "",
    data: dict | None = None,
    source_state: str | None = None,
    target_state: str | None = None,
) -> AuditEvent:
    """Append the record of `event_type` happening to `instance`, done by `by`.

    Call it inside the transaction of the change it records. `source_state`/`target_state`
    default to the instance's current state (an event that is not a move leaves it where it is);
    a creation passes `source_state=""`. `data` holds structured details (ids, changed fields).
    """
    event_type = EventType(event_type)
    state = _state_of(instance)
    return AuditEvent.objects.create(
        # The instance, not its type: a signed-in person arrives as request.user, a lazy object.
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        event_type=event_type,
        source_state=state if source_state is None else source_state,
        target_state=state if target_state is None else target_state,
        actor=by if getattr(by, "is_authenticated", False) else None,
        note=note,
        data=data or {},
    )


def log_events(
    instances, event_type: EventType | str, *, by, notes, data, batch_size: int = 500
) -> list[AuditEvent]:
    """`log_event` for many records of one model at once (one INSERT per batch).

    For a change that touches many records in one go (a recompute of due dates): `notes` and
    `data` are sequences parallel to `instances`. Each record's state is its current one.
    """
    event_type = EventType(event_type)
    instances = list(instances)
    if not instances:
        return []
    ctype = ContentType.objects.get_for_model(type(instances[0]))
    actor = by if getattr(by, "is_authenticated", False) else None
    rows = [
        AuditEvent(
            content_type=ctype,
            object_id=instance.pk,
            event_type=event_type,
            source_state=_state_of(instance),
            target_state=_state_of(instance),
            actor=actor,
            note=note,
            data=details,
        )
        for instance, note, details in zip(instances, notes, data, strict=True)
    ]
    return AuditEvent.objects.bulk_create(rows, batch_size=batch_size)


def event_history(instance):
    """The audit events of `instance`, oldest first."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=instance.pk
    ).select_related("actor")
