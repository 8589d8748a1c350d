"""Display values for every page: state tags and meanings, due-date phrases, RAG, and what the
signed-in person may do now.

The display functions are pure: they read the values they are given and the working calendar
they are passed (or one built from settings without touching the database), so templates and
the public site call them without queries. The `*_actions` functions answer "which buttons does
this person see" from the lifecycles (`available_transitions`, `transition_available`), the
services' own rules and the policy's `can`; templates only test the booleans they return.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from scrutiny.casework.models import (
    RS,
    AnnualReportState,
    DecisionState,
    InformationRequest,
    Recommendation,
    Referral,
    RequestState,
    TopicState,
    VisitState,
)
from scrutiny.casework.permissions import Perm, can
from scrutiny.casework.publication import PUBLISHABLE_STATES
from scrutiny.casework.services import (
    DRAFTABLE_FOR_REQUESTS,
    implementation_monitored,
    referral_accepts_updates,
    response_recordable,
)
from scrutiny.casework.services.visits import REPORT_EDITABLE as VISIT_REPORT_EDITABLE
from scrutiny.casework.services.visits import SAFEGUARDING_STATES as VISIT_SAFEGUARDING_STATES
from scrutiny.casework.services.visits import TEAM_EDITABLE as VISIT_TEAM_EDITABLE
from workflows.calendar import WorkingCalendar, fmt
from workflows.models import Notification, NotificationKind
from workflows.services import available_transitions, transition_allowed_for, transition_available


@dataclass(frozen=True)
class Tag:
    label: str
    colour: str  # a GOV.UK tag modifier: "grey", "blue", "green", "red", …

    @property
    def css(self) -> str:
        return f"govuk-tag govuk-tag--{self.colour}"


@dataclass(frozen=True)
class StateWords:
    """How one state is shown: words, colour and meaning for staff and public pages alike."""

    label: str
    colour: str
    meaning: str
    public: str = ""  # residents' words, only where they are deliberately plainer than `label`

    @property
    def public_label(self) -> str:
        return self.public or self.label


W = StateWords

# The one table of states' words and colours. Staff pages, the public site, its feeds and data
# and the conflict page all read it.
TOPIC_STATES = {
    "raised": W(
        "Raised",
        "grey",
        "Recorded and waiting to be scored against the prioritisation criteria.",
    ),
    "prioritised": W(
        "Prioritised",
        "blue",
        "On the work programme, with its scores and a lead body.",
        public="On the work programme",
    ),
    "declined": W(
        "Declined",
        "pink",
        "Not taken on; the reason is recorded and can be published. It can be reopened.",
    ),
    "information_requested": W(
        "Information requested",
        "light-blue",
        "The body resolved to ask health bodies for information; the requests are being drafted.",
        public="Information being requested",
    ),
    "response_due": W(
        "Response due",
        "yellow",
        "Requests have been issued and each health body's statutory clock is running.",
        public="Waiting for answers",
    ),
    "recommendation_made": W(
        "Recommendation made",
        "purple",
        "Recommendations have been issued; each health body must respond within its period.",
        public="Recommendations made",
    ),
    "concluded": W(
        "Concluded",
        "green",
        "The outcome summary is agreed; residents see it once the topic is published. "
        "Implementation of recommendations is monitored.",
    ),
    "withdrawn": W("Withdrawn", "grey", "Stopped before it concluded; the reason is recorded."),
}

REQUEST_STATES = {
    "draft": W("Draft", "grey", "Not yet sent to the health body."),
    "issued": W("Issued", "blue", "Sent; the health body's response clock is running."),
    "answered": W("Answered", "green", "The health body answered."),
    "partially_answered": W(
        "Partially answered",
        "yellow",
        "The health body answered part of the request.",
    ),
    "refused": W("Refused", "red", "The health body refused, giving a ground."),
    "withdrawn": W("Withdrawn", "grey", "The request was withdrawn."),
}

RECOMMENDATION_STATES = {
    "draft": W("Draft", "grey", "Awaiting the committee's agreement before it is issued."),
    "agreed": W(
        "Agreed",
        "turquoise",
        "Agreed by the committee (a minuted decision or the chair's action); not yet issued.",
    ),
    "issued": W("Issued", "blue", "Sent; the health body's response clock is running."),
    "responded": W("Responded", "green", "The health body has responded."),
    "withdrawn": W("Withdrawn", "grey", "The recommendation was withdrawn."),
}

# A health body's answer to a recommendation (the answer to a request is the request's state).
RESPONSE_OUTCOMES = {
    "accepted": W("Accepted", "green", "The health body accepted the recommendation."),
    "partially_accepted": W(
        "Partially accepted", "yellow", "The health body accepted part of the recommendation."
    ),
    "rejected": W("Rejected", "red", "The health body rejected the recommendation."),
    "noted": W("Noted", "grey", "The health body noted the recommendation."),
}

REFERRAL_STATES = {
    "awaiting_acknowledgement": W(
        "Awaiting acknowledgement",
        "yellow",
        "The scrutiny committee must acknowledge the referral within its period.",
    ),
    "acknowledged": W(
        "Acknowledged",
        "green",
        "Acknowledged; the committee keeps the involvement network informed of action taken.",
    ),
}

DECISION_STATES = {
    "recorded": W(
        "Statement due",
        "yellow",
        "The decision is made; its statement and reasons must be published within the period.",
        public="Decided",
    ),
    "published": W(
        "Published", "green", "The statement of the decision and its reasons is public."
    ),
    "set_aside": W("Set aside", "grey", "Recorded in error; the reason is on the record."),
}

ANNUAL_REPORT_STATES = {
    "draft": W("Draft", "yellow", "Being written; only the body's staff can read it."),
    "published": W("Published", "green", "Public, with its PDF and open data."),
}

VISIT_STATES = {
    "planned": W("Planned", "grey", "The network decided to enter and view these premises."),
    "announced": W("Announced", "blue", "The provider was told the date of the visit."),
    "unannounced": W(
        "Unannounced", "purple", "The visit is made without notice; the reason is recorded."
    ),
    "postponed": W("Postponed", "yellow", "Put off; it can be planned again for a new date."),
    "carried_out": W("Carried out", "blue", "The authorised representatives made the visit."),
    "report_drafted": W("Draft report", "grey", "The report is written, not yet sent."),
    "accuracy_check": W(
        "Factual-accuracy check",
        "yellow",
        "The provider checks the draft report for factual accuracy within its period.",
        public="Being checked",
    ),
    "published": W(
        "Response due",
        "yellow",
        "The report is published; the provider's response is due within its period.",
        public="Report published: waiting for the provider's response",
    ),
    "responded": W(
        "Responded",
        "green",
        "The provider responded to the report.",
        public="The provider responded",
    ),
    "cancelled": W("Cancelled", "red", "The visit was cancelled; the reason is recorded."),
}

MEETING_STATES = {
    "scheduled": W("Scheduled", "blue", "The meeting is in the calendar."),
    "cancelled": W("Cancelled", "red", "The meeting was cancelled; the reason is recorded."),
    "held": W("Held", "grey", "The meeting took place; decisions are minuted item by item."),
}

PROTOCOL_VERSION_STATES = {
    "draft": W("Draft", "grey", "Being written; every party signs it off to agree it."),
    "agreed": W("Agreed", "green", "Every party signed it off; it is public."),
    "under_review": W("Under review", "yellow", "Agreed and in force while its review runs."),
    "superseded": W("Superseded", "grey", "Replaced by a later agreed version."),
}
MINUTES_STATES = {
    "draft": W("Draft", "grey", "Being written by the officer; only the bodies' staff see them."),
    "circulated": W("Circulated", "yellow", "Sent to members; to be approved at the next meeting."),
    "approved": W(
        "Approved", "turquoise", "Approved as a correct record at a later meeting; not yet public."
    ),
    "published": W("Published", "green", "Approved and public."),
}

CONSULTATION_STATES = {
    "received": W(
        "Received",
        "blue",
        "The body has consulted the committee; the committee has yet to decide, at a meeting, "
        "whether the proposal is a substantial variation.",
    ),
    "substantial": W(
        "Substantial: being scrutinised",
        "yellow",
        "The committee found it a substantial variation and is preparing its comments.",
        public="Being scrutinised",
    ),
    "not_substantial": W(
        "Not substantial",
        "grey",
        "The committee found it not a substantial variation; the body may decide.",
    ),
    "comments_sent": W(
        "Comments sent", "blue", "The committee sent its comments; the body has yet to decide."
    ),
    "decided": W("Decided", "green", "The body has decided, and published its reasons."),
    "withdrawn": W("Withdrawn", "grey", "The body withdrew the proposal."),
}

CALL_IN_STATES = {
    "requested": W("Requested", "blue", "The Secretary of State was asked to intervene."),
    "called_in": W(
        "Called in",
        "yellow",
        "The Secretary of State called the proposal in and is considering it.",
    ),
    "not_called_in": W("Not called in", "grey", "The Secretary of State declined to call it in."),
    "decided": W("Decided", "green", "The Secretary of State decided on the proposal."),
    "withdrawn": W("Withdrawn", "grey", "The request was withdrawn."),
}

WEBHOOK_DELIVERY_STATUSES = {
    "pending": W("Pending", "yellow", "Waiting to be sent, or to be tried again."),
    "delivered": W("Delivered", "green", "The receiver answered 2xx."),
    "failed": W("Failed (gave up)", "red", "Every attempt failed; no more are made."),
}

TABLES = {
    "topic": TOPIC_STATES,
    "request": REQUEST_STATES,
    "recommendation": RECOMMENDATION_STATES,
    "outcome": {
        **RESPONSE_OUTCOMES,
        **{k: REQUEST_STATES[k] for k in ("answered", "partially_answered", "refused")},
    },
    "referral": REFERRAL_STATES,
    "decision": DECISION_STATES,
    "annual_report": ANNUAL_REPORT_STATES,
    "visit": VISIT_STATES,
    "meeting": MEETING_STATES,
    "protocol_version": PROTOCOL_VERSION_STATES,
    "minutes": MINUTES_STATES,
    "webhook_delivery": WEBHOOK_DELIVERY_STATUSES,
    "consultation": CONSULTATION_STATES,
    "call_in": CALL_IN_STATES,
}


def state_words(state: str, kind: str = "topic") -> StateWords:
    """The words, colour and meaning of a state of a topic, request, recommendation, outcome,
    referral, meeting or protocol version (an unknown state reads as itself, in grey)."""
    found = TABLES[kind].get(state)
    if found is None:
        return W(str(state or "").replace("_", " ").capitalize(), "grey", "")
    return found


def state_tag(state: str, kind: str = "topic", *, public: bool = False) -> Tag:
    """The GOV.UK tag for a state; `public=True` gives residents' words."""
    words = state_words(state, kind)
    return Tag(words.public_label if public else words.label, words.colour)


