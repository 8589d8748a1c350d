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
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import feedgenerator, timezone

from protocols.models import ProgrammeEntry
from scrutiny.casework import body_asks
from scrutiny.casework.models import Organisation, RefusalGround
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
    primary_key: tuple[str, ...] = ("id",)
    # (field, other dataset's slug, its field): each value is found there (datapackage.json)
    foreign_keys: tuple[tuple[str, str, str], ...] = ()


# Every download is published under the Open Government Licence v3.0 (docs/open-data.md).
LICENCE = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."


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
            "body_gss_code": t.body.gss_code if t.body_id else None,
            "lead_body": t.lead_body.name,
            "lead_body_slug": t.lead_body.slug,
            "lead_body_gss_code": t.lead_body.gss_code,
            "health_bodies": [h.name for h in t.health_bodies.all()],
            "health_bodies_ods_codes": [h.ods_code for h in t.health_bodies.all() if h.ods_code],
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
            "requested_by_gss_code": r.requested_by.gss_code,
            "recipient": r.recipient.name,
            "recipient_slug": r.recipient.slug,
            "recipient_ods_code": r.recipient.ods_code,
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
            "made_by_gss_code": r.made_by.gss_code,
            "recipient": r.recipient.name,
            "recipient_slug": r.recipient.slug,
            "recipient_ods_code": r.recipient.ods_code,
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
            "organisation_ods_code": r.organisation.ods_code,
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


def _body_rows():
    for o in Organisation.objects.order_by("slug"):
        yield {
            "slug": o.slug,
            "name": o.name,
            "kind": o.kind,
            "health_body_kind": o.health_body_kind,
            "ods_code": o.ods_code,
            "gss_code": o.gss_code,
            "area": o.area,
            "website": o.website,
            "url": _site(reverse("public:health-body", args=[o.slug])) if o.is_health_body else "",
        }


def _programme_rows():
    """The work programmes' entries whose topic is published (the public programme pages'
    rule): a target meeting is named only once its agenda is published, and the reason an
    officer gave for going beyond capacity stays private."""
    qs = (
        ProgrammeEntry.objects.filter(topic__in=topics_published().values("pk"))
        .select_related("programme__partnership", "meeting", "topic")
        .order_by("-programme__year", "programme__partnership__name", "added_at", "pk")
    )
    for e in qs:
        programme = e.programme
        meeting = e.meeting if e.meeting_id and e.meeting.agenda_published_at else None
        yield {
            "id": e.pk,
            "year": programme.year,
            "year_label": programme.year_label,
            "partnership": programme.partnership.name,
            "partnership_slug": programme.partnership.slug,
            "topic_capacity": programme.topic_capacity,
            "reserved": programme.reserved,
            "topic_id": e.topic_id,
            "topic_title": e.topic.title,
            "state": e.topic.state,
            "target_meeting": meeting.title if meeting else None,
            "target_meeting_date": _date(meeting.date) if meeting else None,
            "scheduled_on": _date(timezone.localdate(e.added_at)),
        }


def ask_record(row, body) -> dict:
    """A row of a health body's record (`scrutiny.casework.body_asks.AskRow`) for a download."""
    anchor = "request" if row.kind == body_asks.REQUEST else "recommendation"
    return {
        "kind": row.kind,
        "id": row.pk,
        "topic_id": row.topic_id,
        "url": _site(reverse("public:outcome", args=[row.topic_id])) + f"#{anchor}-{row.pk}",
        "recipient": body.name,
        "recipient_slug": body.slug,
        "recipient_ods_code": body.ods_code,
        "text": row.text,
        "state": row.state,
        "issued_on": _date(row.issued_on),
        "due_on": _date(row.due_on),
        "answered_on": _date(row.answered_on),
        "late": row.late,
        "working_days_late": row.working_days_late,
    }


def _record_rows():
    bodies = {}
    for row in body_asks.rows(body_asks.asks_public()):
        if row.recipient_id not in bodies:
            bodies.update(
                (o.pk, o) for o in Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY)
            )
        yield ask_record(row, bodies[row.recipient_id])


