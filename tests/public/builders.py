"""Build public-site casework through the services (never by setting `state`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from scrutiny.casework import services
from scrutiny.casework.publication import topic_publish
from tests.factories import agree_recommendations

SCORES = {
    "timely": 2,
    "organisational_priority": 2,
    "public_interest": 2,
    "influence": 1,
    "cost_effective": 1,
}

ORDER = [
    "raised",
    "prioritised",
    "information_requested",
    "response_due",
    "recommendation_made",
    "concluded",
]


def build_topic(
    area,
    officer,
    responder,
    *,
    target: str = "concluded",
    title: str = "Stroke services",
    summary: str = "Moving the stroke unit",
    question: str = "How many beds?",
    answer: str = "40 beds",
    recommendation: str = "Keep the unit open",
    rec_response: str = "Agreed",
    outcome_summary: str = "The unit stays",
    reason: str = "Not within our remit",
    recipient=None,
    issued_on: dt.date | None = None,
    received_at: dt.datetime | None = None,
    publish: bool = True,
    note: str = "",
):
    """A joint topic of `area` moved to `target`; published when `publish` and allowed.
    `note` goes on every lifecycle move that is not a decision (private to the casework)."""
    recipient = recipient or area.trust
    # The trust's responder answers through the API; other bodies' letters are recorded by
    # the officer.
    answerer, channel = (responder, "api") if recipient == area.trust else (officer, "letter")
    topic = services.topic_raise(
        by=officer,
        title=title,
        summary=summary,
        partnership=area.partnership,
        lead_body=area.network,
        health_bodies=[recipient],
    )
    if target == "declined":
        topic = services.topic_decline(topic=topic, by=officer, reason=reason)
    elif target != "raised":
        topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES, note=note)
        if target == "withdrawn":
            topic = services.topic_withdraw(topic=topic, by=officer, reason=reason)
        reach = ORDER.index(target) if target in ORDER else 0
        if reach >= ORDER.index("information_requested"):
            topic = services.topic_request_information(topic=topic, by=officer, note=note)
            req = services.information_request_draft(
                topic=topic, by=officer, recipient=recipient, question=question
            )
        if reach >= ORDER.index("response_due"):
            topic = services.topic_issue_requests(
                topic=topic, by=officer, on=issued_on or timezone.localdate(), note=note
            )
            req.refresh_from_db()
            services.provider_response_record(
                subject=req,
                by=answerer,
                channel=channel,
                text=answer,
                outcome="answered",
                received_at=received_at,
            )
        if reach >= ORDER.index("recommendation_made"):
            rec = services.recommendation_draft(
                topic=topic, by=officer, recipient=recipient, text=recommendation
            )
            agree_recommendations(topic)
            topic = services.topic_make_recommendations(
                topic=topic, by=officer, on=issued_on or timezone.localdate(), note=note
            )
            rec.refresh_from_db()
            services.provider_response_record(
                subject=rec,
                by=answerer,
                channel=channel,
                text=rec_response,
                outcome="accepted",
                received_at=received_at,
                action_plan=[
                    {
                        "action": "Keep staffing",
                        "owner": "Chief operating officer",
                        "target_date": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
                    }
                ],
            )
        if reach >= ORDER.index("concluded"):
            topic = services.topic_conclude(
                topic=topic, by=officer, outcome_summary=outcome_summary
            )
    if publish and target != "raised":
        topic = topic_publish(topic=topic, by=officer, note=note)
    topic.refresh_from_db()
    return topic