def state_meaning(state: str, kind: str = "topic") -> str:
    """What the state means, in plain English."""
    return state_words(state, kind).meaning


def public_state_label(state: str, kind: str = "topic") -> str:
    """A state in the words the public site uses."""
    return state_words(state, kind).public_label


# Which table a model's `state` is read from.
KIND_OF_MODEL = {
    "scrutiny.topic": "topic",
    "scrutiny.informationrequest": "request",
    "scrutiny.recommendation": "recommendation",
    "scrutiny.referral": "referral",
    "scrutiny.relevantdecision": "decision",
    "scrutiny.annualreport": "annual_report",
    "scrutiny.visit": "visit",
    "protocols.meeting": "meeting",
    "protocols.protocolversion": "protocol_version",
    "scrutiny.consultation": "consultation",
    "scrutiny.callinrequest": "call_in",
}


@dataclass(frozen=True)
class Standing:
    """Where an object stands now: for the conflict page."""

    noun: str  # "topic", "information request", …
    name: str
    url: str
    tag: Tag | None
    meaning: str


def standing(obj) -> Standing:
    """What `obj` is, where it stands now and where to see it (no database access beyond the
    object's own related rows)."""
    kind = KIND_OF_MODEL.get(obj._meta.label_lower)
    state = getattr(obj, "state", None)
    tag = state_tag(state, kind) if kind and state else None
    meaning = state_meaning(state, kind) if kind and state else ""
    if hasattr(obj, "get_absolute_url"):
        url = obj.get_absolute_url()
    elif getattr(obj, "topic", None) is not None:
        url = obj.topic.get_absolute_url()
    else:
        url = ""
    return Standing(str(obj._meta.verbose_name), str(obj), url, tag, meaning)


