"""iCalendar feeds (RFC 5545), built with `icalendar`.

Every meeting is one VEVENT with a stable UID (meeting-<id>@<host>), a SEQUENCE that the services
raise on every change, STATUS (CANCELLED for cancelled meetings), a URL back to its page, and
times in Europe/London with the VTIMEZONE. Deadlines are all-day events. DTSTAMP is the record's
last revision (a METHOD-less calendar, RFC 5545 §3.8.7.2), so an unchanged feed is byte-for-byte
the same and its ETag holds. Only non-exempt information ever goes into a feed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, Q, Sum
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from protocols.models import AgendaItem, Meeting, MeetingState
from protocols.selectors import agenda_publication_due, protocol_reviews_due
from scrutiny.casework.models import (
    InformationRequest,
    Recommendation,
    RecommendationState,
    Referral,
    ReferralState,
    RequestState,
    Topic,
)
from scrutiny.casework.policy import (
    owned_by,
    recommendations_visible_to,
    requests_visible_to,
)
from workflows.models import DueDateChange

FEED_WINDOW_BACK = dt.timedelta(days=366)
PRODID = "-//Critical Friend//Joint health scrutiny//EN"


def london_vtimezone() -> Timezone:
    """Europe/London as a VTIMEZONE with yearly rules (the EU rules the UK follows since 1996).

    icalendar's generated VTIMEZONE lists every change as a multi-valued RDATE, which ical.js
    reads only in part (it then puts every winter after 1972 in BST); yearly RRULEs, as Outlook
    and Google Calendar publish them, are read alike by every client.
    """
    tz = Timezone()
    tz.add("tzid", "Europe/London")
    summer = TimezoneDaylight()
    summer.add("tzname", "BST")
    summer.add("tzoffsetfrom", dt.timedelta(0))
    summer.add("tzoffsetto", dt.timedelta(hours=1))
    summer.add("dtstart", dt.datetime(1996, 3, 31, 1, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    winter = TimezoneStandard()
    winter.add("tzname", "GMT")
    winter.add("tzoffsetfrom", dt.timedelta(hours=1))
    winter.add("tzoffsetto", dt.timedelta(0))
    winter.add("dtstart", dt.datetime(1996, 10, 27, 2, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def host() -> str:
    return urlparse(settings.SITE_URL).hostname or "localhost"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def webcal(path: str) -> str:
    """The webcal:// address of a feed path, for 'Subscribe' links."""
    parsed = urlparse(settings.SITE_URL)
    return f"webcal://{parsed.netloc}{path}"


@dataclass(frozen=True)
class Deadline:
    uid: str
    summary: str
    day: dt.date
    url: str
    sequence: int
    modified: dt.datetime
    description: str = ""


def feed_meetings(qs):
    """Meetings for a feed: recent and future, with their public items in one query."""
    since = timezone.localdate() - FEED_WINDOW_BACK
    public_items = Prefetch(
        "items",
        queryset=AgendaItem.objects.filter(exempt=False).order_by("position", "id"),
        to_attr="public_items",
    )
    return (
        qs.filter(date__gte=since)
        .select_related("body", "partnership")
        .prefetch_related(public_items)
        .order_by("date", "start_time", "id")
    )


def meeting_event(meeting: Meeting) -> Event:
    ev = Event()
    ev.add("uid", f"meeting-{meeting.pk}@{host()}")
    ev.add("dtstamp", meeting.updated_at.astimezone(dt.UTC))
    ev.add("last-modified", meeting.updated_at.astimezone(dt.UTC))
    ev.add("created", meeting.created_at.astimezone(dt.UTC))
    ev.add("sequence", meeting.sequence)
    ev.add("summary", f"{meeting.title} ({meeting.organiser})")
    ev.add("dtstart", meeting.starts_at())
    ev.add("dtend", meeting.ends_at())
    ev.add("url", absolute(meeting.get_absolute_url()))
    location = ", ".join(x for x in (meeting.place, meeting.online_url) if x)
    if location:
        ev.add("location", location)
    if meeting.state == MeetingState.CANCELLED:
        ev.add("status", "CANCELLED")
    else:
        ev.add("status", "CONFIRMED")
    lines = []
    if meeting.state == MeetingState.CANCELLED and meeting.cancellation_reason:
        lines.append(f"Cancelled: {meeting.cancellation_reason}")
    if meeting.agenda_published:
        items = getattr(meeting, "public_items", None)
        if items is None:
            items = list(meeting.items.filter(exempt=False).order_by("position", "id"))
        lines.append("Agenda:")
        lines.extend(f"{it.position}. {it.title}" for it in items)
    else:
        lines.append("The agenda is not published yet.")
    lines.append(absolute(meeting.get_absolute_url()))
    ev.add("description", "\n".join(lines))
    return ev


