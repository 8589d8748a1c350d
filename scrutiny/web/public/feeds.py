"""The Atom feed of outcomes and the open-data downloads (CSV and JSON).

Each dataset is described here once — its fields, their types and meaning — and that one
description makes the CSV header, the JSON keys and the /data/ page; docs/open-data.md is the
same dictionary in prose (a test keeps the two in step). Every row comes from the public
selectors in `scrutiny.casework.publication`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import feedgenerator, timezone

from scrutiny.casework.models import RefusalGround
from scrutiny.casework.publication import (
    recommendations_public,
    requests_public,
    responses_public,
    topics_published,
    topics_with_last_change,
)
from scrutiny.web.presenters import public_state_label, rag_for


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # integer | text | date | datetime | boolean | list
    description: str


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[], Iterable[dict]]


def _site(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _date(value):
    return value.isoformat() if value else None


def _outcome_rows():
    qs = (
        topics_published()
        .select_related("partnership", "body", "lead_body")
        .prefetch_related("health_bodies")
        .order_by("-published_at", "-id")
    )
    for t in qs:
        yield {
            "id": t.pk,
            "url": _site(reverse("public:outcome", args=[t.pk])),
            "title": t.title,
            "summary": t.summary,
            "state": t.state,
            "state_label": public_state_label(t.state),
            "partnership": t.partnership.name if t.partnership_id else None,
            "body": t.body.name if t.body_id else None,
            "lead_body": t.lead_body.name,
            "health_bodies": [h.name for h in t.health_bodies.all()],
            "raised_on": _date(timezone.localdate(t.created_at)),
            "prioritised_on": _date(t.prioritised_on),
            "concluded_on": _date(t.concluded_on),
            "outcome_summary": t.outcome_summary,
            "decision_reason": t.decision_reason,
            "published_at": t.published_at.isoformat(),
        }


def _request_rows():
    qs = requests_public().select_related("requested_by", "recipient").order_by("id")
    for r in qs:
        yield {
            "id": r.pk,
            "topic_id": r.topic_id,
            "requested_by": r.requested_by.name,
            "recipient": r.recipient.name,
            "recipient_slug": r.recipient.slug,
            "question": r.question,
            "state": r.state,
            "issued_on": _date(r.issued_on),
            "due_on": _date(r.due_on),
            "due_explanation": r.due_explanation,
            "responded_on": _date(r.responded_on),
            "refusal_ground": r.refusal_ground,
            "withdrawal_reason": r.withdrawal_reason,
        }


def _recommendation_rows():
    today = timezone.localdate()
    qs = recommendations_public().select_related("made_by", "recipient").order_by("id")
    for r in qs:
        rag = rag_for(r, today)
        yield {
            "id": r.pk,
            "topic_id": r.topic_id,
            "made_by": r.made_by.name,
            "recipient": r.recipient.name,
            "recipient_slug": r.recipient.slug,
            "text": r.text,
            "rationale": r.rationale,
            "state": r.state,
            "issued_on": _date(r.issued_on),
            "due_on": _date(r.due_on),
            "due_explanation": r.due_explanation,
            "responded_on": _date(r.responded_on),
            "outcome": r.outcome,
            "implementation_status": r.implementation_status,
            "implementation_revised_date": _date(r.implementation_revised_date),
            "rag": rag.colour if rag else "",
            "withdrawal_reason": r.withdrawal_reason,
        }


def _response_rows():
    qs = (
        responses_public()
        .select_related("organisation", "information_request", "recommendation")
        .order_by("received_at", "id")
    )
    for r in qs:
        subject = r.information_request or r.recommendation
        yield {
            "id": r.pk,
            "subject_type": "information_request" if r.information_request_id else "recommendation",
            "subject_id": subject.pk,
            "topic_id": subject.topic_id,
            "organisation": r.organisation.name,
            "organisation_slug": r.organisation.slug,
            "channel": r.channel,
            "received_on": _date(timezone.localdate(r.received_at)),
            "due_on": _date(r.due_on),
            "on_time": r.on_time,
            "working_days_late": r.working_days_late,
            "outcome": r.outcome,
            "refusal_ground": r.refusal_ground,
            "refusal_ground_label": RefusalGround(r.refusal_ground).label
            if r.refusal_ground
            else "",
            "is_correction": r.supersedes_id is not None,
            "text": r.text,
        }


F = Field
DATASETS = {
    d.slug: d
    for d in (
        Dataset(
            "outcomes",
            "Outcomes",
            "One row per published topic: what was scrutinised and what came of it.",
            (
                F("id", "integer", "The topic's number; other files refer to it as topic_id."),
                F("url", "text", "The topic's page on this site."),
                F("title", "text", "What was scrutinised."),
                F("summary", "text", "Why, in a few sentences."),
                F(
                    "state",
                    "text",
                    "prioritised, information_requested, response_due, recommendation_made, "
                    "concluded, declined or withdrawn.",
                ),
                F("state_label", "text", "The state in words, as the site shows it."),
                F("partnership", "text", "The partnership whose joint topic it is, if joint."),
                F("body", "text", "The one body whose topic it is, if not joint."),
                F("lead_body", "text", "The body leading the work."),
                F("health_bodies", "list", "Health bodies concerned (CSV: separated by '; ')."),
                F("raised_on", "date", "When the topic was raised."),
                F("prioritised_on", "date", "When it was put on the work programme."),
                F("concluded_on", "date", "When it was concluded."),
                F("outcome_summary", "text", "The agreed outcome (concluded topics)."),
                F("decision_reason", "text", "Why it was declined or withdrawn."),
                F("published_at", "datetime", "When it was published on this site."),
            ),
            _outcome_rows,
        ),
        Dataset(
            "requests",
            "Information requests",
            "One row per information request issued on a published topic (drafts never appear).",
            (
                F("id", "integer", "The request's number; responses refer to it as subject_id."),
                F("topic_id", "integer", "The topic (outcomes.id)."),
                F("requested_by", "text", "The body that asked."),
                F("recipient", "text", "The health body asked."),
                F("recipient_slug", "text", "The health body's identifier on this site."),
                F("question", "text", "What was asked."),
                F(
                    "state",
                    "text",
                    "issued (awaiting the answer), answered, partially_answered, refused or "
                    "withdrawn.",
                ),
                F("issued_on", "date", "When it was sent: the statutory clock starts here."),
                F("due_on", "date", "When the answer is due."),
                F("due_explanation", "text", "How the due date was worked out."),
                F("responded_on", "date", "When the latest answer was received."),
                F("refusal_ground", "text", "Why information was refused, if it was."),
                F("withdrawal_reason", "text", "Why the request was withdrawn, if it was."),
            ),
            _request_rows,
        ),
        Dataset(
            "recommendations",
            "Recommendations",
            "One row per recommendation issued on a published topic (drafts never appear).",
            (
                F("id", "integer", "The recommendation's number (responses.subject_id)."),
                F("topic_id", "integer", "The topic (outcomes.id)."),
                F("made_by", "text", "The body that made it."),
                F("recipient", "text", "The health body it was made to."),
                F("recipient_slug", "text", "The health body's identifier on this site."),
                F("text", "text", "The recommendation."),
                F("rationale", "text", "Why it was made."),
                F("state", "text", "issued (awaiting the response), responded or withdrawn."),
                F("issued_on", "date", "When it was sent: the response clock starts here."),
                F("due_on", "date", "When the response is due."),
                F("due_explanation", "text", "How the due date was worked out."),
                F("responded_on", "date", "When the latest response was received."),
                F("outcome", "text", "accepted, partially_accepted, rejected or noted."),
                F(
                    "implementation_status",
                    "text",
                    "not_started, on_track, slipped, achieved or not_achieved.",
                ),
                F("implementation_revised_date", "date", "The revised date of a slipped action."),
                F(
                    "rag",
                    "text",
                    "green (achieved); amber (not started, on track, or slipped with its revised "
                    "date ahead); red (not achieved, slipped past its revised date, or the "
                    "response overdue); empty when not rated.",
                ),
                F("withdrawal_reason", "text", "Why it was withdrawn, if it was."),
            ),
            _recommendation_rows,
        ),
        Dataset(
            "responses",
            "Responses",
            "One row per current response from a health body (a corrected response is replaced "
            "by its correction).",
            (
                F("id", "integer", "The response's number."),
                F("subject_type", "text", "information_request or recommendation."),
                F("subject_id", "integer", "requests.id or recommendations.id."),
                F("topic_id", "integer", "The topic (outcomes.id)."),
                F("organisation", "text", "The health body that responded."),
                F("organisation_slug", "text", "The health body's identifier on this site."),
                F("channel", "text", "api, web, letter, email or meeting."),
                F("received_on", "date", "When it was received."),
                F("due_on", "date", "When it was due."),
                F("on_time", "boolean", "Received on or before the due date."),
                F("working_days_late", "integer", "Working days after the due date (0 on time)."),
                F(
                    "outcome",
                    "text",
                    "For requests: answered, partially_answered or refused; for "
                    "recommendations: accepted, partially_accepted, rejected or noted.",
                ),
                F("refusal_ground", "text", "The ground for refusing information, if refused."),
                F("refusal_ground_label", "text", "The ground in words."),
                F("is_correction", "boolean", "This response corrects an earlier one."),
                F("text", "text", "What the health body said."),
            ),
            _response_rows,
        ),
    )
}


# --- Renderers ------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    """Spreadsheet-safe: a text cell that would start a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = "; ".join(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def dataset_csv(dataset: Dataset) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    names = [f.name for f in dataset.fields]
    writer.writerow(names)
    for row in dataset.rows():
        writer.writerow([_csv_cell(row[n]) for n in names])
    return out.getvalue()


def dataset_json(dataset: Dataset) -> str:
    rows = list(dataset.rows())
    return json.dumps(
        {
            "dataset": dataset.slug,
            "title": dataset.title,
            "generated_at": timezone.now().isoformat(),
            "count": len(rows),
            "results": rows,
        },
        ensure_ascii=False,
        indent=1,
    )


def outcomes_atom(*, limit: int = 50) -> str:
    """The newest published outcomes as an Atom 1.0 feed."""
    return topics_atom(
        topics_published(),
        title="Critical Friend: published outcomes",
        link=reverse("public:outcomes"),
        description="Health scrutiny topics published by the partnerships.",
        feed_url=reverse("public:outcomes-feed"),
        limit=limit,
    )


def topics_atom(qs, *, title, link, description, feed_url, limit: int = 50) -> str:
    """Public topics of `qs`, newest first, as an Atom 1.0 feed; each entry's `updated` is its
    last public change (`topics_with_last_change`), not its publication."""
    feed = feedgenerator.Atom1Feed(
        title=title,
        link=_site(link),
        description=description,
        language="en-gb",
        feed_url=_site(feed_url),
    )
    qs = topics_with_last_change(qs.select_related("lead_body")).order_by("-published_at", "-id")[
        :limit
    ]
    for t in qs:
        url = _site(reverse("public:outcome", args=[t.pk]))
        parts = [t.summary]
        if t.outcome_summary:
            parts.append(f"Outcome: {t.outcome_summary}")
        if t.decision_reason:
            parts.append(f"Reason: {t.decision_reason}")
        feed.add_item(
            title=t.title,
            link=url,
            description="\n\n".join(parts),
            unique_id=url,
            pubdate=t.published_at,
            updateddate=t.last_change or t.published_at,
            categories=[public_state_label(t.state)],
            author_name=t.lead_body.name,
        )
    return feed.writeString("utf-8")