# Kinds of item with a statutory clock, for rows that are not model instances (WorkItem).
CLOCKED_KINDS = {
    "request": InformationRequest,
    "recommendation": Recommendation,
    "referral": Referral,
}


def clock_running(obj) -> bool:
    """Is the statutory clock of `obj` still running (so its due date counts down)? `obj` is a
    clocked model (request, recommendation, referral, meeting) or a row with `kind` and `state`."""
    open_states = getattr(obj, "CLOCK_OPEN_STATES", None)
    if open_states is None:
        model = CLOCKED_KINDS.get(getattr(obj, "kind", None))
        open_states = model.CLOCK_OPEN_STATES if model else ()
    return obj.state in open_states


def default_calendar() -> WorkingCalendar:
    """The deployment's calendar without administrators' overrides (no database access). Views
    pass `workflows.clocks.calendar_for()` when overrides must count."""
    return WorkingCalendar(region=getattr(settings, "CF_HOLIDAY_REGION", "england-and-wales"))


def working_days_until(
    due_on: dt.date, today: dt.date, calendar: WorkingCalendar | None = None
) -> int:
    """Working days from `today` to `due_on`: positive ahead, negative when overdue, 0 today."""
    cal = calendar or default_calendar()
    if due_on >= today:
        return cal.working_days_between(today, due_on)
    return -cal.working_days_between(due_on, cal.next_working_day(today))