def deadline_event(d: Deadline) -> Event:
    ev = Event()
    ev.add("uid", d.uid)
    ev.add("dtstamp", d.modified.astimezone(dt.UTC))
    ev.add("last-modified", d.modified.astimezone(dt.UTC))
    ev.add("sequence", d.sequence)
    ev.add("summary", d.summary)
    ev.add("dtstart", d.day)
    ev.add("dtend", d.day + dt.timedelta(days=1))
    ev.add("transp", "TRANSPARENT")
    ev.add("url", d.url)
    ev.add("categories", ["Deadline"])
    if d.description:
        ev.add("description", d.description)
    return ev


@dataclass
class Feed:
    body: bytes
    last_modified: dt.datetime | None


def build_feed(name: str, meetings, deadlines=()) -> Feed:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    stamps = []
    for meeting in meetings:
        cal.add_component(meeting_event(meeting))
        stamps.append(meeting.updated_at)
    for d in deadlines:
        cal.add_component(deadline_event(d))
        stamps.append(d.modified)
    if settings.TIME_ZONE == "Europe/London":
        cal.subcomponents.insert(0, london_vtimezone())
    else:
        cal.add_missing_timezones()
    return Feed(cal.to_ical(), max(stamps) if stamps else None)


def feed_response(request, feed: Feed, filename: str, *, private: bool = False) -> HttpResponse:
    """The feed with ETag and Last-Modified; 304 when the client's copy is current."""
    etag = '"' + hashlib.sha256(feed.body).hexdigest()[:32] + '"'
    last_modified = int(feed.last_modified.timestamp()) if feed.last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    response = not_modified or HttpResponse(feed.body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, max-age=300" if private else "public, max-age=300"
    if not not_modified:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- Cheap validators: a 304 before anything is built ----------------------------------------

# Raise when the feed's format changes (every subscriber then gets the new body once).
FEED_FORMAT = "2"
FEED_CACHE_SECONDS = 24 * 3600


def feed_validators(name: str, meetings) -> tuple[str, dt.datetime | None]:
    """The ETag and Last-Modified of the feed of `meetings` (a queryset), in one aggregate
    query and without building it: how many meetings are in the window, the latest
    modification among them and the sum of their SEQUENCEs. Every change a subscriber can see
    raises a meeting's SEQUENCE and `updated_at` (the services' `_touch`), and a meeting
    leaving the window or deleted changes the count."""
    since = timezone.localdate() - FEED_WINDOW_BACK
    agg = meetings.filter(date__gte=since).aggregate(
        n=Count("pk"), last=Max("updated_at"), seq=Sum("sequence")
    )
    last = agg["last"]
    stamp = last.isoformat() if last else "-"
    raw = (
        f"{FEED_FORMAT}|{settings.SITE_URL}|{settings.TIME_ZONE}|{name}|{agg['n']}|{stamp}|"
        f"{agg['seq']}"
    )
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"', last


def _feed_headers(response, *, etag: str, last_modified, filename: str, private: bool):
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(int(last_modified.timestamp()))
    response["Cache-Control"] = "private, max-age=300" if private else "public, max-age=300"
    if response.status_code == 200:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def meetings_feed_response(request, *, name: str, meetings, filename: str) -> HttpResponse:
    """A meetings feed with cheap validators: the ETag and Last-Modified come from
    `feed_validators` (one query) and are checked BEFORE the feed is built, so a 304 costs
    that one query; a 200 is built once per validator and kept in the shared cache under it."""
    etag, last = feed_validators(name, meetings)
    stamp = int(last.timestamp()) if last else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=stamp)
    if not_modified is not None:
        return _feed_headers(
            not_modified, etag=etag, last_modified=last, filename=filename, private=False
        )
    key = f"cf:feed:{etag.strip(chr(34))}"
    body = cache.get(key)
    if body is None:
        body = build_feed(name, feed_meetings(meetings)).body
        cache.set(key, body, FEED_CACHE_SECONDS)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    return _feed_headers(response, etag=etag, last_modified=last, filename=filename, private=False)


