"""Display values for casework: state tags and meanings, due-date phrases, RAG.

Pure functions: they read the values they are given and the working calendar they are passed
(or one built from settings without touching the database), so templates, the public site and
the API can all call them without queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from workflows.calendar import WorkingCalendar, fmt


@dataclass(frozen=True)
class Tag:
    label: str
    colour: str  # a GOV.UK tag modifier: "grey", "blue", "green", "red", …

    @property
    def css(self) -> str:
        return f"govuk-tag govuk-tag--{self.colour}"


TOPIC_STATES = {
    "raised": (
        "Raised",
        "grey",
        "Recorded and waiting to be scored against the prioritisation criteria.",
    ),
    "prioritised": (
        "Prioritised",
        "blue",
        "On the work programme, with its scores and a lead body.",
    ),
    "declined": (
        "Declined",
        "pink",
        "Not taken on; the reason is recorded and can be published. It can be reopened.",
    ),
    "information_requested": (
        "Information requested",
        "light-blue",
        "The body resolved to ask health bodies for information; the requests are being drafted.",
    ),
    "response_due": (
        "Response due",
        "yellow",
        "Requests have been issued and each health body's statutory clock is running.",
    ),
    "recommendation_made": (
        "Recommendation made",
        "purple",
        "Recommendations have been issued; each health body must respond within its period.",
    ),
    "concluded": (
        "Concluded",
        "green",
        "The outcome is agreed and published; implementation of recommendations is monitored.",
    ),
    "withdrawn": ("Withdrawn", "grey", "Stopped before it concluded; the reason is recorded."),
}

REQUEST_STATES = {
    "draft": ("Draft", "grey", "Not yet sent to the health body."),
    "issued": ("Issued", "blue", "Sent; the health body's response clock is running."),
    "answered": ("Answered", "green", "The health body answered."),
    "partially_answered": (
        "Partially answered",
        "yellow",
        "The health body answered part of the request.",
    ),
    "refused": ("Refused", "red", "The health body refused, giving a ground."),
    "withdrawn": ("Withdrawn", "grey", "The request was withdrawn."),
}

RECOMMENDATION_STATES = {
    "draft": ("Draft", "grey", "Awaiting agreement before it is issued."),
    "issued": ("Issued", "blue", "Sent; the health body's response clock is running."),
    "responded": ("Responded", "green", "The health body has responded."),
    "withdrawn": ("Withdrawn", "grey", "The recommendation was withdrawn."),
}

REFERRAL_STATES = {
    "awaiting_acknowledgement": (
        "Awaiting acknowledgement",
        "yellow",
        "The scrutiny committee must acknowledge the referral within its period.",
    ),
    "acknowledged": (
        "Acknowledged",
        "green",
        "Acknowledged; the committee keeps the involvement network informed of action taken.",
    ),
}

TABLES = {
    "topic": TOPIC_STATES,
    "request": REQUEST_STATES,
    "recommendation": RECOMMENDATION_STATES,
    "referral": REFERRAL_STATES,
}


def state_tag(state: str, kind: str = "topic") -> Tag:
    """The GOV.UK tag for a state of a topic, request, recommendation or referral."""
    label, colour, _ = TABLES[kind].get(state, (state.replace("_", " ").capitalize(), "grey", ""))
    return Tag(label, colour)


def state_meaning(state: str, kind: str = "topic") -> str:
    """What the state means, in plain English."""
    return TABLES[kind].get(state, ("", "", ""))[2]


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