def _plural(n: int) -> str:
    return "1 working day" if n == 1 else f"{n} working days"


def due_phrase(
    due_on: dt.date | None, today: dt.date, calendar: WorkingCalendar | None = None
) -> str:
    """'due today', 'due in 3 working days' or '2 working days overdue'."""
    if due_on is None:
        return ""
    if due_on == today:
        return "due today"
    if due_on < today:
        late = -working_days_until(due_on, today, calendar)
        return f"{_plural(late)} overdue" if late else "overdue"
    ahead = working_days_until(due_on, today, calendar)
    return f"due in {_plural(ahead)}" if ahead else f"due {fmt(due_on)}"


def due_tag(
    due_on: dt.date | None, today: dt.date, calendar: WorkingCalendar | None = None
) -> Tag | None:
    """A tag for a running clock: red when overdue, orange within 5 working days."""
    if due_on is None:
        return None
    phrase = due_phrase(due_on, today, calendar)
    if due_on < today:
        return Tag(phrase, "red")
    if working_days_until(due_on, today, calendar) <= 5:
        return Tag(phrase, "orange")
    return Tag(phrase, "grey")


@dataclass(frozen=True)
class Rag:
    colour: str  # "green" | "amber" | "red"
    label: str

    @property
    def tag(self) -> Tag:
        return Tag(self.label, {"amber": "orange"}.get(self.colour, self.colour))


def recommendation_rag(
    *,
    state: str,
    implementation_status: str,
    implementation_revised_date: dt.date | None,
    due_on: dt.date | None,
    today: dt.date,
) -> Rag | None:
    """RAG for a recommendation: green achieved; amber on track, or slipped with a revised date
    still ahead; red not achieved, slipped past (or without) its revised date, or overdue."""
    if state == "issued":
        if due_on is not None and due_on < today:
            return Rag("red", "Red: response overdue")
        return None
    if state != "responded" or not implementation_status:
        return None
    if implementation_status == "achieved":
        return Rag("green", "Green: achieved")
    if implementation_status == "not_achieved":
        return Rag("red", "Red: not achieved")
    if implementation_status == "slipped":
        if implementation_revised_date and implementation_revised_date >= today:
            return Rag("amber", f"Amber: slipped, revised to {fmt(implementation_revised_date)}")
        return Rag("red", "Red: slipped past its revised date")
    if implementation_status == "on_track":
        return Rag("amber", "Amber: on track")
    return Rag("amber", "Amber: not started")


def rag_for(recommendation, today: dt.date) -> Rag | None:
    return recommendation_rag(
        state=recommendation.state,
        implementation_status=recommendation.implementation_status,
        implementation_revised_date=recommendation.implementation_revised_date,
        due_on=recommendation.due_on,
        today=today,
    )


def score_summary(scores: dict, total: int | None, criteria: list, threshold: int, top: int):
    """Rows of (label, score) and a sentence comparing the total with the threshold."""
    rows = [(c["label"], scores.get(c["key"])) for c in criteria]
    if total is None:
        return rows, "Not scored yet."
    verdict = "meets" if total >= threshold else "is below"
    return rows, f"{total} out of {top}: {verdict} the threshold of {threshold}."


# The buttons for a topic's transitions, in the words of the domain.
TOPIC_ACTION_LABELS = {
    "prioritise": "Prioritise",
    "decline": "Decline",
    "reopen": "Reopen",
    "request_information": "Resolve to request information",
    "issue_requests": "Issue requests",
    "make_recommendations": "Issue recommendations",
    "request_more": "Request more information",
    "conclude": "Conclude",
    "withdraw": "Withdraw",
}
WARNING_ACTIONS = {"decline", "withdraw"}