# --- Personal deadlines ---------------------------------------------------------------------


def _changes_by_object(model, ids) -> dict[int, int]:
    """How many times each clocked object's due date moved: its deadline's SEQUENCE."""
    if not ids:
        return {}
    ctype = ContentType.objects.get_for_model(model)
    rows = (
        DueDateChange.objects.filter(content_type=ctype, object_id__in=ids)
        .values("object_id")
        .annotate(n=Count("id"))
    )
    return {r["object_id"]: r["n"] for r in rows}


def personal_deadlines(user, body_ids: set[int], today: dt.date) -> list[Deadline]:
    """The deadlines this person answers for, as all-day events."""
    h = host()
    since = today - FEED_WINDOW_BACK
    out: list[Deadline] = []

    requests = list(
        requests_visible_to(user)
        .filter(state=RequestState.ISSUED, due_on__gte=since)
        .select_related("recipient", "topic")
    )
    seq = _changes_by_object(InformationRequest, [r.pk for r in requests])
    for r in requests:
        out.append(
            Deadline(
                uid=f"request-{r.pk}-due@{h}",
                summary=f"Response due from {r.recipient}: information request",
                day=r.due_on,
                url=absolute(r.get_absolute_url()),
                sequence=seq.get(r.pk, 0),
                modified=r.updated_at,
                description=f"{r.topic.title}\n{r.due_explanation}",
            )
        )

    recs = list(
        recommendations_visible_to(user)
        .filter(state=RecommendationState.ISSUED, due_on__gte=since)
        .select_related("recipient", "topic")
    )
    seq = _changes_by_object(Recommendation, [r.pk for r in recs])
    for r in recs:
        out.append(
            Deadline(
                uid=f"recommendation-{r.pk}-due@{h}",
                summary=f"Response due from {r.recipient}: recommendation",
                day=r.due_on,
                url=absolute(r.get_absolute_url()),
                sequence=seq.get(r.pk, 0),
                modified=r.updated_at,
                description=f"{r.topic.title}\n{r.due_explanation}",
            )
        )

    if body_ids:
        referrals = list(
            Referral.objects.filter(
                Q(to_body__in=body_ids) | Q(from_body__in=body_ids),
                state=ReferralState.AWAITING_ACKNOWLEDGEMENT,
                due_on__gte=since,
                topic__in=owned_by(Topic.objects.all(), body_ids).values("pk"),
            ).select_related("topic", "to_body")
        )
        seq = _changes_by_object(Referral, [r.pk for r in referrals])
        for r in referrals:
            out.append(
                Deadline(
                    uid=f"referral-{r.pk}-acknowledgement@{h}",
                    summary=f"{r.to_body} acknowledges referral: {r.topic.title}",
                    day=r.due_on,
                    url=absolute(r.topic.get_absolute_url()),
                    sequence=seq.get(r.pk, 0),
                    modified=r.updated_at,
                    description=r.due_explanation,
                )
            )

        for v in protocol_reviews_due(today, within_days=3660, body_ids=body_ids):
            out.append(
                Deadline(
                    uid=f"protocol-review-{v.pk}@{h}",
                    summary=f"Protocol review: {v.protocol.title}",
                    day=v.review_on,
                    url=absolute(v.get_absolute_url()),
                    sequence=v.sequence,
                    modified=v.updated_at,
                )
            )

        for m in agenda_publication_due(today, body_ids=body_ids).select_related(
            "body", "partnership"
        ):
            out.append(
                Deadline(
                    uid=f"agenda-{m.pk}@{h}",
                    summary=f"Publish the agenda: {m.title} ({m.organiser})",
                    day=m.due_on,
                    url=absolute(m.get_absolute_url()),
                    sequence=m.sequence,
                    modified=m.updated_at,
                    description=m.due_explanation,
                )
            )
    out.sort(key=lambda d: (d.day, d.uid))
    return out