F = Field
ASK_FIELDS = (
    F("kind", "text", "information_request or recommendation."),
    F("id", "integer", "The request's (requests.id) or recommendation's (recommendations.id) id."),
    F("topic_id", "integer", "The topic (outcomes.id)."),
    F("url", "text", "Where it is shown on this site."),
    F("recipient", "text", "The health body asked."),
    F("recipient_slug", "text", "The health body's identifier (bodies.slug)."),
    F("recipient_ods_code", "text", "The health body's NHS ODS code."),
    F("text", "text", "The question asked, or the recommendation."),
    F(
        "state",
        "text",
        "issued (awaiting the answer), answered, partially_answered, refused, responded or "
        "withdrawn.",
    ),
    F("issued_on", "date", "When it was sent: the clock starts here."),
    F("due_on", "date", "When the answer was due."),
    F("answered_on", "date", "When the first answer came (a correction does not change it)."),
    F("late", "boolean", "The first answer came after the due date, or none has and it is due."),
    F(
        "working_days_late",
        "integer",
        "Working days after the due date: of the first answer, or until today while overdue "
        "(0 on time; empty when not yet due or withdrawn unanswered).",
    ),
)
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
                F("body_gss_code", "text", "That body's council's GSS code (ONS)."),
                F("lead_body", "text", "The body leading the work."),
                F("lead_body_slug", "text", "The lead body's identifier (bodies.slug)."),
                F("lead_body_gss_code", "text", "The lead body's council's GSS code (ONS)."),
                F("health_bodies", "list", "Health bodies concerned (CSV: separated by '; ')."),
                F(
                    "health_bodies_ods_codes",
                    "list",
                    "Their NHS ODS codes, where known (CSV: separated by '; ').",
                ),
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
                F("requested_by_gss_code", "text", "Its council's GSS code (ONS)."),
                F("recipient", "text", "The health body asked."),
                F("recipient_slug", "text", "The health body's identifier on this site."),
                F("recipient_ods_code", "text", "The health body's NHS ODS code."),
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
                F("made_by_gss_code", "text", "Its council's GSS code (ONS)."),
                F("recipient", "text", "The health body it was made to."),
                F("recipient_slug", "text", "The health body's identifier on this site."),
                F("recipient_ods_code", "text", "The health body's NHS ODS code."),
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
                F("organisation_ods_code", "text", "The health body's NHS ODS code."),
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
        Dataset(
            "record",
            "Health bodies' records",
            "One row per information request and recommendation issued on a published topic, "
            "with its status, due date, first answer and how late it was.",
            ASK_FIELDS,
            _record_rows,
            primary_key=("kind", "id"),
        ),
        Dataset(
            "work-programmes",
            "Work programmes",
            "One row per published topic on a partnership's work programme for a municipal "
            "year, with the year's capacity and the topics held in reserve for issues that "
            "arise.",
            (
                F("id", "integer", "The programme entry's number."),
                F(
                    "year",
                    "integer",
                    "The municipal year, by the year it starts (2026 is 2026/27).",
                ),
                F("year_label", "text", "The municipal year as written (2026/27)."),
                F("partnership", "text", "The partnership whose programme it is."),
                F("partnership_slug", "text", "The partnership's identifier on this site."),
                F("topic_capacity", "integer", "How many topics the year can carry in all."),
                F("reserved", "integer", "Of those, how many are held for issues that arise."),
                F("topic_id", "integer", "The topic (outcomes.id)."),
                F("topic_title", "text", "What is to be scrutinised."),
                F("state", "text", "The topic's state (as in outcomes.state)."),
                F(
                    "target_meeting",
                    "text",
                    "The meeting it is aimed at, once that meeting's agenda is published.",
                ),
                F("target_meeting_date", "date", "That meeting's date."),
                F("scheduled_on", "date", "When it was put on the programme."),
            ),
            _programme_rows,
        ),
        Dataset(
            "bodies",
            "Bodies",
            "One row per body this site names: health bodies, involvement networks and "
            "scrutiny committees, with their NHS ODS and ONS GSS codes.",
            (
                F("slug", "text", "The body's identifier on this site; other files refer to it."),
                F("name", "text", "The body's name."),
                F("kind", "text", "health_body, involvement_network or scrutiny_committee."),
                F(
                    "health_body_kind",
                    "text",
                    "For a health body: nhs_trust, foundation_trust, commissioner, gp_practice, "
                    "independent_provider or council_social_care.",
                ),
                F("ods_code", "text", "NHS Organisation Data Service code, where it has one."),
                F("gss_code", "text", "ONS GSS code of the council it belongs to or serves."),
                F("area", "text", "The council area served."),
                F("website", "text", "Its website."),
                F("url", "text", "A health body's record on this site."),
            ),
            _body_rows,
            primary_key=("slug",),
        ),
    )
}