def action_label(name: str) -> str:
    return TOPIC_ACTION_LABELS.get(name, name.replace("_", " ").capitalize())


# --- What the signed-in person may do now ------------------------------------------------------


@dataclass(frozen=True)
class ReferralActions:
    acknowledge: bool = False
    update: bool = False  # keep the involvement network informed of action taken


@dataclass(frozen=True)
class DecisionActions:
    edit: bool = False  # the statement and reasons, until published
    publish: bool = False
    set_aside: bool = False


def decision_actions(user, decision) -> DecisionActions:
    """Publishing is offered while the statement is due even without reasons written: the
    service then says what is missing."""
    open_ = decision.state == DecisionState.RECORDED and can(user, Perm.TOPIC_MANAGE, decision)
    return DecisionActions(edit=open_, publish=open_, set_aside=open_)


@dataclass(frozen=True)
class AnnualReportActions:
    edit: bool = False  # the narrative's sections, until published
    publish: bool = False


def annual_report_actions(user, report) -> AnnualReportActions:
    """Publishing is offered while the report is a draft even with no section written: the
    service then says what is missing."""
    open_ = report.state == AnnualReportState.DRAFT and can(user, Perm.TOPIC_MANAGE, report)
    return AnnualReportActions(edit=open_, publish=open_)


def referral_actions(user, referral) -> ReferralActions:
    if referral is None:
        return ReferralActions()
    return ReferralActions(
        acknowledge=transition_available(referral, "acknowledge", user),
        update=referral_accepts_updates(referral)
        and can(user, Perm.REFERRAL_ACKNOWLEDGE, referral),
    )


# The visit page's actions: (URL name, the visit's transition it makes, or None for a record
# that is not a move), in the order the page lists them.
VISIT_ACTIONS = {
    "announce": "announce",
    "unannounced": "go_unannounced",
    "carry-out": "carry_out",
    "report": None,
    "recommendation": None,
    "draft-report": "draft_report",
    "accuracy-check": "send_for_accuracy_check",
    "comments": None,
    "publish": "publish",
    "response": "record_response",
    "team": None,
    "safeguarding": None,
    "postpone": "postpone",
    "reschedule": "reschedule",
    "cancel": "cancel",
}
# The moves whose conditions are checked by the service (and shown as its message): offered
# in their source states whatever the conditions say.
_VISIT_STATE_ONLY = {"go_unannounced", "carry_out", "draft_report", "publish"}


def visit_actions(user, visit) -> frozenset[str]:
    """The actions (keys of VISIT_ACTIONS) `user` may take on `visit` now."""
    offered = set()
    manage = can(user, Perm.VISIT_MANAGE, visit)
    for key, name in VISIT_ACTIONS.items():
        if name is None:
            continue
        if name in _VISIT_STATE_ONLY:
            meta = getattr(type(visit), name)._django_fsm
            ok = meta.has_transition(visit.state) and transition_allowed_for(visit, name, user)
        else:
            ok = transition_available(visit, name, user)
        if ok:
            offered.add(key)
    if manage and visit.state in VISIT_REPORT_EDITABLE:
        offered |= {"report", "recommendation"}
    if visit.state == VisitState.ACCURACY_CHECK and can(user, Perm.RESPOND, visit):
        offered.add("comments")
    if manage and visit.state in VISIT_TEAM_EDITABLE:
        offered.add("team")
    if visit.state in VISIT_SAFEGUARDING_STATES and can(
        user, Perm.SAFEGUARDING_VIEW, visit.network
    ):
        offered.add("safeguarding")
    return frozenset(offered)


# The case page offers "Record your body's position" while the topic is open for work. (The
# service also takes a position on a declined or withdrawn topic: partners may differ on that
# decision too; the page does not offer it.)
POSITION_OFFERED_UNLESS = (TopicState.DECLINED, TopicState.WITHDRAWN)


@dataclass(frozen=True)
class TopicActions:
    """The buttons and links of a topic's case page."""

    transitions: list[str]  # lifecycle moves, in declaration order
    manage: bool  # the topic's support officer: publication, drafting, recording responses
    publishable: bool  # its state has something to show residents
    draft: bool  # draft information requests and recommendations
    position: bool  # record this person's body's position (joint topics)
    referral: ReferralActions
    request_responses: frozenset[int]  # ids of requests whose response can be recorded
    recommendation_responses: frozenset[int]
    # ids of recommendations whose implementation progress can be recorded
    recommendation_progress: frozenset[int] = frozenset()
    # Each item's own links (edit, delete, agree, withdraw), by its anchor ("request-12").
    items: dict[str, tuple[ItemLink, ...]] = field(default_factory=dict)
    scores: bool = False  # correct the scores (a prioritised topic)

    @property
    def any(self) -> bool:
        """Anything for the "What you can do now" group?"""
        return bool(self.transitions or self.draft or self.position)


@dataclass(frozen=True)
class ItemLink:
    label: str
    url: str
    warning: bool = False


# Which states of each kind of item may still be withdrawn (the model's `withdraw` sources).
_WITHDRAWABLE = {
    "request": (RequestState.DRAFT, RequestState.ISSUED),
    "recommendation": (RS.DRAFT, RS.AGREED, RS.ISSUED),
}


def item_links(user, item, *, manage: bool) -> tuple[ItemLink, ...]:
    """The links on one request's or recommendation's card: what `user` may do to it now."""
    kind = "request" if isinstance(item, InformationRequest) else "recommendation"
    links = []
    draft = item.state == RequestState.DRAFT
    if manage and draft:
        links.append(ItemLink("Edit draft", reverse("scrutiny:item-edit", args=[kind, item.pk])))
    if kind == "recommendation" and draft:
        if manage:
            url = reverse("scrutiny:recommendation-agree-meeting", args=[item.pk])
            links.append(ItemLink("Record the committee's agreement", url))
        if can(user, Perm.RECOMMENDATION_AGREE, item):
            url = reverse("scrutiny:recommendation-chairs-action", args=[item.pk])
            links.append(ItemLink("Agree by chair's action", url))
    if manage and draft:
        url = reverse("scrutiny:item-delete", args=[kind, item.pk])
        links.append(ItemLink("Delete draft", url, warning=True))
    if manage and item.state in _WITHDRAWABLE[kind]:
        url = reverse("scrutiny:item-withdraw", args=[kind, item.pk])
        links.append(ItemLink("Withdraw", url, warning=True))
    return tuple(links)


def topic_actions(user, topic, *, referral=None, requests=(), recommendations=()) -> TopicActions:
    """What `user` may do on `topic`'s case page now (they may see its case file)."""
    manage = can(user, Perm.TOPIC_MANAGE, topic)
    return TopicActions(
        transitions=available_transitions(topic, user, field="state"),
        manage=manage,
        publishable=topic.state in PUBLISHABLE_STATES,
        draft=manage and topic.state in DRAFTABLE_FOR_REQUESTS,
        position=topic.is_joint
        and topic.state not in POSITION_OFFERED_UNLESS
        and can(user, Perm.TOPIC_POSITION, topic),
        referral=referral_actions(user, referral),
        request_responses=frozenset(r.pk for r in requests if manage and response_recordable(r)),
        recommendation_responses=frozenset(
            r.pk for r in recommendations if manage and response_recordable(r)
        ),
        recommendation_progress=frozenset(
            r.pk for r in recommendations if manage and implementation_monitored(r)
        ),
        items={
            f"{i.ANCHOR}-{i.pk}": item_links(user, i, manage=manage)
            for i in [*requests, *recommendations]
        },
        scores=topic.state == TopicState.PRIORITISED and can(user, Perm.TOPIC_PRIORITISE, topic),
    )


# --- Answers: the current one first, further information, then what corrections replaced ----


@dataclass(frozen=True)
class AnswerRow:
    response: object  # a ProviderResponse
    heading: str  # "Current answer", "Further information", "Superseded answer"
    current: bool
    superseded_note: str = ""  # "Superseded on 3 Dec 2026 — the beds were miscounted"
    correction_note: str = ""  # "Corrects the answer received 1 Dec 2026 — …"