# The joins datapackage.json declares (field, dataset, field).
_KEYS = {
    "requests": (("topic_id", "outcomes", "id"), ("recipient_slug", "bodies", "slug")),
    "recommendations": (("topic_id", "outcomes", "id"), ("recipient_slug", "bodies", "slug")),
    "responses": (("topic_id", "outcomes", "id"), ("organisation_slug", "bodies", "slug")),
    "record": (("topic_id", "outcomes", "id"), ("recipient_slug", "bodies", "slug")),
    "outcomes": (("lead_body_slug", "bodies", "slug"),),
    "work-programmes": (("topic_id", "outcomes", "id"),),
}
DATASETS = {
    slug: Dataset(**{**d.__dict__, "foreign_keys": _KEYS.get(slug, ())})
    for slug, d in DATASETS.items()
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
            "licence": LICENCE,
            "attribution": ATTRIBUTION,
            "count": len(rows),
            "results": rows,
        },
        ensure_ascii=False,
        indent=1,
    )


def download_response(dataset: Dataset, fmt: str, *, filename: str | None = None):
    """A download: CSV or JSON, saved rather than shown (`Content-Disposition: attachment`),
    its licence in a `Link` header (rel="license") and, for JSON, in the body too."""
    if fmt == "csv":
        response = HttpResponse(dataset_csv(dataset), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        response = HttpResponse(dataset_json(dataset), content_type="application/json")
    else:
        raise Http404("Downloads are CSV or JSON.")
    response["Content-Disposition"] = f'attachment; filename="{filename or dataset.slug}.{fmt}"'
    response["Link"] = f'<{LICENCE["path"]}>; rel="license"; title="{LICENCE["title"]}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


TABLE_SCHEMA_TYPES = {
    "integer": "integer",
    "text": "string",
    "date": "date",
    "datetime": "datetime",
    "boolean": "boolean",
    "list": "string",  # joined with '; ' in the CSV
}


BOOLEAN_VALUES = {"trueValues": ["true"], "falseValues": ["false"]}


def datapackage(*, base: str | None = None) -> dict:
    """The Frictionless Data Package describing every CSV (fields, types, keys, licence).
    `base`: where the CSV files are (this site's /data/ by default; a test gives a folder)."""
    base = _site(reverse("public:data")) if base is None else base
    resources = []
    for d in DATASETS.values():
        schema = {
            "fields": [
                {
                    "name": f.name,
                    "type": TABLE_SCHEMA_TYPES[f.type],
                    "description": f.description,
                    **(
                        {"trueValues": ["true"], "falseValues": ["false"]}
                        if f.type == "boolean"
                        else {}
                    ),
                }
                for f in d.fields
            ],
            "missingValues": [""],
            "primaryKey": list(d.primary_key),
        }
        if d.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": field, "reference": {"resource": other, "fields": other_field}}
                for field, other, other_field in d.foreign_keys
            ]
        resources.append(
            {
                "name": d.slug,
                "title": d.title,
                "description": d.description,
                "path": f"{base}{d.slug}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": schema,
                "licenses": [LICENCE],
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "critical-friend-health-scrutiny",
        "title": "Critical Friend: health scrutiny open data",
        "description": "Published health scrutiny topics, the information requests and "
        "recommendations made to health bodies, their responses and the bodies' records. "
        + ATTRIBUTION,
        "homepage": _site(reverse("public:data")),
        "licenses": [LICENCE],
        "created": timezone.now().isoformat(timespec="seconds"),
        "resources": resources,
    }


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