def answer_rows(responses) -> list[AnswerRow]:
    """A request's or recommendation's responses (already fetched) for display: the current
    answer first, then further information (oldest first), then each superseded answer, newest
    first, marked with when and why it was corrected. No query of its own."""
    responses = list(responses)
    by_id = {r.pk: r for r in responses}
    corrected_by = {r.supersedes_id: r for r in responses if r.supersedes_id}
    current, further, superseded = [], [], []
    for r in responses:
        if r.is_further_information:
            further.append(AnswerRow(r, "Further information", current=False))
            continue
        note = ""
        if r.supersedes_id in by_id:
            earlier = by_id[r.supersedes_id]
            note = (
                f"Corrects the answer received {fmt(timezone.localdate(earlier.received_at))} — "
                f"{r.correction_reason}"
            )
        correction = corrected_by.get(r.pk)
        if correction is None:
            current.append(AnswerRow(r, "Current answer", current=True, correction_note=note))
        else:
            superseded.append(
                AnswerRow(
                    r,
                    "Superseded answer",
                    current=False,
                    superseded_note=(
                        f"Superseded on {fmt(timezone.localdate(correction.received_at))} — "
                        f"{correction.correction_reason}"
                    ),
                    correction_note=note,
                )
            )
    return [*current, *further, *reversed(superseded)]


# --- The loop of an ask: sent, delivered, first viewed, answered ----------------------------


@dataclass(frozen=True)
class AskLoop:
    """How far an issued request or recommendation got with its health body (the dashboard's
    loop columns): notices sent and delivered, first viewed by the body, answered."""

    sent: int
    delivered: int
    failed: int  # not delivered, bounces included
    bounced: int
    first_viewed_at: object  # datetime | None
    answered_on: object  # date | None


def ask_loop(item, notices) -> AskLoop | None:
    """`item`'s loop from its notices of asks (`notices.notices_by_item`); None for anything
    that is not an issued item."""
    if not getattr(item, "was_issued", False):
        return None
    issued = [n for n in notices if n.kind == NotificationKind.ASK_ISSUED]
    return AskLoop(
        sent=len(issued),
        delivered=sum(1 for n in issued if n.state == Notification.State.SENT),
        failed=sum(1 for n in issued if n.state == Notification.State.FAILED),
        bounced=sum(1 for n in issued if getattr(n, "bounced", False)),
        first_viewed_at=item.first_viewed_at,
        answered_on=item.responded_on,
    )


# --- Service-change consultations and the health-body register --------------------------------


@dataclass(frozen=True)
class ConsultationRow:
    consultation: object
    url: str
    tag: Tag
    due: Tag | None  # the comments clock while it runs


def consultation_row(consultation, *, today: dt.date, calendar=None) -> ConsultationRow:
    running = clock_running(consultation)
    return ConsultationRow(
        consultation=consultation,
        url=consultation.get_absolute_url(),
        tag=state_tag(consultation.state, "consultation"),
        due=due_tag(consultation.due_on, today, calendar or default_calendar())
        if running
        else None,
    )


@dataclass(frozen=True)
class CallInView:
    request: object
    tag: Tag
    may_answer: bool
    may_record_outcome: bool
    clock: str


def _call_in_view(request, user) -> CallInView:
    moves = set(available_transitions(request, user))
    return CallInView(
        request=request,
        tag=state_tag(request.state, "call_in"),
        may_answer="call_in" in moves,
        may_record_outcome="record_outcome" in moves,
        clock=request.due_explanation if clock_running(request) else "",
    )


def consultation_detail(consultation, *, documents, call_ins, user, today: dt.date) -> dict:
    """What the staff consultation page shows, and which of its buttons this person sees."""
    moves = set(available_transitions(consultation, user))
    manage = can(user, Perm.TOPIC_MANAGE, consultation)
    return {
        "consultation": consultation,
        "row": consultation_row(consultation, today=today),
        "meaning": state_meaning(consultation.state, "consultation"),
        "documents": documents,
        "call_ins": [_call_in_view(r, user) for r in call_ins],
        # The view's condition (its minuted item) is met on the page that records it.
        "may_record_view": consultation.state == "received" and manage,
        "may_send_comments": "send_comments" in moves,
        "may_record_decision": "record_decision" in moves,
        "may_record_call_in": manage and consultation.state != "withdrawn",
        "topic_url": consultation.topic.get_absolute_url(),
    }


def register_page(body, *, plans, board_meetings, consultations, may_keep, today) -> dict:
    """The health-body register page: the page a joint planning meeting starts from."""
    return {
        "body": body,
        "plans": plans,
        "board_meetings": board_meetings,
        "consultations": [consultation_row(c, today=today) for c in consultations],
        "may_keep": may_keep,
        "record_url": reverse("public:health-body", args=[body.slug]),
    }
